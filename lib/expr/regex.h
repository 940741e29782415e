// Regular expressions for `pattern.matches(s)`: RE2 with the options that make it behave as
// Go's regexp.MatchString (RE2 syntax, UTF-8, unanchored search), and Go's error messages for
// bad patterns. This file is the only place that converts between absl::string_view and RE2's
// StringPiece.
#ifndef MIXLET_LIB_EXPR_REGEX_H_
#define MIXLET_LIB_EXPR_REGEX_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "re2/re2.h"

namespace mixlet::expr_internal {

// Compiles `pattern`. InvalidArgument with Go's message for a bad pattern, e.g.
// "error parsing regexp: missing closing ): `(`".
absl::StatusOr<std::unique_ptr<RE2>> CompileRegex(absl::string_view pattern);

// A regular expression that only matches one literal text: `Mobile.*` (contains "Mobile"),
// `^/api/` (prefix), `\.svc$` (suffix), `^ok$` (exact). Such a pattern is compiled to a byte
// search instead of an RE2 program: same answer, a fraction of the cost.
struct RegexLiteral {
  enum class Kind { kContains, kPrefix, kSuffix, kExact };
  Kind kind;
  std::string text;
};

// The literal `pattern` (a valid RE2 pattern) stands for, or nullopt when it uses any
// regular-expression feature besides `^`, `$`, a leading or trailing `.*` and escaped
// punctuation.
absl::optional<RegexLiteral> LiteralOfRegex(absl::string_view pattern);

// True when `re` matches somewhere in `subject` (Go's MatchString). Hot path: no allocation.
inline bool RegexSearch(const RE2& re, absl::string_view subject) {
  return RE2::PartialMatch(re2::StringPiece(subject.data(), subject.size()), re);
}

}  // namespace mixlet::expr_internal

#endif  // MIXLET_LIB_EXPR_REGEX_H_
