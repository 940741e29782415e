// PrometheusAdapter (validation, build, registration) and the handler it builds.
#include "mixlet/handler/prometheus_handler.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <new>
#include <thread>
#include <utility>

#include "absl/base/attributes.h"
#include "absl/base/optimization.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/types/optional.h"
#include "handler/prometheus/buckets.h"
#include "handler/prometheus/epoch.h"
#include "handler/prometheus/instance_values.h"
#include "handler/prometheus/label_hash.h"
#include "handler/prometheus/metric.h"
#include "handler/prometheus/metric_params.h"
#include "handler/prometheus/mutex_lock.h"
#include "handler/prometheus/self_metrics.h"
#include "handler/prometheus/series_table.h"

namespace mixlet {

namespace {

class RealClock : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

}  // namespace

const Clock* Clock::Real() {
  static const RealClock* clock = new RealClock();
  return clock;
}

namespace handler_internal {
namespace {

constexpr absl::string_view kDimensionPrefix = "dimensions.";

// Label values are rendered into a stack array; more labels than this spill to the heap.
constexpr size_t kInlineLabels = 32;

// Uninitialised stack room for the label values of one instance (filled with placement new).
union LabelArray {
  LabelArray() {}
  absl::string_view values[kInlineLabels];
};

// Up to this many bindings, a handler finds an instance's binding by a linear scan of the
// descriptor pointers; beyond it by a hash map.
constexpr size_t kLinearBindings = 16;

// Returned by FindBinding when no binding takes the descriptor.
constexpr size_t kNoBinding = std::numeric_limits<size_t>::max();

void DefaultLog(absl::string_view message) {
  std::fprintf(stderr, "warning: %.*s\n", static_cast<int>(message.size()), message.data());
}

bool IsPowerOfTwo(uint64_t n) { return n != 0 && (n & (n - 1)) == 0; }

// Every reason `instance` cannot feed `entry` (empty when it can), as messages.
std::vector<std::string> InstanceProblems(const MetricEntry& entry,
                                          const InstanceDescriptor& instance) {
  std::vector<std::string> problems;
  const MetricDefinition& def = entry.definition;
  if (instance.template_name != "metric") {
    problems.push_back(absl::StrCat("instance '", instance.name, "' has template '",
                                    instance.template_name, "'; prometheus handles only 'metric'"));
    return problems;
  }
  const int value_index = instance.FieldIndex("value");
  const ValueType value_type = value_index >= 0 && static_cast<size_t>(value_index) <
                                                       instance.field_types.size()
                                   ? instance.field_types[value_index]
                                   : ValueType::kUnspecified;
  if (!IsNumericCapable(value_type)) {
    problems.push_back(absl::StrCat(
        "the value of instance '", instance.name, "' ",
        value_type == ValueType::kUnspecified
            ? std::string("is not set")
            : absl::StrCat("has type ", ValueTypeName(value_type)),
        "; a ", MetricKindName(def.kind),
        " needs a numeric value (INT64, DOUBLE, DURATION, or a STRING holding a number)"));
  }
  for (const std::string& label : def.label_names) {
    if (instance.FieldIndex(absl::StrCat(kDimensionPrefix, label)) < 0) {
      problems.push_back(absl::StrCat("label '", label, "' has no dimension '", label,
                                      "' in instance '", instance.name, "'"));
    }
  }
  for (const std::string& field : instance.field_names) {
    if (!absl::StartsWith(field, kDimensionPrefix)) continue;
    const absl::string_view key = absl::string_view(field).substr(kDimensionPrefix.size());
    if (!std::binary_search(def.label_names.begin(), def.label_names.end(), key)) {
      problems.push_back(absl::StrCat("dimension '", key, "' of instance '", instance.name,
                                      "' is not one of label_names [",
                                      absl::StrJoin(def.label_names, ", "), "]"));
    }
  }
  if (!def.unusable_reason.empty()) problems.push_back(def.unusable_reason);
  return problems;
}

// How one instance descriptor feeds one metric: field indexes resolved at build time.
struct Binding {
  Metric* metric = nullptr;
  MetricKind kind = MetricKind::kUnspecified;
  std::string instance_name;
  // The descriptor layout the field indexes below refer to (checked on the by-name path).
  std::vector<std::string> field_names;
  std::vector<ValueType> field_types;
  int value_field = -1;
  std::vector<int> label_fields;  // Field of each label, in the metric's label order.
  size_t min_fields = 0;          // The instance must carry at least this many values.
  // When set, every instance is dropped with this reason and message.
  absl::optional<DropReason> reject;
  std::string reject_message;
};

// Labels a HotBinding holds inline: as many as fit its cache line. A binding with more takes the
// general path (which still allocates nothing up to kInlineLabels string labels).
constexpr size_t kHotLabels = 18;

// What the common update reads of a Binding, in one cache line, kept parallel to the
// descriptor pointers. Everything that sends an instance to the general path and is known at
// build time (a rejected binding, more labels or higher field indexes than fit here) is folded
// into `min_fields`, so one compare decides it together with the field count.
struct alignas(64) HotBinding {
  SeriesTable* table = nullptr;
  const Metric* metric = nullptr;
  // An instance with fewer fields takes the general path; the maximum for bindings that always do.
  size_t min_fields = std::numeric_limits<size_t>::max();
  uint16_t value_field = 0;
  uint8_t kind = static_cast<uint8_t>(MetricKind::kUnspecified);  // A MetricKind.
  uint8_t label_count = 0;
  uint16_t label_fields[kHotLabels] = {};  // Field of each label, in the metric's label order.
};
static_assert(sizeof(HotBinding) == 64, "a hot binding is one cache line");

HotBinding MakeHotBinding(const Binding& b) {
  HotBinding hot;
  hot.table = &b.metric->table();
  hot.metric = b.metric;
  hot.kind = static_cast<uint8_t>(b.kind);
  constexpr int kMaxField = std::numeric_limits<uint16_t>::max();
  if (b.reject.has_value() || b.label_fields.size() > kHotLabels || b.value_field < 0 ||
      b.value_field > kMaxField) {
    return hot;
  }
  for (size_t i = 0; i < b.label_fields.size(); ++i) {
    if (b.label_fields[i] < 0 || b.label_fields[i] > kMaxField) return hot;
    hot.label_fields[i] = static_cast<uint16_t>(b.label_fields[i]);
  }
  hot.value_field = static_cast<uint16_t>(b.value_field);
  hot.label_count = static_cast<uint8_t>(b.label_fields.size());
  hot.min_fields = b.min_fields;
  return hot;
}

// Applies `value` (the metric value of `raw`) to `series` by the metric's kind; a counter
// increment must not be negative. Hot path: no allocation, no string hashing.
inline void ApplyValue(MetricKind kind, const Metric& metric, Series* series, const Value& raw,
                       double value) {
  switch (kind) {
    case MetricKind::kCounter:
      // An INT64 in [0, 2^53) is what CounterAdd would add to the integer part, exactly.
      if (raw.type() == ValueType::kInt64 &&
          static_cast<uint64_t>(raw.int64()) < (uint64_t{1} << 53)) {
        series->CounterAddSmallInt(static_cast<uint64_t>(raw.int64()));
      } else {
        series->CounterAdd(value);
      }
      break;
    case MetricKind::kGauge:
      series->GaugeSet(value);
      break;
    case MetricKind::kDistribution:
      series->Observe(BucketIndex(metric.definition().bounds, value), value);
      break;
    case MetricKind::kUnspecified:
      break;
  }
}

}  // namespace

class PrometheusHandlerImpl : public PrometheusHandler {
 public:
  PrometheusHandlerImpl(const PrometheusOptions& options,
                        std::vector<std::shared_ptr<Metric>> metrics,
                        absl::optional<ExpiryPolicy> policy, absl::Time now)
      : options_(options), metrics_(std::move(metrics)), policy_(policy) {
    if (!options_.log) options_.log = DefaultLog;
    if (policy_.has_value()) {
      update_deadline_.store(absl::ToUnixNanos(now + policy_->expiry), std::memory_order_relaxed);
      next_check_ = now + policy_->check_interval;
    }
  }

