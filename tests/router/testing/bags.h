// Helpers to build report bags in router tests and benchmarks.
#ifndef MIXLET_TESTS_ROUTER_TESTING_BAGS_H_
#define MIXLET_TESTS_ROUTER_TESTING_BAGS_H_

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "mixlet/attribute/mutable_bag.h"

namespace mixlet::testing {

inline void SetString(MutableBag& bag, absl::string_view name, absl::string_view value) {
  absl::Status s = bag.Set(name, Value::String(value));
  if (!s.ok()) throw std::runtime_error(std::string(s.message()));
}
inline void SetInt(MutableBag& bag, absl::string_view name, int64_t value) {
  absl::Status s = bag.Set(name, Value::Int64(value));
  if (!s.ok()) throw std::runtime_error(std::string(s.message()));
}
inline void SetMap(MutableBag& bag, absl::string_view name,
                   std::vector<std::pair<std::string, std::string>> entries) {
  std::vector<StringMapEntry> e;
  for (const auto& [k, v] : entries) e.push_back({k, v});
  absl::Status s = bag.Set(name, Value::StringMap(StringMapView(e.data(), e.size())));
  if (!s.ok()) throw std::runtime_error(std::string(s.message()));
}

// The TCP report of EXPECTED.md §3: ratings-v2 (outbound, namespace default) talking to
// mongodb, a `continue` event with 1200 bytes received and 3400 sent.
inline void FillMongoReport(MutableBag& bag) {
  SetString(bag, "context.reporter.kind", "outbound");
  SetString(bag, "source.namespace", "default");
  SetString(bag, "context.protocol", "tcp");
  SetString(bag, "destination.service.host", "mongodb.default.svc.cluster.local");
  SetString(bag, "connection.event", "continue");
  SetInt(bag, "connection.received.bytes", 1200);
  SetInt(bag, "connection.received.bytes_total", 1200);
  SetInt(bag, "connection.sent.bytes", 3400);
  SetString(bag, "source.workload.name", "ratings-v2");
  SetMap(bag, "source.labels", {{"version", "v2"}});
  SetMap(bag, "destination.labels", {{"version", "v1"}});
}

}  // namespace mixlet::testing

#endif  // MIXLET_TESTS_ROUTER_TESTING_BAGS_H_
