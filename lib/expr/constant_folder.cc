#include "expr/constant_folder.h"

#include <utility>

#include "expr/builtins.h"
#include "expr/code_generator.h"
#include "expr/evaluator.h"
#include "expr/program.h"

namespace mixlet::expr_internal {
namespace {

bool IsConstant(const Node* n) { return n->kind == NodeKind::kConstant; }
bool IsBool(const Node* n, bool value) {
  return IsConstant(n) && n->value.value().type() == ValueType::kBool &&
         n->value.value().bool_value() == value;
}

}  // namespace

ConstantFolder::ConstantFolder(std::shared_ptr<const Vocabulary> vocabulary)
    : vocabulary_(vocabulary), empty_bag_(std::move(vocabulary)) {}

void ConstantFolder::Fold(Ast* ast) { ast->set_root(FoldNode(ast, ast->root(), false)); }

// `nillable`: the node is compiled in nillable mode (the left operand of `|`, or inside one), where
// an attribute, an index or a `|` may be absent while an operator or a call never is.
Node* ConstantFolder::FoldNode(Ast* ast, Node* node, bool nillable) {
  if (node->kind != NodeKind::kCall) return node;
  const BuiltinId id = node->definition->id;
  std::vector<Node*>& args = node->args;
  if (node->target != nullptr) node->target = FoldNode(ast, node->target, false);
  for (size_t i = 0; i < args.size(); ++i) {
    // The modes of the operands, as the code generator compiles them (code_generator.h).
    bool arg_nillable = false;
    if (id == BuiltinId::kOr) arg_nillable = i == 0 || nillable;
    if (id == BuiltinId::kIndex) arg_nillable = nillable;
    args[i] = FoldNode(ast, args[i], arg_nillable);
  }

  // A call folded to one of its operands must not become absent where it was present:
  // `conditional(false, "a", x) | "z"` fails on a missing `x`; `x | "z"` would fall back.
  auto fold_to = [node, nillable](Node* operand) {
    return nillable && IsNillableForm(*operand) ? node : operand;
  };
  switch (id) {
    case BuiltinId::kLand:
      if (IsBool(args[0], false)) return args[0];
      if (IsBool(args[0], true)) return fold_to(args[1]);
      if (IsBool(args[1], true)) return fold_to(args[0]);
      return node;
    case BuiltinId::kLor:
      if (IsBool(args[0], true)) return args[0];
      if (IsBool(args[0], false)) return fold_to(args[1]);
      if (IsBool(args[1], false)) return fold_to(args[0]);
      return node;
    case BuiltinId::kOr:
      // The right operand is only evaluated when the left one is absent.
      if (!IsNillableForm(*args[0])) return args[0];
      return node;
    case BuiltinId::kConditional:
      if (IsConstant(args[0])) {
        return fold_to(args[0]->value.value().bool_value() ? args[1] : args[2]);
      }
      return node;
    case BuiltinId::kIndex:  // absent or "" depending on the context: decided at evaluation
    case BuiltinId::kExtern:
      return node;
    default:
      break;
  }
  if (node->target != nullptr && !IsConstant(node->target)) return node;
  for (const Node* arg : args) {
    if (!IsConstant(arg)) return node;
  }
  return Evaluate(ast, node);
}

Node* ConstantFolder::Evaluate(Ast* ast, Node* node) {
  Program program;
  program.vocabulary = vocabulary_;
  program.result_type = node->type;
  CodeGenerator generator(&program);
  SourceError error;
  if (!generator.Generate(*node, &error)) return node;  // reported when the whole is compiled
  Value result;
  if (!expr_internal::Evaluate(program, empty_bag_, state_, &result)) return node;
  Node* folded = ast->NewConstant(OwnedValue::Of(result), "", node->offset);
  folded->op_offset = node->op_offset;
  return folded;
}

}  // namespace mixlet::expr_internal
