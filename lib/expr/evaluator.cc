#include "expr/evaluator.h"

#include <cstring>
#include <new>
#include <string>

#include "absl/base/attributes.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "expr/net_names.h"
#include "expr/regex.h"
#include "expr/unicode.h"
#include "mixlet/value/value_json.h"

namespace mixlet::expr_internal {
namespace {

// Mixer reads INT64 and DURATION attributes through the same interpreter type, so each accepts
// the other's value (as nanoseconds).
inline int64_t IntOf(const Value& v) {
  return v.type() == ValueType::kDuration ? v.duration_nanos() : v.int64();
}

template <Rep R>
inline Slot SlotFrom(const Value& v);
template <>
inline Slot SlotFrom<Rep::kStr>(const Value& v) {
  return StringSlot(v.string());
}
template <>
inline Slot SlotFrom<Rep::kInt>(const Value& v) {
  return IntSlot(IntOf(v));
}
template <>
inline Slot SlotFrom<Rep::kDouble>(const Value& v) {
  return DoubleSlot(v.double_value());
}
template <>
inline Slot SlotFrom<Rep::kBool>(const Value& v) {
  return IntSlot(v.bool_value() ? 1 : 0);
}
template <>
inline Slot SlotFrom<Rep::kTime>(const Value& v) {
  return TimeSlot(v.timestamp());
}
template <>
inline Slot SlotFrom<Rep::kMap>(const Value& v) {
  return MapSlot(v.string_map());
}

inline Slot SlotFromRep(const Value& v, Rep rep) {
  switch (rep) {
    case Rep::kStr:
      return SlotFrom<Rep::kStr>(v);
    case Rep::kInt:
      return SlotFrom<Rep::kInt>(v);
    case Rep::kDouble:
      return SlotFrom<Rep::kDouble>(v);
    case Rep::kBool:
      return SlotFrom<Rep::kBool>(v);
    case Rep::kTime:
      return SlotFrom<Rep::kTime>(v);
    case Rep::kMap:
      return SlotFrom<Rep::kMap>(v);
  }
  return Slot();
}

// Whether a value of type `actual` can be read where the vocabulary declares `declared`.
bool Compatible(ValueType actual, ValueType declared) {
  auto int_like = [](ValueType t) { return t == ValueType::kInt64 || t == ValueType::kDuration; };
  return actual == declared || (int_like(actual) && int_like(declared));
}

absl::string_view ConversionTarget(ValueType declared) {
  switch (declared) {
    case ValueType::kString:
    case ValueType::kDnsName:
    case ValueType::kEmailAddress:
    case ValueType::kUri:
      return "string";
    case ValueType::kBool:
      return "bool";
    case ValueType::kInt64:
    case ValueType::kDuration:
      return "integer or duration";
    case ValueType::kDouble:
      return "double";
    default:
      return ValueTypeName(declared);
  }
}

// Reads attribute `id`. With kByName the bag was built on another vocabulary: the attribute is
// found by name and its type checked. Returns false after recording a type error; `*out` is
// null when the attribute is absent.
template <bool kByName>
inline bool LoadAttr(const Bag& bag, const Program& p, uint32_t id, EvalState& st,
                     const Value** out) {
  if constexpr (!kByName) {
    *out = bag.Get(AttributeId{id});
    return true;
  } else {
    const AttributeId aid{id};
    const Value* v = bag.Find(p.vocabulary->name(aid));
    const ValueType declared = p.vocabulary->type(aid);
    if (v != nullptr && !Compatible(v->type(), declared)) {
      st.Fail(EvalErrorCode::kInvalidArgument,
              absl::StrCat("error converting value to ", ConversionTarget(declared), ": '",
                           v->ToText(), "'"));
      return false;
    }
    *out = v;
    return true;
  }
}

ABSL_ATTRIBUTE_NOINLINE bool LookupFailed(const Program& p, uint32_t id, EvalState& st) {
  st.FailLookup(p.vocabulary->name(AttributeId{id}));
  return false;
}

// The value of `key` in `m`, "" when missing.
inline absl::string_view IndexOrEmpty(StringMapView m, absl::string_view key) {
  absl::optional<absl::string_view> v = FindKey(m, key);
  return v ? *v : absl::string_view();
}

constexpr char kV4MappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '\xff', '\xff'};

absl::string_view CanonicalIp(absl::string_view bytes) {
  if (bytes.size() == 16 && std::memcmp(bytes.data(), kV4MappedPrefix, 12) == 0) {
    return bytes.substr(12);
  }
  return bytes;
}

// For totally ordered operands (integers, byte strings through their comparison result).
template <typename T>
bool Relate(Relation r, const T& a, const T& b) {
  switch (r) {
    case Relation::kLt:
      return a < b;
    case Relation::kLe:
      return !(b < a);
    case Relation::kGt:
      return b < a;
    case Relation::kGe:
      return !(a < b);
  }
  return false;
}

inline bool TimeLess(const Slot& a, const Slot& b) {
  return a.t.seconds < b.t.seconds || (a.t.seconds == b.t.seconds && a.t.nanos < b.t.nanos);
}

bool GlobMatch(absl::string_view s, absl::string_view pattern) {
  if (!pattern.empty() && pattern.back() == '*') {
    return absl::StartsWith(s, pattern.substr(0, pattern.size() - 1));
  }
  if (!pattern.empty() && pattern.front() == '*') return absl::EndsWith(s, pattern.substr(1));
  return s == pattern;
}

// Instructions that parse, validate, compile or call out (and may allocate). `*sp_io` is the
// stack pointer, updated. None of them jumps.
ABSL_ATTRIBUTE_NOINLINE bool RunSlow(const Program& p, const Instruction& in, EvalState& st,
                                     Slot** sp_io) {
  Slot* sp = *sp_io;
  const Slot* const k = p.constants.data();
#define MIXLET_EXPR_RHS() ((in.aux & kAuxConstRhs) != 0 ? k[in.b] : *--sp)
#define MIXLET_EXPR_NEGATE(eq) ((eq) != ((in.aux & kAuxNegate) != 0))
  switch (in.op) {
    case Opcode::kEqDns:
    case Opcode::kEqEmail:
    case Opcode::kEqUri: {
      const Slot rhs = MIXLET_EXPR_RHS();
      const absl::string_view a = SlotString(sp[-1]);
      const absl::string_view b = SlotString(rhs);
      absl::StatusOr<bool> eq = in.op == Opcode::kEqDns     ? DnsNameEqual(a, b)
                                : in.op == Opcode::kEqEmail ? EmailEqual(a, b)
                                                            : UriEqual(a, b);
      if (!eq.ok()) {
        st.Fail(EvalErrorCode::kInvalidArgument, eq.status().message());
        return false;
      }
      sp[-1] = IntSlot(MIXLET_EXPR_NEGATE(*eq));
      break;
    }
    case Opcode::kRegexMatchDynamic: {
      const absl::string_view subject = SlotString(*--sp);
      const RE2* re = st.DynamicRegex(SlotString(sp[-1]));
      if (re == nullptr) return false;
      sp[-1] = IntSlot(RegexSearch(*re, subject));
      break;
    }
    case Opcode::kIp: {
      const absl::string_view s = SlotString(sp[-1]);
      absl::StatusOr<std::string> bytes = ParseIpText(s);
      if (!bytes.ok()) {
        st.Fail(EvalErrorCode::kBadIp, s);
        return false;
      }
      sp[-1] = StringSlot(st.arena().Copy(*bytes));
      break;
    }
    case Opcode::kTimestamp: {
      const absl::string_view s = SlotString(sp[-1]);
      absl::StatusOr<Timestamp> t = ParseRfc3339(s);
      if (!t.ok()) {
        st.Fail(EvalErrorCode::kBadTimestamp, s);
        return false;
      }
      sp[-1] = TimeSlot(*t);
      break;
    }
    case Opcode::kDnsName: {
      const absl::string_view s = SlotString(sp[-1]);
      absl::StatusOr<std::string> name = ToDnsName(s);
      if (!name.ok()) {
        st.Fail(EvalErrorCode::kInvalidArgument, name.status().message());
        return false;
      }
      if (*name != s) sp[-1] = StringSlot(st.arena().Copy(*name));
      break;
    }
    case Opcode::kEmail:
    case Opcode::kUri: {
      const absl::string_view s = SlotString(sp[-1]);
      absl::Status status = in.op == Opcode::kEmail ? ValidateEmail(s) : ValidateUri(s);
      if (!status.ok()) {
        st.Fail(EvalErrorCode::kInvalidArgument, status.message());
        return false;
      }
      break;
    }
    case Opcode::kCallExtern: {
      const FunctionRegistry::Entry& f = *p.functions[in.a];
      const size_t argc = in.aux;
      std::vector<Value>& args = st.call_args();
      if (args.size() < argc) args.resize(argc);
      sp -= argc;
      for (size_t i = 0; i < argc; ++i) {
        args[i] = ToValue(sp[i], f.signature.parameters[i]);
      }
      Value out;
      FunctionCall call = st.MakeCall();
      if (!f.impl(call, absl::Span<const Value>(args.data(), argc), &out)) {
        if (!st.failed()) {
          st.Fail(EvalErrorCode::kInvalidArgument,
                  absl::StrCat("function '", f.signature.name, "' failed"));
        }
        return false;
      }
      if (out.type() != f.signature.result) {
        st.Fail(
            EvalErrorCode::kInternal,
            absl::StrCat("function '", f.signature.name, "' returned ", ValueTypeName(out.type()),
                         ", declared ", ValueTypeName(f.signature.result)));
        return false;
      }
      *sp++ = ToSlot(out);
      break;
    }
    default:
      st.Fail(EvalErrorCode::kInternal, absl::StrCat("invalid opcode ", static_cast<int>(in.op)));
      return false;
  }
#undef MIXLET_EXPR_RHS
#undef MIXLET_EXPR_NEGATE
  *sp_io = sp;
  return true;
}

// Inlined into RunProgram, so that an evaluation costs one call.
template <bool kByName>
ABSL_ATTRIBUTE_ALWAYS_INLINE inline bool Run(const Program& p, const Bag& bag, EvalState& st,
                                             Value* result) {
  const Instruction* const code = p.code.data();
  const Slot* const k = p.constants.data();
  const Instruction* pc = code;
  Slot* sp = st.stack();  // next free slot

#define MIXLET_EXPR_RHS() ((in.aux & kAuxConstRhs) != 0 ? k[in.b] : *--sp)
#define MIXLET_EXPR_NEGATE(eq) ((eq) != ((in.aux & kAuxNegate) != 0))
// Replaces the top slot with the boolean `value`, or, for an instruction fused with the jump of
// `&&` / `||`, either keeps it and jumps (the deciding value) or drops it and continues.
#define MIXLET_EXPR_SET_BOOL(value)                               \
  do {                                                            \
    const bool r_ = (value);                                      \
    if ((in.aux & (kAuxBranchIfFalse | kAuxBranchIfTrue)) == 0) { \
      sp[-1] = IntSlot(r_);                                       \
    } else if (r_ == ((in.aux & kAuxBranchIfTrue) != 0)) {        \
      sp[-1] = IntSlot(r_);                                       \
      pc = code + in.c;                                           \
    } else {                                                      \
      --sp;                                                       \
    }                                                             \
  } while (0)

  for (;;) {
    const Instruction& in = *pc++;
    switch (in.op) {
      case Opcode::kConst:
        *sp++ = k[in.a];
        break;

#define MIXLET_EXPR_LOAD(OPCODE, REP)                           \
  case OPCODE: {                                                \
    const Value* v;                                             \
    if (!LoadAttr<kByName>(bag, p, in.a, st, &v)) return false; \
    if (v == nullptr) return LookupFailed(p, in.a, st);         \
    *sp++ = SlotFrom<REP>(*v);                                  \
    break;                                                      \
  }
        MIXLET_EXPR_LOAD(Opcode::kLoadStr, Rep::kStr)
        MIXLET_EXPR_LOAD(Opcode::kLoadInt, Rep::kInt)
        MIXLET_EXPR_LOAD(Opcode::kLoadDouble, Rep::kDouble)
        MIXLET_EXPR_LOAD(Opcode::kLoadBool, Rep::kBool)
        MIXLET_EXPR_LOAD(Opcode::kLoadTime, Rep::kTime)
        MIXLET_EXPR_LOAD(Opcode::kLoadMap, Rep::kMap)
#undef MIXLET_EXPR_LOAD

#define MIXLET_EXPR_TRY_LOAD(OPCODE, REP)                       \
  case OPCODE: {                                                \
    const Value* v;                                             \
    if (!LoadAttr<kByName>(bag, p, in.a, st, &v)) return false; \
    if (v != nullptr) {                                         \
      *sp++ = SlotFrom<REP>(*v);                                \
      pc = code + in.c;                                         \
    }                                                           \
    break;                                                      \
  }
        MIXLET_EXPR_TRY_LOAD(Opcode::kTryLoadStr, Rep::kStr)
        MIXLET_EXPR_TRY_LOAD(Opcode::kTryLoadInt, Rep::kInt)
        MIXLET_EXPR_TRY_LOAD(Opcode::kTryLoadDouble, Rep::kDouble)
        MIXLET_EXPR_TRY_LOAD(Opcode::kTryLoadBool, Rep::kBool)
        MIXLET_EXPR_TRY_LOAD(Opcode::kTryLoadTime, Rep::kTime)
        MIXLET_EXPR_TRY_LOAD(Opcode::kTryLoadMap, Rep::kMap)
#undef MIXLET_EXPR_TRY_LOAD

      case Opcode::kLoadOrConst: {
        const Value* v;
        if (!LoadAttr<kByName>(bag, p, in.a, st, &v)) return false;
        *sp++ = v != nullptr ? SlotFromRep(*v, static_cast<Rep>(in.aux)) : k[in.b];
        break;
      }
      case Opcode::kLoadIndex: {
        const Value* v;
        if (!LoadAttr<kByName>(bag, p, in.a, st, &v)) return false;
        if (v == nullptr) return LookupFailed(p, in.a, st);
        *sp++ = StringSlot(IndexOrEmpty(v->string_map(), SlotString(k[in.b])));
        break;
      }
      case Opcode::kTryLoadIndex: {
        const Value* v;
        if (!LoadAttr<kByName>(bag, p, in.a, st, &v)) return false;
        if (v != nullptr) {
          absl::optional<absl::string_view> found = FindKey(v->string_map(), SlotString(k[in.b]));
          if (found) {
            *sp++ = StringSlot(*found);
            pc = code + in.c;
          }
        }
        break;
      }
      case Opcode::kLoadIndexOrConst: {
        const Value* v;
        if (!LoadAttr<kByName>(bag, p, in.a, st, &v)) return false;
        if (v != nullptr) {
          absl::optional<absl::string_view> found = FindKey(v->string_map(), SlotString(k[in.b]));
          if (found) {
            *sp++ = StringSlot(*found);
            break;
          }
        }
        *sp++ = k[in.c];
        break;
      }
      case Opcode::kIndexTest: {
        const Value* v;
        if (!LoadAttr<kByName>(bag, p, in.a, st, &v)) return false;
        if (v == nullptr) return LookupFailed(p, in.a, st);
        const absl::string_view value = IndexOrEmpty(v->string_map(), SlotString(k[in.b]));
        ++sp;
        MIXLET_EXPR_SET_BOOL(MIXLET_EXPR_NEGATE(
            StringTest(static_cast<Test>((in.aux >> 2) & 3), value, SlotString(k[in.d]))));
        break;
      }
      case Opcode::kAttrTest: {
        const Value* v;
        if (!LoadAttr<kByName>(bag, p, in.a, st, &v)) return false;
        if (v == nullptr) return LookupFailed(p, in.a, st);
        ++sp;
        MIXLET_EXPR_SET_BOOL(MIXLET_EXPR_NEGATE(
            StringTest(static_cast<Test>((in.aux >> 2) & 3), v->string(), SlotString(k[in.b]))));
        break;
      }

      case Opcode::kIndex: {
        const absl::string_view key = SlotString(*--sp);
        sp[-1] = StringSlot(IndexOrEmpty(SlotMap(sp[-1]), key));
        break;
      }
      case Opcode::kIndexConst:
        sp[-1] = StringSlot(IndexOrEmpty(SlotMap(sp[-1]), SlotString(k[in.b])));
        break;
      case Opcode::kTryIndex: {
        const absl::string_view key = SlotString(*--sp);
        absl::optional<absl::string_view> found = FindKey(SlotMap(*--sp), key);
        if (found) {
          *sp++ = StringSlot(*found);
          pc = code + in.c;
        }
        break;
      }
      case Opcode::kTryIndexConst: {
        absl::optional<absl::string_view> found = FindKey(SlotMap(*--sp), SlotString(k[in.b]));
        if (found) {
          *sp++ = StringSlot(*found);
          pc = code + in.c;
        }
        break;
      }

      case Opcode::kJump:
        pc = code + in.a;
        break;
      case Opcode::kJumpIfFalse:
        if ((--sp)->i == 0) pc = code + in.a;
        break;
      case Opcode::kJumpIfFalseOrPop:
        if (sp[-1].i == 0) {
          pc = code + in.a;
        } else {
          --sp;
        }
        break;
      case Opcode::kJumpIfTrueOrPop:
        if (sp[-1].i != 0) {
          pc = code + in.a;
        } else {
          --sp;
        }
        break;
      case Opcode::kPop:
        --sp;
        break;
      case Opcode::kReturn:
        StoreValue(sp[-1], p.result_type, result);
        return true;

      case Opcode::kEqStr: {
        const Slot rhs = MIXLET_EXPR_RHS();
        MIXLET_EXPR_SET_BOOL(MIXLET_EXPR_NEGATE(BytesEqual(SlotString(sp[-1]), SlotString(rhs))));
        break;
      }
      case Opcode::kEqInt:
      case Opcode::kEqBool: {
        const Slot rhs = MIXLET_EXPR_RHS();
        MIXLET_EXPR_SET_BOOL(MIXLET_EXPR_NEGATE(sp[-1].i == rhs.i));
        break;
      }
      case Opcode::kEqDouble: {
        // Mixer compares the 64-bit patterns: -0.0 != 0.0, and a NaN equals itself.
        const Slot rhs = MIXLET_EXPR_RHS();
        MIXLET_EXPR_SET_BOOL(
            MIXLET_EXPR_NEGATE(std::memcmp(&sp[-1].d, &rhs.d, sizeof(double)) == 0));
        break;
      }
      case Opcode::kEqTime: {
        const Slot rhs = MIXLET_EXPR_RHS();
        const bool eq = sp[-1].t.seconds == rhs.t.seconds && sp[-1].t.nanos == rhs.t.nanos;
        MIXLET_EXPR_SET_BOOL(MIXLET_EXPR_NEGATE(eq));
        break;
      }
      case Opcode::kEqIp: {
        const Slot rhs = MIXLET_EXPR_RHS();
        const bool eq = CanonicalIp(SlotString(sp[-1])) == CanonicalIp(SlotString(rhs));
        MIXLET_EXPR_SET_BOOL(MIXLET_EXPR_NEGATE(eq));
        break;
      }
      case Opcode::kCmpStr: {
        const Slot rhs = MIXLET_EXPR_RHS();
        const int c = SlotString(sp[-1]).compare(SlotString(rhs));
        MIXLET_EXPR_SET_BOOL(Relate(static_cast<Relation>((in.aux >> 2) & 3), c, 0));
        break;
      }
      case Opcode::kCmpInt: {
        const Slot rhs = MIXLET_EXPR_RHS();
        MIXLET_EXPR_SET_BOOL(Relate(static_cast<Relation>((in.aux >> 2) & 3), sp[-1].i, rhs.i));
        break;
      }
      case Opcode::kCmpDouble: {
        // IEEE comparisons: a NaN is neither less, greater nor equal.
        const Slot rhs = MIXLET_EXPR_RHS();
        const double a = sp[-1].d, b = rhs.d;
        bool r = false;
        switch (static_cast<Relation>((in.aux >> 2) & 3)) {
          case Relation::kLt:
            r = a < b;
            break;
          case Relation::kLe:
            r = a <= b;
            break;
          case Relation::kGt:
            r = a > b;
            break;
          case Relation::kGe:
            r = a >= b;
            break;
        }
        MIXLET_EXPR_SET_BOOL(r);
        break;
      }
      case Opcode::kCmpTime: {
        // By instant, `<=` and `>=` included (mixlet does not copy Mixer's zone-sensitive <=).
        const Slot rhs = MIXLET_EXPR_RHS();
        const Slot lhs = sp[-1];
        bool r = false;
        switch (static_cast<Relation>((in.aux >> 2) & 3)) {
          case Relation::kLt:
            r = TimeLess(lhs, rhs);
            break;
          case Relation::kLe:
            r = !TimeLess(rhs, lhs);
            break;
          case Relation::kGt:
            r = TimeLess(rhs, lhs);
            break;
          case Relation::kGe:
            r = !TimeLess(lhs, rhs);
            break;
        }
        MIXLET_EXPR_SET_BOOL(r);
        break;
      }

      case Opcode::kAddStr: {
        const Slot rhs = MIXLET_EXPR_RHS();
        const absl::string_view a = SlotString(sp[-1]);
        const absl::string_view b = SlotString(rhs);
        if (a.empty()) {
          sp[-1] = rhs;
        } else if (!b.empty()) {
          char* out = st.arena().Allocate(a.size() + b.size());
          std::memcpy(out, a.data(), a.size());
          std::memcpy(out + a.size(), b.data(), b.size());
          sp[-1] = StringSlot(absl::string_view(out, a.size() + b.size()));
        }
        break;
      }
      case Opcode::kAddInt: {
        const Slot rhs = MIXLET_EXPR_RHS();
        // Two's-complement wrap-around, as Go's int64 addition.
        sp[-1].i =
            static_cast<int64_t>(static_cast<uint64_t>(sp[-1].i) + static_cast<uint64_t>(rhs.i));
        break;
      }
      case Opcode::kAddDouble: {
        const Slot rhs = MIXLET_EXPR_RHS();
        sp[-1].d = sp[-1].d + rhs.d;
        break;
      }

      case Opcode::kSize:
        sp[-1] = IntSlot(static_cast<int64_t>(sp[-1].s.size));
        break;
      case Opcode::kMatchGlob: {
        const absl::string_view pattern = SlotString(*--sp);
        MIXLET_EXPR_SET_BOOL(GlobMatch(SlotString(sp[-1]), pattern));
        break;
      }
      case Opcode::kStartsWith: {
        const Slot rhs = MIXLET_EXPR_RHS();
        MIXLET_EXPR_SET_BOOL(absl::StartsWith(SlotString(sp[-1]), SlotString(rhs)));
        break;
      }
      case Opcode::kEndsWith: {
        const Slot rhs = MIXLET_EXPR_RHS();
        MIXLET_EXPR_SET_BOOL(absl::EndsWith(SlotString(sp[-1]), SlotString(rhs)));
        break;
      }
      case Opcode::kContains: {
        const Slot rhs = MIXLET_EXPR_RHS();
        MIXLET_EXPR_SET_BOOL(absl::StrContains(SlotString(sp[-1]), SlotString(rhs)));
        break;
      }
      case Opcode::kRegexMatch:
        MIXLET_EXPR_SET_BOOL(RegexSearch(*p.regexes[in.b], SlotString(sp[-1])));
        break;
      case Opcode::kToLower: {
        const absl::string_view s = SlotString(sp[-1]);
        if (!IsLowerCaseFixedPoint(s)) {
          const size_t n = LowerCaseSize(s);
          char* out = st.arena().Allocate(n);
          LowerCaseInto(s, out);
          sp[-1] = StringSlot(absl::string_view(out, n));
        }
        break;
      }
      case Opcode::kSelect: {
        const Slot y = *--sp;
        const Slot x = *--sp;
        sp[-1] = sp[-1].i != 0 ? x : y;
        break;
      }
#undef MIXLET_EXPR_RHS
#undef MIXLET_EXPR_NEGATE
#undef MIXLET_EXPR_SET_BOOL
      default:
        // The rare, heavier operations live out of the loop, so that the loop's frame stays
        // small and its common cases fast.
        if (!RunSlow(p, in, st, &sp)) return false;
        break;
    }
  }
}

// The fast paths: programs of one shape, evaluated without the dispatch loop. Each is its own
// small function, chosen once per Expression (SelectEvalFn) and called directly by
// Expression::Evaluate, reading operands decoded at compile time (Program::fast). A bag on
// another vocabulary, or an absent attribute a fast path cannot report, hands over to the loop,
// which reads by name and reports errors.
ABSL_ATTRIBUTE_NOINLINE bool Slow(const Program& p, const Bag& bag, EvalContext& ctx,
                                  Value* result) {
  return RunProgram(p, bag, EvalState::Of(ctx), result);
}

inline bool SameVocabulary(const Program& p, const Bag& bag) {
  return &bag.vocabulary() == p.vocabulary.get();
}

bool General(const Program& p, const Bag& bag, EvalContext& ctx, Value* result) {
  return RunProgram(p, bag, EvalState::Of(ctx), result);
}

// Hot path: no allocation, no string hashing.
bool FastConst(const Program& p, const Bag& bag, EvalContext& ctx, Value* result) {
  EvalState::Of(ctx).ClearError();
  *result = p.fast.constant;
  return true;
}

// Hot path: no allocation, no string hashing.
bool FastLoad(const Program& p, const Bag& bag, EvalContext& ctx, Value* result) {
  if (ABSL_PREDICT_FALSE(!SameVocabulary(p, bag))) return Slow(p, bag, ctx, result);
  const Value* v = bag.Get(AttributeId{p.fast.attribute});
  if (ABSL_PREDICT_FALSE(v == nullptr)) return Slow(p, bag, ctx, result);
  EvalState::Of(ctx).ClearError();
  *result = *v;
  return true;
}

// Hot path: no allocation, no string hashing.
bool FastLoadOrConst(const Program& p, const Bag& bag, EvalContext& ctx, Value* result) {
  if (ABSL_PREDICT_FALSE(!SameVocabulary(p, bag))) return Slow(p, bag, ctx, result);
  const Value* v = bag.Get(AttributeId{p.fast.attribute});
  EvalState::Of(ctx).ClearError();
  *result = v != nullptr ? *v : p.fast.constant;
  return true;
}

// Hot path: no allocation, no string hashing.
bool FastLoadIndex(const Program& p, const Bag& bag, EvalContext& ctx, Value* result) {
  if (ABSL_PREDICT_FALSE(!SameVocabulary(p, bag))) return Slow(p, bag, ctx, result);
  const Value* v = bag.Get(AttributeId{p.fast.attribute});
  if (ABSL_PREDICT_FALSE(v == nullptr)) return Slow(p, bag, ctx, result);
  absl::optional<absl::string_view> found = FindKey(v->string_map(), p.fast.key);
  EvalState::Of(ctx).ClearError();
  ::new (result) Value(Value::String(found ? *found : absl::string_view()));
  return true;
}

// FastLoadIndexOrConst with the map present. Out of line (a tail call), so that the absent-map
// path needs no saved registers.
// Hot path: no allocation, no string hashing.
ABSL_ATTRIBUTE_NOINLINE bool IndexOrConst(const Program& p, const Value& map, Value* result) {
  absl::optional<absl::string_view> found = FindKey(map.string_map(), p.fast.key);
  if (found) {
    ::new (result) Value(Value::String(*found));
  } else {
    *result = p.fast.constant;
  }
  return true;
}

// Hot path: no allocation, no string hashing.
bool FastLoadIndexOrConst(const Program& p, const Bag& bag, EvalContext& ctx, Value* result) {
  if (ABSL_PREDICT_FALSE(!SameVocabulary(p, bag))) return Slow(p, bag, ctx, result);
  const Value* v = bag.Get(AttributeId{p.fast.attribute});
  EvalState::Of(ctx).ClearError();
  if (v != nullptr) return IndexOrConst(p, *v, result);
  *result = p.fast.constant;
  return true;
}

// `a == "x" && m["k"] == "y"` (or `||`), any length and negations: stop at the first test
// that decides.
// Hot path: no allocation, no string hashing.
bool FastTestChain(const Program& p, const Bag& bag, EvalContext& ctx, Value* result) {
  if (ABSL_PREDICT_FALSE(!SameVocabulary(p, bag))) return Slow(p, bag, ctx, result);
  const Value* const k = p.constant_values.data();
  const Instruction* term = p.code.data();
  const Instruction* const last = term + p.code.size() - 2;
  for (;; ++term) {
    const Value* v = bag.Get(AttributeId{term->a});
    if (v == nullptr) return Slow(p, bag, ctx, result);
    absl::string_view subject;
    absl::string_view operand;
    if (term->op == Opcode::kAttrTest) {
      subject = v->string();
      operand = k[term->b].string();
    } else {  // index_test
      absl::optional<absl::string_view> found = FindKey(v->string_map(), k[term->b].string());
      subject = found ? *found : absl::string_view();
      operand = k[term->d].string();
    }
    const bool eq = StringTest(static_cast<Test>((term->aux >> 2) & 3), subject, operand) !=
                    ((term->aux & kAuxNegate) != 0);
    if (term == last || eq == ((term->aux & kAuxBranchIfTrue) != 0)) {
      EvalState::Of(ctx).ClearError();
      ::new (result) Value(Value::Bool(eq));
      return true;
    }
  }
}

// One un-negated test of a two-test chain, its kind and form fixed at compile time.
template <Test kTest, bool kIndex>
ABSL_ATTRIBUTE_ALWAYS_INLINE inline bool TermHolds(const Value& v, const ChainTerm& t) {
  absl::string_view subject;
  if constexpr (kIndex) {
    absl::optional<absl::string_view> found = FindKey(v.string_map(), t.key);
    subject = found ? *found : absl::string_view();
  } else {
    subject = v.string();
  }
  if constexpr (kTest == Test::kEquals) {
    return BytesEqual(subject, t.operand);
  } else if constexpr (kTest == Test::kPrefix) {
    return subject.size() >= t.operand.size() &&
           BytesEqual(subject.substr(0, t.operand.size()), t.operand);
  } else if constexpr (kTest == Test::kSuffix) {
    return subject.size() >= t.operand.size() &&
           BytesEqual(subject.substr(subject.size() - t.operand.size()), t.operand);
  } else {
    return subject.find(t.operand) != absl::string_view::npos;
  }
}

// `T1 && T2` (kAnd) or `T1 || T2` of two un-negated tests, e.g. `a == "x" && b == "y"`.
// Hot path: no allocation, no string hashing.
template <bool kAnd, Test kTest1, bool kIndex1, Test kTest2, bool kIndex2>
bool FastTestPair(const Program& p, const Bag& bag, EvalContext& ctx, Value* result) {
  if (ABSL_PREDICT_FALSE(!SameVocabulary(p, bag))) return Slow(p, bag, ctx, result);
  const Value* v = bag.Get(AttributeId{p.fast.terms[0].attribute});
  if (ABSL_PREDICT_FALSE(v == nullptr)) return Slow(p, bag, ctx, result);
  bool r = TermHolds<kTest1, kIndex1>(*v, p.fast.terms[0]);
  if (r == kAnd) {
    v = bag.Get(AttributeId{p.fast.terms[1].attribute});
    if (ABSL_PREDICT_FALSE(v == nullptr)) return Slow(p, bag, ctx, result);
    r = TermHolds<kTest2, kIndex2>(*v, p.fast.terms[1]);
  }
  EvalState::Of(ctx).ClearError();
  ::new (result) Value(Value::Bool(r));
  return true;
}

// FastTestPair's instantiations, indexed by [and][test1][index1][test2][index2].
template <bool kAnd, int kTest1, int kIndex1, int kTest2, int kIndex2>
constexpr EvalFn kPair = &FastTestPair<kAnd, static_cast<Test>(kTest1), kIndex1 != 0,
                                       static_cast<Test>(kTest2), kIndex2 != 0>;

template <bool kAnd, int kTest1, int kIndex1, int kTest2>
EvalFn PairFor(bool index2) {
  return index2 ? kPair<kAnd, kTest1, kIndex1, kTest2, 1> : kPair<kAnd, kTest1, kIndex1, kTest2, 0>;
}
template <bool kAnd, int kTest1, int kIndex1>
EvalFn PairFor(Test test2, bool index2) {
  switch (test2) {
    case Test::kEquals:
      return PairFor<kAnd, kTest1, kIndex1, 0>(index2);
    case Test::kPrefix:
      return PairFor<kAnd, kTest1, kIndex1, 1>(index2);
    case Test::kSuffix:
      return PairFor<kAnd, kTest1, kIndex1, 2>(index2);
    case Test::kContains:
      return PairFor<kAnd, kTest1, kIndex1, 3>(index2);
  }
  return nullptr;
}
template <bool kAnd, int kTest1>
EvalFn PairFor(bool index1, Test test2, bool index2) {
  return index1 ? PairFor<kAnd, kTest1, 1>(test2, index2)
                : PairFor<kAnd, kTest1, 0>(test2, index2);
}
template <bool kAnd>
EvalFn PairFor(Test test1, bool index1, Test test2, bool index2) {
  switch (test1) {
    case Test::kEquals:
      return PairFor<kAnd, 0>(index1, test2, index2);
    case Test::kPrefix:
      return PairFor<kAnd, 1>(index1, test2, index2);
    case Test::kSuffix:
      return PairFor<kAnd, 2>(index1, test2, index2);
    case Test::kContains:
      return PairFor<kAnd, 3>(index1, test2, index2);
  }
  return nullptr;
}

inline Test TestOf(const Instruction& in) { return static_cast<Test>((in.aux >> 2) & 3); }

// True for a chain of exactly two un-negated tests (the shape FastTestPair handles).
bool IsTestPair(const Program& p) {
  return p.fast_path == FastPath::kAttrTestChain && p.code.size() == 3 &&
         (p.code[0].aux & kAuxNegate) == 0 && (p.code[1].aux & kAuxNegate) == 0;
}

}  // namespace

