// Metric: one registered Prometheus metric family (its definition, its series and its drop
// counters), and the registry state `MetricsRegistry::Impl` that maps names to live metrics.
#ifndef MIXLET_LIB_HANDLER_PROMETHEUS_METRIC_H_
#define MIXLET_LIB_HANDLER_PROMETHEUS_METRIC_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "handler/prometheus/metric_params.h"
#include "handler/prometheus/series_table.h"
#include "mixlet/handler/prometheus_handler.h"

namespace mixlet::handler_internal {

// Why an instance was dropped. ORDER: `DropReasonName` and kDropReasonCount follow it.
enum class DropReason {
  kInvalidInstance,    // The instance failed ValidateInstance (value type, dimensions).
  kNonNumericValue,    // The value is not a number (e.g. a STRING that does not parse).
  kNegativeCounter,    // A counter increment below 0.
  kInvalidLabelValue,  // A label value is not valid UTF-8.
  kUnusableMetric,     // The metric can hold no series (bad buckets, `le` label).
};
inline constexpr int kDropReasonCount = 5;
absl::string_view DropReasonName(DropReason reason);

class Metric {
 public:
  Metric(MetricDefinition definition, size_t max_series, std::string overflow_value);

  // Holds series memory that readers may be looking at; shared by pointer.
  Metric(const Metric&) = delete;
  Metric& operator=(const Metric&) = delete;

  const MetricDefinition& definition() const { return definition_; }
  SeriesTable& table() { return table_; }
  const SeriesTable& table() const { return table_; }

  void CountOverflow() { overflow_reports_.fetch_add(1, std::memory_order_relaxed); }
  uint64_t overflow_reports() const { return overflow_reports_.load(std::memory_order_relaxed); }
  // Returns the count including this drop.
  uint64_t CountDrop(DropReason reason) {
    return dropped_[static_cast<int>(reason)].fetch_add(1, std::memory_order_relaxed) + 1;
  }
  uint64_t dropped(DropReason reason) const {
    return dropped_[static_cast<int>(reason)].load(std::memory_order_relaxed);
  }

  MetricStats Stats() const;

 private:
  const MetricDefinition definition_;
  SeriesTable table_;
  std::atomic<uint64_t> overflow_reports_{0};
  std::array<std::atomic<uint64_t>, kDropReasonCount> dropped_{};
};

}  // namespace mixlet::handler_internal

namespace mixlet {

struct MetricsRegistry::Impl {
  struct Entry {
    std::weak_ptr<handler_internal::Metric> metric;
    // The instance names whose entries registered (or share) this metric.
    std::vector<std::string> instance_names;
  };
  absl::Mutex mu;
  // By full name: std::map keeps families in exposition order (byte-wise).
  std::map<std::string, Entry> by_name ABSL_GUARDED_BY(mu);
};

}  // namespace mixlet

#endif  // MIXLET_LIB_HANDLER_PROMETHEUS_METRIC_H_
