// Prometheus handler benchmarks, each beside the reference a user would otherwise pick
// (prometheus-cpp, when it is found at configure time).
//
//   BM_MixletCounterUpdate/threads:N        one 3-label counter instance through
//                                           PrometheusHandler::Handle: the series is found by
//                                           its label values and incremented. 1 thread; 2
//                                           threads on distinct series; 2 on the same series.
//   BM_MixletSeriesTableAdd                 the table alone: hash, lock-free find, add.
//   BM_PrometheusCppFamilyAdd/...           prometheus-cpp: Family<Counter>::Add(labels) (a
//                                           lookup when the series exists) + Increment, with
//                                           the labels map prebuilt (its best case) and built
//                                           from the report's values (what a report path does).
//   BM_MixletRender10k / BM_MixletRender10kResorted
//                                           text exposition of 10,000 series (sorted order
//                                           cached / recomputed because the series set changed)
//   BM_PrometheusCppRender10k               Registry::Collect + TextSerializer of the same.
//   BM_FullHotPathSampleTcp                 one decoded TCP report (EXPECTED.md §3) through the
//                                           sample config (router) into the Prometheus handler.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench_util.h"
#include "handler/prometheus/epoch.h"
#include "handler/prometheus/series_table.h"
#include "mixlet/handler/prometheus_handler.h"

#ifdef MIXLET_BENCH_HAVE_PROMETHEUS_CPP
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#endif

#ifdef MIXLET_BENCH_HAVE_ROUTER
#include "mixlet/attribute/mutable_bag.h"
#include "mixlet/config/adapter_registry.h"
#include "mixlet/config/config_loader.h"
#include "mixlet/router/router.h"
#endif

