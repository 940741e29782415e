// The evaluation hot path allocates nothing once its EvalContext is warm: the six target
// expressions of the performance brief, and every row of the shared table not marked
// kMayAllocate (scalar results, borrowed strings, map lookups, derived strings in the context's
// arena, and the lookup-failed error path).
#include <catch2/catch.hpp>

#include "expr/expression_cases.h"
#include "mixlet/attribute/mutable_bag.h"
#include "mixlet/expr/compiler.h"
#include "mixlet/expr/expression.h"
#include "testing/count_allocations.h"

namespace mixlet {
namespace {

using expr_testing::ExpressionCase;
using expr_testing::kExpressionCases;
using expr_testing::TestVocabulary;
using testing::CountAllocations;

// Allocations made by the third evaluation of `e` with one context.
uint64_t WarmAllocations(const Expression& e, const Bag& bag, bool* ok) {
  EvalContext ctx;
  Value v;
  e.Evaluate(bag, ctx, &v);
  e.Evaluate(bag, ctx, &v);
  CountAllocations allocs;
  *ok = e.Evaluate(bag, ctx, &v);
  return allocs.count();
}

TEST_CASE("Evaluate: the six target expressions allocate nothing", "[expr][alloc]") {
  struct Target {
    const char* expression;
    const char* bag;
  };
  const Target targets[] = {
      {R"(context.protocol == "tcp" && destination.service.host == "mongodb.default.svc.cluster.local")",
       R"({"context.protocol": "tcp", "destination.service.host": "mongodb.default.svc.cluster.local"})"},
      {R"(connection.received.bytes | 0)", R"({"connection.received.bytes": 1200})"},
      {R"(source.workload.name | "unknown")", R"({"source.workload.name": "ratings-v2"})"},
      {R"(source.labels["version"] | "unknown")",
       R"({"source.labels": {"app": "ratings", "version": "v2"}})"},
      {R"(match(request.path, "/api/*") && request.headers["x-user"] == "jason")",
       R"({"request.path": "/api/v1", "request.headers": {"x-user": "jason"}})"},
      {R"("Mobile.*".matches(request.headers["user-agent"]))",
       R"({"request.headers": {"user-agent": "Mozilla/5.0 (Mobile; rv:40.0) Gecko"}})"},
  };
  const ExpressionCompiler compiler(Vocabulary::Standard());
  for (const Target& t : targets) {
    INFO(t.expression);
    absl::StatusOr<Expression> e = compiler.Compile(t.expression);
    REQUIRE(e.ok());
    MutableBag bag(Vocabulary::Standard());
    REQUIRE(ParseBagJson(t.bag, &bag).ok());
    bool ok = false;
    CHECK(WarmAllocations(*e, bag, &ok) == 0);
    CHECK(ok);
    MutableBag empty(Vocabulary::Standard());  // the fallbacks, and the lookup-failed path
    CHECK(WarmAllocations(*e, empty, &ok) == 0);
  }
}

TEST_CASE("Evaluate: table rows not marked kMayAllocate allocate nothing", "[expr][alloc]") {
  const ExpressionCompiler compiler(TestVocabulary());
  int checked = 0;
  for (const ExpressionCase& c : kExpressionCases) {
    if (c.compile_error != nullptr || (c.flags & expr_testing::kMayAllocate) != 0) continue;
    INFO(c.expression << "   [" << c.note << "]");
    absl::StatusOr<Expression> e = compiler.Compile(c.expression);
    REQUIRE(e.ok());
    MutableBag bag(TestVocabulary());
    REQUIRE(expr_testing::BuildCaseBag(c, &bag).ok());
    bool ok = false;
    CHECK(WarmAllocations(*e, bag, &ok) == 0);
    CHECK(ok == (c.value != nullptr));
    ++checked;
  }
  CHECK(checked > 250);
}

}  // namespace
}  // namespace mixlet
