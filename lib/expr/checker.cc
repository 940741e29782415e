#include "expr/checker.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace mixlet::expr_internal {

absl::string_view IlTypeName(ValueType type) {
  switch (type) {
    case ValueType::kString:
    case ValueType::kEmailAddress:
    case ValueType::kUri:
    case ValueType::kDnsName:
      return "string";
    case ValueType::kInt64:
      return "integer";
    case ValueType::kDouble:
      return "double";
    case ValueType::kBool:
      return "bool";
    case ValueType::kDuration:
      return "duration";
    case ValueType::kTimestamp:
    case ValueType::kIpAddress:
    case ValueType::kStringMap:
      return "interface";
    case ValueType::kUnspecified:
      break;
  }
  return "unknown";
}

Checker::Checker(const Vocabulary& vocabulary, const FunctionRegistry* registry)
    : vocabulary_(vocabulary), registry_(registry) {}

bool Checker::Fail(int offset, std::string message) {
  if (error_.message.empty()) {
    error_.message = std::move(message);
    error_.offset = offset;
  }
  return false;
}

bool Checker::Check(Ast* ast, SourceError* error) {
  error_ = SourceError();
  unsupported_ = SourceError();
  if (!CheckNode(ast->root())) {
    *error = error_;
    return false;
  }
  if (!unsupported_.message.empty()) {
    *error = unsupported_;
    return false;
  }
  return true;
}

bool Checker::CheckNode(Node* node) {
  switch (node->kind) {
    case NodeKind::kConstant:
      return true;
    case NodeKind::kVariable: {
      absl::optional<AttributeInfo> info = vocabulary_.Find(node->name);
      if (!info) return Fail(node->offset, absl::StrCat("unknown attribute '", node->name, "'"));
      node->attribute = info->id;
      node->type = info->type;
      return true;
    }
    case NodeKind::kCall:
      return CheckCall(node);
  }
  return Fail(node->offset, "unexpected node");
}

const FunctionDef* Checker::Resolve(Node* node) {
  const bool has_target = node->target != nullptr;
  const FunctionDef* def = FindBuiltin(node->function);
  if (def == nullptr && registry_ != nullptr) {
    const FunctionRegistry::Entry* global = registry_->Find(node->function, FunctionForm::kGlobal);
    const FunctionRegistry::Entry* receiver =
        registry_->Find(node->function, FunctionForm::kReceiver);
    const FunctionRegistry::Entry* entry = has_target ? receiver : global;
    if (entry == nullptr) entry = has_target ? global : receiver;
    if (entry != nullptr) {
      const FunctionSignature& sig = entry->signature;
      absl::Span<const ValueType> params = sig.parameters;
      FunctionDef made{
          entry->signature.name, sig.form, kGeneric, params, sig.result, BuiltinId::kExtern,
          "registered function", entry};
      if (sig.form == FunctionForm::kReceiver && !params.empty()) {
        made.receiver = params[0];
        made.params = params.subspan(1);
      }
      extern_defs_.push_back(made);
      def = &extern_defs_.back();
    }
  }
  if (def == nullptr) {
    Fail(node->op_offset, absl::StrCat("unknown function: ", node->function));
    return nullptr;
  }
  if (has_target && def->form != FunctionForm::kReceiver) {
    Fail(node->op_offset,
         absl::StrCat("invoking regular function on instance method: ", node->function));
    return nullptr;
  }
  if (!has_target && def->form == FunctionForm::kReceiver) {
    Fail(node->op_offset,
         absl::StrCat("invoking instance method without an instance: ", node->function));
    return nullptr;
  }
  return def;
}

bool Checker::CheckCall(Node* node) {
  const FunctionDef* def = Resolve(node);
  if (def == nullptr) return false;
  node->definition = def;

  ValueType generic = kGeneric;
  if (node->target != nullptr) {
    if (!CheckNode(node->target)) return false;
    if (def->receiver == kGeneric) {
      generic = node->target->type;
    } else if (node->target->type != def->receiver) {
      return Fail(node->target->offset, absl::StrCat(PrintNode(*node), " target typeError got ",
                                                     ValueTypeName(node->target->type),
                                                     ", expected ", ValueTypeName(def->receiver)));
    }
  }
  // Mixer checks the arity before any argument (so `match(nosuch)` reports the arity). It let
  // extra arguments through unchecked; CEXL in mixlet rejects them.
  if (node->args.size() != def->params.size()) {
    return Fail(node->op_offset,
                absl::StrCat(PrintNode(*node), " arity mismatch. Got ", node->args.size(),
                             " arg(s), expected ", def->params.size(), " arg(s)"));
  }
  for (size_t i = 0; i < node->args.size(); ++i) {
    Node* arg = node->args[i];
    if (!CheckNode(arg)) return false;
    ValueType expected = def->params[i];
    if (expected == kGeneric) {
      if (generic == kGeneric) {
        generic = arg->type;
        continue;
      }
      expected = generic;
    }
    if (arg->type != expected) {
      return Fail(arg->offset, absl::StrCat(PrintNode(*node), " arg ", i + 1, " (", PrintNode(*arg),
                                            ") typeError got ", ValueTypeName(arg->type),
                                            ", expected ", ValueTypeName(expected)));
    }
  }
  node->type = def->result == kGeneric ? generic : def->result;
  CheckSupported(*node, generic);
  return true;
}

// The operations Mixer's type checker accepts but its code generator does not implement.
void Checker::CheckSupported(const Node& node, ValueType operand) {
  if (!unsupported_.message.empty()) return;
  absl::string_view what;
  bool supported = true;
  switch (node.definition->id) {
    case BuiltinId::kEq:
    case BuiltinId::kNeq:
      what = "equality";
      supported = operand != ValueType::kDuration && operand != ValueType::kStringMap;
      break;
    case BuiltinId::kLt:
    case BuiltinId::kLeq:
    case BuiltinId::kGt:
    case BuiltinId::kGeq:
      what = node.definition->id == BuiltinId::kLt    ? "less than"
             : node.definition->id == BuiltinId::kLeq ? "less or equal"
             : node.definition->id == BuiltinId::kGt  ? "greater than"
                                                      : "greater or equal";
      supported = IsStringLike(operand) || operand == ValueType::kInt64 ||
                  operand == ValueType::kDouble || operand == ValueType::kTimestamp;
      break;
    case BuiltinId::kAdd:
      what = "Add";
      supported =
          IsStringLike(operand) || operand == ValueType::kInt64 || operand == ValueType::kDouble;
      break;
    default:
      break;
  }
  if (!supported) {
    unsupported_.message = absl::StrCat("internal compiler error -- ", what,
                                        " for type not yet implemented: ", IlTypeName(operand));
    unsupported_.offset = node.op_offset;
  }
}

}  // namespace mixlet::expr_internal
