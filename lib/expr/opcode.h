// The instruction set of compiled CEXL programs, one line of meaning per opcode (as Lua's
// lopcodes.h). A program is a flat array of `Instruction`s run by one switch loop over a stack
// of untyped `Slot`s (evaluator.h); the code generator knows every static type, so each opcode
// is typed and nothing on the stack carries a tag.
//
// Notation: `a`, `b`, `c` are the instruction's 32-bit operands, `d` its 16-bit one and `aux`
// its 8-bit one; [x y] is
// the top of the stack before -> after (y on top); K[i] is constant i; A is the attribute with
// id `a`; "strict" loads fail with `lookup failed: '<name>'` when A is absent.
#ifndef MIXLET_LIB_EXPR_OPCODE_H_
#define MIXLET_LIB_EXPR_OPCODE_H_

#include <cstdint>

#include "absl/strings/string_view.h"

namespace mixlet::expr_internal {

// X(enumerator, mnemonic, meaning). ORDER: free; kOpcodeCount counts the rows.
#define MIXLET_EXPR_OPCODES(X)                                                                   \
  X(kConst, "const", "[] -> [K[a]]")                                                             \
  X(kLoadStr, "load_str", "[] -> [A]; A a string-like or IP attribute; strict")                 \
  X(kLoadInt, "load_int", "[] -> [A]; A an INT64 or DURATION (nanoseconds) attribute; strict")  \
  X(kLoadDouble, "load_double", "[] -> [A]; strict")                                             \
  X(kLoadBool, "load_bool", "[] -> [A]; strict")                                                 \
  X(kLoadTime, "load_time", "[] -> [A]; strict")                                                 \
  X(kLoadMap, "load_map", "[] -> [A]; strict")                                                   \
  X(kTryLoadStr, "try_load_str", "A present: [] -> [A], jump to c; absent: [] -> []")           \
  X(kTryLoadInt, "try_load_int", "as try_load_str, INT64 or DURATION")                          \
  X(kTryLoadDouble, "try_load_double", "as try_load_str, DOUBLE")                               \
  X(kTryLoadBool, "try_load_bool", "as try_load_str, BOOL")                                     \
  X(kTryLoadTime, "try_load_time", "as try_load_str, TIMESTAMP")                                \
  X(kTryLoadMap, "try_load_map", "as try_load_str, STRING_MAP")                                 \
  X(kLoadOrConst, "load_or_const", "[] -> [A if present else K[b]]; aux = representation")      \
  X(kLoadIndex, "load_index", "[] -> [A[K[b]], or \"\" when the key is missing]; strict")      \
  X(kTryLoadIndex, "try_load_index",                                                             \
    "A present with key K[b]: [] -> [A[K[b]]], jump to c; else [] -> []")                       \
  X(kLoadIndexOrConst, "load_index_or_const",                                                    \
    "[] -> [A[K[b]] if A is present with that key, else K[c]]")                                 \
  X(kAttrTest, "attr_test",                                                                      \
    "[] -> [A T K[b]]; string-like A; strict; T = aux>>2: ==, prefix, suffix, contains (Test); "  \
    "aux&2 negates")                                                                             \
  X(kIndexTest, "index_test",                                                                    \
    "[] -> [A[K[b]] T K[d]] (\"\" for a missing key); strict; T and aux as attr_test")           \
  X(kIndex, "index", "[m k] -> [m[k], or \"\" when k is missing]")                              \
  X(kIndexConst, "index_const", "[m] -> [m[K[b]], or \"\" when missing]")                       \
  X(kTryIndex, "try_index", "[m k] -> k in m: [m[k]], jump to c; else []")                      \
  X(kTryIndexConst, "try_index_const", "[m] -> K[b] in m: [m[K[b]]], jump to c; else []")       \
  X(kJump, "jump", "jump to a")                                                                  \
  X(kJumpIfFalse, "jump_if_false", "[b] -> []; jump to a when b is false")                      \
  X(kJumpIfFalseOrPop, "jump_if_false_or_pop", "[b] -> b false: [b], jump to a; true: []")      \
  X(kJumpIfTrueOrPop, "jump_if_true_or_pop", "[b] -> b true: [b], jump to a; false: []")        \
  X(kPop, "pop", "[x] -> []")                                                                    \
  X(kReturn, "return", "[x] -> the result x")                                                   \
  X(kEqStr, "eq_str", "[x y] -> [x == y]; bytes; aux&1: y is K[b]; aux&2 negates")              \
  X(kEqInt, "eq_int", "[x y] -> [x == y]; INT64, DURATION; aux as eq_str")                      \
  X(kEqDouble, "eq_double", "[x y] -> [x == y]; same 64-bit pattern; aux as eq_str")            \
  X(kEqBool, "eq_bool", "[x y] -> [x == y]; aux as eq_str")                                     \
  X(kEqTime, "eq_time", "[x y] -> [x == y]; same instant; aux as eq_str")                       \
  X(kEqIp, "eq_ip", "[x y] -> [x == y]; IPv4 equals its IPv4-mapped form; aux as eq_str")       \
  X(kEqDns, "eq_dns", "[x y] -> [x == y]; DNS names (IDNA mapping); may fail; aux as eq_str")   \
  X(kEqEmail, "eq_email", "[x y] -> [x == y]; parsed e-mail addresses; may fail; aux as eq_str") \
  X(kEqUri, "eq_uri", "[x y] -> [x == y]; parsed URIs; may fail; aux as eq_str")                \
  X(kCmpStr, "cmp_str", "[x y] -> [x R y]; bytes; R = aux>>2 (< <= > >=); aux&1: y is K[b]")    \
  X(kCmpInt, "cmp_int", "[x y] -> [x R y]; aux as cmp_str")                                      \
  X(kCmpDouble, "cmp_double", "[x y] -> [x R y]; IEEE order; aux as cmp_str")                   \
  X(kCmpTime, "cmp_time", "[x y] -> [x R y]; instants; aux as cmp_str")                         \
  X(kAddStr, "add_str", "[x y] -> [x + y]; concatenation; aux&1: y is K[b]")                    \
  X(kAddInt, "add_int", "[x y] -> [x + y]; wraps; aux&1: y is K[b]")                            \
  X(kAddDouble, "add_double", "[x y] -> [x + y]; aux&1: y is K[b]")                             \
  X(kSize, "size", "[s] -> [len(s) in bytes]")                                                   \
  X(kMatchGlob, "match_glob", "[s p] -> [match(s, p)]: p* prefix, *p suffix, else equality")    \
  X(kStartsWith, "starts_with", "[s p] -> [s has prefix p]; aux&1: p is K[b]")                  \
  X(kEndsWith, "ends_with", "[s p] -> [s has suffix p]; aux&1: p is K[b]")                      \
  X(kContains, "contains", "[s p] -> [p occurs in s]; aux&1: p is K[b]")                         \
  X(kRegexMatch, "regex_match", "[s] -> [RE2 b finds a match in s]")                            \
  X(kRegexMatchDynamic, "regex_match_dynamic", "[p s] -> [RE2(p) finds a match in s]; may fail") \
  X(kToLower, "to_lower", "[s] -> [strings.ToLower(s)]")                                         \
  X(kIp, "ip", "[s] -> [ip(s)]; may fail")                                                       \
  X(kTimestamp, "timestamp", "[s] -> [timestamp(s)]; may fail")                                  \
  X(kDnsName, "dns_name", "[s] -> [dnsName(s)]; may fail")                                       \
  X(kEmail, "email", "[s] -> [email(s)]; may fail")                                              \
  X(kUri, "uri", "[s] -> [uri(s)]; may fail")                                                    \
  X(kSelect, "select", "[c x y] -> [c ? x : y]")                                                 \
  X(kCallExtern, "call", "[args...] -> [f(args...)]; f = registered function a, aux arguments")

enum class Opcode : uint8_t {
#define MIXLET_EXPR_OPCODE_ENUM(e, mnemonic, meaning) e,
  MIXLET_EXPR_OPCODES(MIXLET_EXPR_OPCODE_ENUM)
#undef MIXLET_EXPR_OPCODE_ENUM
};

inline constexpr int kOpcodeCount = 0
#define MIXLET_EXPR_OPCODE_COUNT(e, mnemonic, meaning) +1
    MIXLET_EXPR_OPCODES(MIXLET_EXPR_OPCODE_COUNT)
#undef MIXLET_EXPR_OPCODE_COUNT
    ;

// The mnemonic ("load_str") and the meaning of an opcode.
absl::string_view OpcodeName(Opcode op);
absl::string_view OpcodeMeaning(Opcode op);

// `aux` bits.
inline constexpr uint8_t kAuxConstRhs = 1;  // the right operand is K[b], not popped
inline constexpr uint8_t kAuxNegate = 2;    // eq_*: the result is negated (!=)
// A boolean instruction fused with the `&&` / `||` jump that follows it: when the result is
// false (resp. true) it is pushed and execution jumps to c; otherwise nothing is pushed and
// execution continues (the right operand of `&&` / `||` comes next). Saves one dispatch per
// operand. Allowed on attr_test, index_test, eq_*, cmp_*, starts_with, ends_with, contains,
// regex_match.
inline constexpr uint8_t kAuxBranchIfFalse = 0x10;
inline constexpr uint8_t kAuxBranchIfTrue = 0x20;
// cmp_*: the relation, stored in aux >> 2 (two bits).
enum class Relation : uint8_t { kLt = 0, kLe = 1, kGt = 2, kGe = 3 };
// attr_test, index_test: the string test, stored in aux >> 2 (two bits).
enum class Test : uint8_t { kEquals = 0, kPrefix = 1, kSuffix = 2, kContains = 3 };

// How a value sits in a stack slot; `load_or_const` names it in `aux`.
enum class Rep : uint8_t { kStr, kInt, kDouble, kBool, kTime, kMap };

struct Instruction {
  Opcode op;
  uint8_t aux = 0;
  uint16_t d = 0;
  uint32_t a = 0;
  uint32_t b = 0;
  uint32_t c = 0;
};
static_assert(sizeof(Instruction) == 16, "instructions stay compact");

}  // namespace mixlet::expr_internal

#endif  // MIXLET_LIB_EXPR_OPCODE_H_
