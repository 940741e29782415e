// The CEXL syntax tree: constants, variables (attribute references) and calls, as Mixer's
// `lang/ast` models an expression once Go's syntax tree is converted. Operators are calls of
// named functions (`a == b` is `EQ(a, b)`, `m[k]` is `INDEX(m, k)`, `a | b` is `OR(a, b)`), so
// every later stage (checker, constant folder, code generator) sees one uniform shape.
//
// The parser builds the tree, the checker annotates it (types, attribute ids, function
// definitions), the constant folder rewrites it. Nodes are owned by their `Ast`.
#ifndef MIXLET_LIB_EXPR_AST_H_
#define MIXLET_LIB_EXPR_AST_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "mixlet/attribute/vocabulary.h"
#include "mixlet/value/owned_value.h"
#include "mixlet/value/value_type.h"

namespace mixlet::expr_internal {

struct FunctionDef;

enum class NodeKind : uint8_t {
  kConstant,  // a literal, or a sub-expression folded at compile time
  kVariable,  // an attribute reference: `a`, `a.b.c`
  kCall,      // an operator, a function call `f(x)` or a receiver call `x.f(y)`
};

struct Node {
  NodeKind kind = NodeKind::kConstant;
  // Byte offset where the node's text starts (reported for "this argument is wrong").
  int offset = 0;
  // Byte offset of the operator, function name or '[' (reported for "this call is wrong");
  // equals `offset` for constants and variables.
  int op_offset = 0;

  // kConstant: the typed value, and the text Mixer prints for it: the literal as written
  // (quotes and escapes kept), booleans in lower case. Empty for folded constants.
  OwnedValue value;
  std::string text;

  // kVariable: the dotted attribute name.
  std::string name;

  // kCall: the function ("EQ", "INDEX", "match", ...), the receiver of `x.f(...)` (or null) and
  // the arguments.
  std::string function;
  Node* target = nullptr;
  std::vector<Node*> args;

  // Set by the checker.
  ValueType type = ValueType::kUnspecified;
  AttributeId attribute;                    // kVariable
  const FunctionDef* definition = nullptr;  // kCall
};

// Owns the nodes of one expression.
class Ast {
 public:
  Ast() = default;
  Ast(const Ast&) = delete;
  Ast& operator=(const Ast&) = delete;

  Node* NewConstant(OwnedValue value, std::string text, int offset);
  Node* NewVariable(std::string name, int offset);
  Node* NewCall(std::string function, Node* target, std::vector<Node*> args, int offset,
                int op_offset);

  Node* root() const { return root_; }
  void set_root(Node* root) { root_ = root; }

 private:
  Node* NewNode(NodeKind kind, int offset, int op_offset);

  Node* root_ = nullptr;
  std::vector<std::unique_ptr<Node>> nodes_;
};

// Mixer's canonical text of a node, used in its error messages: `$name` for a variable, the
// constant's text, `NAME(arg1, arg2)` for a call and `target:name(args)` for a receiver call,
// e.g. `EQ($adns, $abc)`, `"aaa":matches(23)`. Folded constants print as a literal that would
// produce them (`"ab"`, `ip("10.0.0.1")`).
std::string PrintNode(const Node& node);

// AstPrinter: the canonical text plus each node's checked type, for golden tests:
//   EQ($a:INT64, 2:INT64):BOOL
// Unchecked nodes print without types.
class AstPrinter {
 public:
  static std::string Print(const Node& node);
};

}  // namespace mixlet::expr_internal

#endif  // MIXLET_LIB_EXPR_AST_H_
