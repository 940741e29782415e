// Parser: Go's expression grammar, conversion to the CEXL tree, errors and the depth limit.
#include <catch2/catch.hpp>

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "expr/ast.h"
#include "expr/golden.h"
#include "expr/parser.h"

namespace mixlet::expr_internal {
namespace {

std::string ParseToText(absl::string_view text, int max_depth = 100) {
  Ast ast;
  SourceError error;
  if (!Parse(text, max_depth, &ast, &error)) {
    return absl::StrCat("error at offset ", error.offset, ": ", error.message);
  }
  return AstPrinter::Print(*ast.root());
}

TEST_CASE("Parser: golden trees", "[expr][parser][golden]") {
  expr_testing::CheckGolden(expr_testing::TestDataPath("parser.golden"),
                            [](const std::string& in) { return ParseToText(in); });
}

TEST_CASE("Parser: node offsets point at the operand and the operator", "[expr][parser]") {
  Ast ast;
  SourceError error;
  REQUIRE(Parse(R"(a.b == (c | "x"))", 100, &ast, &error));
  const Node& eq = *ast.root();
  CHECK(eq.offset == 0);
  CHECK(eq.op_offset == 4);
  CHECK(eq.args[0]->offset == 0);
  CHECK(eq.args[1]->offset == 7);      // the parenthesis
  CHECK(eq.args[1]->op_offset == 10);  // the '|'

  Ast call;
  REQUIRE(Parse(R"(x.y.startsWith("a"))", 100, &call, &error));
  CHECK(call.root()->op_offset == 4);  // the method name
  CHECK(call.root()->target->name == "x.y");
}

TEST_CASE("Parser: newlines end an expression after an operand", "[expr][parser]") {
  CHECK(ParseToText("a ==\n b") == "EQ($a, $b)");
  CHECK(ParseToText("a\n") == "$a");
  CHECK(ParseToText("a\n== b") == "error at offset 2: expected 'EOF', found '=='");
  CHECK(ParseToText("f(a,\nb)") == "f($a, $b)");
  CHECK(ParseToText("f(a\n, b)") ==
        "error at offset 3: missing ',' before newline in argument list");
  CHECK(ParseToText("(a\n)") == "error at offset 2: expected ')', found newline");
}

TEST_CASE("Parser: nesting deeper than the limit is an error, not a crash", "[expr][parser]") {
  const std::string deep_parens = std::string(200000, '(') + "a" + std::string(200000, ')');
  CHECK(ParseToText(deep_parens) ==
        "error at offset 100: expression nests deeper than the limit of 100 levels");
  const std::string deep_unary = std::string(200000, '!') + "a";
  CHECK(absl::StrContains(ParseToText(deep_unary), "nests deeper than the limit of 100"));
  std::string chain = "a";
  for (int i = 0; i < 150; ++i) absl::StrAppend(&chain, " | a");
  CHECK(absl::StrContains(ParseToText(chain), "nests deeper than the limit of 100"));
  std::string calls = "a";
  for (int i = 0; i < 150; ++i) calls = absl::StrCat("f(", calls, ")");
  CHECK(absl::StrContains(ParseToText(calls), "nests deeper than the limit of 100"));
  std::string index = "m";
  for (int i = 0; i < 150; ++i) absl::StrAppend(&index, "[k]");
  CHECK(absl::StrContains(ParseToText(index), "nests deeper than the limit of 100"));

  // Within the limit: fine, and the limit is configurable.
  const std::string ok = std::string(40, '(') + "a" + std::string(40, ')');
  CHECK(ParseToText(ok) == "$a");
  CHECK(absl::StrContains(ParseToText(ok, 10), "nests deeper than the limit of 10"));
}

}  // namespace
}  // namespace mixlet::expr_internal
