// The Prometheus adapter's params (`adapter.prometheus.config.Params`, metric-and-prometheus.md
// §2) decoded from a `ParamValue` tree into plain structs, with every problem reported as a
// `ParamIssue` carrying its field path.
//
// Keys are accepted in proto (snake_case) and JSON (lowerCamelCase) spelling, as Mixer's JSON
// decoder did. Names are sanitised (`SafeName`) and checked against Prometheus' rules here, so
// `Build` never registers a metric Prometheus would refuse.
#ifndef MIXLET_LIB_HANDLER_PROMETHEUS_METRIC_PARAMS_H_
#define MIXLET_LIB_HANDLER_PROMETHEUS_METRIC_PARAMS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"
#include "mixlet/config/adapter.h"
#include "mixlet/config/params.h"

namespace mixlet::handler_internal {

// `adapter.prometheus.config.Params.MetricInfo.Kind`, with the proto numbers.
enum class MetricKind { kUnspecified = 0, kGauge = 1, kCounter = 2, kDistribution = 3 };

// "counter", "gauge", "histogram": the exposition TYPE.
absl::string_view MetricTypeName(MetricKind kind);
// "COUNTER", "GAUGE", "DISTRIBUTION", "UNSPECIFIED".
absl::string_view MetricKindName(MetricKind kind);

// What one `metrics` entry registers: one Prometheus metric family.
struct MetricDefinition {
  MetricKind kind = MetricKind::kUnspecified;
  std::string full_name;                 // `<namespace>_<name>`, sanitised.
  std::string help;                      // HELP text, unescaped.
  std::vector<std::string> label_names;  // Sanitised, sorted byte-wise (exposition order).
  std::vector<double> bounds;            // DISTRIBUTION: finite upper bounds, in order.

  // Go's registry treats two descriptors as the same family when name, help and label set
  // match: entries with equal families share one metric.
  bool SameFamily(const MetricDefinition& other) const {
    return full_name == other.full_name && help == other.help &&
           label_names == other.label_names;
  }
  // Everything equal: the metric (and its series) can be kept across a rebuild.
  bool Identical(const MetricDefinition& other) const;

  // Why no series of this metric can ever be created (Mixer's client library panicked at series
  // creation, so every observation failed), or empty. Found at decode time: buckets not
  // strictly increasing, or a DISTRIBUTION with a label named `le`.
  std::string unusable_reason;
};

struct MetricEntry {
  std::string instance_name;  // FQN of the instance this entry consumes.
  std::string path;           // "metrics[2]", for messages.
  MetricDefinition definition;
};

struct ExpiryPolicy {
  absl::Duration expiry;          // > 0.
  absl::Duration check_interval;  // > 0 (defaults to expiry / 2).
};

struct PrometheusParams {
  std::vector<MetricEntry> metrics;
  absl::optional<ExpiryPolicy> expiry;

  // The entry consuming `instance_name`: the last one listing it, as Mixer's table kept the
  // last; nullptr if none.
  const MetricEntry* FindEntry(absl::string_view instance_name) const;
};

// Decodes `params`, appending every problem to `issues` (field paths relative to `params`).
// The result is meaningful only when nothing was appended.
PrometheusParams DecodePrometheusParams(const ParamValue& params, std::vector<ParamIssue>* issues);

// Mixer's `safeName`: drop one leading '/', then '/', '.', ' ' -> '_' and delete every '-'.
std::string SafeName(absl::string_view name);

// Prometheus' rules: metric names `[a-zA-Z_:][a-zA-Z0-9_:]*`, label names `[a-zA-Z_][a-zA-Z0-9_]*`
// (the `__` prefix is reserved and rejected).
bool IsValidMetricName(absl::string_view name);
bool IsValidLabelName(absl::string_view name);

}  // namespace mixlet::handler_internal

#endif  // MIXLET_LIB_HANDLER_PROMETHEUS_METRIC_PARAMS_H_