  ~PrometheusHandlerImpl() override {
    {
      absl::MutexLock lock(&thread_mu_);
      stop_ = true;
    }
    if (thread_.joinable()) thread_.join();
  }

  void AddBinding(const InstanceDescriptor* descriptor, Binding binding) {
    if (by_descriptor_.contains(descriptor)) return;
    by_descriptor_.emplace(descriptor, bindings_.size());
    by_name_.emplace(binding.instance_name, bindings_.size());
    descriptors_.push_back(descriptor);
    hot_.push_back(MakeHotBinding(binding));
    bindings_.push_back(std::move(binding));
  }

  void StartExpiryThread() {
    if (!policy_.has_value()) return;
    thread_ = std::thread([this] { ExpiryLoop(); });
  }

  // Hot path: no allocation once the series exist; the only hashing is of the label values
  // (the series key), once per instance.
  void Handle(absl::Span<const Instance> instances) override {
    EpochDomain::ReadSection section;
    for (const Instance& instance : instances) {
      const size_t index = FindBinding(instance.descriptor);
      if (ABSL_PREDICT_FALSE(index == kNoBinding)) {
        DropUnknown(instance);
        continue;
      }
      if (ABSL_PREDICT_FALSE(!UpdateFast(index, instance))) Apply(bindings_[index], instance);
    }
  }

