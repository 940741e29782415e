#include "expr/builtins.h"

namespace mixlet::expr_internal {
namespace {

constexpr ValueType kT = kGeneric;
constexpr ValueType kS = ValueType::kString;
constexpr ValueType kB = ValueType::kBool;

constexpr ValueType kNone[] = {kT};  // only its empty prefix is used
constexpr ValueType kTT[] = {kT, kT};
constexpr ValueType kBB[] = {kB, kB};
constexpr ValueType kMapS[] = {ValueType::kStringMap, kS};
constexpr ValueType kBTT[] = {kB, kT, kT};
constexpr ValueType kBSS[] = {kB, kS, kS};
constexpr ValueType kSArg[] = {kS};
constexpr ValueType kSS[] = {kS, kS};

constexpr FunctionForm kG = FunctionForm::kGlobal;
constexpr FunctionForm kR = FunctionForm::kReceiver;

// One row per built-in: name, form, receiver type, parameters, result, id, meaning.
// ORDER: BuiltinId.
constexpr FunctionDef kBuiltins[] = {
    {"EQ", kG, kT, kTT, kB, BuiltinId::kEq, "a == b: typed equality", nullptr},
    {"NEQ", kG, kT, kTT, kB, BuiltinId::kNeq, "a != b: negated typed equality", nullptr},
    {"LT", kG, kT, kTT, kB, BuiltinId::kLt, "a < b", nullptr},
    {"LEQ", kG, kT, kTT, kB, BuiltinId::kLeq, "a <= b", nullptr},
    {"GT", kG, kT, kTT, kB, BuiltinId::kGt, "a > b", nullptr},
    {"GEQ", kG, kT, kTT, kB, BuiltinId::kGeq, "a >= b", nullptr},
    {"OR", kG, kT, kTT, kT, BuiltinId::kOr, "a | b: a when present, else b", nullptr},
    {"LOR", kG, kT, kBB, kB, BuiltinId::kLor, "a || b, short-circuit", nullptr},
    {"LAND", kG, kT, kBB, kB, BuiltinId::kLand, "a && b, short-circuit", nullptr},
    {"INDEX", kG, kT, kMapS, kS, BuiltinId::kIndex, "m[k]: the value of key k, \"\" if missing",
     nullptr},
    {"conditional", kG, kT, kBTT, kT, BuiltinId::kConditional,
     "conditional(c, x, y): x if c else y; only the chosen branch is evaluated", nullptr},
    {"ADD", kG, kT, kTT, kT, BuiltinId::kAdd,
     "a + b: string concatenation, wrapping int64 or IEEE double addition", nullptr},
    {"size", kG, kT, kSArg, ValueType::kInt64, BuiltinId::kSize, "size(s): length of s in bytes",
     nullptr},
    {"ip", kG, kT, kSArg, ValueType::kIpAddress, BuiltinId::kIp,
     "ip(s): parse an IPv4 or IPv6 address", nullptr},
    {"timestamp", kG, kT, kSArg, ValueType::kTimestamp, BuiltinId::kTimestamp,
     "timestamp(s): parse an RFC 3339 time", nullptr},
    {"dnsName", kG, kT, kSArg, ValueType::kDnsName, BuiltinId::kDnsName,
     "dnsName(s): validate a DNS name (IDNA)", nullptr},
    {"email", kG, kT, kSArg, ValueType::kEmailAddress, BuiltinId::kEmail,
     "email(s): validate an e-mail address", nullptr},
    {"uri", kG, kT, kSArg, ValueType::kUri, BuiltinId::kUri, "uri(s): validate a URI", nullptr},
    {"match", kG, kT, kSS, kB, BuiltinId::kMatch,
     "match(s, glob): prefix match for \"p*\", suffix match for \"*s\", else equality", nullptr},
    {"matches", kR, kS, kSArg, kB, BuiltinId::kMatches,
     "pattern.matches(s): RE2 search of s (unanchored)", nullptr},
    {"startsWith", kR, kS, kSArg, kB, BuiltinId::kStartsWith, "s.startsWith(p): s has prefix p",
     nullptr},
    {"endsWith", kR, kS, kSArg, kB, BuiltinId::kEndsWith, "s.endsWith(p): s has suffix p", nullptr},
    {"emptyStringMap", kG, kT, absl::Span<const ValueType>(kNone, 0), ValueType::kStringMap,
     BuiltinId::kEmptyStringMap, "emptyStringMap(): a map with no entries", nullptr},
    {"conditionalString", kG, kT, kBSS, kS, BuiltinId::kConditionalString,
     "conditionalString(c, x, y): x if c else y; all arguments are evaluated", nullptr},
    {"toLower", kG, kT, kSArg, kS, BuiltinId::kToLower,
     "toLower(s): Unicode lower case (Go's strings.ToLower)", nullptr},
};
static_assert(sizeof(kBuiltins) / sizeof(kBuiltins[0]) == kBuiltinCount, "one row per BuiltinId");

}  // namespace

absl::Span<const FunctionDef> Builtins() { return kBuiltins; }

const FunctionDef* FindBuiltin(absl::string_view name) {
  for (const FunctionDef& def : kBuiltins) {
    if (def.name == name) return &def;
  }
  return nullptr;
}

}  // namespace mixlet::expr_internal
