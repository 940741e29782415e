// Expression benchmarks: the compiled evaluation of the target expressions beside the same logic
// written by hand in C++, over one bag.
//
// The expressions and the bag are those of Mixer's baseline (mixer-bench in
// /work/shared/peers/mixer-go), so bench/README.md can put the numbers side by side:
//   a  context.protocol == "tcp" && destination.service.host == "mongodb.default.svc.cluster.local"
//   b  connection.received.bytes | 0
//   c  source.workload.name | "unknown"
//   d  source.labels["version"] | "unknown"
//   e  match(request.path, "/api/*") && request.headers["x-user"] == "jason"
//   f  "Mobile.*".matches(request.headers["user-agent"])
//   g  destination.labels["version"] | "unknown"           (destination.labels absent)
// Compiled: `Expression::Evaluate(bag, ctx, &value)` with a warm EvalContext (the hot path).
// Hand-written: `bag.Get(id)` with ids resolved before the loop, an RE2 compiled before the loop.
// Each row reports allocs/iter. BM_ExpressionTable runs every succeeding row of the shared
// expression table (tests/expr/expression_cases.h), one evaluation per row per iteration.
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "bench_util.h"
#include "expr/expression_cases.h"
#include "mixlet/attribute/mutable_bag.h"
#include "mixlet/attribute/vocabulary.h"
#include "mixlet/expr/compiler.h"
#include "mixlet/expr/expression.h"
#include "re2/re2.h"

