#include "expr/code_generator.h"

#include <algorithm>
#include <utility>

#include "expr/builtins.h"
#include "expr/evaluator.h"
#include "expr/regex.h"

namespace mixlet::expr_internal {
namespace {

bool IsConstant(const Node& n) { return n.kind == NodeKind::kConstant; }
bool IsVariable(const Node& n) { return n.kind == NodeKind::kVariable; }
BuiltinId IdOf(const Node& n) {
  return n.kind == NodeKind::kCall ? n.definition->id : BuiltinId::kExtern;
}

Opcode LoadOp(Rep rep) {
  switch (rep) {
    case Rep::kStr:
      return Opcode::kLoadStr;
    case Rep::kInt:
      return Opcode::kLoadInt;
    case Rep::kDouble:
      return Opcode::kLoadDouble;
    case Rep::kBool:
      return Opcode::kLoadBool;
    case Rep::kTime:
      return Opcode::kLoadTime;
    case Rep::kMap:
      return Opcode::kLoadMap;
  }
  return Opcode::kLoadStr;
}

Opcode TryLoadOp(Rep rep) {
  switch (rep) {
    case Rep::kStr:
      return Opcode::kTryLoadStr;
    case Rep::kInt:
      return Opcode::kTryLoadInt;
    case Rep::kDouble:
      return Opcode::kTryLoadDouble;
    case Rep::kBool:
      return Opcode::kTryLoadBool;
    case Rep::kTime:
      return Opcode::kTryLoadTime;
    case Rep::kMap:
      return Opcode::kTryLoadMap;
  }
  return Opcode::kTryLoadStr;
}

// Whether `a` and `b` are the same constant, byte for byte (so the pool can share it).
bool SameConstant(const Value& a, const Value& b) {
  if (a.type() != b.type()) return false;
  if (IsStringLike(a.type()) || a.type() == ValueType::kIpAddress) {
    return a.string() == b.string();
  }
  return a == b;
}

// attr_test / index_test, ..., return: every test but the last fused with the same branch
// (false for `&&`, true for `||`) to the return; the last unfused. One test alone qualifies.
bool IsAttrTestChain(const std::vector<Instruction>& code) {
  const size_t n = code.size();
  if (n < 2 || code[n - 1].op != Opcode::kReturn) return false;
  constexpr uint8_t kBranches = kAuxBranchIfFalse | kAuxBranchIfTrue;
  const uint8_t branch = n == 2 ? 0 : code[0].aux & kBranches;
  if (n > 2 && (branch == 0 || branch == kBranches)) return false;
  for (size_t i = 0; i + 1 < n; ++i) {
    const Instruction& in = code[i];
    if (in.op != Opcode::kAttrTest && in.op != Opcode::kIndexTest) return false;
    const bool last = i + 2 == n;
    if ((in.aux & kBranches) != (last ? 0 : branch)) return false;
    if (!last && in.c != n - 1) return false;
  }
  return true;
}

}  // namespace

bool IsNillableForm(const Node& n) {
  if (n.kind == NodeKind::kVariable) return true;
  if (n.kind != NodeKind::kCall) return false;
  const BuiltinId id = n.definition->id;
  return id == BuiltinId::kIndex || id == BuiltinId::kOr;
}

size_t CodeGenerator::Emit(Opcode op, int pop, int push, uint32_t a, uint32_t b, uint32_t c,
                           uint8_t aux) {
  Instruction in;
  in.op = op;
  in.aux = aux;
  in.a = a;
  in.b = b;
  in.c = c;
  program_->code.push_back(in);
  depth_ += push - pop;
  program_->max_stack = std::max(program_->max_stack, depth_);
  return program_->code.size() - 1;
}

int CodeGenerator::NewLabel() {
  labels_.emplace_back();
  return static_cast<int>(labels_.size()) - 1;
}

void CodeGenerator::UseLabel(int label, size_t instruction, bool in_c) {
  labels_[label].uses.push_back(LabelUse{instruction, in_c});
}

void CodeGenerator::Bind(int label) {
  labels_[label].position = static_cast<int>(program_->code.size());
  last_bound_ = program_->code.size();
}

bool CodeGenerator::FuseBranch(uint8_t branch, int label) {
  std::vector<Instruction>& code = program_->code;
  if (code.empty() || last_bound_ == code.size()) return false;
  Instruction& in = code.back();
  switch (in.op) {
    case Opcode::kAttrTest:
    case Opcode::kIndexTest:
    case Opcode::kEqStr:
    case Opcode::kEqInt:
    case Opcode::kEqDouble:
    case Opcode::kEqBool:
    case Opcode::kEqTime:
    case Opcode::kEqIp:
    case Opcode::kCmpStr:
    case Opcode::kCmpInt:
    case Opcode::kCmpDouble:
    case Opcode::kCmpTime:
    case Opcode::kStartsWith:
    case Opcode::kEndsWith:
    case Opcode::kContains:
    case Opcode::kRegexMatch:
      break;
    default:
      return false;
  }
  in.aux |= branch;
  UseLabel(label, code.size() - 1, /*in_c=*/true);
  depth_ -= 1;  // on the path that continues, the deciding value is dropped
  return true;
}

uint32_t CodeGenerator::Constant(const Value& v) {
  // Share equal constants, looking only at the first few so that a pathological expression
  // with thousands of literals still compiles in linear time.
  constexpr size_t kDedupWindow = 64;
  const size_t window = std::min(program_->constant_storage.size(), kDedupWindow);
  for (size_t i = 0; i < window; ++i) {
    if (SameConstant(program_->constant_storage[i].value(), v)) {
      return static_cast<uint32_t>(i);
    }
  }
  program_->constant_storage.push_back(OwnedValue::Of(v));
  program_->constants.push_back(ToSlot(program_->constant_storage.back().value()));
  program_->constant_types.push_back(v.type());
  return static_cast<uint32_t>(program_->constants.size() - 1);
}

uint32_t CodeGenerator::Attribute(const Node& variable) {
  attributes_.insert(variable.attribute.value);
  return variable.attribute.value;
}

void CodeGenerator::EmitBinary(Opcode op, const Node& rhs, uint8_t aux) {
  if (IsConstant(rhs)) {
    Emit(op, 1, 1, 0, Constant(rhs.value.value()), 0, aux | kAuxConstRhs);
  } else {
    Strict(rhs);
    Emit(op, 2, 1, 0, 0, 0, aux);
  }
}

bool CodeGenerator::Generate(const Node& root, SourceError* error) {
  program_->is_constant = IsConstant(root);
  Strict(root);
  if (!error_.message.empty()) {
    *error = error_;
    return false;
  }
  Emit(Opcode::kReturn, 1, 0);
  for (const Label& label : labels_) {
    for (const LabelUse& use : label.uses) {
      Instruction& in = program_->code[use.instruction];
      (use.in_c ? in.c : in.a) = static_cast<uint32_t>(label.position);
    }
  }
  ThreadJumps();
  for (const OwnedValue& v : program_->constant_storage) {
    program_->constant_values.push_back(v.value());
  }
  if (program_->code.size() == 2) {
    switch (program_->code[0].op) {
      case Opcode::kConst:
        program_->fast_path = FastPath::kConst;
        break;
      case Opcode::kLoadStr:
      case Opcode::kLoadInt:
      case Opcode::kLoadDouble:
      case Opcode::kLoadBool:
      case Opcode::kLoadTime:
      case Opcode::kLoadMap:
        program_->fast_path = FastPath::kLoad;
        break;
      case Opcode::kLoadOrConst:
        program_->fast_path = FastPath::kLoadOrConst;
        break;
      case Opcode::kLoadIndex:
        program_->fast_path = FastPath::kLoadIndex;
        break;
      case Opcode::kLoadIndexOrConst:
        program_->fast_path = FastPath::kLoadIndexOrConst;
        break;
      default:
        break;
    }
  }
  if (IsAttrTestChain(program_->code)) program_->fast_path = FastPath::kAttrTestChain;
  PrepareFastPath(program_);
  program_->attributes.clear();
  for (uint32_t id : attributes_) program_->attributes.push_back(AttributeId{id});
  std::sort(program_->attributes.begin(), program_->attributes.end());
  program_->max_stack = std::max(program_->max_stack, 1);
  return true;
}

void CodeGenerator::ThreadJumps() {
  std::vector<Instruction>& code = program_->code;
  for (Instruction& in : code) {
    switch (in.op) {
      case Opcode::kJump:
        // Bounded: every hop moves forward.
        while (code[in.a].op == Opcode::kJump && code[in.a].a > in.a) in.a = code[in.a].a;
        if (code[in.a].op == Opcode::kReturn) in = code[in.a];
        break;
      case Opcode::kJumpIfFalseOrPop:
      case Opcode::kJumpIfTrueOrPop:
        // Landing on the same test with the same value on top: it would jump again.
        while (code[in.a].op == in.op && code[in.a].a > in.a) in.a = code[in.a].a;
        break;
      default:
        if ((in.aux & (kAuxBranchIfFalse | kAuxBranchIfTrue)) != 0) {
          const Opcode same = (in.aux & kAuxBranchIfFalse) != 0 ? Opcode::kJumpIfFalseOrPop
                                                                : Opcode::kJumpIfTrueOrPop;
          while (code[in.c].op == same && code[in.c].a > in.c) in.c = code[in.c].a;
        }
        break;
    }
  }
}

void CodeGenerator::Strict(const Node& n) {
  if (!error_.message.empty()) return;
  switch (n.kind) {
    case NodeKind::kConstant:
      Emit(Opcode::kConst, 0, 1, Constant(n.value.value()));
      return;
    case NodeKind::kVariable:
      Emit(LoadOp(RepOf(n.type)), 0, 1, Attribute(n));
      return;
    case NodeKind::kCall:
      StrictCall(n);
      return;
  }
}

void CodeGenerator::Nillable(const Node& n, int value_label) {
  if (!error_.message.empty()) return;
  if (IsVariable(n)) {
    UseLabel(value_label, Emit(TryLoadOp(RepOf(n.type)), 0, 0, Attribute(n)), true);
    return;
  }
  switch (IdOf(n)) {
    case BuiltinId::kIndex:
      NillableIndex(n, value_label);
      return;
    case BuiltinId::kOr:
      Nillable(*n.args[0], value_label);
      Nillable(*n.args[1], value_label);
      return;
    default:
      // Always present when it succeeds (mixlet does not copy Mixer's "operator as the left
      // operand of |" bug).
      Strict(n);
      UseLabel(value_label, Emit(Opcode::kJump, 0, 0), false);
      depth_ -= 1;  // the fall-through path carries no value
      return;
  }
}

void CodeGenerator::StrictCall(const Node& n) {
  const std::vector<Node*>& args = n.args;
  switch (n.definition->id) {
    case BuiltinId::kEq:
      Equality(n, /*negate=*/false);
      return;
    case BuiltinId::kNeq:
      Equality(n, /*negate=*/true);
      return;
    case BuiltinId::kLt:
      Comparison(n, Relation::kLt);
      return;
    case BuiltinId::kLeq:
      Comparison(n, Relation::kLe);
      return;
    case BuiltinId::kGt:
      Comparison(n, Relation::kGt);
      return;
    case BuiltinId::kGeq:
      Comparison(n, Relation::kGe);
      return;
    case BuiltinId::kLand:
    case BuiltinId::kLor: {
      const int end = NewLabel();
      const bool land = n.definition->id == BuiltinId::kLand;
      Strict(*args[0]);
      if (!FuseBranch(land ? kAuxBranchIfFalse : kAuxBranchIfTrue, end)) {
        UseLabel(end, Emit(land ? Opcode::kJumpIfFalseOrPop : Opcode::kJumpIfTrueOrPop, 1, 0),
                 false);
      }
      Strict(*args[1]);
      Bind(end);
      return;
    }
    case BuiltinId::kOr: {
      const Node& a = *args[0];
      const Node& b = *args[1];
      if (IsVariable(a) && IsConstant(b)) {
        Emit(Opcode::kLoadOrConst, 0, 1, Attribute(a), Constant(b.value.value()), 0,
             static_cast<uint8_t>(RepOf(a.type)));
        return;
      }
      if (IdOf(a) == BuiltinId::kIndex && IsVariable(*a.args[0]) && IsConstant(*a.args[1]) &&
          IsConstant(b)) {
        Emit(Opcode::kLoadIndexOrConst, 0, 1, Attribute(*a.args[0]),
             Constant(a.args[1]->value.value()), Constant(b.value.value()));
        return;
      }
      const int end = NewLabel();
      const int start = depth_;
      Nillable(a, end);
      Strict(b);
      Bind(end);
      depth_ = start + 1;
      return;
    }
    case BuiltinId::kIndex:
      Index(n);
      return;
    case BuiltinId::kConditional: {
      const int otherwise = NewLabel();
      const int end = NewLabel();
      Strict(*args[0]);
      UseLabel(otherwise, Emit(Opcode::kJumpIfFalse, 1, 0), false);
      Strict(*args[1]);
      UseLabel(end, Emit(Opcode::kJump, 0, 0), false);
      depth_ -= 1;
      Bind(otherwise);
      Strict(*args[2]);
      Bind(end);
      return;
    }
    case BuiltinId::kAdd: {
      Strict(*args[0]);
      const Rep rep = RepOf(n.type);
      EmitBinary(rep == Rep::kInt      ? Opcode::kAddInt
                 : rep == Rep::kDouble ? Opcode::kAddDouble
                                       : Opcode::kAddStr,
                 *args[1]);
      return;
    }
    case BuiltinId::kSize:
      Strict(*args[0]);
      Emit(Opcode::kSize, 1, 1);
      return;
    case BuiltinId::kMatch:
      Match(n);
      return;
    case BuiltinId::kMatches:
      Matches(n);
      return;
    case BuiltinId::kStartsWith:
    case BuiltinId::kEndsWith:
      if (IsConstant(*args[0])) {
        StringTestConst(*n.target,
                        n.definition->id == BuiltinId::kStartsWith ? Test::kPrefix : Test::kSuffix,
                        args[0]->value.value().string());
        return;
      }
      Strict(*n.target);
      EmitBinary(
          n.definition->id == BuiltinId::kStartsWith ? Opcode::kStartsWith : Opcode::kEndsWith,
          *args[0]);
      return;
    case BuiltinId::kIp:
    case BuiltinId::kTimestamp:
    case BuiltinId::kDnsName:
    case BuiltinId::kEmail:
    case BuiltinId::kUri:
    case BuiltinId::kToLower: {
      Strict(*args[0]);
      const BuiltinId id = n.definition->id;
      Emit(id == BuiltinId::kIp          ? Opcode::kIp
           : id == BuiltinId::kTimestamp ? Opcode::kTimestamp
           : id == BuiltinId::kDnsName   ? Opcode::kDnsName
           : id == BuiltinId::kEmail     ? Opcode::kEmail
           : id == BuiltinId::kUri       ? Opcode::kUri
                                         : Opcode::kToLower,
           1, 1);
      return;
    }
    case BuiltinId::kEmptyStringMap:
      Emit(Opcode::kConst, 0, 1, Constant(Value::StringMap(StringMapView())));
      return;
    case BuiltinId::kConditionalString:
      // Unlike `conditional`, all three arguments are evaluated.
      Strict(*args[0]);
      Strict(*args[1]);
      Strict(*args[2]);
      Emit(Opcode::kSelect, 3, 1);
      return;
    case BuiltinId::kExtern: {
      int argc = 0;
      if (n.target != nullptr) {
        Strict(*n.target);
        ++argc;
      }
      for (const Node* arg : args) {
        Strict(*arg);
        ++argc;
      }
      program_->functions.push_back(n.definition->entry);
      Emit(Opcode::kCallExtern, argc, 1, static_cast<uint32_t>(program_->functions.size() - 1), 0,
           0, static_cast<uint8_t>(argc));
      return;
    }
  }
}

void CodeGenerator::EmitAttrTest(const Node& attribute, Test test, absl::string_view constant,
                                 uint8_t aux) {
  Emit(Opcode::kAttrTest, 0, 1, Attribute(attribute), Constant(Value::String(constant)), 0,
       static_cast<uint8_t>(aux | (static_cast<uint8_t>(test) << 2)));
}

// `s T "constant"`: one attr_test when `s` is an attribute, else `s` and a constant-operand
// instruction.
void CodeGenerator::StringTestConst(const Node& s, Test test, absl::string_view constant,
                                    uint8_t aux) {
  if (IsVariable(s) && s.type == ValueType::kString) {
    EmitAttrTest(s, test, constant, aux);
    return;
  }
  if (IdOf(s) == BuiltinId::kIndex && IsVariable(*s.args[0]) && IsConstant(*s.args[1])) {
    // `m["k"] T "v"` in one instruction, when the constant index fits in its 16 bits.
    const uint32_t key = Constant(s.args[1]->value.value());
    const uint32_t value = Constant(Value::String(constant));
    if (value <= 0xFFFF) {
      const size_t i = Emit(Opcode::kIndexTest, 0, 1, Attribute(*s.args[0]), key, 0,
                            static_cast<uint8_t>(aux | (static_cast<uint8_t>(test) << 2)));
      program_->code[i].d = static_cast<uint16_t>(value);
      return;
    }
  }
  Strict(s);
  const Opcode op = test == Test::kEquals   ? Opcode::kEqStr
                    : test == Test::kPrefix ? Opcode::kStartsWith
                    : test == Test::kSuffix ? Opcode::kEndsWith
                                            : Opcode::kContains;
  Emit(op, 1, 1, 0, Constant(Value::String(constant)), 0, static_cast<uint8_t>(aux | kAuxConstRhs));
}

void CodeGenerator::Equality(const Node& n, bool negate) {
  const Node& a = *n.args[0];
  const Node& b = *n.args[1];
  const uint8_t aux = negate ? kAuxNegate : 0;
  const ValueType type = a.type;
  if (type == ValueType::kString && IsConstant(a) != IsConstant(b)) {
    // `x == "k"` (or the Yoda form: a constant cannot fail, so the order of evaluation does not
    // matter): fused when `x` is an attribute or a constant index of one.
    const Node& x = IsConstant(a) ? b : a;
    const Node& constant = IsConstant(a) ? a : b;
    StringTestConst(x, Test::kEquals, constant.value.value().string(), aux);
    return;
  }
  Opcode op = Opcode::kEqStr;
  switch (type) {
    case ValueType::kInt64:
      op = Opcode::kEqInt;
      break;
    case ValueType::kDouble:
      op = Opcode::kEqDouble;
      break;
    case ValueType::kBool:
      op = Opcode::kEqBool;
      break;
    case ValueType::kTimestamp:
      op = Opcode::kEqTime;
      break;
    case ValueType::kIpAddress:
      op = Opcode::kEqIp;
      break;
    case ValueType::kDnsName:
      op = Opcode::kEqDns;
      break;
    case ValueType::kEmailAddress:
      op = Opcode::kEqEmail;
      break;
    case ValueType::kUri:
      op = Opcode::kEqUri;
      break;
    default:
      op = Opcode::kEqStr;
      break;
  }
  Strict(a);
  EmitBinary(op, b, aux);
}

void CodeGenerator::Comparison(const Node& n, Relation relation) {
  const Node& a = *n.args[0];
  Opcode op = Opcode::kCmpStr;
  switch (RepOf(a.type)) {
    case Rep::kInt:
      op = Opcode::kCmpInt;
      break;
    case Rep::kDouble:
      op = Opcode::kCmpDouble;
      break;
    case Rep::kTime:
      op = Opcode::kCmpTime;
      break;
    default:
      op = Opcode::kCmpStr;
      break;
  }
  Strict(a);
  EmitBinary(op, *n.args[1], static_cast<uint8_t>(static_cast<uint8_t>(relation) << 2));
}

void CodeGenerator::Index(const Node& n) {
  const Node& m = *n.args[0];
  const Node& key = *n.args[1];
  if (IsVariable(m) && IsConstant(key)) {
    Emit(Opcode::kLoadIndex, 0, 1, Attribute(m), Constant(key.value.value()));
    return;
  }
  Strict(m);
  if (IsConstant(key)) {
    Emit(Opcode::kIndexConst, 1, 1, 0, Constant(key.value.value()));
  } else {
    Strict(key);
    Emit(Opcode::kIndex, 2, 1);
  }
}

// `m[k]` may be absent: when `m` is, when `k` is a form that is, or when the key is missing.
void CodeGenerator::NillableIndex(const Node& n, int value_label) {
  const Node& m = *n.args[0];
  const Node& key = *n.args[1];
  if (IsVariable(m) && IsConstant(key)) {
    UseLabel(value_label,
             Emit(Opcode::kTryLoadIndex, 0, 0, Attribute(m), Constant(key.value.value())), true);
    return;
  }
  const int start = depth_;
  const int have_map = NewLabel();
  const int absent = NewLabel();
  Nillable(m, have_map);
  UseLabel(absent, Emit(Opcode::kJump, 0, 0), false);
  Bind(have_map);
  depth_ = start + 1;
  if (IsConstant(key)) {
    UseLabel(value_label, Emit(Opcode::kTryIndexConst, 1, 0, 0, Constant(key.value.value())), true);
  } else if (IsNillableForm(key)) {
    const int have_key = NewLabel();
    Nillable(key, have_key);
    Emit(Opcode::kPop, 1, 0);  // the key is absent: drop the map
    UseLabel(absent, Emit(Opcode::kJump, 0, 0), false);
    Bind(have_key);
    depth_ = start + 2;
    UseLabel(value_label, Emit(Opcode::kTryIndex, 2, 0), true);
  } else {
    Strict(key);
    UseLabel(value_label, Emit(Opcode::kTryIndex, 2, 0), true);
  }
  Bind(absent);
  depth_ = start;
}

void CodeGenerator::Match(const Node& n) {
  const Node& s = *n.args[0];
  const Node& pattern = *n.args[1];
  if (!IsConstant(pattern)) {
    Strict(s);
    Strict(pattern);
    Emit(Opcode::kMatchGlob, 2, 1);
    return;
  }
  // A constant glob is decided now: prefix, suffix or equality test.
  const absl::string_view p = pattern.value.value().string();
  if (!p.empty() && p.back() == '*') {
    StringTestConst(s, Test::kPrefix, p.substr(0, p.size() - 1));
  } else if (!p.empty() && p.front() == '*') {
    StringTestConst(s, Test::kSuffix, p.substr(1));
  } else {
    StringTestConst(s, Test::kEquals, p);
  }
}

void CodeGenerator::Matches(const Node& n) {
  const Node& pattern = *n.target;
  const Node& subject = *n.args[0];
  if (!IsConstant(pattern)) {
    Strict(pattern);
    Strict(subject);
    Emit(Opcode::kRegexMatchDynamic, 2, 1);
    return;
  }
  absl::StatusOr<std::unique_ptr<RE2>> re = CompileRegex(pattern.value.value().string());
  if (!re.ok()) {
    if (error_.message.empty()) {
      error_.message = std::string(re.status().message());
      error_.offset = pattern.offset;
    }
    return;
  }
  absl::optional<RegexLiteral> literal = LiteralOfRegex(pattern.value.value().string());
  if (literal) {
    StringTestConst(subject,
                    literal->kind == RegexLiteral::Kind::kContains ? Test::kContains
                    : literal->kind == RegexLiteral::Kind::kPrefix ? Test::kPrefix
                    : literal->kind == RegexLiteral::Kind::kSuffix ? Test::kSuffix
                                                                   : Test::kEquals,
                    literal->text);
    return;
  }
  Strict(subject);
  program_->regexes.push_back(*std::move(re));
  Emit(Opcode::kRegexMatch, 1, 1, 0, static_cast<uint32_t>(program_->regexes.size() - 1));
}

}  // namespace mixlet::expr_internal
