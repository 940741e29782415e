// Code generator: programs as disassembly goldens, the opcode table, and folding.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "expr/expression_cases.h"
#include "expr/golden.h"
#include "expr/opcode.h"
#include "mixlet/expr/compiler.h"

namespace mixlet {
namespace {

std::string CompileToText(const std::string& text) {
  const ExpressionCompiler compiler(expr_testing::TestVocabulary());
  CompileError error;
  absl::StatusOr<Expression> e = compiler.Compile(text, &error);
  if (!e.ok()) return absl::StrCat("error at column ", error.column, ": ", error.message);
  return e->Disassemble();
}

TEST_CASE("CodeGenerator: golden programs", "[expr][codegen][golden]") {
  expr_testing::CheckGolden(expr_testing::TestDataPath("code_generator.golden"), CompileToText);
}

TEST_CASE("Opcodes: every opcode has a distinct name and a meaning", "[expr][codegen]") {
  std::set<std::string> names;
  for (int i = 0; i < expr_internal::kOpcodeCount; ++i) {
    const auto op = static_cast<expr_internal::Opcode>(i);
    INFO(i);
    CHECK_FALSE(expr_internal::OpcodeName(op).empty());
    CHECK(expr_internal::OpcodeName(op) != "?");
    CHECK_FALSE(expr_internal::OpcodeMeaning(op).empty());
    CHECK(names.insert(std::string(expr_internal::OpcodeName(op))).second);
  }
  CHECK(expr_internal::OpcodeName(static_cast<expr_internal::Opcode>(250)) == "?");
}

TEST_CASE("CodeGenerator: every table case compiles to a program that ends in return",
          "[expr][codegen]") {
  const ExpressionCompiler compiler(expr_testing::TestVocabulary());
  for (const expr_testing::ExpressionCase& c : expr_testing::kExpressionCases) {
    if (c.compile_error != nullptr) continue;
    INFO(c.expression);
    absl::StatusOr<Expression> e = compiler.Compile(c.expression);
    REQUIRE(e.ok());
    const std::string listing = e->Disassemble();
    CHECK(absl::StrContains(listing, "return"));
    CHECK(absl::StartsWith(listing, absl::StrCat("program ", ValueTypeName(c.type), " (stack ")));
  }
}

TEST_CASE("CodeGenerator: constant sub-expressions are folded", "[expr][codegen]") {
  const ExpressionCompiler compiler(expr_testing::TestVocabulary());
  struct Case {
    const char* text;
    bool constant;
  };
  const Case cases[] = {
      {R"("a" + "b")", true},
      {R"(size("abc") == 3 && "x" < "y")", true},
      {R"(conditional(1 < 2, "a", abc))", true},
      {R"("x" | abc)", true},
      {R"(toLower("ABC").startsWith("a"))", true},
      {R"(dnsName("a.b") == dnsName("A.B."))", true},
      {R"(ip("1.2.3.4") == ip("::ffff:1.2.3.4"))", true},
      {R"(".*".matches("abc"))", true},
      {R"(ip("10.1.12"))", false},  // fails: its error belongs to evaluation
      {R"(false && ab)", true},
      {R"(ab && false)", false},                        // ab must still be read (and may fail)
      {R"(conditionalString(true, "a", abc))", false},  // evaluates all arguments
      {R"(ar["k"] | "d")", false},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    absl::StatusOr<Expression> e = compiler.Compile(c.text);
    REQUIRE(e.ok());
    CHECK(e->is_constant() == c.constant);
  }
}

}  // namespace
}  // namespace mixlet