namespace mixlet {
namespace {

ParamValue S(std::string s) { return ParamValue::String(std::move(s)); }

// The sample's `mongohandler` params, one entry.
ParamValue SentBytesParams() {
  return ParamValue::Map(
      {{"metrics",
        ParamValue::List({ParamValue::Map(
            {{"name", S("mongo_sent_bytes")},
             {"instance_name", S("mongosentbytes.instance.default")},
             {"kind", S("COUNTER")},
             {"label_names", ParamValue::List({S("source_service"), S("source_version"),
                                               S("destination_version")})}})})}});
}

InstanceDescriptor SentBytesDescriptor() {
  InstanceDescriptor d;
  d.name = "mongosentbytes.instance.default";
  d.template_name = "metric";
  d.field_names = {"value", "dimensions.source_service", "dimensions.source_version",
                   "dimensions.destination_version", "monitored_resource_type"};
  d.field_types = {ValueType::kInt64, ValueType::kString, ValueType::kString, ValueType::kString,
                   ValueType::kString};
  return d;
}

// One handler shared by every benchmark thread, with a series per thread plus a shared one.
struct CounterFixture {
  CounterFixture() {
    PrometheusOptions options;
    options.expiry_thread = false;
    registry = std::make_shared<MetricsRegistry>();
    adapter = std::make_shared<PrometheusAdapter>(registry, options);
    const InstanceDescriptor* d = &descriptor;
    handler = adapter->BuildPrometheusHandler(SentBytesParams(), {&d, 1}).value();
    for (int i = 0; i < 8; ++i) services.push_back(absl::StrCat("ratings-v", i));
  }
  InstanceDescriptor descriptor = SentBytesDescriptor();
  std::shared_ptr<MetricsRegistry> registry;
  std::shared_ptr<PrometheusAdapter> adapter;
  std::shared_ptr<PrometheusHandler> handler;
  std::vector<std::string> services;
};

CounterFixture& Counters() {
  static CounterFixture* fixture = new CounterFixture();
  return *fixture;
}

// state.range(0): 0 = every thread updates its own series, 1 = all update the same series.
void BM_MixletCounterUpdate(benchmark::State& state) {
  CounterFixture& f = Counters();
  const bool same = state.range(0) != 0;
  const std::string& service = f.services[same ? 0 : static_cast<size_t>(state.thread_index())];
  const Value fields[] = {Value::Int64(1200), Value::String(service), Value::String("v2"),
                          Value::String("v1"), Value::String("UNSPECIFIED")};
  const Instance instance{&f.descriptor, fields};
  f.handler->Handle({&instance, 1});  // creates the series
  bench::AllocationCounter allocs;
  for (auto _ : state) f.handler->Handle({&instance, 1});
  allocs.Report(state);
}
BENCHMARK(BM_MixletCounterUpdate)->ArgName("same_series")->Arg(0)->Threads(1);
BENCHMARK(BM_MixletCounterUpdate)->ArgName("same_series")->Arg(0)->Threads(2);
BENCHMARK(BM_MixletCounterUpdate)->ArgName("same_series")->Arg(1)->Threads(2);

void BM_MixletSeriesTableAdd(benchmark::State& state) {
  using handler_internal::EpochDomain;
  using handler_internal::SeriesTable;
  static SeriesTable* table = new SeriesTable(3, 0, 0, "overflow");
  const absl::string_view labels[] = {"v1", "ratings-v2", "v2"};
  SeriesTable::Outcome outcome;
  bench::AllocationCounter allocs;
  for (auto _ : state) {
    EpochDomain::ReadSection section;
    table->FindOrCreate(SeriesTable::Hash(labels), labels, &outcome)->CounterAdd(1200);
  }
  allocs.Report(state);
}
BENCHMARK(BM_MixletSeriesTableAdd);

#ifdef MIXLET_BENCH_HAVE_PROMETHEUS_CPP
struct PrometheusCppFixture {
  PrometheusCppFixture()
      : family(prometheus::BuildCounter()
                   .Name("istio_mongo_sent_bytes")
                   .Help("mongo_sent_bytes")
                   .Register(registry)) {
    for (int i = 0; i < 8; ++i) services.push_back(absl::StrCat("ratings-v", i));
  }
  prometheus::Registry registry;
  prometheus::Family<prometheus::Counter>& family;
  std::vector<std::string> services;
};

PrometheusCppFixture& CppCounters() {
  static PrometheusCppFixture* fixture = new PrometheusCppFixture();
  return *fixture;
}

// state.range(0): same series (as above); state.range(1): 1 = build the labels map per report.
void BM_PrometheusCppFamilyAdd(benchmark::State& state) {
  PrometheusCppFixture& f = CppCounters();
  const bool same = state.range(0) != 0;
  const bool build = state.range(1) != 0;
  const std::string& service = f.services[same ? 0 : static_cast<size_t>(state.thread_index())];
  const absl::string_view values[] = {"v1", service, "v2"};
  const prometheus::Labels prebuilt{
      {"destination_version", "v1"}, {"source_service", service}, {"source_version", "v2"}};
  f.family.Add(prebuilt).Increment(1200);
  bench::AllocationCounter allocs;
  for (auto _ : state) {
    if (build) {
      prometheus::Labels labels{{"destination_version", std::string(values[0])},
                                {"source_service", std::string(values[1])},
                                {"source_version", std::string(values[2])}};
      f.family.Add(labels).Increment(1200);
    } else {
      f.family.Add(prebuilt).Increment(1200);
    }
  }
  allocs.Report(state);
}
BENCHMARK(BM_PrometheusCppFamilyAdd)->ArgNames({"same_series", "build_labels"})
    ->Args({0, 0})->Threads(1);
BENCHMARK(BM_PrometheusCppFamilyAdd)->ArgNames({"same_series", "build_labels"})
    ->Args({0, 1})->Threads(1);
BENCHMARK(BM_PrometheusCppFamilyAdd)->ArgNames({"same_series", "build_labels"})
    ->Args({0, 0})->Threads(2);
BENCHMARK(BM_PrometheusCppFamilyAdd)->ArgNames({"same_series", "build_labels"})
    ->Args({1, 0})->Threads(2);
#endif  // MIXLET_BENCH_HAVE_PROMETHEUS_CPP

// The label values of series i of 10,000: 100 services x 10 x 10 versions.
struct SeriesLabels {
  std::string service, source_version, destination_version;
};
std::vector<SeriesLabels> TenThousandSeries() {
  std::vector<SeriesLabels> out;
  for (int i = 0; i < 10000; ++i) {
    out.push_back({absl::StrCat("service-", i % 100, ".default"), absl::StrCat("v", i / 100 % 10),
                   absl::StrCat("v", i / 1000)});
  }
  return out;
}

struct RenderFixture {
  RenderFixture() {
    PrometheusOptions options;
    options.expiry_thread = false;
    registry = std::make_shared<MetricsRegistry>();
    adapter = std::make_shared<PrometheusAdapter>(registry, options);
    const InstanceDescriptor* d = &descriptor;
    handler = adapter->BuildPrometheusHandler(SentBytesParams(), {&d, 1}).value();
    int64_t n = 0;
    for (const SeriesLabels& l : TenThousandSeries()) {
      const Value fields[] = {Value::Int64(++n * 37), Value::String(l.service),
                              Value::String(l.source_version),
                              Value::String(l.destination_version), Value::String("")};
      const Instance instance{&descriptor, fields};
      handler->Handle({&instance, 1});
    }
  }
  InstanceDescriptor descriptor = SentBytesDescriptor();
  std::shared_ptr<MetricsRegistry> registry;
  std::shared_ptr<PrometheusAdapter> adapter;
  std::shared_ptr<PrometheusHandler> handler;
};

void BM_MixletRender10k(benchmark::State& state) {
  RenderFixture f;
  std::string out;
  f.registry->AppendTextExposition(&out);
  state.counters["bytes"] = static_cast<double>(out.size());
  bench::AllocationCounter allocs;
  for (auto _ : state) {
    out.clear();
    f.registry->AppendTextExposition(&out);
    benchmark::DoNotOptimize(out.data());
  }
  allocs.Report(state);
}
BENCHMARK(BM_MixletRender10k)->Unit(benchmark::kMillisecond);

// Every iteration first changes the set of series (one created, one expired), so the sorted
// order is recomputed: the cost of the first scrape after the series changed.
void BM_MixletRender10kResorted(benchmark::State& state) {
  RenderFixture f;
  std::string out;
  const Value fields[] = {Value::Int64(1), Value::String("churn"), Value::String("v"),
                          Value::String("v"), Value::String("")};
  const Instance instance{&f.descriptor, fields};
  for (auto _ : state) {
    state.PauseTiming();
    f.handler->Handle({&instance, 1});
    state.ResumeTiming();
    out.clear();
    f.registry->AppendTextExposition(&out);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_MixletRender10kResorted)->Unit(benchmark::kMillisecond);

#ifdef MIXLET_BENCH_HAVE_PROMETHEUS_CPP
void BM_PrometheusCppRender10k(benchmark::State& state) {
  prometheus::Registry registry;
  auto& family = prometheus::BuildCounter()
                     .Name("istio_mongo_sent_bytes")
                     .Help("mongo_sent_bytes")
                     .Register(registry);
  int64_t n = 0;
  for (const SeriesLabels& l : TenThousandSeries()) {
    family
        .Add({{"destination_version", l.destination_version},
              {"source_service", l.service},
              {"source_version", l.source_version}})
        .Increment(static_cast<double>(++n * 37));
  }
  const prometheus::TextSerializer serializer;
  state.counters["bytes"] = static_cast<double>(serializer.Serialize(registry.Collect()).size());
  bench::AllocationCounter allocs;
  for (auto _ : state) {
    std::string out = serializer.Serialize(registry.Collect());
    benchmark::DoNotOptimize(out.data());
  }
  allocs.Report(state);
}
BENCHMARK(BM_PrometheusCppRender10k)->Unit(benchmark::kMillisecond);
#endif  // MIXLET_BENCH_HAVE_PROMETHEUS_CPP

#ifdef MIXLET_BENCH_HAVE_ROUTER
void SetOrDie(MutableBag& bag, absl::string_view name, const Value& v) {
  if (!bag.Set(name, v).ok()) std::abort();
}

// sample/tcp-metrics.yaml with the Prometheus adapter, one decoded `continue` report of
// EXPECTED.md §3 (outbound from ratings-v2 in `default` to mongodb): match, two instances of
// four fields each, one Handle call updating two counters.
void BM_FullHotPathSampleTcp(benchmark::State& state) {
  PrometheusOptions options;
  options.expiry_thread = false;
  auto registry = std::make_shared<MetricsRegistry>();
  AdapterRegistry adapters;
  if (!adapters.Register(std::make_shared<PrometheusAdapter>(registry, options)).ok()) {
    std::abort();
  }
  const std::string config_path =
      absl::StrCat(MIXLET_SOURCE_DIR, "/tests/config/testdata/tcp-metrics.yaml");
  ConfigBuildResult config = LoadConfig({config_path}, adapters);
  if (!config.ok()) std::abort();
  RouterBuildResult router = Router::Build(config.config);
  if (!router.ok()) std::abort();

  MutableBag bag(Vocabulary::Standard());
  const StringMapEntry source_labels[] = {{"version", "v2"}};
  const StringMapEntry destination_labels[] = {{"version", "v1"}};
  SetOrDie(bag, "context.reporter.kind", Value::String("outbound"));
  SetOrDie(bag, "source.namespace", Value::String("default"));
  SetOrDie(bag, "context.protocol", Value::String("tcp"));
  SetOrDie(bag, "destination.service.host", Value::String("mongodb.default.svc.cluster.local"));
  SetOrDie(bag, "connection.event", Value::String("continue"));
  SetOrDie(bag, "connection.received.bytes", Value::Int64(1200));
  SetOrDie(bag, "connection.received.bytes_total", Value::Int64(1200));
  SetOrDie(bag, "connection.sent.bytes", Value::Int64(3400));
  SetOrDie(bag, "source.workload.name", Value::String("ratings-v2"));
  SetOrDie(bag, "source.labels", Value::StringMap(StringMapView(source_labels, 1)));
  SetOrDie(bag, "destination.labels", Value::StringMap(StringMapView(destination_labels, 1)));

  const DispatchResult warm = router.router->Dispatch(bag);
  if (warm.instances_built != 2 || warm.handler_calls != 1) std::abort();
  bench::AllocationCounter allocs;
  for (auto _ : state) benchmark::DoNotOptimize(router.router->Dispatch(bag));
  allocs.Report(state);
  if (registry->Stats().size() != 2 || registry->Stats()[0].series != 1) std::abort();
}
BENCHMARK(BM_FullHotPathSampleTcp);
#endif  // MIXLET_BENCH_HAVE_ROUTER

}  // namespace
}  // namespace mixlet
