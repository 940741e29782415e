// Checker: types, attribute ids, function resolution and Mixer's type-error messages.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "expr/ast.h"
#include "expr/builtins.h"
#include "expr/checker.h"
#include "expr/expression_cases.h"
#include "expr/parser.h"

namespace mixlet::expr_internal {
namespace {

// The typed tree, or "error at offset N: message".
std::string CheckToText(absl::string_view text, const FunctionRegistry* registry = nullptr) {
  Ast ast;
  SourceError error;
  if (!Parse(text, 100, &ast, &error)) return absl::StrCat("parse error: ", error.message);
  Checker checker(*expr_testing::TestVocabulary(), registry);
  if (!checker.Check(&ast, &error)) {
    return absl::StrCat("error at offset ", error.offset, ": ", error.message);
  }
  return AstPrinter::Print(*ast.root());
}

TEST_CASE("Checker: every node gets its type", "[expr][checker]") {
  struct Case {
    const char* text;
    const char* typed;
  };
  const Case cases[] = {
      {R"(ai == 2)", "EQ($ai:INT64, 2:INT64):BOOL"},
      {R"(abc | "x")", R"(OR($abc:STRING, "x":STRING):STRING)"},
      {R"(ar["k"] | bs)", R"(OR(INDEX($ar:STRING_MAP, "k":STRING):STRING, $bs:STRING):STRING)"},
      {R"(conditional(ab, at, bt))",
       "conditional($ab:BOOL, $at:TIMESTAMP, $bt:TIMESTAMP):TIMESTAMP"},
      {R"(adns + bdns)", "ADD($adns:DNS_NAME, $bdns:DNS_NAME):DNS_NAME"},
      {R"(abc.startsWith("a"))", R"($abc:STRING:startsWith("a":STRING):BOOL)"},
      {R"("p".matches(abc))", R"("p":STRING:matches($abc:STRING):BOOL)"},
      {R"(size(toLower(abc)) < 3)", "LT(size(toLower($abc:STRING):STRING):INT64, 3:INT64):BOOL"},
      {R"(ip(abc) == aip)", "EQ(ip($abc:STRING):IP_ADDRESS, $aip:IP_ADDRESS):BOOL"},
      {R"(adur | "1s")", R"(OR($adur:DURATION, "1s":DURATION):DURATION)"},
      {R"(emptyStringMap())", "emptyStringMap():STRING_MAP"},
      {R"(EQ(ai, 1))", "EQ($ai:INT64, 1:INT64):BOOL"},  // operators are callable by name
      {R"(OR(abc, "d"))", R"(OR($abc:STRING, "d":STRING):STRING)"},
      {R"(INDEX(ar, "k"))", R"(INDEX($ar:STRING_MAP, "k":STRING):STRING)"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    CHECK(CheckToText(c.text) == c.typed);
  }
}

TEST_CASE("Checker: errors name the problem and where it is", "[expr][checker]") {
  struct Case {
    const char* text;
    const char* error;
  };
  const Case cases[] = {
      {R"(source.lables == "x")", "error at offset 0: unknown attribute 'source.lables'"},
      {R"("x" == source.lables)", "error at offset 7: unknown attribute 'source.lables'"},
      {R"(ai / 2)", "error at offset 3: unknown function: QUO"},
      {R"(!nosuch)", "error at offset 0: unknown function: NOT"},
      {R"(ai << 2)", "error at offset 3: unknown function: "},
      {R"(ai == "x")",
       R"(error at offset 6: EQ($ai, "x") arg 2 ("x") typeError got STRING, expected INT64)"},
      {R"(ai == (abc | "x"))",
       R"(error at offset 6: EQ($ai, OR($abc, "x")) arg 2 (OR($abc, "x")) typeError got STRING, expected INT64)"},
      {R"(match(abc))",
       "error at offset 0: match($abc) arity mismatch. Got 1 arg(s), expected 2 arg(s)"},
      {R"(match(abc, "a", "b"))",
       R"(error at offset 0: match($abc, "a", "b") arity mismatch. Got 3 arg(s), expected 2 arg(s))"},
      {R"(abc.matches())",
       "error at offset 4: $abc:matches() arity mismatch. Got 0 arg(s), expected 1 arg(s)"},
      {R"(ai.endsWith("x"))",
       R"(error at offset 0: $ai:endsWith("x") target typeError got INT64, expected STRING)"},
      {R"(abc.toLower())",
       "error at offset 4: invoking regular function on instance method: toLower"},
      {R"(endsWith(abc, "x"))",
       "error at offset 0: invoking instance method without an instance: endsWith"},
      {R"(TRUE == 1)",
       "error at offset 8: EQ(true, 1) arg 2 (1) typeError got INT64, expected BOOL"},
      {R"('a' == 1)",
       "error at offset 7: EQ('a', 1) arg 2 (1) typeError got INT64, expected STRING"},
      {R"(`x` + 1.50)",
       "error at offset 6: ADD(`x`, 1.50) arg 2 (1.50) typeError got DOUBLE, expected STRING"},
      {R"(ar[1])",
       "error at offset 3: INDEX($ar, 1) arg 2 (1) typeError got INT64, expected STRING"},
      {R"(abc["k"])",
       R"(error at offset 0: INDEX($abc, "k") arg 1 ($abc) typeError got STRING, expected STRING_MAP)"},
      {R"(ab && ai)",
       "error at offset 6: LAND($ab, $ai) arg 2 ($ai) typeError got INT64, expected BOOL"},
      {R"(adur == adur)",
       "error at offset 5: internal compiler error -- equality for type not yet implemented: "
       "duration"},
      {R"(ar != br)",
       "error at offset 3: internal compiler error -- equality for type not yet implemented: "
       "interface"},
      {R"(ab >= bb)",
       "error at offset 3: internal compiler error -- greater or equal for type not yet "
       "implemented: bool"},
      {R"(ab + bb == (ai == "x"))",
       R"(error at offset 18: EQ($ai, "x") arg 2 ("x") typeError got STRING, expected INT64)"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    CHECK(CheckToText(c.text) == c.error);
  }
}

TEST_CASE("Checker: variables get their attribute ids", "[expr][checker]") {
  Ast ast;
  SourceError error;
  REQUIRE(Parse("request.path", 100, &ast, &error));
  Checker checker(*expr_testing::TestVocabulary(), nullptr);
  REQUIRE(checker.Check(&ast, &error));
  CHECK(ast.root()->attribute == expr_testing::TestVocabulary()->Find("request.path")->id);
}

TEST_CASE("Builtins: one row per id, in order, each findable", "[expr][checker]") {
  absl::Span<const FunctionDef> builtins = Builtins();
  REQUIRE(builtins.size() == static_cast<size_t>(kBuiltinCount));
  std::set<std::string> names;
  for (int i = 0; i < kBuiltinCount; ++i) {
    const FunctionDef& def = builtins[i];
    INFO(def.name);
    CHECK(static_cast<int>(def.id) == i);
    CHECK(FindBuiltin(def.name) == &def);
    CHECK_FALSE(def.meaning.empty());
    CHECK(names.insert(std::string(def.name)).second);
    CHECK(def.entry == nullptr);
    CHECK((def.form == FunctionForm::kReceiver) == (def.receiver != kGeneric));
  }
  CHECK(FindBuiltin("tolower") == nullptr);  // names are case-sensitive
  CHECK(FindBuiltin("reverse") == nullptr);  // not a CEXL built-in
}

TEST_CASE("Checker: Mixer's interpreter type names", "[expr][checker]") {
  CHECK(IlTypeName(ValueType::kString) == "string");
  CHECK(IlTypeName(ValueType::kUri) == "string");
  CHECK(IlTypeName(ValueType::kInt64) == "integer");
  CHECK(IlTypeName(ValueType::kDouble) == "double");
  CHECK(IlTypeName(ValueType::kBool) == "bool");
  CHECK(IlTypeName(ValueType::kDuration) == "duration");
  CHECK(IlTypeName(ValueType::kTimestamp) == "interface");
  CHECK(IlTypeName(ValueType::kIpAddress) == "interface");
  CHECK(IlTypeName(ValueType::kStringMap) == "interface");
}

}  // namespace
}  // namespace mixlet::expr_internal
