#include "mixlet/expr/function_registry.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "expr/builtins.h"
#include "expr/eval_state.h"

namespace mixlet {

absl::string_view FunctionCall::CopyString(absl::string_view bytes) {
  return state_->arena().Copy(bytes);
}

void FunctionCall::Fail(absl::string_view message) {
  state_->Fail(expr_internal::EvalErrorCode::kInvalidArgument, message);
}

absl::Status FunctionRegistry::Register(FunctionSignature signature, FunctionImpl impl) {
  const std::string& name = signature.name;
  if (name.empty()) return absl::InvalidArgumentError("function name must not be empty");
  if (expr_internal::FindBuiltin(name) != nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("function '", name, "' is a built-in and cannot be registered"));
  }
  const bool receiver = signature.form == FunctionForm::kReceiver;
  if (Find(name, signature.form) != nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("function '", name,
                                                   "' is already registered as a ",
                                                   receiver ? "receiver" : "global", " function"));
  }
  if (receiver && signature.parameters.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "receiver function '", name, "' needs the receiver's type as its first parameter"));
  }
  if (signature.parameters.size() > 255) {
    return absl::InvalidArgumentError(
        absl::StrCat("function '", name, "' has more than 255 parameters"));
  }
  for (size_t i = 0; i < signature.parameters.size(); ++i) {
    const ValueType t = signature.parameters[i];
    if (t == ValueType::kUnspecified || static_cast<int>(t) >= kValueTypeCount) {
      return absl::InvalidArgumentError(
          absl::StrCat("function '", name, "': parameter ", i + 1, " has no value type"));
    }
  }
  if (signature.result == ValueType::kUnspecified ||
      static_cast<int>(signature.result) >= kValueTypeCount) {
    return absl::InvalidArgumentError(
        absl::StrCat("function '", name, "': the result has no value type"));
  }
  if (impl == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("function '", name, "' has no implementation"));
  }
  entries_.push_back(Entry{std::move(signature), impl});
  return absl::OkStatus();
}

const FunctionRegistry::Entry* FunctionRegistry::Find(absl::string_view name,
                                                      FunctionForm form) const {
  for (const Entry& e : entries_) {
    if (e.signature.name == name && e.signature.form == form) return &e;
  }
  return nullptr;
}

}  // namespace mixlet