  void CheckExpiry(absl::Time now) override {
    if (!policy_.has_value()) return;
    MutexLock lock(&expiry_mu_);
    // Mixer's ttl cache: the base time becomes `now` first, so updates racing with this check
    // get a deadline after it.
    update_deadline_.store(absl::ToUnixNanos(now + policy_->expiry), std::memory_order_relaxed);
    const int64_t now_nanos = absl::ToUnixNanos(now);
    for (const auto& metric : metrics_) metric->table().DeleteExpired(now_nanos);
  }

  bool RunDueExpiryCheck(absl::Time now) override {
    if (!policy_.has_value()) return false;
    {
      MutexLock lock(&expiry_mu_);
      if (now < next_check_) return false;
      while (next_check_ <= now) next_check_ += policy_->check_interval;
    }
    CheckExpiry(now);
    return true;
  }

  uint64_t unknown_instances() const override {
    return unknown_instances_.load(std::memory_order_relaxed);
  }

 private:
  // The index of the binding of `descriptor`, or kNoBinding.
  // Hot path: no allocation, no string hashing (descriptor pointers only).
  size_t FindBinding(const InstanceDescriptor* descriptor) const {
    if (descriptors_.size() <= kLinearBindings) {
      for (size_t i = 0; i < descriptors_.size(); ++i) {
        if (descriptors_[i] == descriptor) return i;
      }
    } else if (auto it = by_descriptor_.find(descriptor); it != by_descriptor_.end()) {
      return it->second;
    }
    return FindByName(descriptor);
  }

  // Slow path for a descriptor object this handler was not built with (a router that keeps the
  // handler across a reload but hands it the new snapshot's descriptors): found by instance
  // name, used only when the field layout is the one the binding was built for.
  ABSL_ATTRIBUTE_NOINLINE size_t FindByName(const InstanceDescriptor* descriptor) const {
    if (descriptor == nullptr) return kNoBinding;
    auto it = by_name_.find(descriptor->name);
    if (it == by_name_.end()) return kNoBinding;
    const Binding& b = bindings_[it->second];
    if (b.field_names != descriptor->field_names || b.field_types != descriptor->field_types) {
      return kNoBinding;
    }
    return it->second;
  }

