// Router benchmarks: one decoded report dispatched through a configuration to handlers that only
// count, next to references that show what the router adds.
//
//   BM_DispatchSampleTcp          the TCP sample (tcp-metrics.yaml), the report of EXPECTED.md §3
//   BM_EvaluateSampleExpressions  reference: evaluating the same six distinct expressions by hand
//   BM_DispatchDefaultTelemetry   Istio's default telemetry config plus 200 rules (100 HTTP-only,
//                                 100 TCP, in 10 namespaces), a TCP report: /split:1 with the
//                                 protocol split, /split:0 without (Mixer's behaviour)
//   BM_RuntimeDispatchSampleTcp   the first case through Runtime (snapshot lookup included)
#include <benchmark/benchmark.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench_util.h"
#include "mixlet/config/config_loader.h"
#include "mixlet/expr/compiler.h"
#include "mixlet/router/router.h"
#include "mixlet/router/runtime.h"
#include "router/testing/bags.h"

namespace mixlet {
namespace {

std::string Testdata(const std::string& name) {
  return absl::StrCat(MIXLET_SOURCE_DIR, "/tests/config/testdata/", name);
}

// The handler of every benchmark: it only counts the instances it receives.
class CountingHandler : public Handler {
 public:
  void Handle(absl::Span<const Instance> instances) override {
    count_.fetch_add(instances.size(), std::memory_order_relaxed);
  }

