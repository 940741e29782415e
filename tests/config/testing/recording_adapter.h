// RecordingAdapter: a test adapter for the config and router tests and the router benchmark.
//
// It validates params shaped like the Prometheus adapter's (`metrics` entries with `name`,
// `instance_name`, `kind`, `label_names`, ...; an unknown key directly under params is an issue
// Mixer ignored) and builds RecordingHandlers, which count every call and, when recording,
// keep the text of every instance they receive. `build_error: "<text>"` in params makes Build
// fail with that text.
//
// Example:
//   auto adapter = std::make_shared<RecordingAdapter>();
//   AdapterRegistry adapters;
//   adapters.Register(adapter).IgnoreError();
//   ... dispatch ...
//   adapter->handler(0)->TakeLog();
#ifndef MIXLET_TESTS_CONFIG_TESTING_RECORDING_ADAPTER_H_
#define MIXLET_TESTS_CONFIG_TESTING_RECORDING_ADAPTER_H_

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "mixlet/config/adapter.h"

namespace mixlet::testing {

// One instance as a handler received it: its name and "field=text" per field.
struct RecordedInstance {
  std::string instance;
  std::vector<std::string> fields;

  friend bool operator==(const RecordedInstance& a, const RecordedInstance& b) {
    return a.instance == b.instance && a.fields == b.fields;
  }
  std::string ToString() const {
    std::string out = instance;
    for (const std::string& f : fields) absl::StrAppend(&out, " ", f);
    return out;
  }
};

class RecordingHandler : public Handler {
 public:
  explicit RecordingHandler(bool record) : record_(record) {}

  void Handle(absl::Span<const Instance> instances) override {
    calls_.fetch_add(1, std::memory_order_relaxed);
    instances_.fetch_add(instances.size(), std::memory_order_relaxed);
    if (!record_) return;
    std::vector<RecordedInstance> call;
    for (const Instance& i : instances) {
      RecordedInstance r;
      r.instance = i.descriptor->name;
      for (size_t f = 0; f < i.fields.size(); ++f) {
        r.fields.push_back(absl::StrCat(i.descriptor->field_names[f], "=",
                                        i.fields[f].has_value() ? i.fields[f].ToText() : "<none>"));
      }
      call.push_back(std::move(r));
    }
    std::lock_guard<std::mutex> lock(mu_);
    log_.push_back(std::move(call));
  }

  uint64_t calls() const { return calls_.load(); }
  uint64_t instances() const { return instances_.load(); }
  // Every Handle call recorded so far (each a list of instances); clears the log.
  std::vector<std::vector<RecordedInstance>> TakeLog() {
    std::lock_guard<std::mutex> lock(mu_);
    return std::exchange(log_, {});
  }

 private:
  const bool record_;
  std::atomic<uint64_t> calls_{0};
  std::atomic<uint64_t> instances_{0};
  std::mutex mu_;
  std::vector<std::vector<RecordedInstance>> log_;
};

class RecordingAdapter : public Adapter {
 public:
  explicit RecordingAdapter(std::string name = "prometheus", bool record = true)
      : name_(std::move(name)), record_(record) {}

  absl::string_view name() const override { return name_; }
  bool SupportsTemplate(absl::string_view template_name) const override {
    return template_name == "metric";
  }

  void Validate(const ParamValue& params, std::vector<ParamIssue>* issues) const override {
    if (params.kind() != ParamValue::Kind::kMap) {
      issues->push_back({"", "params must be a map", params.line()});
      return;
    }
    for (const auto& [key, value] : params.map()) {
      if (key == "metrics") {
        if (value.kind() != ParamValue::Kind::kList) {
          issues->push_back({"metrics", "expected a list", value.line()});
          continue;
        }
        for (size_t i = 0; i < value.list().size(); ++i) ValidateMetric(value.list()[i], i, issues);
      } else if (key == "metrics_expiration_policy" || key == "metricsExpirationPolicy" ||
                 key == "build_error") {
        continue;
      } else {
        ParamIssue issue{key, absl::StrCat("unknown field '", key, "'"), value.line()};
        issue.mixer_ignored = true;
        issues->push_back(std::move(issue));
      }
    }
  }