namespace mixlet {
namespace {

const StringMapEntry kSourceLabels[] = {{"app", "ratings"}, {"version", "v2"}};
const StringMapEntry kRequestHeaders[] = {{"x-user", "jason"}, {"user-agent", "Mobile Safari"}};

// mixer-bench's bagValues().
struct BenchBag {
  BenchBag() : vocabulary(Vocabulary::Standard()), bag(vocabulary) {
    auto set = [&](absl::string_view name, Value v) {
      if (!bag.Set(name, v).ok()) std::abort();
    };
    set("context.protocol", Value::String("tcp"));
    set("destination.service.host", Value::String("mongodb.default.svc.cluster.local"));
    set("connection.received.bytes", Value::Int64(1234));
    set("source.workload.name", Value::String("ratings-v2"));
    set("source.labels", Value::StringMap({kSourceLabels, 2}));
    set("request.path", Value::String("/api/v1/x"));
    set("request.headers", Value::StringMap({kRequestHeaders, 2}));
  }
  AttributeId Id(absl::string_view name) const {
    auto info = vocabulary->Find(name);
    if (!info) std::abort();
    return info->id;
  }
  std::shared_ptr<const Vocabulary> vocabulary;
  MutableBag bag;
};

const BenchBag& Bag() {
  static const BenchBag* bag = new BenchBag();
  return *bag;
}

void RunCompiled(benchmark::State& state, const char* text) {
  const BenchBag& b = Bag();
  ExpressionCompiler compiler(b.vocabulary);
  absl::StatusOr<Expression> expr = compiler.Compile(text);
  if (!expr.ok()) {
    state.SkipWithError(std::string(expr.status().message()).c_str());
    return;
  }
  EvalContext ctx;
  Value v;
  if (!expr->Evaluate(b.bag, ctx, &v)) {  // warms the context
    state.SkipWithError(std::string(ctx.error().message()).c_str());
    return;
  }
  bench::AllocationCounter allocs;
  for (auto _ : state) {
    const bool ok = expr->Evaluate(b.bag, ctx, &v);
    benchmark::DoNotOptimize(ok);
    benchmark::DoNotOptimize(v);
  }
  allocs.Report(state);
}

constexpr char kExprA[] = R"(context.protocol == "tcp" && )"
                          R"(destination.service.host == "mongodb.default.svc.cluster.local")";
constexpr char kExprB[] = R"(connection.received.bytes | 0)";
constexpr char kExprC[] = R"(source.workload.name | "unknown")";
constexpr char kExprD[] = R"(source.labels["version"] | "unknown")";
constexpr char kExprE[] =
    R"(match(request.path, "/api/*") && request.headers["x-user"] == "jason")";
constexpr char kExprF[] = R"("Mobile.*".matches(request.headers["user-agent"]))";
constexpr char kExprG[] = R"(destination.labels["version"] | "unknown")";

void BM_Compiled_A(benchmark::State& state) { RunCompiled(state, kExprA); }
void BM_Compiled_B(benchmark::State& state) { RunCompiled(state, kExprB); }
void BM_Compiled_C(benchmark::State& state) { RunCompiled(state, kExprC); }
void BM_Compiled_D(benchmark::State& state) { RunCompiled(state, kExprD); }
void BM_Compiled_E(benchmark::State& state) { RunCompiled(state, kExprE); }
void BM_Compiled_F(benchmark::State& state) { RunCompiled(state, kExprF); }
void BM_Compiled_G(benchmark::State& state) { RunCompiled(state, kExprG); }

// The hand-written versions keep the expressions' semantics: an absent attribute outside a
// fallback is an error (reported by SkipWithError, never reached with this bag), a missing map
// key reads as "".

void BM_HandWritten_A(benchmark::State& state) {
  const BenchBag& b = Bag();
  const AttributeId protocol = b.Id("context.protocol");
  const AttributeId host = b.Id("destination.service.host");
  bench::AllocationCounter allocs;
  for (auto _ : state) {
    const Value* p = b.bag.Get(protocol);
    if (p == nullptr) return state.SkipWithError("lookup failed: 'context.protocol'");
    bool r = p->string() == "tcp";
    if (r) {
      const Value* h = b.bag.Get(host);
      if (h == nullptr) return state.SkipWithError("lookup failed: 'destination.service.host'");
      r = h->string() == "mongodb.default.svc.cluster.local";
    }
    benchmark::DoNotOptimize(r);
  }
  allocs.Report(state);
}

void BM_HandWritten_B(benchmark::State& state) {
  const BenchBag& b = Bag();
  const AttributeId bytes = b.Id("connection.received.bytes");
  bench::AllocationCounter allocs;
  for (auto _ : state) {
    const Value* v = b.bag.Get(bytes);
    int64_t r = v != nullptr ? v->int64() : 0;
    benchmark::DoNotOptimize(r);
  }
  allocs.Report(state);
}

void BM_HandWritten_C(benchmark::State& state) {
  const BenchBag& b = Bag();
  const AttributeId name = b.Id("source.workload.name");
  bench::AllocationCounter allocs;
  for (auto _ : state) {
    const Value* v = b.bag.Get(name);
    absl::string_view r = v != nullptr ? v->string() : absl::string_view("unknown");
    benchmark::DoNotOptimize(r);
  }
  allocs.Report(state);
}

// `m["version"] | "unknown"`: the label, or "unknown" when the map or the key is missing.
void LabelOrUnknown(benchmark::State& state, const char* map_name) {
  const BenchBag& b = Bag();
  const AttributeId labels = b.Id(map_name);
  bench::AllocationCounter allocs;
  for (auto _ : state) {
    absl::string_view r = "unknown";
    if (const Value* m = b.bag.Get(labels)) {
      if (auto found = m->string_map().Find("version")) r = *found;
    }
    benchmark::DoNotOptimize(r);
  }
  allocs.Report(state);
}
void BM_HandWritten_D(benchmark::State& state) { LabelOrUnknown(state, "source.labels"); }
void BM_HandWritten_G(benchmark::State& state) { LabelOrUnknown(state, "destination.labels"); }

void BM_HandWritten_E(benchmark::State& state) {
  const BenchBag& b = Bag();
  const AttributeId path = b.Id("request.path");
  const AttributeId headers = b.Id("request.headers");
  bench::AllocationCounter allocs;
  for (auto _ : state) {
    const Value* p = b.bag.Get(path);
    if (p == nullptr) return state.SkipWithError("lookup failed: 'request.path'");
    bool r = absl::StartsWith(p->string(), "/api/");
    if (r) {
      const Value* h = b.bag.Get(headers);
      if (h == nullptr) return state.SkipWithError("lookup failed: 'request.headers'");
      r = h->string_map().Find("x-user").value_or("") == "jason";
    }
    benchmark::DoNotOptimize(r);
  }
  allocs.Report(state);
}

void BM_HandWritten_F(benchmark::State& state) {
  const BenchBag& b = Bag();
  const AttributeId headers = b.Id("request.headers");
  const RE2 mobile("Mobile.*");
  bench::AllocationCounter allocs;
  for (auto _ : state) {
    const Value* h = b.bag.Get(headers);
    if (h == nullptr) return state.SkipWithError("lookup failed: 'request.headers'");
    const absl::string_view ua = h->string_map().Find("user-agent").value_or("");
    bool r = RE2::PartialMatch(re2::StringPiece(ua.data(), ua.size()), mobile);
    benchmark::DoNotOptimize(r);
  }
  allocs.Report(state);
}

BENCHMARK(BM_Compiled_A);
BENCHMARK(BM_HandWritten_A);
BENCHMARK(BM_Compiled_B);
BENCHMARK(BM_HandWritten_B);
BENCHMARK(BM_Compiled_C);
BENCHMARK(BM_HandWritten_C);
BENCHMARK(BM_Compiled_D);
BENCHMARK(BM_HandWritten_D);
BENCHMARK(BM_Compiled_E);
BENCHMARK(BM_HandWritten_E);
BENCHMARK(BM_Compiled_F);
BENCHMARK(BM_HandWritten_F);
BENCHMARK(BM_Compiled_G);
BENCHMARK(BM_HandWritten_G);

// Every row of the shared table that compiles and evaluates without error, each over its own
// bag; the time is for all rows (divide by the `rows` counter), `allocs/eval` per evaluation.
void BM_ExpressionTable(benchmark::State& state) {
  struct Row {
    Expression expr;
    std::unique_ptr<MutableBag> bag;
  };
  ExpressionCompiler compiler(expr_testing::TestVocabulary());
  std::vector<Row> rows;
  EvalContext ctx;
  for (const expr_testing::ExpressionCase& c : expr_testing::kExpressionCases) {
    if (c.value == nullptr) continue;
    absl::StatusOr<Expression> e = compiler.Compile(c.expression);
    if (!e.ok()) continue;
    auto bag = std::make_unique<MutableBag>(expr_testing::TestVocabulary());
    if (!expr_testing::BuildCaseBag(c, bag.get()).ok()) continue;
    Value v;
    if (!e->Evaluate(*bag, ctx, &v)) continue;
    rows.push_back({*std::move(e), std::move(bag)});
  }
  if (rows.empty()) return state.SkipWithError("no table rows");
  bench::AllocationCounter allocs;
  for (auto _ : state) {
    for (const Row& row : rows) {
      Value v;
      const bool ok = row.expr.Evaluate(*row.bag, ctx, &v);
      benchmark::DoNotOptimize(ok);
      benchmark::DoNotOptimize(v);
    }
  }
  allocs.Report(state);
  state.counters["rows"] = static_cast<double>(rows.size());
  state.counters["allocs/eval"] =
      state.counters["allocs/iter"].value / static_cast<double>(rows.size());
}
BENCHMARK(BM_ExpressionTable);

}  // namespace
}  // namespace mixlet