void PrepareFastPath(Program* program) {
  Program& p = *program;
  FastOperands& f = p.fast;
  const std::vector<Value>& k = p.constant_values;
  if (p.code.empty()) return;
  const Instruction& in = p.code[0];
  switch (p.fast_path) {
    case FastPath::kNone:
      return;
    case FastPath::kConst:
      f.constant = k[in.a];
      return;
    case FastPath::kLoad:
      f.attribute = in.a;
      return;
    case FastPath::kLoadOrConst:
      f.attribute = in.a;
      f.constant = k[in.b];
      return;
    case FastPath::kLoadIndex:
      f.attribute = in.a;
      f.key = k[in.b].string();
      return;
    case FastPath::kLoadIndexOrConst:
      f.attribute = in.a;
      f.key = k[in.b].string();
      f.constant = k[in.c];
      return;
    case FastPath::kAttrTestChain:
      if (!IsTestPair(p)) return;
      for (int i = 0; i < 2; ++i) {
        const Instruction& t = p.code[i];
        ChainTerm& term = f.terms[i];
        term.attribute = t.a;
        if (t.op == Opcode::kAttrTest) {
          term.operand = k[t.b].string();
        } else {
          term.key = k[t.b].string();
          term.operand = k[t.d].string();
        }
      }
      return;
  }
}

