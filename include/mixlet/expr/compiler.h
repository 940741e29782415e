// ExpressionCompiler: parses, type-checks and compiles CEXL (Mixer's expression language).
//
// Compile once per configuration, evaluate many times. The compiler resolves attribute names to
// `AttributeId`s of its vocabulary, checks every operator and function against its signature,
// folds constant sub-expressions, compiles regular-expression literals with RE2 and emits a flat
// program (see `Expression`). A compiler is immutable after construction and thread-safe.
//
// Compile errors come back as InvalidArgument whose message is one line naming the problem and
// its 1-based column, followed by the expression and a caret line:
//   unknown attribute 'source.lables' at column 1
//     source.lables == "x"
//     ^
// `CompileError` carries the same facts structured, for config validation. Mixer's own messages
// are kept where it had them (`EQ($adns, $abc) arg 2 ($abc) typeError got STRING, expected
// DNS_NAME`, `unknown function: QUO`, Go's parser messages). Besides what Mixer rejected, these
// are compile errors: extra arguments to a function, an invalid regular-expression literal as
// the receiver of `matches`, and exceeding the limits below.
//
// Example:
//   ExpressionCompiler compiler(Vocabulary::Standard());
//   absl::StatusOr<Expression> e = compiler.Compile(
//       R"(context.protocol == "tcp" && destination.service.host == "mongodb.default.svc.cluster.local")");
//   if (!e.ok()) return e.status();
#ifndef MIXLET_EXPR_COMPILER_H_
#define MIXLET_EXPR_COMPILER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mixlet/attribute/vocabulary.h"
#include "mixlet/expr/expression.h"
#include "mixlet/expr/function_registry.h"

namespace mixlet {

struct CompilerOptions {
  // Longest accepted expression text, in bytes. Default 16 KiB.
  size_t max_expression_length = 16 * 1024;
  // Deepest accepted nesting of operators, calls, parentheses, selectors and indexes (the height
  // of the syntax tree; a chain `a | b | c` of n operands nests n - 1 levels). Default 100.
  int max_nesting_depth = 100;
  // Extra functions callable from expressions, besides the built-ins. Not owned; must outlive
  // the compiler and every Expression it compiles. nullptr = built-ins only.
  const FunctionRegistry* functions = nullptr;
};

// Where and why an expression failed to compile.
struct CompileError {
  std::string message;  // The problem, without position, e.g. "unknown attribute 'x'".
  int column = 0;       // 1-based column in the expression text; 0 when not tied to one.
  // 1-based line of `column`: 1 unless the expression spans several lines (as a YAML block
  // scalar can); 0 when not tied to a position. Columns count bytes, as Go's parser does.
  int line = 0;
};

class ExpressionCompiler {
 public:
  explicit ExpressionCompiler(std::shared_ptr<const Vocabulary> vocabulary,
                              CompilerOptions options = CompilerOptions());

  // Compiles `text`. On failure returns InvalidArgument (format above) and, when `error` is
  // not null, fills it. Thread-safe.
  absl::StatusOr<Expression> Compile(absl::string_view text, CompileError* error = nullptr) const;

  const Vocabulary& vocabulary() const { return *vocabulary_; }
  const std::shared_ptr<const Vocabulary>& shared_vocabulary() const { return vocabulary_; }

 private:
  std::shared_ptr<const Vocabulary> vocabulary_;
  CompilerOptions options_;
};

}  // namespace mixlet

#endif  // MIXLET_EXPR_COMPILER_H_
