// Checker: resolves a parsed expression against a vocabulary and the function tables.
//
// Every variable gets its `AttributeId` and type, every call its `FunctionDef` and result type,
// in Mixer's order and with Mixer's messages (`unknown attribute 'x'`, `unknown function: QUO`,
// `EQ($adns, $abc) arg 2 ($abc) typeError got STRING, expected DNS_NAME`, arity, receiver
// rules). Type-correct expressions that Mixer's code generator refused (`==` on DURATION,
// `+` on BOOL, ...) are reported as it did (`internal compiler error -- ...`), but only when
// the whole tree type-checks, since Mixer generated code only then. Unlike Mixer, extra
// arguments to a function are an arity error.
#ifndef MIXLET_LIB_EXPR_CHECKER_H_
#define MIXLET_LIB_EXPR_CHECKER_H_

#include <deque>

#include "expr/ast.h"
#include "expr/builtins.h"
#include "expr/lexer.h"
#include "mixlet/attribute/vocabulary.h"
#include "mixlet/expr/function_registry.h"

namespace mixlet::expr_internal {

class Checker {
 public:
  // `registry` may be null. Both must outlive the checker and the annotated tree.
  Checker(const Vocabulary& vocabulary, const FunctionRegistry* registry);

  // Annotates every node of `ast`. On failure returns false and fills `error` (the first type
  // error in Mixer's checking order, or else the first unsupported-operation error).
  bool Check(Ast* ast, SourceError* error);

 private:
  bool CheckNode(Node* node);
  bool CheckCall(Node* node);
  const FunctionDef* Resolve(Node* node);
  void CheckSupported(const Node& node, ValueType operand);
  bool Fail(int offset, std::string message);

  const Vocabulary& vocabulary_;
  const FunctionRegistry* registry_;
  std::deque<FunctionDef> extern_defs_;  // definitions made for registry functions
  SourceError error_;
  SourceError unsupported_;  // first "internal compiler error", reported if nothing else fails
};

// Mixer's name for the interpreter type that carries `type` ("string", "integer", "double",
// "bool", "duration", "interface"), as its code generator's messages print it.
absl::string_view IlTypeName(ValueType type);

}  // namespace mixlet::expr_internal

#endif  // MIXLET_LIB_EXPR_CHECKER_H_
