// MetricsRegistry and Metric: registration state and the text exposition of every live metric.
#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "handler/prometheus/epoch.h"
#include "handler/prometheus/exposition.h"
#include "handler/prometheus/metric.h"
#include "handler/prometheus/mutex_lock.h"
#include "handler/prometheus/self_metrics.h"
#include "mixlet/handler/prometheus_handler.h"

namespace mixlet {
namespace handler_internal {

absl::string_view DropReasonName(DropReason reason) {
  switch (reason) {
    case DropReason::kInvalidInstance:
      return "invalid_instance";
    case DropReason::kNonNumericValue:
      return "non_numeric_value";
    case DropReason::kNegativeCounter:
      return "negative_counter";
    case DropReason::kInvalidLabelValue:
      return "invalid_label_value";
    case DropReason::kUnusableMetric:
      return "unusable_metric";
  }
  return "unknown";
}

Metric::Metric(MetricDefinition definition, size_t max_series, std::string overflow_value)
    : definition_(std::move(definition)),
      table_(definition_.label_names.size(),
             definition_.kind == MetricKind::kDistribution ? definition_.bounds.size() + 1 : 0,
             max_series, std::move(overflow_value)) {}

MetricStats Metric::Stats() const {
  MetricStats stats;
  stats.name = definition_.full_name;
  stats.series = table_.size();
  stats.overflow_reports = overflow_reports();
  for (int r = 0; r < kDropReasonCount; ++r) {
    const uint64_t n = dropped(static_cast<DropReason>(r));
    if (n > 0) stats.dropped.emplace_back(std::string(DropReasonName(static_cast<DropReason>(r))), n);
  }
  std::sort(stats.dropped.begin(), stats.dropped.end());
  return stats;
}

namespace {

// Live metrics in name order; forgets the ones no handler uses any more.
std::vector<std::shared_ptr<Metric>> LiveMetrics(MetricsRegistry::Impl& impl) {
  std::vector<std::shared_ptr<Metric>> live;
  MutexLock lock(&impl.mu);
  for (auto it = impl.by_name.begin(); it != impl.by_name.end();) {
    if (std::shared_ptr<Metric> m = it->second.metric.lock()) {
      live.push_back(std::move(m));
      ++it;
    } else {
      it = impl.by_name.erase(it);
    }
  }
  return live;
}

}  // namespace
}  // namespace handler_internal

MetricsRegistry::MetricsRegistry() : impl_(std::make_unique<Impl>()) {}
MetricsRegistry::~MetricsRegistry() = default;

std::string MetricsRegistry::TextExposition() const {
  std::string out;
  AppendTextExposition(&out);
  return out;
}

void MetricsRegistry::AppendTextExposition(std::string* out) const {
  using handler_internal::Metric;
  const std::vector<std::shared_ptr<Metric>> metrics = handler_internal::LiveMetrics(*impl_);
  std::vector<const Metric*> raw;
  raw.reserve(metrics.size());
  for (const auto& m : metrics) raw.push_back(m.get());
  // Two self-metric families slot into the name order among the configured ones.
  std::vector<std::pair<std::string, std::string>> self =
      handler_internal::RenderSelfMetrics(raw);
  size_t next_self = 0;
  handler_internal::EpochDomain::ReadSection section;
  for (const Metric* m : raw) {
    while (next_self < self.size() && self[next_self].first < m->definition().full_name) {
      out->append(self[next_self++].second);
    }
    handler_internal::AppendFamily(m->definition(), m->table(), out);
  }
  while (next_self < self.size()) out->append(self[next_self++].second);
}

std::vector<MetricStats> MetricsRegistry::Stats() const {
  std::vector<MetricStats> stats;
  for (const auto& m : handler_internal::LiveMetrics(*impl_)) stats.push_back(m->Stats());
  return stats;
}

}  // namespace mixlet
