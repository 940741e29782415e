// ConstantFolder: replaces constant sub-expressions of a checked tree by their values.
//
// A call whose operands are all constants is evaluated at compile time by the evaluator itself
// (the sub-expression is compiled to a small program and run against an empty bag), so folding
// has exactly the semantics evaluation would have. A call that would fail (`ip("10.1.12")`)
// is left alone: its error belongs to evaluation time, where it may never be reached. Besides:
//   `true && x` -> x, `false && x` -> false, `x && true` -> x (and the same for `||`);
//   `conditional(c, x, y)` with a constant c -> the chosen branch;
//   `a | b` where `a` can never be absent (a constant, a call, an operator) -> a.
// Where `|` may fall back, a call is never folded to an operand that could be absent (an
// attribute, an index, a `|`): that would turn an error into a fallback.
// Registered (embedder) functions are never folded: they need not be pure.
#ifndef MIXLET_LIB_EXPR_CONSTANT_FOLDER_H_
#define MIXLET_LIB_EXPR_CONSTANT_FOLDER_H_

#include <memory>

#include "expr/ast.h"
#include "expr/eval_state.h"
#include "mixlet/attribute/mutable_bag.h"
#include "mixlet/attribute/vocabulary.h"

namespace mixlet::expr_internal {

class ConstantFolder {
 public:
  explicit ConstantFolder(std::shared_ptr<const Vocabulary> vocabulary);

  // Rewrites `ast` in place.
  void Fold(Ast* ast);

 private:
  Node* FoldNode(Ast* ast, Node* node, bool nillable);
  Node* Evaluate(Ast* ast, Node* node);

  std::shared_ptr<const Vocabulary> vocabulary_;
  MutableBag empty_bag_;
  EvalState state_;
};

}  // namespace mixlet::expr_internal

#endif  // MIXLET_LIB_EXPR_CONSTANT_FOLDER_H_
