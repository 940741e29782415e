// Adapter, Handler and Instance: the contract between mixlet's router and the adapters
// (Prometheus first) that consume metric instances.
//
// * An `InstanceDescriptor` describes one configured instance: its fully-qualified name, its
//   template and the template's fields flattened in a fixed order (for the metric template:
//   `value`, then `dimensions.<name>` for each dimension, `monitored_resource_type`,
//   `monitored_resource_dimensions.<name>` ...). Descriptors live as long as the config
//   snapshot that made them.
// * An `Instance` is one instance built for one report: the descriptor plus one `Value` per
//   field, in descriptor order (`Value()` for an optional field the config leaves out).
// * A `Handler` receives, per report, the instances its rules sent it. It is built once per
//   configuration by its `Adapter` from the handler's params and the descriptors of every
//   instance that can reach it, so it can map fields to its own slots at build time and do no
//   name lookups per report.
// * An `Adapter` validates params (reporting every problem with its field path) and builds
//   handlers. The router owns no adapter; the embedding program (or `mixlet-server`) registers
//   the ones it links.
//
// Dispatch may call `Handle` from several threads at once: handlers must be thread-safe.
//
// Example (an adapter that counts instances):
//   class CountingHandler : public Handler {
//    public:
//     void Handle(absl::Span<const Instance> instances) override { n_ += instances.size(); }
//     std::atomic<uint64_t> n_{0};
//   };
#ifndef MIXLET_CONFIG_ADAPTER_H_
#define MIXLET_CONFIG_ADAPTER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "mixlet/config/params.h"
#include "mixlet/value/value.h"

namespace mixlet {

struct InstanceDescriptor {
  std::string name;                      // FQN, e.g. "mongosentbytes.instance.default"
  std::string template_name;             // e.g. "metric"
  std::vector<std::string> field_names;  // Flattened template fields, in value order.
  std::vector<ValueType> field_types;    // Static type of each field's expression.

  // Index of `field` in field_names, or -1.
  int FieldIndex(absl::string_view field) const {
    for (size_t i = 0; i < field_names.size(); ++i) {
      if (field_names[i] == field) return static_cast<int>(i);
    }
    return -1;
  }
};

struct Instance {
  const InstanceDescriptor* descriptor = nullptr;
  // One value per descriptor field. Views the report's bag and evaluation storage: valid only
  // during the `Handle` call.
  absl::Span<const Value> fields;
};

class Handler {
 public:
  virtual ~Handler() = default;
  // Called once per report with every instance built for this handler, in rule order. An
  // instance appears once per matching rule action that sends it here (normally once; Mixer
  // delivered an instance twice when two matching rules both sent it to the same handler).
  // Hot path: implementations should not allocate once warm. Must be thread-safe.
  virtual void Handle(absl::Span<const Instance> instances) = 0;
};

// One problem with an adapter's params: the path of the field below `params`
// (e.g. "metrics[1].buckets.linear_buckets.num_finite_buckets") and what is wrong.
struct ParamIssue {
  std::string field;
  std::string message;
  int line = 0;  // From the ParamValue, when known.
  // True for a problem Mixer only logged while still building the handler (e.g. an unknown key
  // directly under `params`, config.md §1.2). Strict mode refuses the config either way; lenient
  // mode keeps the handler for such issues and drops it for the others. (Legacy `kind:
  // <adapter>` documents were decoded strictly: any issue skips them.)
  bool mixer_ignored = false;
};

class Adapter {
 public:
  virtual ~Adapter() = default;
  // The `compiledAdapter` name (and legacy kind), e.g. "prometheus".
  virtual absl::string_view name() const = 0;
  // Whether instances of `template_name` can be sent to this adapter's handlers.
  virtual bool SupportsTemplate(absl::string_view template_name) const = 0;
  // Appends every problem found in `params` to `issues`; none means valid.
  virtual void Validate(const ParamValue& params, std::vector<ParamIssue>* issues) const = 0;
  // Checks that `instance` can be handled with `params` (e.g. a counter's value type is
  // numeric, every label has a dimension). Appends problems to `issues`.
  virtual void ValidateInstance(const ParamValue& params, const InstanceDescriptor& instance,
                                std::vector<ParamIssue>* issues) const = 0;
  // Builds a handler for `params` (already validated) receiving `instances`.
  // InvalidArgument when the combination cannot work. In lenient mode `params` may still carry
  // issues marked `mixer_ignored`; Build must tolerate them. The descriptors stay valid while a
  // router dispatches to the handler: when a reload keeps a handler (same params, same
  // instances), the new configuration holds the very same descriptor objects, so a handler may
  // key its state by descriptor pointer.
  virtual absl::StatusOr<std::shared_ptr<Handler>> Build(
      const ParamValue& params, absl::Span<const InstanceDescriptor* const> instances) const = 0;
};

}  // namespace mixlet

#endif  // MIXLET_CONFIG_ADAPTER_H_
