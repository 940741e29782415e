// Lexer: CEXL text -> tokens, following Go's lexical rules (go/scanner) exactly where they decide
// whether an expression is accepted: literal forms and their validation (digit separators,
// octal digits, hex floats, escapes), comments, and automatic semicolons at line breaks.
//
// The lexer is pulled one token at a time by the parser (as Go's parser pulls its scanner), so
// the first error in reading order is the one reported. Literal values are decoded separately
// (`UnquoteLiteral`, `ParseIntLiteral`, `ParseFloatLiteral`) with Go's strconv semantics, which
// is what Mixer applied to the literal text.
#ifndef MIXLET_LIB_EXPR_LEXER_H_
#define MIXLET_LIB_EXPR_LEXER_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "expr/token.h"

namespace mixlet::expr_internal {

// A problem in the source text and where it is.
struct SourceError {
  std::string message;  // e.g. "illegal character U+0040 '@'"
  int offset = 0;       // byte offset in the text
};

class Lexer {
 public:
  // `text` must outlive the lexer and the tokens it returns.
  explicit Lexer(absl::string_view text);

  // Scans the next token into `*token`. Returns false when the text at that point is malformed;
  // `error()` then says what and where. After kEof, keeps returning kEof.
  bool Next(Token* token);

  const SourceError& error() const { return error_; }

 private:
  bool Fail(int offset, std::string message);
  // Reads the rune at `pos_` into `ch_` (-1 at the end); records a UTF-8 / NUL error.
  bool Advance();
  bool SkipWhitespaceAndComments(bool* newline_seen);
  bool ScanNumber(Token* token);
  bool ScanDigits(int base, int* invalid, int* digsep);
  bool ScanEscape(char32_t quote);
  bool ScanString(Token* token);
  bool ScanRawString(Token* token);
  bool ScanRune(Token* token);
  void ScanOperator(Token* token);

  absl::string_view text_;
  int pos_ = 0;      // offset of `ch_`
  int next_ = 0;     // offset after `ch_`
  int32_t ch_ = -1;  // current rune, -1 at the end
  bool insert_semicolon_ = false;
  SourceError error_;
};

// The value of a Go string, raw string or rune literal (quotes included in `literal`), as
// strconv.Unquote computes it. InvalidArgument("invalid syntax") for malformed text.
absl::StatusOr<std::string> UnquoteLiteral(absl::string_view literal);

// strconv.ParseInt(text, 10, 64): base 10 only, no separators. InvalidArgument with Go's message
// (`strconv.ParseInt: parsing "0x10": invalid syntax` / `... value out of range`).
absl::StatusOr<int64_t> ParseIntLiteral(absl::string_view text);

// strconv.ParseFloat(text, 64): decimal or hexadecimal (0x1p-2) floats, '_' between digits.
// InvalidArgument on syntax errors or overflow (`... value out of range`).
absl::StatusOr<double> ParseFloatLiteral(absl::string_view text);

// Go's `%#U` form of a rune: U+0040 '@' (the quoted character is left out when not printable).
std::string FormatRuneForMessage(char32_t rune);

}  // namespace mixlet::expr_internal

#endif  // MIXLET_LIB_EXPR_LEXER_H_
