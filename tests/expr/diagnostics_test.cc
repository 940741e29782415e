// Diagnostics: compile errors carry the problem, its position, the expression and a caret.
#include <catch2/catch.hpp>

#include <string>

#include "expr/diagnostics.h"
#include "expr/expression_cases.h"
#include "mixlet/expr/compiler.h"

namespace mixlet {
namespace {

using expr_internal::FormatDiagnostic;
using expr_internal::PositionOf;

TEST_CASE("Diagnostics: message, column, expression and caret", "[expr][diagnostics]") {
  CHECK(FormatDiagnostic(R"(source.lables == "x")", "unknown attribute 'source.lables'", 0) ==
        "unknown attribute 'source.lables' at column 1\n"
        "  source.lables == \"x\"\n"
        "  ^");
  CHECK(FormatDiagnostic("ab == 1", "boom", 6) ==
        "boom at column 7\n"
        "  ab == 1\n"
        "        ^");
  // At the end of the text.
  CHECK(FormatDiagnostic("ab ==", "expected operand, found 'EOF'", 5) ==
        "expected operand, found 'EOF' at column 6\n"
        "  ab ==\n"
        "       ^");
}

TEST_CASE("Diagnostics: multi-line text reports line and column", "[expr][diagnostics]") {
  const std::string text = "a ==\n\tb == @";
  CHECK(PositionOf(text, 11).line == 2);
  CHECK(PositionOf(text, 11).column == 7);
  CHECK(FormatDiagnostic(text, "illegal character U+0040 '@'", 11) ==
        "illegal character U+0040 '@' at line 2, column 7\n"
        "  \tb == @\n"
        "  \t     ^");
  CHECK(PositionOf("ab", 99).column == 3);  // clamped to the end
  CHECK(PositionOf("ab", -4).column == 1);
}

TEST_CASE("Diagnostics: a multi-byte character takes one caret column", "[expr][diagnostics]") {
  CHECK(FormatDiagnostic("\"é\" == 1", "m", 8) ==
        "m at column 9\n"
        "  \"é\" == 1\n"
        "         ^");
}

TEST_CASE("Diagnostics: compile errors as Status and CompileError", "[expr][diagnostics]") {
  const ExpressionCompiler compiler(expr_testing::TestVocabulary());
  struct Case {
    const char* text;
    const char* status;
    const char* message;
    int line;
    int column;
  };
  const Case cases[] = {
      {R"(source.lables == "x")",
       "unknown attribute 'source.lables' at column 1\n  source.lables == \"x\"\n  ^",
       "unknown attribute 'source.lables'", 1, 1},
      {R"(ai == "x")",
       "EQ($ai, \"x\") arg 2 (\"x\") typeError got STRING, expected INT64 at column 7\n"
       "  ai == \"x\"\n"
       "        ^",
       R"(EQ($ai, "x") arg 2 ("x") typeError got STRING, expected INT64)", 1, 7},
      {"(x/y) == 30", "unknown function: QUO at column 3\n  (x/y) == 30\n    ^",
       "unknown function: QUO", 1, 3},
      {"abc == \"x\"\n&& bs == \"y\"",
       "expected 'EOF', found '&&' at line 2, column 1\n  && bs == \"y\"\n  ^",
       "expected 'EOF', found '&&'", 2, 1},
      {R"("(".matches(abc))",
       "error parsing regexp: missing closing ): `(` at column 1\n  \"(\".matches(abc)\n  ^",
       "error parsing regexp: missing closing ): `(`", 1, 1},
      {R"(ab + bb)",
       "internal compiler error -- Add for type not yet implemented: bool at column 4\n"
       "  ab + bb\n"
       "     ^",
       "internal compiler error -- Add for type not yet implemented: bool", 1, 4},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    CompileError error;
    absl::StatusOr<Expression> e = compiler.Compile(c.text, &error);
    REQUIRE_FALSE(e.ok());
    CHECK(e.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(e.status().message() == c.status);
    CHECK(error.message == c.message);
    CHECK(error.line == c.line);
    CHECK(error.column == c.column);
  }
}

TEST_CASE("Diagnostics: limits are compile errors", "[expr][diagnostics]") {
  CompilerOptions options;
  options.max_expression_length = 10;
  options.max_nesting_depth = 3;
  const ExpressionCompiler compiler(expr_testing::TestVocabulary(), options);
  CompileError error;
  absl::StatusOr<Expression> e = compiler.Compile("abc | bs | \"x\"", &error);
  REQUIRE_FALSE(e.ok());
  CHECK(e.status().message() == "expression is 14 bytes long, longer than the limit of 10 bytes");
  CHECK(error.column == 0);
  CHECK(error.line == 0);

  e = compiler.Compile("((((a))))", &error);
  REQUIRE_FALSE(e.ok());
  CHECK(error.message == "expression nests deeper than the limit of 3 levels");
  CHECK(error.column == 4);
  CHECK(compiler.Compile("((a))").ok());
}

}  // namespace
}  // namespace mixlet
