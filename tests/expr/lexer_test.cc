// Lexer: Go's lexical rules as CEXL uses them, literal decoding, and the Unicode helpers.
#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "expr/lexer.h"
#include "expr/token.h"
#include "expr/unicode.h"

namespace mixlet::expr_internal {
namespace {

// "KIND:text" for every token up to EOF, or "ERROR@offset: message".
std::string Tokens(absl::string_view text) {
  Lexer lexer(text);
  std::vector<std::string> out;
  for (int guard = 0; guard < 1000; ++guard) {
    Token t;
    if (!lexer.Next(&t)) {
      out.push_back(absl::StrCat("ERROR@", lexer.error().offset, ": ", lexer.error().message));
      break;
    }
    if (t.kind == TokenKind::kEof) break;
    if (t.IsAutomaticSemicolon()) {
      out.push_back(absl::StrCat(";auto@", t.offset));
    } else if (IsLiteral(t.kind)) {
      out.push_back(absl::StrCat(TokenSpelling(t.kind), ":", t.text));
    } else {
      out.push_back(std::string(TokenSpelling(t.kind)));
    }
  }
  return absl::StrJoin(out, " ");
}

TEST_CASE("Lexer: every token kind has a distinct spelling", "[expr][lexer]") {
  std::set<std::string> seen;
  for (int i = 0; i < kTokenKindCount; ++i) {
    const absl::string_view s = TokenSpelling(static_cast<TokenKind>(i));
    CHECK_FALSE(s.empty());
    CHECK(seen.insert(std::string(s)).second);
    const TokenKind k = static_cast<TokenKind>(i);
    if (IsKeyword(k)) CHECK(LookupKeyword(s) == k);
  }
  CHECK(LookupKeyword("request") == TokenKind::kIdent);
  CHECK(LookupKeyword("Type") == TokenKind::kIdent);
}

TEST_CASE("Lexer: token sequences", "[expr][lexer]") {
  struct Case {
    const char* text;
    const char* tokens;
  };
  const Case cases[] = {
      {R"(a.b == "x")", R"(IDENT:a . IDENT:b == STRING:"x" ;auto@10)"},
      {"a|b||c&&d", "IDENT:a | IDENT:b || IDENT:c && IDENT:d ;auto@9"},
      {"a &^ b << c >> d <- e", "IDENT:a &^ IDENT:b << IDENT:c >> IDENT:d <- IDENT:e ;auto@21"},
      {"a += b := c ... d", "IDENT:a += IDENT:b := IDENT:c ... IDENT:d ;auto@17"},
      {"!a != b <= c >= d = e", "! IDENT:a != IDENT:b <= IDENT:c >= IDENT:d = IDENT:e ;auto@21"},
      {"f(x)[1]", "IDENT:f ( IDENT:x ) [ INT:1 ] ;auto@7"},
      {"0 42 010 0x1F 0b1 0o7 1_000",
       "INT:0 INT:42 INT:010 INT:0x1F INT:0b1 INT:0o7 INT:1_000 ;auto@27"},
      {"1.5 1. .5 1e3 1E-3 0x1p-2 1_0.5",
       "FLOAT:1.5 FLOAT:1. FLOAT:.5 FLOAT:1e3 FLOAT:1E-3 FLOAT:0x1p-2 FLOAT:1_0.5 ;auto@31"},
      {"08.5 09e1", "FLOAT:08.5 FLOAT:09e1 ;auto@9"},
      {"1i 1.5i", "IMAG:1i IMAG:1.5i ;auto@7"},
      {R"('a' '\n' '\'' 'é')", R"(CHAR:'a' CHAR:'\n' CHAR:'\'' CHAR:'é' ;auto@18)"},
      {"`raw\nstring` x", "STRING:`raw\nstring` IDENT:x ;auto@14"},
      {"func map range type", "func map range type"},
      {"return", "return ;auto@6"},
      {"a\n", "IDENT:a ;auto@1"},
      {"a +\n b", "IDENT:a + IDENT:b ;auto@6"},
      {"a\n+ b", "IDENT:a ;auto@1 + IDENT:b ;auto@5"},
      {"(a\n)", "( IDENT:a ;auto@2 ) ;auto@4"},
      {"a // comment\nb", "IDENT:a ;auto@2 IDENT:b ;auto@14"},
      {"a /* c */ b", "IDENT:a IDENT:b ;auto@11"},
      {"a /* c\n */ b", "IDENT:a ;auto@10 IDENT:b ;auto@12"},
      {"/* c */ a", "IDENT:a ;auto@9"},
      {"\xEF\xBB\xBF"
       "a",
       "IDENT:a ;auto@4"},
      {"café.été", "IDENT:café . IDENT:été ;auto@11"},
      {"x٣ _y", "IDENT:x٣ IDENT:_y ;auto@6"},
      {"a ~ b", "IDENT:a ~ IDENT:b ;auto@5"},
      {"", ""},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    CHECK(Tokens(c.text) == c.tokens);
  }
}

TEST_CASE("Lexer: malformed text is reported at the offending byte", "[expr][lexer]") {
  struct Case {
    const char* text;
    const char* tokens;
  };
  const Case cases[] = {
      {"@23", "ERROR@0: illegal character U+0040 '@'"},
      {"a # b", "IDENT:a ERROR@2: illegal character U+0023 '#'"},
      {"a\x01", "IDENT:a ERROR@1: illegal character U+0001"},
      {"08", "ERROR@1: invalid digit '8' in octal literal"},
      {"0x", "ERROR@2: hexadecimal literal has no digits"},
      {"0b12", "ERROR@3: invalid digit '2' in binary literal"},
      {"0o1.5", "ERROR@3: invalid radix point in octal literal"},
      {"1__0", "ERROR@2: '_' must separate successive digits"},
      {"1_", "ERROR@1: '_' must separate successive digits"},
      {"0x1.8", "ERROR@5: hexadecimal mantissa requires a 'p' exponent"},
      {"1e", "ERROR@2: exponent has no digits"},
      {"1p2", "ERROR@1: 'p' exponent requires hexadecimal mantissa"},
      {"0x1e2p", "ERROR@6: exponent has no digits"},
      {R"("abc)", "ERROR@0: string literal not terminated"},
      {"\"a\nb\"", "ERROR@0: string literal not terminated"},
      {"`abc", "ERROR@0: raw string literal not terminated"},
      {"'ab'", "ERROR@0: illegal rune literal"},
      {"''", "ERROR@0: illegal rune literal"},
      {"'a", "ERROR@0: rune literal not terminated"},
      {R"("\q")", "ERROR@2: unknown escape sequence"},
      {R"("\'")", "ERROR@2: unknown escape sequence"},
      {R"('\"')", "ERROR@2: unknown escape sequence"},
      {R"("\x4")", "ERROR@4: illegal character U+0022 '\"' in escape sequence"},
      {R"("\400")", "ERROR@2: escape sequence is invalid Unicode code point"},
      {R"("\ud800")", "ERROR@2: escape sequence is invalid Unicode code point"},
      {R"("\U00110000")", "ERROR@2: escape sequence is invalid Unicode code point"},
      {"/* abc", "ERROR@0: comment not terminated"},
      {"\"\xff\"", "ERROR@1: illegal UTF-8 encoding"},
      {"a\xEF\xBB\xBF", "ERROR@1: illegal byte order mark"},
      {"a\x7f", "IDENT:a ERROR@1: illegal character U+007F"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    CHECK(Tokens(c.text) == c.tokens);
  }
  CHECK(Tokens(absl::string_view("a\0b", 3)) == "ERROR@1: illegal character NUL");
}

TEST_CASE("Lexer: literal values are decoded as Go's strconv does", "[expr][lexer]") {
  struct Case {
    const char* literal;
    const char* value;  // nullptr: invalid
  };
  const Case cases[] = {
      {R"("abc")", "abc"},
      {R"("a\tb\n\"c\\")", "a\tb\n\"c\\"},
      {R"("\a\b\f\r\v")", "\a\b\f\r\v"},
      {R"("\x41\101\u00e9\U0001F600")", "AA\xC3\xA9\xF0\x9F\x98\x80"},
      {R"("\xff")", "\xff"},
      {"`a\\n\r\nb`", "a\\n\nb"},
      {"'x'", "x"},
      {R"('\'')", "'"},
      {R"('\xff')", "\xff"},
      {R"('\u00ff')", "\xC3\xBF"},
      {"'é'", "é"},
      {"''", nullptr},
      {"'ab'", nullptr},
      {R"("\'")", nullptr},
      {R"('\"')", nullptr},
      {R"("a)", nullptr},
      {"1i", nullptr},
  };
  for (const Case& c : cases) {
    INFO(c.literal);
    absl::StatusOr<std::string> v = UnquoteLiteral(c.literal);
    if (c.value == nullptr) {
      CHECK_FALSE(v.ok());
    } else {
      REQUIRE(v.ok());
      CHECK(*v == c.value);
    }
  }
}

TEST_CASE("Lexer: integer and float literals", "[expr][lexer]") {
  CHECK(*ParseIntLiteral("0") == 0);
  CHECK(*ParseIntLiteral("010") == 10);
  CHECK(*ParseIntLiteral("9223372036854775807") == INT64_MAX);
  CHECK(ParseIntLiteral("9223372036854775808").status().message() ==
        R"(strconv.ParseInt: parsing "9223372036854775808": value out of range)");
  CHECK(ParseIntLiteral("99999999999999999999999").status().message() ==
        R"(strconv.ParseInt: parsing "99999999999999999999999": value out of range)");
  CHECK(ParseIntLiteral("0x10").status().message() ==
        R"(strconv.ParseInt: parsing "0x10": invalid syntax)");
  CHECK_FALSE(ParseIntLiteral("1_000").ok());
  CHECK_FALSE(ParseIntLiteral("").ok());

  CHECK(*ParseFloatLiteral("1.5") == 1.5);
  CHECK(*ParseFloatLiteral(".5") == 0.5);
  CHECK(*ParseFloatLiteral("1.") == 1.0);
  CHECK(*ParseFloatLiteral("1e3") == 1000.0);
  CHECK(*ParseFloatLiteral("1E-3") == 0.001);
  CHECK(*ParseFloatLiteral("0x1p-2") == 0.25);
  CHECK(*ParseFloatLiteral("0X1.8P1") == 3.0);
  CHECK(*ParseFloatLiteral("1_0.5") == 10.5);
  CHECK(*ParseFloatLiteral("08.5") == 8.5);
  CHECK(*ParseFloatLiteral("1e-400") == 0.0);  // underflow is not an error in Go
  CHECK(ParseFloatLiteral("1e400").status().message() ==
        R"(strconv.ParseFloat: parsing "1e400": value out of range)");
  CHECK_FALSE(ParseFloatLiteral("1__0.5").ok());
  CHECK_FALSE(ParseFloatLiteral("nan").ok());
  CHECK_FALSE(ParseFloatLiteral("inf").ok());
}

TEST_CASE("Lexer: runes in messages use Go's %#U form", "[expr][lexer]") {
  CHECK(FormatRuneForMessage(U'@') == "U+0040 '@'");
  CHECK(FormatRuneForMessage(U'é') == "U+00E9 'é'");
  CHECK(FormatRuneForMessage(0x01) == "U+0001");
  CHECK(FormatRuneForMessage(0x1F600) == "U+1F600 '\xF0\x9F\x98\x80'");
}

TEST_CASE("Unicode: UTF-8 decoding follows Go", "[expr][unicode]") {
  struct Case {
    const char* bytes;
    char32_t rune;
    int width;
  };
  const Case cases[] = {
      {"a", U'a', 1},
      {"\xC3\xA9", 0xE9, 2},
      {"\xE2\x82\xAC", 0x20AC, 3},
      {"\xF0\x9F\x98\x80", 0x1F600, 4},
      {"\xC0\x80", kRuneError, 1},          // overlong
      {"\xE0\x80\x80", kRuneError, 1},      // overlong
      {"\xED\xA0\x80", kRuneError, 1},      // surrogate
      {"\xF4\x90\x80\x80", kRuneError, 1},  // above U+10FFFF
      {"\xC3", kRuneError, 1},              // truncated
      {"\xFF", kRuneError, 1},
      {"\xEF\xBF\xBD", kRuneError, 3},  // a real U+FFFD
  };
  for (const Case& c : cases) {
    INFO(c.bytes);
    char32_t r = 0;
    CHECK(DecodeRune(c.bytes, &r) == c.width);
    CHECK(r == c.rune);
  }
  std::string s;
  AppendRune(0x10400, &s);
  AppendRune(0xD800, &s);  // invalid: written as U+FFFD
  CHECK(s == "\xF0\x90\x90\x80\xEF\xBF\xBD");
}

TEST_CASE("Unicode: ToLower is Go's simple case mapping", "[expr][unicode]") {
  struct Case {
    char32_t upper;
    char32_t lower;
  };
  const Case cases[] = {
      {U'A', U'a'},       {U'z', U'z'},     {U'1', U'1'},     {0xC0, 0xE0},    // À
      {0xDE, 0xFE},       {0xD7, 0xD7},     {0x100, 0x101},   {0x101, 0x101},  // Ā ā
      {0x130, U'i'},      {0x178, 0xFF},    {0x1C4, 0x1C6},   {0x1C5, 0x1C6},  // İ Ÿ Ǆ ǅ
      {0x391, 0x3B1},     {0x3A3, 0x3C3},   {0x3C2, 0x3C2},   {0x410, 0x430},  // Α Σ ς А
      {0x531, 0x561},     {0x10A0, 0x2D00}, {0x13A0, 0xAB70}, {0x1E9E, 0xDF},  // Ա Ⴀ Ꭰ ẞ
      {0x2126, 0x3C9},    {0x212A, U'k'},   {0xFF21, 0xFF41}, {0x10400, 0x10428},
      {0x1E900, 0x1E922}, {0x4E00, 0x4E00},
  };
  for (const Case& c : cases) {
    INFO(std::hex << static_cast<uint32_t>(c.upper));
    CHECK(ToLowerRune(c.upper) == c.lower);
  }
  CHECK(UnicodeVersion() == "13.0.0");
}

TEST_CASE("Unicode: strings.ToLower of whole strings", "[expr][unicode]") {
  struct Case {
    const char* in;
    const char* out;
    bool fixed_point;
  };
  const Case cases[] = {
      {"abc", "abc", true},
      {"ABC-def", "abc-def", false},
      {"", "", true},
      {"ÀÉÎ", "àéî", false},
      {"àéî", "àéî", true},
      {"ΑΣ", "ασ", false},
      {"İ", "i", false},
      {"a\xff", "a\xEF\xBF\xBD", false},       // invalid byte -> U+FFFD, non-ASCII string
      {"\xEF\xBF\xBD", "\xEF\xBF\xBD", true},  // a real U+FFFD stays
      {"A\xC3", "a\xEF\xBF\xBD", false},
  };
  for (const Case& c : cases) {
    INFO(c.in);
    std::string out(LowerCaseSize(c.in), '\0');
    LowerCaseInto(c.in, out.data());
    CHECK(out == c.out);
    CHECK(IsLowerCaseFixedPoint(c.in) == c.fixed_point);
  }
}

}  // namespace
}  // namespace mixlet::expr_internal
