#include "expr/disassembler.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "mixlet/value/value_json.h"

namespace mixlet::expr_internal {
namespace {

std::string ConstantText(const Program& p, uint32_t index) {
  if (index >= p.constants.size()) return absl::StrCat("K", index, "?");
  const ValueType type = p.constant_types[index];
  const Value v = ToValue(p.constants[index], type);
  std::string json = ToJson(v);
  switch (type) {
    case ValueType::kString:
    case ValueType::kInt64:
    case ValueType::kDouble:
    case ValueType::kBool:
      return json;
    default:
      return absl::StrCat(ValueTypeName(type), "(", json, ")");
  }
}

std::string AttributeText(const Program& p, uint32_t id) {
  if (id >= p.vocabulary->size()) return absl::StrCat("attribute#", id, "?");
  return std::string(p.vocabulary->name(AttributeId{id}));
}

absl::string_view RelationText(uint8_t aux) {
  switch (static_cast<Relation>((aux >> 2) & 3)) {
    case Relation::kLt:
      return "<";
    case Relation::kLe:
      return "<=";
    case Relation::kGt:
      return ">";
    case Relation::kGe:
      return ">=";
  }
  return "?";
}

absl::string_view RepText(uint8_t aux) {
  switch (static_cast<Rep>(aux)) {
    case Rep::kStr:
      return "str";
    case Rep::kInt:
      return "int";
    case Rep::kDouble:
      return "double";
    case Rep::kBool:
      return "bool";
    case Rep::kTime:
      return "time";
    case Rep::kMap:
      return "map";
  }
  return "?";
}

constexpr absl::string_view kTests[] = {"==", "prefix", "suffix", "contains"};

std::string Operands(const Program& p, const Instruction& in) {
  // Remaining bits of aux are printed by the caller.
  const bool const_rhs = (in.aux & kAuxConstRhs) != 0;
  const std::string negate = (in.aux & kAuxNegate) != 0 ? " (negated)" : "";
  switch (in.op) {
    case Opcode::kConst:
      return ConstantText(p, in.a);
    case Opcode::kLoadStr:
    case Opcode::kLoadInt:
    case Opcode::kLoadDouble:
    case Opcode::kLoadBool:
    case Opcode::kLoadTime:
    case Opcode::kLoadMap:
      return AttributeText(p, in.a);
    case Opcode::kTryLoadStr:
    case Opcode::kTryLoadInt:
    case Opcode::kTryLoadDouble:
    case Opcode::kTryLoadBool:
    case Opcode::kTryLoadTime:
    case Opcode::kTryLoadMap:
      return absl::StrCat(AttributeText(p, in.a), " -> ", in.c);
    case Opcode::kLoadOrConst:
      return absl::StrCat(AttributeText(p, in.a), " | ", ConstantText(p, in.b), " (",
                          RepText(in.aux), ")");
    case Opcode::kLoadIndex:
      return absl::StrCat(AttributeText(p, in.a), "[", ConstantText(p, in.b), "]");
    case Opcode::kTryLoadIndex:
      return absl::StrCat(AttributeText(p, in.a), "[", ConstantText(p, in.b), "] -> ", in.c);
    case Opcode::kLoadIndexOrConst:
      return absl::StrCat(AttributeText(p, in.a), "[", ConstantText(p, in.b), "] | ",
                          ConstantText(p, in.c));
    case Opcode::kAttrTest:
      return absl::StrCat(AttributeText(p, in.a), " ", kTests[(in.aux >> 2) & 3], " ",
                          ConstantText(p, in.b), negate);
    case Opcode::kIndexTest:
      return absl::StrCat(AttributeText(p, in.a), "[", ConstantText(p, in.b), "] ",
                          kTests[(in.aux >> 2) & 3], " ", ConstantText(p, in.d), negate);
    case Opcode::kIndexConst:
      return ConstantText(p, in.b);
    case Opcode::kTryIndex:
      return absl::StrCat("-> ", in.c);
    case Opcode::kTryIndexConst:
      return absl::StrCat(ConstantText(p, in.b), " -> ", in.c);
    case Opcode::kJump:
    case Opcode::kJumpIfFalse:
    case Opcode::kJumpIfFalseOrPop:
    case Opcode::kJumpIfTrueOrPop:
      return absl::StrCat(in.a);
    case Opcode::kEqStr:
    case Opcode::kEqInt:
    case Opcode::kEqDouble:
    case Opcode::kEqBool:
    case Opcode::kEqTime:
    case Opcode::kEqIp:
    case Opcode::kEqDns:
    case Opcode::kEqEmail:
    case Opcode::kEqUri: {
      std::string s = const_rhs ? ConstantText(p, in.b) : "";
      if ((in.aux & kAuxNegate) != 0) s += s.empty() ? "(negated)" : " (negated)";
      return s;
    }
    case Opcode::kCmpStr:
    case Opcode::kCmpInt:
    case Opcode::kCmpDouble:
    case Opcode::kCmpTime:
      return absl::StrCat(RelationText(in.aux), const_rhs ? " " : "",
                          const_rhs ? ConstantText(p, in.b) : "");
    case Opcode::kAddStr:
    case Opcode::kAddInt:
    case Opcode::kAddDouble:
    case Opcode::kStartsWith:
    case Opcode::kEndsWith:
    case Opcode::kContains:
      return const_rhs ? ConstantText(p, in.b) : "";
    case Opcode::kRegexMatch:
      return in.b < p.regexes.size() ? absl::StrCat("/", p.regexes[in.b]->pattern(), "/")
                                     : std::string("?");
    case Opcode::kCallExtern:
      return in.a < p.functions.size()
                 ? absl::StrCat(p.functions[in.a]->signature.name, "/", in.aux)
                 : std::string("?");
    default:
      return "";
  }
}

}  // namespace

std::string Disassemble(const Program& program) {
  std::string out = absl::StrCat("program ", ValueTypeName(program.result_type), " (stack ",
                                 program.max_stack, ")\n");
  for (size_t i = 0; i < program.code.size(); ++i) {
    const Instruction& in = program.code[i];
    std::string operands = Operands(program, in);
    if ((in.aux & kAuxBranchIfFalse) != 0) absl::StrAppend(&operands, " ?false -> ", in.c);
    if ((in.aux & kAuxBranchIfTrue) != 0) absl::StrAppend(&operands, " ?true -> ", in.c);
    std::string line = absl::StrFormat("  %2d  %-20s %s", i, OpcodeName(in.op), operands);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    absl::StrAppend(&out, line, "\n");
  }
  return out;
}

}  // namespace mixlet::expr_internal
