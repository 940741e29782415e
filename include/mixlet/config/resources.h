// ConfigResources: the configuration as written — Mixer's instances, handlers, rules and
// attribute manifests — before validation.
//
// Fill a `ConfigResources` in code, or from documents: `AddDocument` takes one Kubernetes-style
// document (`apiVersion: config.istio.io/v1alpha2`, `kind`, `metadata`, `spec`) as a `ParamValue`
// tree, decodes its spec exactly as strictly as Mixer did (an unknown key or a value of the wrong
// type makes Mixer skip the resource; config.md §1) and files it. Kinds `instance`, `handler`,
// `rule` and `attributemanifest` are read, and so are the older per-template kinds (`kind:
// metric`, whose spec is the template's params) and per-adapter kinds (`kind: prometheus`, whose
// spec is the adapter's params). The YAML loader (config_loader.h) is a thin layer over this.
// Problems found while decoding are kept in `issues`; `BuildConfig` (config.h) adds the rest.
//
// Names: every resource has the fully-qualified name `<name>.<kind>.<namespace>`
// (`mongosentbytes.instance.default`); rules refer to instances and handlers by short or
// qualified names that `BuildConfig` resolves as Mixer did (config.md §2).
//
// Example:
//   ConfigResources r;
//   InstanceResource& i = r.instances.emplace_back();
//   i.meta = {"requestcount", "istio-system"};
//   i.template_name = "metric";
//   i.params = ParamValue::Map({{"value", ParamValue::String("1")}});
//   RuleResource& rule = r.rules.emplace_back();
//   rule.meta = {"promhttp", "istio-system"};
//   rule.actions.push_back({"prometheus", {"requestcount"}});
#ifndef MIXLET_CONFIG_RESOURCES_H_
#define MIXLET_CONFIG_RESOURCES_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "mixlet/config/config_issue.h"
#include "mixlet/config/params.h"
#include "mixlet/value/value_type.h"

namespace mixlet {

// The apiVersion every Mixer resource carries.
inline constexpr absl::string_view kMixerApiVersion = "config.istio.io/v1alpha2";
// The namespace of a resource whose metadata names none (as `kubectl apply` does).
inline constexpr absl::string_view kDefaultResourceNamespace = "default";

struct ResourceMeta {
  std::string name;            // metadata.name (required).
  std::string namespace_name;  // metadata.namespace; "" means "default".
  SourceLocation location;     // Where the document starts.

  // namespace_name, or "default" when empty.
  absl::string_view effective_namespace() const {
    return namespace_name.empty() ? kDefaultResourceNamespace : absl::string_view(namespace_name);
  }
};

struct InstanceResource {
  ResourceMeta meta;
  // "instance", or the legacy kind (the template's name, e.g. "metric").
  std::string kind = "instance";
  std::string template_name;  // spec.compiledTemplate, e.g. "metric".
  int template_line = 0;      // Source line of compiledTemplate (or of the kind), 0 if unknown.
  // The template's params: a map whose expression leaves are strings (CEXL text). A legacy
  // document's whole spec.
  ParamValue params;

  std::string Fqn() const;  // "<name>.<kind>.<namespace>"
};

struct HandlerResource {
  ResourceMeta meta;
  // "handler", or the legacy kind (the adapter's name, e.g. "prometheus").
  std::string kind = "handler";
  std::string adapter_name;  // spec.compiledAdapter, e.g. "prometheus".
  int adapter_line = 0;      // Source line of compiledAdapter (or of the kind), 0 if unknown.
  ParamValue params;         // The adapter's params (a legacy document's whole spec).

  std::string Fqn() const;
  bool is_legacy() const { return kind != "handler"; }
};

struct ActionResource {
  std::string handler;                 // Handler reference, short or qualified (required).
  std::vector<std::string> instances;  // Instance references, short or qualified (>= 1).
  std::string name;                    // Optional action name.
  int handler_line = 0;                // Source lines, 0 when built in code.
  std::vector<int> instance_lines;     // Parallel to `instances`, or empty.
};

struct RuleResource {
  ResourceMeta meta;
  std::string match;  // CEXL; empty, whitespace or "true" matches everything.
  int match_line = 0;
  std::vector<ActionResource> actions;
  // Header operations are Check-only (out of scope): counted so that a rule that has them is
  // not reported as empty, otherwise ignored.
  int header_operation_count = 0;

  std::string Fqn() const;
};

struct AttributeManifestResource {
  struct Attribute {
    std::string name;
    ValueType type = ValueType::kUnspecified;
    int line = 0;
  };
  ResourceMeta meta;
  std::vector<Attribute> attributes;

  std::string Fqn() const;
};

struct ConfigResources {
  std::vector<AttributeManifestResource> manifests;
  std::vector<InstanceResource> instances;
  std::vector<HandlerResource> handlers;
  std::vector<RuleResource> rules;
  // Problems found while reading; each names a document that was skipped (or a part of one).
  std::vector<ConfigIssue> issues;
  // FQNs of the skipped documents whose kind and name could be read, so that a rule referring
  // to one is told it is invalid rather than missing.
  std::vector<std::string> skipped;

  // Decodes one document (the whole `apiVersion`/`kind`/`metadata`/`spec` object) and files it,
  // or records why it was skipped. `where` is the document's file, first line and index.
  // A null document (an empty YAML document) is ignored.
  void AddDocument(const ParamValue& document, const SourceLocation& where);

  // Moves every resource and issue of `other` to the end of this set.
  void Append(ConfigResources other);
};

}  // namespace mixlet

#endif  // MIXLET_CONFIG_RESOURCES_H_
