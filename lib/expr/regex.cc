#include "expr/regex.h"

#include <cctype>
#include <string>

#include "absl/strings/str_cat.h"

namespace mixlet::expr_internal {
namespace {

// Go's regexp/syntax ErrorCode text for each RE2 error code.
absl::string_view GoErrorText(RE2::ErrorCode code) {
  switch (code) {
    case RE2::ErrorBadEscape:
      return "invalid escape sequence";
    case RE2::ErrorBadCharClass:
      return "invalid character class";
    case RE2::ErrorBadCharRange:
      return "invalid character class range";
    case RE2::ErrorMissingBracket:
      return "missing closing ]";
    case RE2::ErrorMissingParen:
      return "missing closing )";
    case RE2::ErrorUnexpectedParen:
      return "unexpected )";
    case RE2::ErrorTrailingBackslash:
      return "trailing backslash at end of expression";
    case RE2::ErrorRepeatArgument:
      return "missing argument to repetition operator";
    case RE2::ErrorRepeatSize:
      return "invalid repeat count";
    case RE2::ErrorRepeatOp:
      return "invalid nested repetition operator";
    case RE2::ErrorBadPerlOp:
      return "invalid or unsupported Perl syntax";
    case RE2::ErrorBadUTF8:
      return "invalid UTF-8";
    case RE2::ErrorBadNamedCapture:
      return "invalid named capture";
    case RE2::ErrorPatternTooLarge:
      return "expression too large";
    default:
      return "regexp/syntax: internal error";
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<RE2>> CompileRegex(absl::string_view pattern) {
  RE2::Options options;
  options.set_log_errors(false);
  options.set_encoding(RE2::Options::EncodingUTF8);
  auto re = std::make_unique<RE2>(re2::StringPiece(pattern.data(), pattern.size()), options);
  if (!re->ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "error parsing regexp: ", GoErrorText(re->error_code()), ": `", re->error_arg(), "`"));
  }
  return re;
}

namespace {

bool IsMeta(char c) {
  switch (c) {
    case '\\':
    case '.':
    case '+':
    case '*':
    case '?':
    case '(':
    case ')':
    case '|':
    case '[':
    case ']':
    case '{':
    case '}':
    case '^':
    case '$':
      return true;
    default:
      return false;
  }
}

// Whether pattern[i] is preceded by an odd number of backslashes (is escaped).
bool Escaped(absl::string_view pattern, size_t i) {
  size_t n = 0;
  while (i > 0 && pattern[i - 1] == '\\') {
    ++n;
    --i;
  }
  return n % 2 == 1;
}

}  // namespace

absl::optional<RegexLiteral> LiteralOfRegex(absl::string_view pattern) {
  bool start_anchor = false, end_anchor = false;
  if (!pattern.empty() && pattern.front() == '^') {
    start_anchor = true;
    pattern.remove_prefix(1);
  }
  // `.*` can match the empty string, so at either end it changes nothing but the anchoring.
  while (pattern.size() >= 2 && pattern[0] == '.' && pattern[1] == '*') {
    start_anchor = false;
    pattern.remove_prefix(2);
  }
  for (;;) {
    const size_t n = pattern.size();
    if (n >= 1 && pattern[n - 1] == '$' && !Escaped(pattern, n - 1) && !end_anchor) {
      end_anchor = true;
      pattern.remove_suffix(1);
    } else if (n >= 2 && pattern[n - 2] == '.' && pattern[n - 1] == '*' &&
               !Escaped(pattern, n - 2)) {
      end_anchor = false;
      pattern.remove_suffix(2);
    } else {
      break;
    }
  }
  RegexLiteral literal;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\') {
      // An escaped ASCII punctuation character stands for itself; other escapes (\d, \b,
      // \x41, \Q...) are regular-expression features.
      if (i + 1 >= pattern.size()) return absl::nullopt;
      const unsigned char e = static_cast<unsigned char>(pattern[i + 1]);
      if (e >= 0x80 || !std::ispunct(e)) return absl::nullopt;
      literal.text.push_back(static_cast<char>(e));
      ++i;
      continue;
    }
    if (IsMeta(c)) return absl::nullopt;
    literal.text.push_back(c);
  }
  literal.kind = start_anchor && end_anchor ? RegexLiteral::Kind::kExact
                 : start_anchor             ? RegexLiteral::Kind::kPrefix
                 : end_anchor               ? RegexLiteral::Kind::kSuffix
                                            : RegexLiteral::Kind::kContains;
  return literal;
}

}  // namespace mixlet::expr_internal
