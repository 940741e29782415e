// FunctionRegistry: functions an embedding program adds to the expression language.
//
// Register functions before compiling; the compiler resolves calls to them by name and form
// (global `f(x)` or receiver `x.f()`), checks argument types against the signature and binds
// the implementation into the compiled program, so evaluation calls it through a plain function
// pointer. A registry is not thread-safe while being filled and immutable once handed to a
// compiler. Names of built-in functions cannot be registered again.
//
// An implementation receives its arguments (receiver first, for receiver functions) already
// type-checked. It returns true and sets `*result`, or returns false after calling
// `FunctionCall::Fail`. A string result that is not one of the arguments' bytes must be copied
// into evaluation storage with `FunctionCall::CopyString`.
//
// Example:
//   bool Reverse(FunctionCall& call, absl::Span<const Value> args, Value* result) {
//     std::string r(args[0].string().rbegin(), args[0].string().rend());
//     *result = Value::String(call.CopyString(r));
//     return true;
//   }
//   FunctionRegistry registry;
//   registry.Register({"reverse", FunctionForm::kGlobal, {ValueType::kString}, ValueType::kString},
//                     &Reverse);
//   CompilerOptions options;
//   options.functions = &registry;
#ifndef MIXLET_EXPR_FUNCTION_REGISTRY_H_
#define MIXLET_EXPR_FUNCTION_REGISTRY_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "mixlet/value/value.h"

namespace mixlet {

namespace expr_internal {
class EvalState;
}  // namespace expr_internal

enum class FunctionForm {
  kGlobal,    // f(a, b)
  kReceiver,  // a.f(b): the receiver is the first parameter
};

struct FunctionSignature {
  std::string name;
  FunctionForm form = FunctionForm::kGlobal;
  // Parameter types; for kReceiver the first is the receiver's.
  std::vector<ValueType> parameters;
  ValueType result = ValueType::kUnspecified;
};

// What an implementation can do besides computing its result.
class FunctionCall {
 public:
  // Copies `bytes` into storage that lives until the next evaluation with the same context.
  absl::string_view CopyString(absl::string_view bytes);
  // Records an evaluation error (InvalidArgument with `message`); the implementation then
  // returns false.
  void Fail(absl::string_view message);

 private:
  friend class expr_internal::EvalState;
  explicit FunctionCall(expr_internal::EvalState* state) : state_(state) {}
  expr_internal::EvalState* state_;
};

using FunctionImpl = bool (*)(FunctionCall& call, absl::Span<const Value> args, Value* result);

class FunctionRegistry {
 public:
  struct Entry {
    FunctionSignature signature;
    FunctionImpl impl;
  };

  // InvalidArgument when the name is empty, is a built-in's, is already registered in the same
  // form, or a type is kUnspecified; `impl` must not be null.
  absl::Status Register(FunctionSignature signature, FunctionImpl impl);

  // The entry for `name` in `form`, or nullptr.
  const Entry* Find(absl::string_view name, FunctionForm form) const;

  const std::vector<Entry>& entries() const { return entries_; }

 private:
  std::vector<Entry> entries_;
};

}  // namespace mixlet

#endif  // MIXLET_EXPR_FUNCTION_REGISTRY_H_
