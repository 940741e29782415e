// Config: an immutable, validated configuration snapshot — compiled instances, adapter-checked
// handlers and resolved rules — built from `ConfigResources` by `BuildConfig`.
//
// `BuildConfig` runs every check and lists every problem as a `ConfigIssue` (config_issue.h):
// documents that did not decode, unknown templates and adapters, unknown or mistyped template
// params, expressions that do not compile or have the wrong type (with their column), duplicate
// names, handler params the adapter rejects, rules naming handlers or instances that do not
// exist, instances an adapter cannot take. By default (strict) a configuration with any issue is
// refused as a whole: `result.config` is null and nothing is applied. With
// `ConfigOptions::lenient` the configuration is applied the way Mixer 1.4–1.7 applied it: each
// offending piece is left out exactly as config.md §1.3 describes (an invalid instance, a rule
// whose match does not compile, an action whose handler is missing, ...) and every issue says
// in `effect` what was dropped.
//
// The vocabulary is the base vocabulary (Istio's standard attributes unless
// `ConfigOptions::base_vocabulary` says otherwise) extended by every `attributemanifest` of the
// configuration; expressions are compiled against it. A Config is immutable and thread-safe;
// share it as `std::shared_ptr<const Config>`. Handlers are not built here: the router builds
// them (router.h), so that a reload can keep the ones whose configuration did not change.
//
// Example:
//   AdapterRegistry adapters;  // ... Register(...)
//   ConfigBuildResult result = BuildConfig(resources, adapters);
//   if (!result.ok()) {
//     for (const ConfigIssue& issue : result.issues) std::cerr << "error: " << issue << "\n";
//     return;
//   }
//   std::shared_ptr<const Config> config = result.config;
#ifndef MIXLET_CONFIG_CONFIG_H_
#define MIXLET_CONFIG_CONFIG_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "mixlet/attribute/vocabulary.h"
#include "mixlet/config/adapter.h"
#include "mixlet/config/adapter_registry.h"
#include "mixlet/config/config_issue.h"
#include "mixlet/config/params.h"
#include "mixlet/config/resources.h"
#include "mixlet/config/template.h"
#include "mixlet/expr/compiler.h"
#include "mixlet/expr/expression.h"

namespace mixlet {

struct ConfigOptions {
  // Apply what Mixer would have applied instead of refusing a configuration with issues.
  bool lenient = false;
  // The vocabulary before the configuration's attribute manifests; nullptr means
  // `Vocabulary::Standard()`. When the manifests add nothing new, the config uses this very
  // vocabulary object, so bags built with it are dispatched without conversion.
  std::shared_ptr<const Vocabulary> base_vocabulary;
  // Options for every expression (limits, embedder functions; the registry must outlive the
  // Config).
  CompilerOptions compiler;
};

// A valid instance: its descriptor (handed to adapters) and one compiled expression per
// descriptor field.
struct ConfiguredInstance {
  std::string name;            // metadata.name
  std::string namespace_name;  // effective namespace
  std::string kind;            // "instance" or the legacy template kind
  const Template* template_def = nullptr;
  std::shared_ptr<const InstanceDescriptor> descriptor;
  // Parallel to `descriptor->field_names`; nullopt for a field the config leaves empty, whose
  // value is `Value()`.
  std::vector<absl::optional<Expression>> fields;
  SourceLocation location;
};

// A valid handler. `instances` lists every instance that a surviving rule action sends to it;
// the router builds only handlers with at least one.
struct ConfiguredHandler {
  std::string name;
  std::string namespace_name;
  std::string kind;  // "handler" or the legacy adapter kind
  std::string fqn;
  std::shared_ptr<const Adapter> adapter;
  ParamValue params;
  std::vector<int> instances;  // Indices into Config::instances(), ascending, unique.
  SourceLocation location;
};

struct ConfiguredAction {
  int handler = -1;            // Index into Config::handlers().
  std::vector<int> instances;  // Indices into Config::instances(), in the order written.
  std::string name;
};

struct ConfiguredRule {
  std::string name;
  std::string namespace_name;
  std::string fqn;
  std::string match_text;            // As written.
  absl::optional<Expression> match;  // nullopt: always matches (empty or `true`).
  std::vector<ConfiguredAction> actions;
  SourceLocation location;
};

class Config {
 public:
  // Not copyable: share it as std::shared_ptr<const Config>.
  Config(const Config&) = delete;
  Config& operator=(const Config&) = delete;
  ~Config();

  const std::shared_ptr<const Vocabulary>& vocabulary() const { return vocabulary_; }
  // The compiler every expression of this config was compiled with (same vocabulary and
  // options), for expressions derived from them later (the router's protocol split).
  const ExpressionCompiler& compiler() const { return compiler_; }
  bool lenient() const { return lenient_; }

  // Every valid instance, in the order written (first by file, then by document).
  const std::vector<ConfiguredInstance>& instances() const { return instances_; }
  // Every valid handler, in the order written.
  const std::vector<ConfiguredHandler>& handlers() const { return handlers_; }
  // Every rule that kept at least one action, in the order written.
  const std::vector<ConfiguredRule>& rules() const { return rules_; }
  // In lenient mode, every issue found (what was dropped); empty in strict mode.
  const std::vector<ConfigIssue>& issues() const { return issues_; }

  // Index of the instance / handler with this fully-qualified name, or -1.
  int FindInstance(absl::string_view fqn) const;
  int FindHandler(absl::string_view fqn) const;

  // One line: "2 instances, 1 handler, 1 rule".
  std::string Summary() const;

 private:
  friend class ConfigBuilderAccess;
  Config(std::shared_ptr<const Vocabulary> vocabulary, CompilerOptions compiler_options);

  std::shared_ptr<const Vocabulary> vocabulary_;
  ExpressionCompiler compiler_;
  bool lenient_ = false;
  std::vector<ConfiguredInstance> instances_;
  std::vector<ConfiguredHandler> handlers_;
  std::vector<ConfiguredRule> rules_;
  std::vector<ConfigIssue> issues_;
};

struct ConfigBuildResult {
  // The new snapshot; null when the configuration was refused (strict mode with issues).
  std::shared_ptr<const Config> config;
  // Every problem found, in the order of the resources.
  std::vector<ConfigIssue> issues;

  bool ok() const { return config != nullptr; }
  // OK, or InvalidArgument whose message lists every issue, one per line.
  absl::Status status() const;
};

// Validates and compiles `resources`. `adapters` resolves `compiledAdapter` names and legacy
// adapter kinds, and validates handler params. When `previous` is given, instance descriptors
// equal to one of its own are shared with it (the same object), so that a handler the router
// keeps across the reload still sees the descriptors it was built with.
ConfigBuildResult BuildConfig(const ConfigResources& resources, const AdapterRegistry& adapters,
                              const ConfigOptions& options = ConfigOptions(),
                              const Config* previous = nullptr);

}  // namespace mixlet

#endif  // MIXLET_CONFIG_CONFIG_H_