  void ValidateInstance(const ParamValue& params, const InstanceDescriptor& instance,
                        std::vector<ParamIssue>* issues) const override {
    const ParamValue* metrics = params.Find("metrics");
    if (metrics == nullptr) return;
    std::vector<std::string> dimensions;
    for (const std::string& f : instance.field_names) {
      if (absl::StartsWith(f, "dimensions.")) dimensions.push_back(f.substr(11));
    }
    absl::c_sort(dimensions);
    for (size_t i = 0; i < metrics->list().size(); ++i) {
      const ParamValue& m = metrics->list()[i];
      const ParamValue* name = m.Find("instance_name");
      if (name == nullptr || name->string() != instance.name) continue;
      std::vector<std::string> labels;
      if (const ParamValue* l = m.Find("label_names")) {
        for (const ParamValue& v : l->list()) labels.push_back(v.string());
      }
      absl::c_sort(labels);
      if (labels != dimensions) {
        issues->push_back({absl::StrCat("metrics[", i, "].label_names"),
                           "label names differ from the instance's dimensions", m.line()});
      }
      return;
    }
    issues->push_back({"metrics", "no metric is configured for this instance", params.line()});
  }

  absl::StatusOr<std::shared_ptr<Handler>> Build(
      const ParamValue& params,
      absl::Span<const InstanceDescriptor* const> instances) const override {
    if (const ParamValue* error = params.Find("build_error")) {
      return absl::InvalidArgumentError(error->string());
    }
    auto h = std::make_shared<RecordingHandler>(record_);
    std::lock_guard<std::mutex> lock(mu_);
    built_.push_back(h);
    built_descriptors_.emplace_back(instances.begin(), instances.end());
    return std::shared_ptr<Handler>(h);
  }

  // Handlers built so far, in build order.
  size_t builds() const {
    std::lock_guard<std::mutex> lock(mu_);
    return built_.size();
  }
  std::shared_ptr<RecordingHandler> handler(size_t i) const {
    std::lock_guard<std::mutex> lock(mu_);
    return built_.at(i);
  }
  std::vector<const InstanceDescriptor*> descriptors(size_t i) const {
    std::lock_guard<std::mutex> lock(mu_);
    return built_descriptors_.at(i);
  }

 private:
  static void ValidateMetric(const ParamValue& m, size_t i, std::vector<ParamIssue>* issues) {
    const std::string path = absl::StrCat("metrics[", i, "]");
    if (m.kind() != ParamValue::Kind::kMap) {
      issues->push_back({path, "expected a map", m.line()});
      return;
    }
    static const char* const kKnown[] = {"name",    "instance_name", "instanceName",
                                         "kind",    "label_names",   "labelNames",
                                         "buckets", "namespace",     "description"};
    for (const auto& [key, value] : m.map()) {
      if (!absl::c_linear_search(kKnown, key)) {
        issues->push_back({absl::StrCat(path, ".", key), absl::StrCat("unknown field '", key, "'"),
                           value.line()});
      }
    }
    const ParamValue* kind = m.Find("kind");
    if (kind == nullptr || (kind->string() != "COUNTER" && kind->string() != "GAUGE" &&
                            kind->string() != "DISTRIBUTION")) {
      issues->push_back({path + ".kind", "kind must be GAUGE, COUNTER or DISTRIBUTION",
                         kind != nullptr ? kind->line() : m.line()});
    }
  }

  const std::string name_;
  const bool record_;
  mutable std::mutex mu_;
  mutable std::vector<std::shared_ptr<RecordingHandler>> built_;
  mutable std::vector<std::vector<const InstanceDescriptor*>> built_descriptors_;
};

}  // namespace mixlet::testing

#endif  // MIXLET_TESTS_CONFIG_TESTING_RECORDING_ADAPTER_H_
