// Helpers for the Prometheus handler tests: params trees written compactly, metric-template
// instance descriptors, instances built from values, a fake clock.
#ifndef MIXLET_TESTS_HANDLER_PROMETHEUS_TEST_UTIL_H_
#define MIXLET_TESTS_HANDLER_PROMETHEUS_TEST_UTIL_H_

#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "mixlet/config/adapter.h"
#include "mixlet/config/params.h"
#include "mixlet/handler/clock.h"
#include "mixlet/value/value.h"

namespace mixlet::testing {

inline ParamValue S(std::string s) { return ParamValue::String(std::move(s)); }
inline ParamValue N(double d) { return ParamValue::Number(d); }
inline ParamValue L(std::vector<ParamValue> items) { return ParamValue::List(std::move(items)); }
inline ParamValue M(std::vector<std::pair<std::string, ParamValue>> entries) {
  return ParamValue::Map(std::move(entries));
}
inline ParamValue Strings(std::initializer_list<const char*> items) {
  std::vector<ParamValue> out;
  for (const char* s : items) out.push_back(S(s));
  return L(std::move(out));
}

// One `metrics` entry of kind COUNTER with the sample's three labels.
inline ParamValue MongoEntry(const std::string& name, const std::string& instance) {
  return M({{"name", S(name)},
            {"instance_name", S(instance)},
            {"kind", S("COUNTER")},
            {"label_names", Strings({"source_service", "source_version", "destination_version"})}});
}

// The params of `mongohandler` in sample/tcp-metrics.yaml.
inline ParamValue MongoParams() {
  return M({{"metrics", L({MongoEntry("mongo_sent_bytes", "mongosentbytes.instance.default"),
                           MongoEntry("mongo_received_bytes",
                                      "mongoreceivedbytes.instance.default")})}});
}

// A metric-template descriptor: `value`, then `dimensions.<d>` for each dimension, then
// `monitored_resource_type`, as the config layer flattens it.
inline std::shared_ptr<InstanceDescriptor> MetricDescriptor(
    const std::string& name, ValueType value_type,
    std::vector<std::pair<std::string, ValueType>> dimensions) {
  auto d = std::make_shared<InstanceDescriptor>();
  d->name = name;
  d->template_name = "metric";
  d->field_names.push_back("value");
  d->field_types.push_back(value_type);
  for (auto& [key, type] : dimensions) {
    d->field_names.push_back("dimensions." + key);
    d->field_types.push_back(type);
  }
  d->field_names.push_back("monitored_resource_type");
  d->field_types.push_back(ValueType::kString);
  return d;
}

// The sample's instance: INT64 value, three STRING dimensions.
inline std::shared_ptr<InstanceDescriptor> MongoDescriptor(const std::string& name) {
  return MetricDescriptor(name, ValueType::kInt64,
                          {{"source_service", ValueType::kString},
                           {"source_version", ValueType::kString},
                           {"destination_version", ValueType::kString}});
}

// An instance's values, owned: value, dimensions in descriptor order, monitored resource type.
struct InstanceValues {
  const InstanceDescriptor* descriptor = nullptr;
  std::vector<Value> fields;
  Instance instance() const { return Instance{descriptor, fields}; }
};

inline InstanceValues MongoInstance(const InstanceDescriptor& d, int64_t bytes,
                                    absl::string_view source_service = "ratings-v2",
                                    absl::string_view source_version = "v2",
                                    absl::string_view destination_version = "v1") {
  return InstanceValues{&d,
                        {Value::Int64(bytes), Value::String(source_service),
                         Value::String(source_version), Value::String(destination_version),
                         Value::String("UNSPECIFIED")}};
}

class FakeClock : public Clock {
 public:
  explicit FakeClock(absl::Time start = absl::FromUnixSeconds(1600000000)) : now_(start) {}
  absl::Time Now() const override {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_;
};

}  // namespace mixlet::testing

#endif  // MIXLET_TESTS_HANDLER_PROMETHEUS_TEST_UTIL_H_
