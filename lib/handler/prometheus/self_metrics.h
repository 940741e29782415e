// The adapter's own counters, exposed beside the configured metrics once non-zero:
// `mixlet_prometheus_series_overflow_total{metric}` (cardinality guard) and
// `mixlet_prometheus_dropped_instances_total{metric,reason}` (instances that could not be applied).
#ifndef MIXLET_LIB_HANDLER_PROMETHEUS_SELF_METRICS_H_
#define MIXLET_LIB_HANDLER_PROMETHEUS_SELF_METRICS_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "handler/prometheus/metric.h"

namespace mixlet::handler_internal {

inline constexpr absl::string_view kOverflowMetricName = "mixlet_prometheus_series_overflow_total";
inline constexpr absl::string_view kDroppedMetricName = "mixlet_prometheus_dropped_instances_total";

// (family name, family text) for each self-metric family with a non-zero sample, sorted by name.
// `metrics` must be sorted by name.
std::vector<std::pair<std::string, std::string>> RenderSelfMetrics(
    absl::Span<const Metric* const> metrics);

}  // namespace mixlet::handler_internal

#endif  // MIXLET_LIB_HANDLER_PROMETHEUS_SELF_METRICS_H_