  // The common update, from the binding's hot record: an INT64 or DOUBLE value (not negative
  // for a counter), string (or absent) labels, an existing series. Returns false, having
  // changed nothing, when the instance needs the general path (`Apply`) instead: a rejected
  // binding, too few fields, another value type, a negative counter increment, a label of
  // another type. A series that does not exist yet is created here, through `Update`.
  // Hot path: no allocation once the series exists; hashes the label values once, as it
  // gathers them.
  ABSL_ATTRIBUTE_ALWAYS_INLINE bool UpdateFast(size_t index, const Instance& instance) {
    const HotBinding& hot = hot_[index];
    if (instance.fields.size() < hot.min_fields) return false;
    // Every field index of the hot binding is below min_fields: no bounds checks below.
    const Value* fields = instance.fields.data();
    const Value& raw_value = fields[hot.value_field];
    const auto kind = static_cast<MetricKind>(hot.kind);
    double value;
    if (raw_value.type() == ValueType::kInt64) {
      value = static_cast<double>(raw_value.int64());
    } else if (raw_value.type() == ValueType::kDouble) {
      value = raw_value.double_value();
    } else {
      return false;
    }
    if (kind == MetricKind::kCounter && value < 0) return false;
    const size_t n = hot.label_count;
    LabelArray storage;
    LabelHasher hasher(n);
    for (size_t i = 0; i < n; ++i) {
      const Value& v = fields[hot.label_fields[i]];
      // Tested as `Value::string()` tests it, so that the compiler folds the accessor's own test
      // away (one test and branch per label fewer: measured, about 1 ns per update).
      absl::string_view text;
      if (ABSL_PREDICT_TRUE(IsStringLike(v.type()))) {
        text = v.string();
      } else if (v.type() != ValueType::kUnspecified) {
        return false;
      }
      new (&storage.values[i]) absl::string_view(text);
      hasher.Add(text);
    }
    const absl::Span<const absl::string_view> labels(storage.values, n);
    const uint64_t hash = hasher.Finish();
    Series* series = hot.table->Find(hash, labels);
    if (ABSL_PREDICT_FALSE(series == nullptr)) {
      Update(bindings_[index], hash, labels, raw_value, value);
      return true;
    }
    RenewDeadline(series);
    ApplyValue(kind, *hot.metric, series, raw_value, value);
    return true;
  }

  // The general path: every check, every value and label type, every drop.
  ABSL_ATTRIBUTE_NOINLINE void Apply(const Binding& b, const Instance& instance) {
    if (b.reject.has_value()) {
      Drop(b, *b.reject, b.reject_message);
      return;
    }
    if (instance.fields.size() < b.min_fields) {
      Drop(b, DropReason::kInvalidInstance,
           absl::StrCat("instance has ", instance.fields.size(), " fields, expected at least ",
                        b.min_fields));
      return;
    }
    const Value& raw_value = instance.fields[b.value_field];
    double value;
    if (!MetricValue(raw_value, &value)) {
      Drop(b, DropReason::kNonNumericValue, MetricValueError(raw_value));
      return;
    }
    // Label values: strings (and absent values, "") are viewed in place; the common case of
    // string-only labels needs nothing else.
    const size_t n = b.label_fields.size();
    if (n <= kInlineLabels) {
      LabelArray storage;
      size_t i = 0;
      for (; i < n; ++i) {
        const Value& v = instance.fields[b.label_fields[i]];
        if (!IsStringLike(v.type()) && v.type() != ValueType::kUnspecified) break;
        new (&storage.values[i]) absl::string_view(v.string());
      }
      if (i == n) {
        const absl::Span<const absl::string_view> labels(storage.values, n);
        Update(b, SeriesTable::Hash(labels), labels, raw_value, value);
        return;
      }
    }
    ApplyRendered(b, instance, raw_value, value);
  }

  // Labels of other types (or very many labels): rendered into owned text first.
  ABSL_ATTRIBUTE_NOINLINE void ApplyRendered(const Binding& b, const Instance& instance,
                                             const Value& raw_value, double value) {
    const size_t n = b.label_fields.size();
    LabelArray storage;
    std::unique_ptr<absl::string_view[]> heap;
    absl::string_view* labels = storage.values;
    if (n > kInlineLabels) {
      heap.reset(new absl::string_view[n]);
      labels = heap.get();
    }
    LabelRenderer renderer;
    for (size_t i = 0; i < n; ++i) {
      new (&labels[i]) absl::string_view(renderer.Render(instance.fields[b.label_fields[i]]));
    }
    const absl::Span<const absl::string_view> span(labels, n);
    Update(b, SeriesTable::Hash(span), span, raw_value, value);
  }

  // Finds (or creates) the series of `labels`, whose hash is `hash`, and applies the value to it.
  // Hot path: no allocation once the series exists; no hashing.
  ABSL_ATTRIBUTE_NOINLINE void Update(const Binding& b, uint64_t hash,
                                      absl::Span<const absl::string_view> labels,
                                      const Value& raw_value, double value) {
    SeriesTable& table = b.metric->table();
    SeriesTable::Outcome outcome;
    Series* series = table.FindOrCreate(hash, labels, &outcome);
    if (series == nullptr) {
      Drop(b, DropReason::kInvalidLabelValue, "a label value is not valid UTF-8");
      return;
    }
    if (outcome == SeriesTable::Outcome::kOverflow) b.metric->CountOverflow();
    RenewDeadline(series);
    // Go looked the series up (creating it) before refusing the negative increment.
    if (b.kind == MetricKind::kCounter && value < 0) {
      Drop(b, DropReason::kNegativeCounter,
           absl::StrCat("counter cannot decrease in value (", value, ")"));
      return;
    }
    ApplyValue(b.kind, *b.metric, series, raw_value, value);
  }

