// UTF-8 and the few Unicode properties CEXL depends on, with Go's semantics: decoding as Go's
// `unicode/utf8` does (an invalid byte decodes as U+FFFD with width 1), identifier letters and
// digits as `unicode.IsLetter` / `unicode.IsDigit`, and `strings.ToLower` (simple case mapping,
// rune by rune). The tables are generated from Go's standard library (unicode_tables.inc), so
// every range is covered; the Unicode version is `UnicodeVersion()`.
#ifndef MIXLET_LIB_EXPR_UNICODE_H_
#define MIXLET_LIB_EXPR_UNICODE_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace mixlet::expr_internal {

inline constexpr char32_t kRuneError = 0xFFFD;

// Decodes the rune starting at `s[0]` (s non-empty). Returns its width in bytes; an invalid or
// truncated encoding, a surrogate or a value above U+10FFFF decodes as (kRuneError, 1).
int DecodeRune(absl::string_view s, char32_t* rune);

// Appends the UTF-8 encoding of `rune` (kRuneError for invalid values) to `out`.
void AppendRune(char32_t rune, std::string* out);
// Bytes `AppendRune` writes for `rune`.
int RuneLength(char32_t rune);

// Go's unicode.IsLetter / unicode.IsDigit.
bool IsUnicodeLetter(char32_t rune);
bool IsUnicodeDigit(char32_t rune);

// Go's unicode.ToLower (simple case mapping).
char32_t ToLowerRune(char32_t rune);

// The number of bytes Go's strings.ToLower(s) returns, and the mapping itself, written to `out`
// (which must have room for `LowerCaseSize(s)` bytes). ASCII-only strings are lower-cased
// byte by byte; any other string rune by rune, an invalid byte becoming U+FFFD.
size_t LowerCaseSize(absl::string_view s);
void LowerCaseInto(absl::string_view s, char* out);
// True when strings.ToLower(s) == s (the result can then borrow `s`).
bool IsLowerCaseFixedPoint(absl::string_view s);

// The Unicode version of the tables, e.g. "13.0.0".
absl::string_view UnicodeVersion();

}  // namespace mixlet::expr_internal

#endif  // MIXLET_LIB_EXPR_UNICODE_H_
