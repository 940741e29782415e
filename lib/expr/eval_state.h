// EvalState: the scratch space behind an `EvalContext`.
//
// A fixed value stack (grown to the deepest program evaluated, then reused), an arena for the
// strings an evaluation derives (concatenation, toLower, dnsName, ip bytes), a tiny cache of RE2
// objects for patterns only known at evaluation time, and the last error recorded as a code and
// an operand. Recording an error is cheap (a code and a copy of a name into a reused buffer);
// the message and the Status are built only by `EvalContext::error()`.
#ifndef MIXLET_LIB_EXPR_EVAL_STATE_H_
#define MIXLET_LIB_EXPR_EVAL_STATE_H_

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "expr/program.h"
#include "mixlet/expr/expression.h"
#include "mixlet/expr/function_registry.h"
#include "re2/re2.h"

namespace mixlet::expr_internal {

// Bump allocator for derived strings. Earlier allocations never move; `Reset` makes the memory
// reusable, so a warm arena allocates nothing.
class StringArena {
 public:
  // `n` bytes valid until Reset.
  char* Allocate(size_t n);
  absl::string_view Copy(absl::string_view bytes);
  void Reset() {
    block_ = 0;
    used_ = 0;
  }

 private:
  struct Block {
    std::unique_ptr<char[]> bytes;
    size_t size;
  };
  std::vector<Block> blocks_;
  size_t block_ = 0;  // index of the block being filled
  size_t used_ = 0;   // bytes used in it
};

enum class EvalErrorCode : uint8_t {
  kNone,
  kLookupFailed,     // operand: attribute name -> NotFound("lookup failed: '<name>'")
  kBadIp,            // operand: ip()'s input -> "could not convert <s> to IP_ADDRESS"
  kBadTimestamp,     // operand: timestamp()'s input -> "could not convert '<s>' to TIMESTAMP..."
  kInvalidArgument,  // operand: the whole message
  kInternal,         // operand: the whole message
};

class EvalState {
 public:
  EvalState();
  EvalState(const EvalState&) = delete;
  EvalState& operator=(const EvalState&) = delete;

  // The state behind `ctx`.
  static EvalState& Of(EvalContext& ctx) { return *ctx.state_; }

  // Prepares for one evaluation of `program`: stack large enough, arena and error cleared.
  // Allocates only when `program` needs a deeper stack than any before.
  void Begin(const Program& program) {
    if (stack_.size() < static_cast<size_t>(program.max_stack)) Grow(program.max_stack);
    arena_.Reset();
    error_code_ = EvalErrorCode::kNone;
  }

  // Marks the evaluation as successful (fast paths, which skip Begin).
  void ClearError() { error_code_ = EvalErrorCode::kNone; }

  Slot* stack() { return stack_.data(); }
  StringArena& arena() { return arena_; }

  void FailLookup(absl::string_view attribute) {
    error_code_ = EvalErrorCode::kLookupFailed;
    error_operand_.assign(attribute.data(), attribute.size());
  }
  // Records `code` with its operand (see EvalErrorCode).
  void Fail(EvalErrorCode code, absl::string_view operand) {
    error_code_ = code;
    error_operand_.assign(operand.data(), operand.size());
  }
  bool failed() const { return error_code_ != EvalErrorCode::kNone; }
  absl::Status error() const;

  // The compiled pattern (cached), or null after recording the compile error.
  const RE2* DynamicRegex(absl::string_view pattern);

  // Scratch arguments for a registered function.
  std::vector<Value>& call_args() { return call_args_; }
  FunctionCall MakeCall() { return FunctionCall(this); }

 private:
  void Grow(int slots);

  struct CachedRegex {
    std::string pattern;
    std::unique_ptr<RE2> re;
  };
  static constexpr size_t kRegexCacheSize = 8;

  std::vector<Slot> stack_;
  StringArena arena_;
  EvalErrorCode error_code_ = EvalErrorCode::kNone;
  std::string error_operand_;
  std::vector<CachedRegex> regex_cache_;
  size_t regex_next_ = 0;  // round-robin replacement
  std::vector<Value> call_args_;
};

}  // namespace mixlet::expr_internal

#endif  // MIXLET_LIB_EXPR_EVAL_STATE_H_