  // Gives an updated series the current deadline (base time + expiry), when a policy applies.
  // Read at each update, so an update racing with an expiry check gets the newer base time
  // whenever it can. Hot path: no allocation, no string hashing.
  void RenewDeadline(Series* series) const {
    const int64_t deadline = update_deadline_.load(std::memory_order_relaxed);
    if (deadline != kNoDeadline) series->deadline.store(deadline, std::memory_order_relaxed);
  }

  // Error path: counts, and logs the 1st, 2nd, 4th, ... drop of each metric and reason.
  ABSL_ATTRIBUTE_NOINLINE void Drop(const Binding& b, DropReason reason, absl::string_view why) {
    const uint64_t n = b.metric->CountDrop(reason);
    if (!IsPowerOfTwo(n)) return;
    options_.log(absl::StrCat("prometheus: dropped an instance of '", b.instance_name,
                              "' for metric ", b.metric->definition().full_name, " (",
                              DropReasonName(reason), ", ", n, " so far): could not get value ",
                              "for metric ", b.instance_name, ": ", why));
  }

  ABSL_ATTRIBUTE_NOINLINE void DropUnknown(const Instance& instance) {
    const uint64_t n = unknown_instances_.fetch_add(1, std::memory_order_relaxed) + 1;
    if (!IsPowerOfTwo(n)) return;
    options_.log(absl::StrCat(
        "prometheus: dropped an instance (", n, " so far): could not find metric info from "
        "adapter config for ",
        instance.descriptor != nullptr ? instance.descriptor->name : std::string("<null>")));
  }

  void ExpiryLoop() {
    absl::MutexLock lock(&thread_mu_);
    absl::Time next = absl::Now() + policy_->check_interval;
    while (!thread_mu_.AwaitWithDeadline(absl::Condition(&stop_), next)) {
      thread_mu_.Unlock();
      CheckExpiry(options_.clock->Now());
      thread_mu_.Lock();
      const absl::Time now = absl::Now();
      while (next <= now) next += policy_->check_interval;
    }
  }

  PrometheusOptions options_;
  const std::vector<std::shared_ptr<Metric>> metrics_;  // Keeps the bound metrics alive.
  // Immutable once built.
  std::vector<Binding> bindings_;
  std::vector<const InstanceDescriptor*> descriptors_;  // Parallel to bindings_.
  std::vector<HotBinding> hot_;                         // Parallel to bindings_.
  absl::flat_hash_map<const InstanceDescriptor*, size_t> by_descriptor_;
  absl::flat_hash_map<std::string, size_t> by_name_;
  const absl::optional<ExpiryPolicy> policy_;
  // Deadline given to series on update: base time + expiry (kNoDeadline without a policy).
  std::atomic<int64_t> update_deadline_{kNoDeadline};
  std::atomic<uint64_t> unknown_instances_{0};

  absl::Mutex expiry_mu_;
  absl::Time next_check_ ABSL_GUARDED_BY(expiry_mu_) = absl::InfiniteFuture();

