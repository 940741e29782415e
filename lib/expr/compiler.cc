#include "mixlet/expr/compiler.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "expr/ast.h"
#include "expr/checker.h"
#include "expr/code_generator.h"
#include "expr/constant_folder.h"
#include "expr/diagnostics.h"
#include "expr/lexer.h"
#include "expr/parser.h"
#include "expr/program.h"

namespace mixlet {

ExpressionCompiler::ExpressionCompiler(std::shared_ptr<const Vocabulary> vocabulary,
                                       CompilerOptions options)
    : vocabulary_(std::move(vocabulary)), options_(options) {}

absl::StatusOr<Expression> ExpressionCompiler::Compile(absl::string_view text,
                                                       CompileError* error) const {
  using expr_internal::SourceError;
  auto fail = [&](const SourceError& e, bool positioned) -> absl::Status {
    CompileError ce;
    ce.message = e.message;
    std::string formatted = e.message;
    if (positioned) {
      const expr_internal::SourcePosition pos = expr_internal::PositionOf(text, e.offset);
      ce.line = pos.line;
      ce.column = pos.column;
      formatted = expr_internal::FormatDiagnostic(text, e.message, e.offset);
    }
    if (error != nullptr) *error = ce;
    return absl::InvalidArgumentError(formatted);
  };

  if (text.size() > options_.max_expression_length) {
    return fail(SourceError{absl::StrCat("expression is ", text.size(),
                                         " bytes long, longer than the limit of ",
                                         options_.max_expression_length, " bytes"),
                            0},
                /*positioned=*/false);
  }
  expr_internal::Ast ast;
  SourceError e;
  if (!expr_internal::Parse(text, options_.max_nesting_depth, &ast, &e)) return fail(e, true);
  expr_internal::Checker checker(*vocabulary_, options_.functions);
  if (!checker.Check(&ast, &e)) return fail(e, true);
  expr_internal::ConstantFolder folder(vocabulary_);
  folder.Fold(&ast);

  auto program = std::make_shared<expr_internal::Program>();
  program->text = std::string(text);
  program->vocabulary = vocabulary_;
  program->result_type = ast.root()->type;
  expr_internal::CodeGenerator generator(program.get());
  if (!generator.Generate(*ast.root(), &e)) return fail(e, true);
  return Expression(std::move(program));
}

}  // namespace mixlet
