// The Prometheus adapter: Mixer's `prometheus` adapter (Istio 1.4–1.7) for `metric` instances,
// with counters, gauges and histograms exposed in the Prometheus text format.
//
// * `PrometheusAdapter` is the `Adapter` the config layer validates handler params with and
//   builds handlers from (adapter name "prometheus", template "metric"). Params are Mixer's
//   `adapter.prometheus.config.Params`: `metrics` (name, namespace, instance_name, description,
//   kind COUNTER / GAUGE / DISTRIBUTION, label_names, buckets) and
//   `metrics_expiration_policy` (see metric-and-prometheus.md §2).
// * Each built handler (`PrometheusHandler`) maps every instance descriptor it can receive to its
//   metric when it is built; `Handle` then renders each instance's dimensions to label values,
//   finds the series by those values and updates it. Once a series exists this takes no lock and
//   allocates nothing (string labels are used in place); concurrent reports are never lost.
// * All handlers of one adapter register their metrics in one `MetricsRegistry`, which renders
//   every live metric as text format 0.0.4 (what `GET /metrics` serves, see metrics_server.h).
//   A handler rebuilt with an identical `metrics` entry (same name, help, labels, kind and
//   buckets for the same instance) shares the existing metric, so series survive a reload even
//   when the handler object is replaced.
//
// Beyond Mixer, a cardinality guard (`PrometheusOptions::max_series_per_metric`, on by default):
// a metric never holds more series than the limit; reports that would create another series are
// folded into one overflow series whose every label value is `overflow_label_value`, and counted
// (`mixlet_prometheus_series_overflow_total{metric="..."}` in the exposition, `MetricStats`).
//
// Instances that cannot be applied at run time (a string value that is not a number, a negative
// counter increment, a label value that is not UTF-8, ...) are dropped one by one, counted
// (`mixlet_prometheus_dropped_instances_total{metric,reason}`) and logged (rate-limited). Both
// self-metric families appear only once their count is non-zero.
//
// Example:
//   auto registry = std::make_shared<MetricsRegistry>();
//   auto adapter = std::make_shared<PrometheusAdapter>(registry);
//   adapters.Register(adapter);                 // AdapterRegistry, for the config builder
//   ... dispatch reports through the router ...
//   std::string body = registry->TextExposition();
#ifndef MIXLET_HANDLER_PROMETHEUS_HANDLER_H_
#define MIXLET_HANDLER_PROMETHEUS_HANDLER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "mixlet/config/adapter.h"
#include "mixlet/config/params.h"
#include "mixlet/handler/clock.h"

namespace mixlet {

namespace handler_internal {
class PrometheusHandlerImpl;
class Metric;
}  // namespace handler_internal

struct PrometheusOptions {
  // Cardinality guard: the most series one metric may hold; further label combinations fold into
  // the overflow series. 0 disables the guard. Default 50000: a series costs roughly 0.3 KB plus
  // its label values (about 1.5 KB with Istio's 19 standard labels), so one metric stays below
  // ~100 MB whatever the traffic.
  size_t max_series_per_metric = 50000;
  // The value of every label of the overflow series.
  std::string overflow_label_value = "mixlet_overflow";
  // Time source for expiry. Not owned; must outlive the adapter and its handlers.
  const Clock* clock = Clock::Real();
  // When true (default), each handler with a `metrics_expiration_policy` owns a thread that runs
  // an expiry check every `expiry_check_interval_duration` (real time). When false, checks run
  // only when the embedder calls `PrometheusAdapter::RunExpiryChecks` or
  // `PrometheusHandler::CheckExpiry` (what tests with a fake clock do).
  bool expiry_thread = true;
  // Receives warnings: dropped instances (rate-limited: the 1st, 2nd, 4th, 8th ... of each metric
  // and reason) and instances a handler cannot bind. Default: a line on stderr starting
  // `warning: `. Must be thread-safe.
  std::function<void(absl::string_view)> log;
};

// Counters of one metric, for monitoring and tests.
struct MetricStats {
  std::string name;                  // Full Prometheus name.
  size_t series = 0;                 // Live series, the overflow series included.
  uint64_t overflow_reports = 0;     // Updates folded into the overflow series.
  // Dropped instances by reason: "invalid_instance", "non_numeric_value", "negative_counter",
  // "invalid_label_value", "unusable_metric". Only non-zero reasons are listed.
  std::vector<std::pair<std::string, uint64_t>> dropped;
};

// Every metric registered by the handlers of one (or more) Prometheus adapters. Thread-safe.
// Metrics live as long as a handler uses them; rendering sees each metric once, by name.
class MetricsRegistry {
 public:
  // The Content-Type of `TextExposition()`.
  static constexpr absl::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

