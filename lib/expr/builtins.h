// The functions of CEXL: Mixer's intrinsics (the operators, `conditional`, `size`) and its
// externs (`match`, `ip`, `toLower`, ...), in one table of name, form, signature and meaning.
// The checker resolves calls against it (and against a FunctionRegistry for embedder
// functions); the code generator and the constant folder switch on `BuiltinId`.
#ifndef MIXLET_LIB_EXPR_BUILTINS_H_
#define MIXLET_LIB_EXPR_BUILTINS_H_

#include <cstdint>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "mixlet/expr/function_registry.h"
#include "mixlet/value/value_type.h"

namespace mixlet::expr_internal {

// A parameter or result typed `kGeneric` is Mixer's "T": it takes the type of the first generic
// argument (or of the receiver), and every other generic argument must have that type.
inline constexpr ValueType kGeneric = ValueType::kUnspecified;

// ORDER: the rows of `Builtins()` (builtins.cc) follow this enumeration; kExtern is last.
enum class BuiltinId : uint8_t {
  kEq,
  kNeq,
  kLt,
  kLeq,
  kGt,
  kGeq,
  kOr,
  kLor,
  kLand,
  kIndex,
  kConditional,
  kAdd,
  kSize,
  kIp,
  kTimestamp,
  kDnsName,
  kEmail,
  kUri,
  kMatch,
  kMatches,
  kStartsWith,
  kEndsWith,
  kEmptyStringMap,
  kConditionalString,
  kToLower,
  kExtern,  // a function of a FunctionRegistry
};

inline constexpr int kBuiltinCount = static_cast<int>(BuiltinId::kExtern);

struct FunctionDef {
  absl::string_view name;
  FunctionForm form;
  // kReceiver only: the receiver's type (kGeneric: any type, which becomes T).
  ValueType receiver;
  // The explicit parameters (the receiver excluded).
  absl::Span<const ValueType> params;
  ValueType result;
  BuiltinId id;
  // What the function does, one line (for docs and the disassembler).
  absl::string_view meaning;
  // kExtern only: the registered function.
  const FunctionRegistry::Entry* entry;
};

// Every built-in, in BuiltinId order. Static storage.
absl::Span<const FunctionDef> Builtins();

// The built-in named `name` exactly (CEXL names are case-sensitive), or nullptr.
const FunctionDef* FindBuiltin(absl::string_view name);

}  // namespace mixlet::expr_internal

#endif  // MIXLET_LIB_EXPR_BUILTINS_H_