  absl::Mutex thread_mu_;
  bool stop_ ABSL_GUARDED_BY(thread_mu_) = false;
  std::thread thread_;
};

}  // namespace handler_internal

using handler_internal::Binding;
using handler_internal::DecodePrometheusParams;
using handler_internal::Metric;
using handler_internal::MetricEntry;
using handler_internal::MutexLock;
using handler_internal::PrometheusParams;

PrometheusAdapter::PrometheusAdapter(std::shared_ptr<MetricsRegistry> registry,
                                     PrometheusOptions options)
    : registry_(registry != nullptr ? std::move(registry) : std::make_shared<MetricsRegistry>()),
      options_(std::move(options)) {
  if (options_.clock == nullptr) options_.clock = Clock::Real();
}

PrometheusAdapter::~PrometheusAdapter() = default;

void PrometheusAdapter::Validate(const ParamValue& params, std::vector<ParamIssue>* issues) const {
  const PrometheusParams decoded = DecodePrometheusParams(params, issues);
  for (const MetricEntry& entry : decoded.metrics) {
    const std::string& name = entry.definition.full_name;
    if (name == handler_internal::kOverflowMetricName ||
        name == handler_internal::kDroppedMetricName) {
      issues->push_back(ParamIssue{entry.path,
                                   absl::StrCat("metric name \"", name,
                                                "\" is reserved for mixlet's own counters"),
                                   params.line()});
    }
  }
}

void PrometheusAdapter::ValidateInstance(const ParamValue& params,
                                         const InstanceDescriptor& instance,
                                         std::vector<ParamIssue>* issues) const {
  std::vector<ParamIssue> param_issues;
  const PrometheusParams decoded = DecodePrometheusParams(params, &param_issues);
  for (const ParamIssue& issue : param_issues) {
    if (!issue.mixer_ignored) return;  // Validate reports it.
  }
  const MetricEntry* entry = decoded.FindEntry(instance.name);
  if (entry == nullptr) {
    issues->push_back(ParamIssue{
        "metrics",
        absl::StrCat("could not find metric info from adapter config for ", instance.name,
                     ": no metrics entry has instance_name '", instance.name, "'"),
        params.line()});
    return;
  }
  for (std::string& problem : handler_internal::InstanceProblems(*entry, instance)) {
    issues->push_back(ParamIssue{entry->path, std::move(problem), params.line()});
  }
}

absl::StatusOr<std::shared_ptr<Handler>> PrometheusAdapter::Build(
    const ParamValue& params, absl::Span<const InstanceDescriptor* const> instances) const {
  absl::StatusOr<std::shared_ptr<PrometheusHandler>> handler =
      BuildPrometheusHandler(params, instances);
  if (!handler.ok()) return handler.status();
  return std::shared_ptr<Handler>(*std::move(handler));
}

absl::StatusOr<std::shared_ptr<PrometheusHandler>> PrometheusAdapter::BuildPrometheusHandler(
    const ParamValue& params, absl::Span<const InstanceDescriptor* const> instances) const {
  std::vector<ParamIssue> issues;
  Validate(params, &issues);
  // Problems Mixer only logged (an unknown key it met after decoding everything) are tolerated,
  // as the lenient config mode expects.
  std::vector<std::string> lines;
  for (const ParamIssue& issue : issues) {
    if (issue.mixer_ignored) continue;
    lines.push_back(issue.field.empty() ? issue.message
                                        : absl::StrCat(issue.field, ": ", issue.message));
  }
  if (!lines.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid prometheus params: ", absl::StrJoin(lines, "; ")));
  }
  const PrometheusParams decoded = DecodePrometheusParams(params, &issues);

  // Resolve every entry against the registry: share an identical (or compatible) live metric,
  // replace one this entry's instance registered before with a different definition, create the
  // rest. Nothing is committed unless every entry resolves.
  MetricsRegistry::Impl& registry = *registry_->impl_;
  std::vector<std::shared_ptr<Metric>> resolved(decoded.metrics.size());
  std::vector<std::string> errors;
  {
    MutexLock lock(&registry.mu);
    absl::flat_hash_map<std::string, std::shared_ptr<Metric>> planned;
    for (size_t i = 0; i < decoded.metrics.size(); ++i) {
      const MetricEntry& entry = decoded.metrics[i];
      const handler_internal::MetricDefinition& def = entry.definition;
      auto make = [&] {
        return std::make_shared<Metric>(def, options_.max_series_per_metric,
                                        options_.overflow_label_value);
      };
      if (auto p = planned.find(def.full_name); p != planned.end()) {
        resolved[i] = p->second;  // Validate checked that entries of one name agree.
        continue;
      }
      auto r = registry.by_name.find(def.full_name);
      std::shared_ptr<Metric> existing = r != registry.by_name.end() ? r->second.metric.lock()
                                                                     : nullptr;
      if (existing == nullptr) {
        resolved[i] = make();
      } else if (existing->definition().Identical(def)) {
        resolved[i] = existing;
      } else if (std::find(r->second.instance_names.begin(), r->second.instance_names.end(),
                           entry.instance_name) != r->second.instance_names.end()) {
        resolved[i] = make();  // This instance's metric changed: start it afresh.
      } else if (existing->definition().SameFamily(def) &&
                 existing->definition().kind == def.kind) {
        resolved[i] = existing;  // Go's registry shared it (the first buckets win).
      } else {
        errors.push_back(absl::StrCat(
            entry.path, ": metric \"", def.full_name,
            "\" is already registered by another prometheus handler (instances ",
            absl::StrJoin(r->second.instance_names, ", "), ") with a different ",
            existing->definition().kind != def.kind ? "kind" : "description or label names"));
        continue;
      }
      planned[def.full_name] = resolved[i];
    }
    if (!errors.empty()) {
      return absl::InvalidArgumentError(absl::StrJoin(errors, "; "));
    }
    for (size_t i = 0; i < decoded.metrics.size(); ++i) {
      const std::string& name = decoded.metrics[i].definition.full_name;
      MetricsRegistry::Impl::Entry& slot = registry.by_name[name];
      if (slot.metric.lock() != resolved[i]) {
        slot.metric = resolved[i];
        slot.instance_names.clear();
      }
      if (std::find(slot.instance_names.begin(), slot.instance_names.end(),
                    decoded.metrics[i].instance_name) == slot.instance_names.end()) {
        slot.instance_names.push_back(decoded.metrics[i].instance_name);
      }
    }
  }

  std::vector<std::shared_ptr<Metric>> unique_metrics;
  for (const auto& m : resolved) {
    if (std::find(unique_metrics.begin(), unique_metrics.end(), m) == unique_metrics.end()) {
      unique_metrics.push_back(m);
    }
  }
  auto handler = std::make_shared<handler_internal::PrometheusHandlerImpl>(
      options_, unique_metrics, decoded.expiry, options_.clock->Now());

  for (const InstanceDescriptor* descriptor : instances) {
    if (descriptor == nullptr) continue;
    const MetricEntry* entry = decoded.FindEntry(descriptor->name);
    if (entry == nullptr) {
      // Its reports are dropped (and counted) as Mixer did; ValidateInstance reports it.
      continue;
    }
    const size_t index = static_cast<size_t>(entry - decoded.metrics.data());
    Binding b;
    b.metric = resolved[index].get();
    b.kind = b.metric->definition().kind;
    b.instance_name = descriptor->name;
    b.field_names = descriptor->field_names;
    b.field_types = descriptor->field_types;
    std::vector<std::string> problems = handler_internal::InstanceProblems(*entry, *descriptor);
    if (!problems.empty()) {
      b.reject = entry->definition.unusable_reason.empty()
                     ? handler_internal::DropReason::kInvalidInstance
                     : handler_internal::DropReason::kUnusableMetric;
      b.reject_message = absl::StrJoin(problems, "; ");
    } else {
      b.value_field = descriptor->FieldIndex("value");
      size_t min_fields = static_cast<size_t>(b.value_field) + 1;
      for (const std::string& label : b.metric->definition().label_names) {
        const int field = descriptor->FieldIndex(absl::StrCat("dimensions.", label));
        b.label_fields.push_back(field);
        min_fields = std::max(min_fields, static_cast<size_t>(field) + 1);
      }
      b.min_fields = min_fields;
    }
    handler->AddBinding(descriptor, std::move(b));
  }
  if (options_.expiry_thread) handler->StartExpiryThread();

  MutexLock lock(&mu_);
  handlers_.erase(std::remove_if(handlers_.begin(), handlers_.end(),
                                 [](const std::weak_ptr<PrometheusHandler>& h) {
                                   return h.expired();
                                 }),
                  handlers_.end());
  handlers_.push_back(handler);
  return std::shared_ptr<PrometheusHandler>(handler);
}

void PrometheusAdapter::RunExpiryChecks(absl::Time now) const {
  std::vector<std::shared_ptr<PrometheusHandler>> live;
  {
    MutexLock lock(&mu_);
    for (const auto& h : handlers_) {
      if (auto p = h.lock()) live.push_back(std::move(p));
    }
  }
  for (const auto& h : live) h->RunDueExpiryCheck(now);
}

}  // namespace mixlet