  MetricsRegistry();
  ~MetricsRegistry();
  // Shared by pointer between adapters, handlers and the HTTP endpoint.
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // Text format 0.0.4 of every metric with at least one series: families sorted by name, series
  // by label values, no timestamps (metric-and-prometheus.md §5). Safe to call while reports are
  // being handled.
  std::string TextExposition() const;
  void AppendTextExposition(std::string* out) const;

  // Statistics of every registered metric, sorted by name.
  std::vector<MetricStats> Stats() const;

  struct Impl;  // lib/handler/prometheus/metric.h

 private:
  friend class PrometheusAdapter;
  std::unique_ptr<Impl> impl_;
};

// A handler built by `PrometheusAdapter`. Thread-safe.
class PrometheusHandler : public Handler {
 public:
  // Applies each instance to its metric (see the header comment). Instances the handler was not
  // built for, or that cannot be applied, are dropped, counted and logged; the others are
  // applied. Hot path: no allocation once the series exist (for string, integer, boolean and
  // double labels), no lock.
  void Handle(absl::Span<const Instance> instances) override = 0;

  // Runs one expiry check at `now` (Mixer's ttl cache tick): the base time becomes `now`, and
  // every series of this handler's metrics whose deadline is <= `now` is deleted. A series'
  // deadline is set to base + expiry on every update by a handler with an expiration policy.
  // Does nothing when the handler has no policy.
  virtual void CheckExpiry(absl::Time now) = 0;

  // Runs `CheckExpiry(now)` if a check is due: checks are due every check interval after the
  // handler was built. Returns true when a check ran.
  virtual bool RunDueExpiryCheck(absl::Time now) = 0;

  // Instances received for descriptors this handler was not built for (counted, logged).
  virtual uint64_t unknown_instances() const = 0;
};

class PrometheusAdapter : public Adapter {
 public:
  // Handlers register their metrics in `registry`; a null registry gets a private one.
  explicit PrometheusAdapter(std::shared_ptr<MetricsRegistry> registry = nullptr,
                             PrometheusOptions options = PrometheusOptions());
  ~PrometheusAdapter() override;

  absl::string_view name() const override { return "prometheus"; }
  bool SupportsTemplate(absl::string_view template_name) const override {
    return template_name == "metric";
  }
  // Every problem in `params`, each with its field path: unknown or repeated keys, wrong types,
  // an unknown kind, names that are not valid Prometheus names once sanitised, duplicate label
  // names, two entries registering one name differently, bad bucket parameters, a
  // non-positive expiry duration. Unknown keys that Mixer's decoder met only after decoding
  // everything (directly under `params`, in `metrics_expiration_policy`, directly in the last
  // `metrics` entry) are marked `mixer_ignored`.
  void Validate(const ParamValue& params, std::vector<ParamIssue>* issues) const override;
  // Problems with sending `instance` to a handler with `params`: no `metrics` entry has its name
  // as instance_name, the label names and the instance's dimensions differ, its value type can
  // never be numeric (BOOL, TIMESTAMP, IP_ADDRESS, STRING_MAP, or no value), or the entry's
  // metric can never hold a series (buckets not increasing, a DISTRIBUTION label named `le`).
  // Nothing is reported when `params` itself is invalid (`Validate` reports that).
  void ValidateInstance(const ParamValue& params, const InstanceDescriptor& instance,
                        std::vector<ParamIssue>* issues) const override;
  // Builds a handler and registers its metrics. InvalidArgument when `params` has an issue not
  // marked `mixer_ignored`, or a metric name is already registered by another live handler with
  // a different help, label set or kind. Instances that fail `ValidateInstance` are accepted but
  // dropped (and counted) when they arrive, as Mixer failed them at run time.
  absl::StatusOr<std::shared_ptr<Handler>> Build(
      const ParamValue& params,
      absl::Span<const InstanceDescriptor* const> instances) const override;

  // `Build`, typed.
  absl::StatusOr<std::shared_ptr<PrometheusHandler>> BuildPrometheusHandler(
      const ParamValue& params, absl::Span<const InstanceDescriptor* const> instances) const;

  // Calls `RunDueExpiryCheck(now)` on every live handler this adapter built.
  void RunExpiryChecks(absl::Time now) const;

  const std::shared_ptr<MetricsRegistry>& registry() const { return registry_; }
  const PrometheusOptions& options() const { return options_; }

 private:
  std::shared_ptr<MetricsRegistry> registry_;
  PrometheusOptions options_;
  mutable absl::Mutex mu_;
  mutable std::vector<std::weak_ptr<PrometheusHandler>> handlers_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mixlet

#endif  // MIXLET_HANDLER_PROMETHEUS_HANDLER_H_
