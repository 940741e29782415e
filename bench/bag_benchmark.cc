// Bag benchmarks: reading an attribute by id against a name-keyed map, and refilling a reused
// MutableBag. The bag is a realistic report: 30 attributes of mixed types, the static, check-time
// and report-time attributes of a TCP connection plus the HTTP attributes of a request on it.
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "bench_util.h"
#include "mixlet/attribute/mutable_bag.h"
#include "mixlet/attribute/vocabulary.h"
#include "mixlet/value/owned_value.h"
#include "mixlet/value/value.h"

namespace mixlet {
namespace {

const std::string kSourceIp("\x0a\x2c\x00\x07", 4);
const std::string kDestinationIp("\x0a\x2c\x01\x0c", 4);
const StringMapEntry kSourceLabels[] = {
    {"app", "ratings"}, {"version", "v2"}, {"pod-template-hash", "5d8c8d7c8"}};
const StringMapEntry kDestinationLabels[] = {{"app", "mongodb"}, {"version", "v1"}};
const StringMapEntry kRequestHeaders[] = {{":authority", "ratings:9080"},
                                          {"user-agent", "Mozilla/5.0"},
                                          {"x-request-id", "f3b1c2d4-7e8f-4a5b-9c6d-0e1f2a3b4c5d"}};

// The report: 30 (name, value) pairs. The values borrow static storage.
std::vector<std::pair<absl::string_view, Value>> ReportAttributes() {
  return {
      {"source.uid", Value::String("kubernetes://ratings-v2-5d8c8d7c8-x2x7p.default")},
      {"source.ip", Value::IpAddress(kSourceIp)},
      {"source.labels", Value::StringMap({kSourceLabels, 3})},
      {"source.namespace", Value::String("default")},
      {"source.principal", Value::String("cluster.local/ns/default/sa/bookinfo-ratings-v2")},
      {"source.workload.name", Value::String("ratings-v2")},
      {"source.workload.namespace", Value::String("default")},
      {"destination.uid", Value::String("kubernetes://mongodb-v1-7f9d8b6c5-abcde.default")},
      {"destination.ip", Value::IpAddress(kDestinationIp)},
      {"destination.port", Value::Int64(27017)},
      {"destination.labels", Value::StringMap({kDestinationLabels, 2})},
      {"destination.namespace", Value::String("default")},
      {"destination.principal", Value::String("cluster.local/ns/default/sa/bookinfo-mongodb")},
      {"destination.service.host", Value::String("mongodb.default.svc.cluster.local")},
      {"destination.service.name", Value::String("mongodb")},
      {"destination.workload.name", Value::String("mongodb-v1")},
      {"context.protocol", Value::String("tcp")},
      {"context.reporter.kind", Value::String("inbound")},
      {"context.reporter.uid", Value::String("kubernetes://mongodb-v1-7f9d8b6c5-abcde.default")},
      {"context.time", Value::TimestampValue({1420211075, 500000000})},
      {"connection.id", Value::String("5f8e3c1a-2b4d-4e6f-8a9b-0c1d2e3f4a5b-17")},
      {"connection.event", Value::String("continue")},
      {"connection.received.bytes", Value::Int64(1200)},
      {"connection.received.bytes_total", Value::Int64(48000)},
      {"connection.sent.bytes", Value::Int64(800)},
      {"connection.sent.bytes_total", Value::Int64(32000)},
      {"connection.duration", Value::Duration(int64_t{1500000000})},
      {"connection.mtls", Value::Bool(true)},
      {"request.headers", Value::StringMap({kRequestHeaders, 3})},
      {"response.code", Value::Int64(200)},
  };
}

// The attributes read in the lookup benchmarks: a string, an int, a map, and one early id.
const char* const kLookups[] = {"destination.service.host", "connection.received.bytes",
                                "source.labels", "source.ip"};

void FillBag(MutableBag* bag, const std::vector<std::pair<AttributeId, Value>>& attributes) {
  for (const auto& [id, value] : attributes) {
    if (!bag->Set(id, value).ok()) std::abort();
  }
}

std::vector<std::pair<AttributeId, Value>> ById() {
  std::vector<std::pair<AttributeId, Value>> out;
  for (const auto& [name, value] : ReportAttributes()) {
    out.emplace_back(Vocabulary::Standard()->Find(name)->id, value);
  }
  return out;
}

// Bag::Get(id): an index, a generation check, a pointer.
void BM_BagGetById(benchmark::State& state) {
  MutableBag bag(Vocabulary::Standard());
  FillBag(&bag, ById());
  const AttributeId id = Vocabulary::Standard()->Find(kLookups[state.range(0)])->id;
  state.SetLabel(kLookups[state.range(0)]);
  bench::AllocationCounter allocs;
  for (auto _ : state) {
    const Value* v = bag.Get(id);
    benchmark::DoNotOptimize(v);
  }
  allocs.Report(state);
}
BENCHMARK(BM_BagGetById)->DenseRange(0, 3);

// The report path's shape: the bag read is a child over the accumulated bag (Mixer's
// reportBag -> accumBag), and the attribute lives in the parent.
void BM_BagGetByIdFromParent(benchmark::State& state) {
  MutableBag parent(Vocabulary::Standard());
  FillBag(&parent, ById());
  MutableBag child(Vocabulary::Standard(), &parent);
  const AttributeId id = Vocabulary::Standard()->Find(kLookups[state.range(0)])->id;
  state.SetLabel(kLookups[state.range(0)]);
  bench::AllocationCounter allocs;
  for (auto _ : state) {
    const Value* v = child.Get(id);
    benchmark::DoNotOptimize(v);
  }
  allocs.Report(state);
}
BENCHMARK(BM_BagGetByIdFromParent)->DenseRange(0, 3);

// Reference: what a name-keyed bag costs, a hash of the name and a compare per lookup.
void BM_NameKeyedMapFind(benchmark::State& state) {
  absl::flat_hash_map<std::string, Value> map;
  for (const auto& [name, value] : ReportAttributes()) map.emplace(std::string(name), value);
  const std::string name = kLookups[state.range(0)];
  state.SetLabel(name);
  bench::AllocationCounter allocs;
  for (auto _ : state) {
    benchmark::DoNotOptimize(name.data());
    auto it = map.find(absl::string_view(name));
    const Value* v = it == map.end() ? nullptr : &it->second;
    benchmark::DoNotOptimize(v);
  }
  allocs.Report(state);
}
BENCHMARK(BM_NameKeyedMapFind)->DenseRange(0, 3);

// Bag::Find(name): the vocabulary's name -> id map, then Get. What code that has not compiled
// its names to ids pays.
void BM_BagFindByName(benchmark::State& state) {
  MutableBag bag(Vocabulary::Standard());
  FillBag(&bag, ById());
  const std::string name = kLookups[state.range(0)];
  state.SetLabel(name);
  bench::AllocationCounter allocs;
  for (auto _ : state) {
    benchmark::DoNotOptimize(name.data());
    const Value* v = bag.Find(name);
    benchmark::DoNotOptimize(v);
  }
  allocs.Report(state);
}
BENCHMARK(BM_BagFindByName)->DenseRange(0, 3);

// Reset + Set of the 30 attributes into a reused bag: copies every string and map into the
// bag's arena. allocs/iter is 0 once warm.
void BM_MutableBagFillAfterReset(benchmark::State& state) {
  MutableBag bag(Vocabulary::Standard());
  const std::vector<std::pair<AttributeId, Value>> attributes = ById();
  FillBag(&bag, attributes);  // Warm: the arena and index vectors reach their size.
  bag.Reset();
  FillBag(&bag, attributes);
  bench::AllocationCounter allocs;
  for (auto _ : state) {
    bag.Reset();
    FillBag(&bag, attributes);
    benchmark::ClobberMemory();
  }
  allocs.Report(state);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(attributes.size()));
}
BENCHMARK(BM_MutableBagFillAfterReset);

// Reference: clearing and refilling a name-keyed map of owned values, the naive reusable bag.
void BM_NameKeyedMapFillAfterClear(benchmark::State& state) {
  const std::vector<std::pair<absl::string_view, Value>> attributes = ReportAttributes();
  absl::flat_hash_map<std::string, OwnedValue> map;
  map.reserve(attributes.size());
  bench::AllocationCounter allocs;
  for (auto _ : state) {
    map.clear();
    for (const auto& [name, value] : attributes) {
      map.emplace(std::string(name), OwnedValue::Of(value));
    }
    benchmark::ClobberMemory();
  }
  allocs.Report(state);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(attributes.size()));
}
BENCHMARK(BM_NameKeyedMapFillAfterClear);

}  // namespace
}  // namespace mixlet
