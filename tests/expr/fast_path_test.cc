// The specialised evaluation routines (one per program shape, chosen at compile time) against
// the dispatch loop: every pair of string tests joined by `&&` or `||`, in every form (equality,
// inequality, prefix, suffix, contains; on an attribute or a map entry), over bags where each
// test holds, fails or reads an absent attribute. A bag on a copy of the vocabulary is read by
// name through the dispatch loop only, so the two routes must agree exactly, errors included.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "expr/expression_cases.h"
#include "mixlet/attribute/mutable_bag.h"
#include "mixlet/expr/compiler.h"
#include "mixlet/expr/expression.h"
#include "mixlet/value/value_json.h"
#include "testing/count_allocations.h"

namespace mixlet {
namespace {

using expr_testing::TestVocabulary;

std::shared_ptr<const Vocabulary> CopyOfTestVocabulary() {
  VocabularyBuilder b = VocabularyBuilder::Standard();
  for (const expr_testing::TestAttribute& a : expr_testing::kTestAttributes) {
    b.Add(a.name, a.type).IgnoreError();
  }
  return std::move(b).Build();
}

// Tests on the string attribute `abc` and on `sm["k"]`; each holds for "v1" and fails for "w".
constexpr const char* kAbcTests[] = {
    R"(abc == "v1")",       R"(abc != "w")",          R"(match(abc, "v*"))",
    R"(match(abc, "*1"))",  R"(abc.startsWith("v"))", R"(abc.endsWith("1"))",
    R"("v".matches(abc))",  R"("^v1$".matches(abc))",
};
constexpr const char* kMapTests[] = {
    R"(sm["k"] == "v1")",         R"(sm["k"] != "w")",      R"(match(sm["k"], "v*"))",
    R"(match(sm["k"], "*1"))",   R"("v".matches(sm["k"]))",
};

// How a bag sets one attribute: the holding value, the failing value, or absent.
enum class Setting { kHolds, kFails, kAbsent };
constexpr Setting kSettings[] = {Setting::kHolds, Setting::kFails, Setting::kAbsent};

void Set(MutableBag* bag, bool map, Setting s) {
  static const StringMapEntry kHolds[] = {{"j", "x"}, {"k", "v1"}};
  static const StringMapEntry kFails[] = {{"k", "w"}};
  if (s == Setting::kAbsent) return;
  if (map) {
    const StringMapView m = s == Setting::kHolds ? StringMapView(kHolds, 2)
                                                 : StringMapView(kFails, 1);
    REQUIRE(bag->Set("sm", Value::StringMap(m)).ok());
  } else {
    REQUIRE(bag->Set("abc", Value::String(s == Setting::kHolds ? "v1" : "w")).ok());
  }
}

TEST_CASE("Fast paths: test pairs agree with the dispatch loop", "[expr]") {
  const ExpressionCompiler compiler(TestVocabulary());
  const std::shared_ptr<const Vocabulary> copy = CopyOfTestVocabulary();
  std::vector<std::pair<const char*, bool>> terms;  // (text, reads sm)
  for (const char* t : kAbcTests) terms.emplace_back(t, false);
  for (const char* t : kMapTests) terms.emplace_back(t, true);
  int evaluations = 0;
  for (const auto& first : terms) {
    for (const auto& second : terms) {
      if (first.second == second.second) continue;  // one test on each attribute
      for (const char* op : {" && ", " || "}) {
        const std::string text = absl::StrCat(first.first, op, second.first);
        absl::StatusOr<Expression> e = compiler.Compile(text);
        INFO(text);
        REQUIRE(e.ok());
        for (Setting s1 : kSettings) {
          for (Setting s2 : kSettings) {
            MutableBag fast(TestVocabulary());
            MutableBag by_name(copy);
            Set(&fast, first.second, s1);
            Set(&fast, second.second, s2);
            Set(&by_name, first.second, s1);
            Set(&by_name, second.second, s2);
            INFO("settings " << static_cast<int>(s1) << " " << static_cast<int>(s2));
            EvalContext ctx;
            Value v;
            const bool ok = e->Evaluate(fast, ctx, &v);
            absl::StatusOr<OwnedValue> expected = e->Evaluate(by_name);
            REQUIRE(ok == expected.ok());
            ++evaluations;
            if (ok) {
              CHECK(ctx.error().ok());
              CHECK(ToJson(v) == ToJson(expected->value()));
              // The result the tests were written for: both hold with kHolds.
              if (s1 == Setting::kHolds && s2 == Setting::kHolds) CHECK(v.bool_value());
              if (s1 == Setting::kFails && s2 == Setting::kFails) CHECK_FALSE(v.bool_value());
            } else {
              CHECK(ctx.error() == expected.status());
              CHECK(ctx.error().code() == absl::StatusCode::kNotFound);
            }
          }
        }
      }
    }
  }
  CHECK(evaluations == 2 * 2 * 8 * 5 * 9);
}

// Hot path: the routine of each shape allocates nothing once the context is warm, and a failure
// recorded by one evaluation is cleared by the next successful one.
TEST_CASE("Fast paths: each shape allocates nothing and resets the error", "[expr][alloc]") {
  struct Row {
    const char* text;
    const char* expected;  // ToJson of the result over the bag below
  };
  const Row rows[] = {
      {R"("k")", R"("k")"},
      {R"(abc)", R"("v1")"},
      {R"(abc | "z")", R"("v1")"},
      {R"(bs | "z")", R"("z")"},
      {R"(sm["k"])", R"("v1")"},
      {R"(sm["nope"])", R"("")"},
      {R"(sm["k"] | "z")", R"("v1")"},
      {R"(sm["nope"] | "z")", R"("z")"},
      {R"(ar["k"] | "z")", R"("z")"},
      {R"(abc == "v1" && sm["k"] == "v1")", "true"},
      {R"(abc == "v1" || sm["k"] == "w")", "true"},
      {R"(abc == "w" || match(sm["k"], "v*"))", "true"},
      {R"(abc != "v1" || sm["k"] != "v1")", "false"},
      {R"(abc == "v1" && sm["k"] == "v1" && abc.startsWith("v"))", "true"},
  };
  const ExpressionCompiler compiler(TestVocabulary());
  const StringMapEntry entries[] = {{"k", "v1"}};
  MutableBag bag(TestVocabulary());
  REQUIRE(bag.Set("abc", Value::String("v1")).ok());
  REQUIRE(bag.Set("sm", Value::StringMap({entries, 1})).ok());
  MutableBag empty(TestVocabulary());
  absl::StatusOr<Expression> failing = compiler.Compile("bs");
  REQUIRE(failing.ok());
  for (const Row& row : rows) {
    INFO(row.text);
    absl::StatusOr<Expression> e = compiler.Compile(row.text);
    REQUIRE(e.ok());
    EvalContext ctx;
    Value v;
    REQUIRE(e->Evaluate(bag, ctx, &v));
    REQUIRE_FALSE(failing->Evaluate(empty, ctx, &v));
    REQUIRE_FALSE(ctx.error().ok());
    testing::CountAllocations allocs;
    const bool ok = e->Evaluate(bag, ctx, &v);
    CHECK(allocs.count() == 0);
    REQUIRE(ok);
    CHECK(ctx.error().ok());
    CHECK(ToJson(v) == row.expected);
  }
}

}  // namespace
}  // namespace mixlet