EvalFn SelectEvalFn(const Program& p) {
  switch (p.fast_path) {
    case FastPath::kNone:
      break;
    case FastPath::kConst:
      return &FastConst;
    case FastPath::kLoad:
      return &FastLoad;
    case FastPath::kLoadOrConst:
      return &FastLoadOrConst;
    case FastPath::kLoadIndex:
      return &FastLoadIndex;
    case FastPath::kLoadIndexOrConst:
      return &FastLoadIndexOrConst;
    case FastPath::kAttrTestChain: {
      if (!IsTestPair(p)) return &FastTestChain;
      const Instruction& t1 = p.code[0];
      const Instruction& t2 = p.code[1];
      const bool index1 = t1.op == Opcode::kIndexTest;
      const bool index2 = t2.op == Opcode::kIndexTest;
      if ((t1.aux & kAuxBranchIfTrue) != 0) {
        return PairFor<false>(TestOf(t1), index1, TestOf(t2), index2);
      }
      return PairFor<true>(TestOf(t1), index1, TestOf(t2), index2);
    }
  }
  return &General;
}

// Hot path: no allocation, no string hashing.
bool Evaluate(const Program& program, const Bag& bag, EvalState& state, Value* result) {
  return RunProgram(program, bag, state, result);
}

// Hot path: no allocation, no string hashing.
bool RunProgram(const Program& program, const Bag& bag, EvalState& state, Value* result) {
  state.Begin(program);
  if (&bag.vocabulary() == program.vocabulary.get()) {
    return Run</*kByName=*/false>(program, bag, state, result);
  }
  return Run</*kByName=*/true>(program, bag, state, result);
}

}  // namespace mixlet::expr_internal
