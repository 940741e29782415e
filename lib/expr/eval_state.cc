#include "expr/eval_state.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "expr/regex.h"

namespace mixlet::expr_internal {

char* StringArena::Allocate(size_t n) {
  if (n == 0) n = 1;  // Keep returned pointers distinct and non-null.
  while (block_ < blocks_.size()) {
    Block& b = blocks_[block_];
    if (b.size - used_ >= n) {
      char* p = b.bytes.get() + used_;
      used_ += n;
      return p;
    }
    // Try the next block; if it is too small for `n`, replace it with one that fits.
    ++block_;
    used_ = 0;
    if (block_ < blocks_.size() && blocks_[block_].size < n) {
      blocks_[block_].bytes = std::make_unique<char[]>(n);
      blocks_[block_].size = n;
    }
  }
  const size_t last = blocks_.empty() ? 0 : blocks_.back().size;
  const size_t size = std::max({n, 2 * last, size_t{256}});
  blocks_.push_back(Block{std::make_unique<char[]>(size), size});
  block_ = blocks_.size() - 1;
  used_ = n;
  return blocks_.back().bytes.get();
}

absl::string_view StringArena::Copy(absl::string_view bytes) {
  char* p = Allocate(bytes.size());
  if (!bytes.empty()) std::memcpy(p, bytes.data(), bytes.size());
  return absl::string_view(p, bytes.size());
}

EvalState::EvalState() {
  stack_.resize(16);
  error_operand_.reserve(64);
}

void EvalState::Grow(int slots) { stack_.resize(static_cast<size_t>(slots)); }

absl::Status EvalState::error() const {
  switch (error_code_) {
    case EvalErrorCode::kNone:
      return absl::OkStatus();
    case EvalErrorCode::kLookupFailed:
      return absl::NotFoundError(absl::StrCat("lookup failed: '", error_operand_, "'"));
    case EvalErrorCode::kBadIp:
      return absl::InvalidArgumentError(
          absl::StrCat("could not convert ", error_operand_, " to IP_ADDRESS"));
    case EvalErrorCode::kBadTimestamp:
      return absl::InvalidArgumentError(
          absl::StrCat("could not convert '", error_operand_,
                       "' to TIMESTAMP. expected format: '2006-01-02T15:04:05Z07:00'"));
    case EvalErrorCode::kInvalidArgument:
      return absl::InvalidArgumentError(error_operand_);
    case EvalErrorCode::kInternal:
      return absl::InternalError(error_operand_);
  }
  return absl::InternalError("unknown evaluation error");
}

const RE2* EvalState::DynamicRegex(absl::string_view pattern) {
  for (const CachedRegex& c : regex_cache_) {
    if (c.pattern == pattern) return c.re.get();
  }
  absl::StatusOr<std::unique_ptr<RE2>> re = CompileRegex(pattern);
  if (!re.ok()) {
    Fail(EvalErrorCode::kInvalidArgument, re.status().message());
    return nullptr;
  }
  CachedRegex entry{std::string(pattern), *std::move(re)};
  const RE2* result = entry.re.get();
  if (regex_cache_.size() < kRegexCacheSize) {
    regex_cache_.push_back(std::move(entry));
  } else {
    regex_cache_[regex_next_] = std::move(entry);
    regex_next_ = (regex_next_ + 1) % kRegexCacheSize;
  }
  return result;
}

}  // namespace mixlet::expr_internal
