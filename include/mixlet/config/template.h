// Template: a compiled-in instance template (Mixer's `metric`, `logentry`, ...), declared as data.
//
// A template is a name, a variety and a list of fields. Each field is either one CEXL expression
// or a map of named expressions, and declares which result types its expressions may have.
// An `instance` resource fills a template's fields with expressions; the config builder compiles
// each one and checks its type against the field's declaration, then flattens the fields into an
// `InstanceDescriptor` (adapter.h) in declaration order: a map field contributes one entry per
// key, named `<field>.<key>`.
//
// Every template lives in one file, `lib/config/<name>_template.cc`, that defines its fields with
// `MIXLET_DEFINE_TEMPLATE`; the build finds these files by name and registers them, so adding a
// template edits nothing else. The registry is immutable and thread-safe.
//
// Example:
//   const Template* metric = TemplateRegistry::CompiledIn().Find("metric");
//   for (const TemplateField& f : metric->fields) { ... f.name, f.kind, f.Allows(type) ... }
#ifndef MIXLET_CONFIG_TEMPLATE_H_
#define MIXLET_CONFIG_TEMPLATE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "mixlet/value/value_type.h"

namespace mixlet {

// How Mixer used a template's instances (config.md §3). mixlet's router dispatches kReport.
enum class TemplateVariety { kReport, kCheck, kQuota, kAttributeGenerator };

// A set of ValueTypes as a bit mask (bit `1 << int(type)`).
using ValueTypeSet = uint32_t;
constexpr ValueTypeSet ValueTypeBit(ValueType type) {
  return ValueTypeSet{1} << static_cast<int>(type);
}
// Every type except kUnspecified: an `istio.policy.v1beta1.Value` field.
constexpr ValueTypeSet kAnyValueType =
    ((ValueTypeSet{1} << kValueTypeCount) - 1) & ~ValueTypeSet{1};

struct TemplateField {
  enum class Kind {
    kExpression,     // One expression, e.g. metric `value`.
    kExpressionMap,  // Named expressions, e.g. metric `dimensions`.
  };

  absl::string_view name;  // The proto field name in snake_case, e.g. "monitored_resource_type".
  Kind kind = Kind::kExpression;
  ValueTypeSet allowed_types = kAnyValueType;  // Types each expression may evaluate to.
  absl::string_view description;

  bool Allows(ValueType type) const { return (allowed_types & ValueTypeBit(type)) != 0; }
  // The lowerCamelCase spelling accepted in YAML besides `name` ("monitoredResourceType").
  std::string CamelName() const;
};

struct Template {
  absl::string_view name;  // The `compiledTemplate` value and legacy kind, e.g. "metric".
  TemplateVariety variety = TemplateVariety::kReport;
  absl::Span<const TemplateField> fields;
  absl::string_view description;

  // The field named `key` in snake_case or lowerCamelCase, or nullptr.
  const TemplateField* FindField(absl::string_view key) const;
};

// The compiled-in templates.
class TemplateRegistry {
 public:
  // Every template defined in lib/config/*_template.cc. Built once; static storage.
  static const TemplateRegistry& CompiledIn();

  // The template named `name`, or nullptr.
  const Template* Find(absl::string_view name) const;
  absl::Span<const Template* const> templates() const { return templates_; }

 private:
  TemplateRegistry() = default;
  std::vector<const Template*> templates_;
};

// The text of a ValueTypeSet for messages: "STRING", "any type", "INT64 or DOUBLE".
std::string ValueTypeSetText(ValueTypeSet set);

}  // namespace mixlet

#endif  // MIXLET_CONFIG_TEMPLATE_H_
