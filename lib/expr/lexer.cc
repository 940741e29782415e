#include "expr/lexer.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "expr/unicode.h"

namespace mixlet::expr_internal {
namespace {

constexpr TokenKind kKeywords[] = {
    TokenKind::kBreak,       TokenKind::kCase,    TokenKind::kChan,   TokenKind::kConst,
    TokenKind::kContinue,    TokenKind::kDefault, TokenKind::kDefer,  TokenKind::kElse,
    TokenKind::kFallthrough, TokenKind::kFor,     TokenKind::kFunc,   TokenKind::kGo,
    TokenKind::kGoto,        TokenKind::kIf,      TokenKind::kImport, TokenKind::kInterface,
    TokenKind::kMap,         TokenKind::kPackage, TokenKind::kRange,  TokenKind::kReturn,
    TokenKind::kSelect,      TokenKind::kStruct,  TokenKind::kSwitch, TokenKind::kType,
    TokenKind::kVar,
};

constexpr absl::string_view kSpellings[] = {
#define MIXLET_EXPR_TOKEN_SPELLING(e, spelling) spelling,
    MIXLET_EXPR_TOKENS(MIXLET_EXPR_TOKEN_SPELLING)
#undef MIXLET_EXPR_TOKEN_SPELLING
};
static_assert(sizeof(kSpellings) / sizeof(kSpellings[0]) == kTokenKindCount,
              "one spelling per token kind");

constexpr char32_t kBom = 0xFEFF;

bool IsDecimal(int32_t ch) { return ch >= '0' && ch <= '9'; }
bool IsHex(int32_t ch) {
  return IsDecimal(ch) || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}
int32_t Lower(int32_t ch) { return ch | 0x20; }
bool IsLetter(int32_t ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' ||
         (ch >= 0x80 && IsUnicodeLetter(static_cast<char32_t>(ch)));
}
bool IsDigit(int32_t ch) {
  return IsDecimal(ch) || (ch >= 0x80 && IsUnicodeDigit(static_cast<char32_t>(ch)));
}
int DigitValue(int32_t ch) {
  if (IsDecimal(ch)) return ch - '0';
  if (Lower(ch) >= 'a' && Lower(ch) <= 'f') return Lower(ch) - 'a' + 10;
  return 16;
}

absl::string_view LiteralName(char prefix) {
  switch (prefix) {
    case 'x':
      return "hexadecimal literal";
    case 'o':
    case '0':
      return "octal literal";
    case 'b':
      return "binary literal";
    default:
      return "decimal literal";
  }
}

// Index of the first misplaced '_' in a number literal, or -1 (go/scanner's invalidSep).
int InvalidSeparator(absl::string_view x) {
  char x1 = ' ';
  char d = '.';
  size_t i = 0;
  if (x.size() >= 2 && x[0] == '0') {
    x1 = static_cast<char>(Lower(x[1]));
    if (x1 == 'x' || x1 == 'o' || x1 == 'b') {
      d = '0';
      i = 2;
    }
  }
  for (; i < x.size(); ++i) {
    char p = d;
    d = x[i];
    if (d == '_') {
      if (p != '0') return static_cast<int>(i);
    } else if (IsDecimal(d) || (x1 == 'x' && IsHex(d))) {
      d = '0';
    } else {
      if (p == '_') return static_cast<int>(i) - 1;
      d = '.';
    }
  }
  if (d == '_') return static_cast<int>(x.size()) - 1;
  return -1;
}

// Go's %q of a rune inside an error message: 'x' for printable ASCII.
std::string QuoteRune(int32_t ch) {
  if (ch >= 0x20 && ch < 0x7F) {
    if (ch == '\'' || ch == '\\')
      return absl::StrCat("'\\", std::string(1, static_cast<char>(ch)), "'");
    return absl::StrCat("'", std::string(1, static_cast<char>(ch)), "'");
  }
  std::string s = "'";
  AppendRune(static_cast<char32_t>(ch), &s);
  s += "'";
  return s;
}

}  // namespace

absl::string_view TokenSpelling(TokenKind kind) { return kSpellings[static_cast<int>(kind)]; }

TokenKind LookupKeyword(absl::string_view word) {
  for (TokenKind k : kKeywords) {
    if (kSpellings[static_cast<int>(k)] == word) return k;
  }
  return TokenKind::kIdent;
}

std::string FormatRuneForMessage(char32_t rune) {
  std::string out = absl::StrFormat("U+%04X", static_cast<uint32_t>(rune));
  // Go's %#U adds the character when it is printable; control characters are left out.
  bool printable = rune >= 0x20 && rune != 0x7F && !(rune >= 0x80 && rune < 0xA0) &&
                   rune != kRuneError && rune <= 0x10FFFF && !(rune >= 0xD800 && rune <= 0xDFFF);
  if (printable) {
    out += " '";
    AppendRune(rune, &out);
    out += "'";
  }
  return out;
}

Lexer::Lexer(absl::string_view text) : text_(text) {
  Advance();
  if (ch_ == static_cast<int32_t>(kBom)) Advance();  // A leading byte order mark is ignored.
}

bool Lexer::Fail(int offset, std::string message) {
  if (error_.message.empty()) {
    error_.message = std::move(message);
    error_.offset = offset;
  }
  return false;
}

bool Lexer::Advance() {
  pos_ = next_;
  if (next_ >= static_cast<int>(text_.size())) {
    pos_ = static_cast<int>(text_.size());
    ch_ = -1;
    return true;
  }
  unsigned char c = static_cast<unsigned char>(text_[next_]);
  if (c == 0) {
    ch_ = 0;
    next_ += 1;
    return Fail(pos_, "illegal character NUL");
  }
  if (c < 0x80) {
    ch_ = c;
    next_ += 1;
    return true;
  }
  char32_t r;
  int w = DecodeRune(text_.substr(next_), &r);
  ch_ = static_cast<int32_t>(r);
  next_ += w;
  if (r == kRuneError && w == 1) return Fail(pos_, "illegal UTF-8 encoding");
  if (r == kBom && pos_ > 0) return Fail(pos_, "illegal byte order mark");
  return true;
}

bool Lexer::SkipWhitespaceAndComments(bool* newline_seen) {
  *newline_seen = false;
  for (;;) {
    while (ch_ == ' ' || ch_ == '\t' || ch_ == '\r' || (ch_ == '\n' && !insert_semicolon_)) {
      if (!Advance()) return false;
    }
    if (ch_ == '\n') {  // insert_semicolon_ is set: the newline ends the expression.
      *newline_seen = true;
      return true;
    }
    if (ch_ != '/' || next_ >= static_cast<int>(text_.size()) ||
        (text_[next_] != '/' && text_[next_] != '*')) {
      return true;
    }
    // A comment. After an operand, a comment that reaches a line end acts as the newline.
    const int start = pos_;
    if (text_[next_] == '/') {
      if (insert_semicolon_) {
        *newline_seen = true;
        return true;
      }
      while (ch_ != '\n' && ch_ >= 0) {
        if (!Advance()) return false;
      }
      continue;
    }
    if (!Advance() || !Advance()) return false;  // "/*"
    bool has_newline = false;
    for (;;) {
      if (ch_ < 0) return Fail(start, "comment not terminated");
      if (ch_ == '\n') has_newline = true;
      int32_t c = ch_;
      if (!Advance()) return false;
      if (c == '*' && ch_ == '/') {
        if (!Advance()) return false;
        break;
      }
    }
    if (has_newline && insert_semicolon_) {
      *newline_seen = true;
      return true;
    }
  }
}

bool Lexer::Next(Token* token) {
  if (!error_.message.empty()) return false;
  bool newline;
  if (!SkipWhitespaceAndComments(&newline)) return false;
  token->offset = pos_;
  if (newline || (ch_ < 0 && insert_semicolon_)) {
    // Go's automatic semicolon: after an operand, a line break (or the end) ends the statement.
    token->kind = TokenKind::kSemicolon;
    token->text = "\n";
    insert_semicolon_ = false;
    if (ch_ == '\n') {
      if (!Advance()) return false;
    } else if (ch_ == '/') {
      // The comment that stood for the newline is skipped on the next call.
      insert_semicolon_ = false;
    }
    return true;
  }
  const int start = pos_;
  bool insert = false;
  if (IsLetter(ch_)) {
    while (IsLetter(ch_) || IsDigit(ch_)) {
      if (!Advance()) return false;
    }
    token->text = text_.substr(start, pos_ - start);
    token->kind = token->text.size() > 1 ? LookupKeyword(token->text) : TokenKind::kIdent;
    insert = token->kind == TokenKind::kIdent || token->kind == TokenKind::kBreak ||
             token->kind == TokenKind::kContinue || token->kind == TokenKind::kFallthrough ||
             token->kind == TokenKind::kReturn;
  } else if (IsDecimal(ch_) ||
             (ch_ == '.' && next_ < static_cast<int>(text_.size()) && IsDecimal(text_[next_]))) {
    if (!ScanNumber(token)) return false;
    insert = true;
  } else if (ch_ < 0) {
    token->kind = TokenKind::kEof;
    token->text = absl::string_view();
    return true;
  } else if (ch_ == '"') {
    if (!ScanString(token)) return false;
    insert = true;
  } else if (ch_ == '`') {
    if (!ScanRawString(token)) return false;
    insert = true;
  } else if (ch_ == '\'') {
    if (!ScanRune(token)) return false;
    insert = true;
  } else {
    int32_t c = ch_;
    ScanOperator(token);
    if (!error_.message.empty()) return false;
    if (token->kind == TokenKind::kEof) {
      return Fail(start, absl::StrCat("illegal character ",
                                      FormatRuneForMessage(static_cast<char32_t>(c))));
    }
    insert = token->kind == TokenKind::kRparen || token->kind == TokenKind::kRbrack ||
             token->kind == TokenKind::kRbrace || token->kind == TokenKind::kInc ||
             token->kind == TokenKind::kDec;
  }
  token->offset = start;
  insert_semicolon_ = insert;
  return true;
}

void Lexer::ScanOperator(Token* token) {
  const int start = pos_;
  int32_t c = ch_;
  Advance();
  auto take = [&](int32_t expect) {
    if (ch_ == expect) {
      Advance();
      return true;
    }
    return false;
  };
  TokenKind k = TokenKind::kEof;  // kEof marks an illegal character.
  switch (c) {
    case ':':
      k = take('=') ? TokenKind::kDefine : TokenKind::kColon;
      break;
    case '.':
      if (ch_ == '.' && next_ < static_cast<int>(text_.size()) && text_[next_] == '.') {
        Advance();
        Advance();
        k = TokenKind::kEllipsis;
      } else {
        k = TokenKind::kPeriod;
      }
      break;
    case ',':
      k = TokenKind::kComma;
      break;
    case ';':
      k = TokenKind::kSemicolon;
      break;
    case '(':
      k = TokenKind::kLparen;
      break;
    case ')':
      k = TokenKind::kRparen;
      break;
    case '[':
      k = TokenKind::kLbrack;
      break;
    case ']':
      k = TokenKind::kRbrack;
      break;
    case '{':
      k = TokenKind::kLbrace;
      break;
    case '}':
      k = TokenKind::kRbrace;
      break;
    case '+':
      k = take('=') ? TokenKind::kAddAssign : take('+') ? TokenKind::kInc : TokenKind::kAdd;
      break;
    case '-':
      k = take('=') ? TokenKind::kSubAssign : take('-') ? TokenKind::kDec : TokenKind::kSub;
      break;
    case '*':
      k = take('=') ? TokenKind::kMulAssign : TokenKind::kMul;
      break;
    case '/':
      k = take('=') ? TokenKind::kQuoAssign : TokenKind::kQuo;
      break;
    case '%':
      k = take('=') ? TokenKind::kRemAssign : TokenKind::kRem;
      break;
    case '^':
      k = take('=') ? TokenKind::kXorAssign : TokenKind::kXor;
      break;
    case '<':
      if (take('-')) {
        k = TokenKind::kArrow;
      } else if (take('=')) {
        k = TokenKind::kLeq;
      } else if (take('<')) {
        k = take('=') ? TokenKind::kShlAssign : TokenKind::kShl;
      } else {
        k = TokenKind::kLss;
      }
      break;
    case '>':
      if (take('=')) {
        k = TokenKind::kGeq;
      } else if (take('>')) {
        k = take('=') ? TokenKind::kShrAssign : TokenKind::kShr;
      } else {
        k = TokenKind::kGtr;
      }
      break;
    case '=':
      k = take('=') ? TokenKind::kEql : TokenKind::kAssign;
      break;
    case '!':
      k = take('=') ? TokenKind::kNeq : TokenKind::kNot;
      break;
    case '&':
      if (take('^')) {
        k = take('=') ? TokenKind::kAndNotAssign : TokenKind::kAndNot;
      } else if (take('=')) {
        k = TokenKind::kAndAssign;
      } else {
        k = take('&') ? TokenKind::kLand : TokenKind::kAnd;
      }
      break;
    case '|':
      k = take('=') ? TokenKind::kOrAssign : take('|') ? TokenKind::kLor : TokenKind::kOr;
      break;
    case '~':
      k = TokenKind::kTilde;
      break;
    default:
      break;
  }
  token->kind = k;
  token->text = text_.substr(start, pos_ - start);
}

bool Lexer::ScanDigits(int base, int* invalid, int* digsep) {
  if (base <= 10) {
    const int32_t max = '0' + base;
    while (IsDecimal(ch_) || ch_ == '_') {
      int ds = 1;
      if (ch_ == '_') {
        ds = 2;
      } else if (ch_ >= max && invalid != nullptr && *invalid < 0) {
        *invalid = pos_;
      }
      *digsep |= ds;
      if (!Advance()) return false;
    }
  } else {
    while (IsHex(ch_) || ch_ == '_') {
      *digsep |= ch_ == '_' ? 2 : 1;
      if (!Advance()) return false;
    }
  }
  return true;
}

bool Lexer::ScanNumber(Token* token) {
  const int start = pos_;
  TokenKind kind = TokenKind::kEof;
  int base = 10;
  char prefix = 0;  // 0 (decimal), '0' (legacy octal), 'x', 'o' or 'b'
  int digsep = 0;   // bit 0: digit present, bit 1: '_' present
  int invalid = -1;

  if (ch_ != '.') {
    kind = TokenKind::kInt;
    if (ch_ == '0') {
      if (!Advance()) return false;
      switch (Lower(ch_)) {
        case 'x':
          if (!Advance()) return false;
          base = 16;
          prefix = 'x';
          break;
        case 'o':
          if (!Advance()) return false;
          base = 8;
          prefix = 'o';
          break;
        case 'b':
          if (!Advance()) return false;
          base = 2;
          prefix = 'b';
          break;
        default:
          base = 8;
          prefix = '0';
          digsep = 1;  // the leading 0
      }
    }
    if (!ScanDigits(base, &invalid, &digsep)) return false;
  }
  if (ch_ == '.') {
    kind = TokenKind::kFloat;
    if (prefix == 'o' || prefix == 'b') {
      return Fail(pos_, absl::StrCat("invalid radix point in ", LiteralName(prefix)));
    }
    if (!Advance()) return false;
    if (!ScanDigits(base, &invalid, &digsep)) return false;
  }
  if ((digsep & 1) == 0) return Fail(pos_, absl::StrCat(LiteralName(prefix), " has no digits"));

  const int32_t e = Lower(ch_);
  if (e == 'e' || e == 'p') {
    if (e == 'e' && prefix != 0 && prefix != '0') {
      return Fail(pos_, absl::StrCat(QuoteRune(ch_), " exponent requires decimal mantissa"));
    }
    if (e == 'p' && prefix != 'x') {
      return Fail(pos_, absl::StrCat(QuoteRune(ch_), " exponent requires hexadecimal mantissa"));
    }
    if (!Advance()) return false;
    kind = TokenKind::kFloat;
    if (ch_ == '+' || ch_ == '-') {
      if (!Advance()) return false;
    }
    int ds = 0;
    if (!ScanDigits(10, nullptr, &ds)) return false;
    digsep |= ds;
    if ((ds & 1) == 0) return Fail(pos_, "exponent has no digits");
  } else if (prefix == 'x' && kind == TokenKind::kFloat) {
    return Fail(pos_, "hexadecimal mantissa requires a 'p' exponent");
  }
  if (ch_ == 'i') {
    kind = TokenKind::kImag;
    if (!Advance()) return false;
  }
  absl::string_view lit = text_.substr(start, pos_ - start);
  if (kind == TokenKind::kInt && invalid >= 0) {
    return Fail(invalid, absl::StrCat("invalid digit ", QuoteRune(text_[invalid]), " in ",
                                      LiteralName(prefix)));
  }
  if ((digsep & 2) != 0) {
    int i = InvalidSeparator(lit);
    if (i >= 0) return Fail(start + i, "'_' must separate successive digits");
  }
  token->kind = kind;
  token->text = lit;
  return true;
}

bool Lexer::ScanEscape(char32_t quote) {
  const int start = pos_;
  int n = 0;
  uint32_t base = 0, max = 0;
  switch (ch_) {
    case 'a':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
    case 'v':
    case '\\':
      return Advance();
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
      n = 3;
      base = 8;
      max = 255;
      break;
    case 'x':
      if (!Advance()) return false;
      n = 2;
      base = 16;
      max = 255;
      break;
    case 'u':
      if (!Advance()) return false;
      n = 4;
      base = 16;
      max = 0x10FFFF;
      break;
    case 'U':
      if (!Advance()) return false;
      n = 8;
      base = 16;
      max = 0x10FFFF;
      break;
    default:
      if (ch_ == static_cast<int32_t>(quote)) return Advance();
      return Fail(start, ch_ < 0 ? "escape sequence not terminated" : "unknown escape sequence");
  }
  uint32_t x = 0;
  for (; n > 0; --n) {
    uint32_t d = static_cast<uint32_t>(DigitValue(ch_));
    if (ch_ < 0) return Fail(pos_, "escape sequence not terminated");
    if (d >= base) {
      return Fail(
          pos_, absl::StrCat("illegal character ", FormatRuneForMessage(static_cast<char32_t>(ch_)),
                             " in escape sequence"));
    }
    x = x * base + d;
    if (!Advance()) return false;
  }
  if (x > max || (x >= 0xD800 && x < 0xE000)) {
    return Fail(start, "escape sequence is invalid Unicode code point");
  }
  return true;
}

bool Lexer::ScanString(Token* token) {
  const int start = pos_;
  if (!Advance()) return false;  // opening quote
  for (;;) {
    int32_t c = ch_;
    if (c == '\n' || c < 0) return Fail(start, "string literal not terminated");
    if (!Advance()) return false;
    if (c == '"') break;
    if (c == '\\' && !ScanEscape('"')) return false;
  }
  token->kind = TokenKind::kString;
  token->text = text_.substr(start, pos_ - start);
  return true;
}

bool Lexer::ScanRawString(Token* token) {
  const int start = pos_;
  if (!Advance()) return false;
  for (;;) {
    int32_t c = ch_;
    if (c < 0) return Fail(start, "raw string literal not terminated");
    if (!Advance()) return false;
    if (c == '`') break;
  }
  token->kind = TokenKind::kString;
  token->text = text_.substr(start, pos_ - start);
  return true;
}

bool Lexer::ScanRune(Token* token) {
  const int start = pos_;
  if (!Advance()) return false;
  int n = 0;
  for (;;) {
    int32_t c = ch_;
    if (c == '\n' || c < 0) return Fail(start, "rune literal not terminated");
    if (!Advance()) return false;
    if (c == '\'') break;
    ++n;
    if (c == '\\' && !ScanEscape('\'')) return false;
  }
  if (n != 1) return Fail(start, "illegal rune literal");
  token->kind = TokenKind::kChar;
  token->text = text_.substr(start, pos_ - start);
  return true;
}

absl::StatusOr<std::string> UnquoteLiteral(absl::string_view lit) {
  const absl::Status syntax = absl::InvalidArgumentError("invalid syntax");
  if (lit.size() < 2) return syntax;
  const char quote = lit.front();
  if (lit.back() != quote) return syntax;
  absl::string_view s = lit.substr(1, lit.size() - 2);
  std::string out;
  if (quote == '`') {
    if (s.find('`') != absl::string_view::npos) return syntax;
    for (char c : s) {
      if (c != '\r') out.push_back(c);  // Go drops carriage returns from raw strings.
    }
    return out;
  }
  if (quote != '"' && quote != '\'') return syntax;
  int runes = 0;
  while (!s.empty()) {
    ++runes;
    const unsigned char c = static_cast<unsigned char>(s[0]);
    if (c == static_cast<unsigned char>(quote) || c == '\n') return syntax;
    if (c != '\\') {
      char32_t r;
      int w = DecodeRune(s, &r);
      if (r == kRuneError && w == 1) {
        AppendRune(kRuneError, &out);
      } else {
        out.append(s.data(), w);
      }
      s.remove_prefix(w);
      continue;
    }
    if (s.size() < 2) return syntax;
    const char e = s[1];
    s.remove_prefix(2);
    switch (e) {
      case 'a':
        out.push_back('\a');
        continue;
      case 'b':
        out.push_back('\b');
        continue;
      case 'f':
        out.push_back('\f');
        continue;
      case 'n':
        out.push_back('\n');
        continue;
      case 'r':
        out.push_back('\r');
        continue;
      case 't':
        out.push_back('\t');
        continue;
      case 'v':
        out.push_back('\v');
        continue;
      case '\\':
        out.push_back('\\');
        continue;
      case '\'':
      case '"':
        if (e != quote) return syntax;
        out.push_back(e);
        continue;
      default:
        break;
    }
    if (e >= '0' && e <= '7') {  // \ooo: three octal digits, one byte
      if (s.size() < 2) return syntax;
      uint32_t v = static_cast<uint32_t>(e - '0');
      for (int i = 0; i < 2; ++i) {
        if (s[i] < '0' || s[i] > '7') return syntax;
        v = v * 8 + static_cast<uint32_t>(s[i] - '0');
      }
      s.remove_prefix(2);
      if (v > 255) return syntax;
      out.push_back(static_cast<char>(v));
      continue;
    }
    if (e != 'x' && e != 'u' && e != 'U') return syntax;
    // \xhh gives one byte; \uhhhh and \Uhhhhhhhh a UTF-8 encoded rune.
    const size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
    if (s.size() < n) return syntax;
    uint32_t v = 0;
    for (size_t i = 0; i < n; ++i) {
      uint32_t dv = static_cast<uint32_t>(DigitValue(static_cast<unsigned char>(s[i])));
      if (dv >= 16) return syntax;
      v = v * 16 + dv;
    }
    s.remove_prefix(n);
    if (e == 'x') {
      out.push_back(static_cast<char>(v));
    } else {
      if (v > 0x10FFFF || (v >= 0xD800 && v < 0xE000)) return syntax;
      AppendRune(v, &out);
    }
  }
  if (quote == '\'' && runes != 1) return syntax;
  return out;
}

absl::StatusOr<int64_t> ParseIntLiteral(absl::string_view text) {
  auto fail = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("strconv.ParseInt: parsing \"", text, "\": ", why));
  };
  if (text.empty()) return fail("invalid syntax");
  uint64_t v = 0;
  bool overflow = false;
  for (char c : text) {
    if (c < '0' || c > '9') return fail("invalid syntax");
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - d) / 10) {
      overflow = true;
      v = std::numeric_limits<uint64_t>::max();
      continue;
    }
    v = v * 10 + d;
  }
  if (overflow || v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return fail("value out of range");
  }
  return static_cast<int64_t>(v);
}

absl::StatusOr<double> ParseFloatLiteral(absl::string_view text) {
  auto fail = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("strconv.ParseFloat: parsing \"", text, "\": ", why));
  };
  std::string digits;
  digits.reserve(text.size());
  for (char c : text) {
    if (c != '_') digits.push_back(c);
  }
  if (digits.empty() || InvalidSeparator(text) >= 0) return fail("invalid syntax");
  const bool hex = digits.size() > 1 && digits[0] == '0' && Lower(digits[1]) == 'x';
  for (size_t i = 0; i < digits.size(); ++i) {
    char c = digits[i];
    bool ok = IsDecimal(c) || c == '.' || ((c == '+' || c == '-') && i > 0) ||
              (hex ? (IsHex(c) || Lower(c) == 'x' || Lower(c) == 'p') : Lower(c) == 'e');
    if (!ok) return fail("invalid syntax");
  }
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(digits.c_str(), &end);
  if (end != digits.c_str() + digits.size()) return fail("invalid syntax");
  // Go reports only overflow; underflow to zero or a subnormal is not an error.
  if (std::isinf(v)) return fail("value out of range");
  return v;
}

}  // namespace mixlet::expr_internal