 private:
  std::atomic<uint64_t> count_{0};
};

// Named "prometheus" so that the sample configurations load; accepts any params.
class CountingAdapter : public Adapter {
 public:
  absl::string_view name() const override { return "prometheus"; }
  bool SupportsTemplate(absl::string_view t) const override { return t == "metric"; }
  void Validate(const ParamValue&, std::vector<ParamIssue>*) const override {}
  void ValidateInstance(const ParamValue&, const InstanceDescriptor&,
                        std::vector<ParamIssue>*) const override {}
  absl::StatusOr<std::shared_ptr<Handler>> Build(
      const ParamValue&, absl::Span<const InstanceDescriptor* const>) const override {
    return std::shared_ptr<Handler>(std::make_shared<CountingHandler>());
  }
};

AdapterRegistry CountingAdapters() {
  AdapterRegistry adapters;
  adapters.Register(std::make_shared<CountingAdapter>()).IgnoreError();
  return adapters;
}

std::shared_ptr<const Router> MustRoute(const ConfigResources& resources, bool split) {
  ConfigBuildResult c = BuildConfig(resources, CountingAdapters());
  if (!c.ok()) {
    for (const ConfigIssue& i : c.issues) fprintf(stderr, "error: %s\n", i.ToString().c_str());
    abort();
  }
  RouterOptions options;
  options.protocol_split = split;
  RouterBuildResult r = Router::Build(c.config, options);
  if (!r.ok()) abort();
  return r.router;
}

void BM_DispatchSampleTcp(benchmark::State& state) {
  std::shared_ptr<const Router> router =
      MustRoute(LoadConfigResources({Testdata("tcp-metrics.yaml")}), true);
  MutableBag bag(Vocabulary::Standard());
  testing::FillMongoReport(bag);
  if (router->Dispatch(bag).instances_built != 2) abort();
  bench::AllocationCounter allocs;
  for (auto _ : state) benchmark::DoNotOptimize(router->Dispatch(bag));
  allocs.Report(state);
}
BENCHMARK(BM_DispatchSampleTcp);

// What evaluating the sample's expressions costs without any routing: the match, the two
// values and the three dimensions (the constant monitored_resource_type is folded).
void BM_EvaluateSampleExpressions(benchmark::State& state) {
  ExpressionCompiler compiler(Vocabulary::Standard());
  std::vector<Expression> exprs;
  for (const char* text :
       {"context.protocol == \"tcp\" && destination.service.host == "
        "\"mongodb.default.svc.cluster.local\"",
        "connection.sent.bytes | 0", "connection.received.bytes | 0",
        "source.workload.name | \"unknown\"", "source.labels[\"version\"] | \"unknown\"",
        "destination.labels[\"version\"] | \"unknown\""}) {
    exprs.push_back(compiler.Compile(text).value());
  }
  MutableBag bag(Vocabulary::Standard());
  testing::FillMongoReport(bag);
  EvalContext ctx;
  Value v;
  for (const Expression& e : exprs) e.Evaluate(bag, ctx, &v);
  bench::AllocationCounter allocs;
  for (auto _ : state) {
    for (const Expression& e : exprs) benchmark::DoNotOptimize(e.Evaluate(bag, ctx, &v));
  }
  allocs.Report(state);
}
BENCHMARK(BM_EvaluateSampleExpressions);

// Istio's default telemetry config plus 100 HTTP-only and 100 TCP rules in namespaces
// ns0..ns9 (10 of each per namespace), each sending a namespace's own instance to its handler.
ConfigResources DefaultTelemetryPlus200() {
  ConfigResources r = LoadConfigResources({Testdata("istio-default-telemetry.yaml")});
  std::string yaml;
  for (int n = 0; n < 10; ++n) {
    const std::string ns = absl::StrCat("ns", n);
    absl::StrAppend(&yaml, "---\napiVersion: config.istio.io/v1alpha2\nkind: instance\n",
                    "metadata: {name: bytes, namespace: ", ns, "}\n",
                    "spec:\n  compiledTemplate: metric\n  params:\n",
                    "    value: connection.sent.bytes | 0\n    dimensions:\n",
                    "      source: source.workload.name | \"unknown\"\n",
                    "      destination: destination.service.host | \"unknown\"\n");
    absl::StrAppend(&yaml, "---\napiVersion: config.istio.io/v1alpha2\nkind: instance\n",
                    "metadata: {name: requests, namespace: ", ns, "}\n",
                    "spec:\n  compiledTemplate: metric\n  params:\n    value: \"1\"\n",
                    "    dimensions:\n      code: response.code | 200\n");
    absl::StrAppend(&yaml, "---\napiVersion: config.istio.io/v1alpha2\nkind: handler\n",
                    "metadata: {name: counter, namespace: ", ns, "}\n",
                    "spec:\n  compiledAdapter: prometheus\n  params: {}\n");
    for (int k = 0; k < 10; ++k) {
      absl::StrAppend(&yaml, "---\napiVersion: config.istio.io/v1alpha2\nkind: rule\n",
                      "metadata: {name: http", k, ", namespace: ", ns, "}\n", "spec:\n",
                      "  match: (context.protocol == \"http\" || context.protocol == \"grpc\") && "
                      "request.host == \"svc",
                      k, ".", ns, "\"\n",
                      "  actions:\n  - {handler: counter, instances: [requests]}\n");
      absl::StrAppend(&yaml, "---\napiVersion: config.istio.io/v1alpha2\nkind: rule\n",
                      "metadata: {name: tcp", k, ", namespace: ", ns, "}\n", "spec:\n",
                      "  match: context.protocol == \"tcp\" && destination.service.host == "
                      "\"svc",
                      k, ".", ns, ".svc.cluster.local\"\n",
                      "  actions:\n  - {handler: counter, instances: [bytes]}\n");
    }
  }
  r.Append(ParseConfigYaml(yaml, "generated.yaml"));
  return r;
}

// A TCP `continue` report from ns3 to svc5.ns3, outbound: promtcp and ns3's tcp5 match.
void FillNamespaceTcpReport(MutableBag& bag) {
  testing::FillMongoReport(bag);
  testing::SetString(bag, "source.namespace", "ns3");
  testing::SetString(bag, "destination.service.host", "svc5.ns3.svc.cluster.local");
  testing::SetString(bag, "source.workload.namespace", "ns3");
  testing::SetString(bag, "source.principal", "spiffe://cluster.local/ns/ns3/sa/ratings");
}

void BM_DispatchDefaultTelemetry(benchmark::State& state) {
  const bool split = state.range(0) != 0;
  std::shared_ptr<const Router> router = MustRoute(DefaultTelemetryPlus200(), split);
  if (router->config().rules().size() != 204) abort();
  MutableBag bag(Vocabulary::Standard());
  FillNamespaceTcpReport(bag);
  const DispatchResult warm = router->Dispatch(bag);
  if (warm.rules_matched != 2 || warm.instances_built != 3) abort();
  state.counters["rules_evaluated"] = warm.rules_evaluated;
  bench::AllocationCounter allocs;
  for (auto _ : state) benchmark::DoNotOptimize(router->Dispatch(bag));
  allocs.Report(state);
}
BENCHMARK(BM_DispatchDefaultTelemetry)->ArgName("split")->Arg(1)->Arg(0);

void BM_RuntimeDispatchSampleTcp(benchmark::State& state) {
  Runtime runtime(CountingAdapters());
  if (!runtime.Apply(LoadConfigResources({Testdata("tcp-metrics.yaml")})).applied) abort();
  MutableBag bag(Vocabulary::Standard());
  testing::FillMongoReport(bag);
  runtime.Dispatch(bag);
  bench::AllocationCounter allocs;
  for (auto _ : state) benchmark::DoNotOptimize(runtime.Dispatch(bag));
  allocs.Report(state);
}
BENCHMARK(BM_RuntimeDispatchSampleTcp);

}  // namespace
}  // namespace mixlet
