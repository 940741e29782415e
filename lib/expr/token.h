// Tokens of CEXL source text. CEXL is parsed with Go's expression grammar, so the token set is
// Go's (go/token): every operator and keyword is recognised, and the parser and the checker
// decide which of them CEXL accepts.
#ifndef MIXLET_LIB_EXPR_TOKEN_H_
#define MIXLET_LIB_EXPR_TOKEN_H_

#include <cstdint>

#include "absl/strings/string_view.h"

namespace mixlet::expr_internal {

// The one table of token kinds: X(enumerator, Go spelling). Literal kinds are spelled with
// their Go class name. ORDER: free, but keywords stay last (`IsKeyword` relies on it).
#define MIXLET_EXPR_TOKENS(X)   \
  X(kEof, "EOF")                \
  X(kIdent, "IDENT")            \
  X(kInt, "INT")                \
  X(kFloat, "FLOAT")            \
  X(kImag, "IMAG")              \
  X(kChar, "CHAR")              \
  X(kString, "STRING")          \
  X(kAdd, "+")                  \
  X(kSub, "-")                  \
  X(kMul, "*")                  \
  X(kQuo, "/")                  \
  X(kRem, "%")                  \
  X(kAnd, "&")                  \
  X(kOr, "|")                   \
  X(kXor, "^")                  \
  X(kShl, "<<")                 \
  X(kShr, ">>")                 \
  X(kAndNot, "&^")              \
  X(kAddAssign, "+=")           \
  X(kSubAssign, "-=")           \
  X(kMulAssign, "*=")           \
  X(kQuoAssign, "/=")           \
  X(kRemAssign, "%=")           \
  X(kAndAssign, "&=")           \
  X(kOrAssign, "|=")            \
  X(kXorAssign, "^=")           \
  X(kShlAssign, "<<=")          \
  X(kShrAssign, ">>=")          \
  X(kAndNotAssign, "&^=")       \
  X(kLand, "&&")                \
  X(kLor, "||")                 \
  X(kArrow, "<-")               \
  X(kInc, "++")                 \
  X(kDec, "--")                 \
  X(kEql, "==")                 \
  X(kLss, "<")                  \
  X(kGtr, ">")                  \
  X(kAssign, "=")               \
  X(kNot, "!")                  \
  X(kNeq, "!=")                 \
  X(kLeq, "<=")                 \
  X(kGeq, ">=")                 \
  X(kDefine, ":=")              \
  X(kEllipsis, "...")           \
  X(kLparen, "(")               \
  X(kLbrack, "[")               \
  X(kLbrace, "{")               \
  X(kComma, ",")                \
  X(kPeriod, ".")               \
  X(kRparen, ")")               \
  X(kRbrack, "]")               \
  X(kRbrace, "}")               \
  X(kSemicolon, ";")            \
  X(kColon, ":")                \
  X(kTilde, "~")                \
  X(kBreak, "break")            \
  X(kCase, "case")              \
  X(kChan, "chan")              \
  X(kConst, "const")            \
  X(kContinue, "continue")      \
  X(kDefault, "default")        \
  X(kDefer, "defer")            \
  X(kElse, "else")              \
  X(kFallthrough, "fallthrough") \
  X(kFor, "for")                \
  X(kFunc, "func")              \
  X(kGo, "go")                  \
  X(kGoto, "goto")              \
  X(kIf, "if")                  \
  X(kImport, "import")          \
  X(kInterface, "interface")    \
  X(kMap, "map")                \
  X(kPackage, "package")        \
  X(kRange, "range")            \
  X(kReturn, "return")          \
  X(kSelect, "select")          \
  X(kStruct, "struct")          \
  X(kSwitch, "switch")          \
  X(kType, "type")              \
  X(kVar, "var")

enum class TokenKind : uint8_t {
#define MIXLET_EXPR_TOKEN_ENUM(e, spelling) e,
  MIXLET_EXPR_TOKENS(MIXLET_EXPR_TOKEN_ENUM)
#undef MIXLET_EXPR_TOKEN_ENUM
};

inline constexpr int kTokenKindCount = 0
#define MIXLET_EXPR_TOKEN_COUNT(e, spelling) +1
    MIXLET_EXPR_TOKENS(MIXLET_EXPR_TOKEN_COUNT)
#undef MIXLET_EXPR_TOKEN_COUNT
    ;

// The Go spelling of `kind` ("==", "func", "IDENT", ...).
absl::string_view TokenSpelling(TokenKind kind);

// The keyword spelled `word`, or kIdent when `word` is not a Go keyword.
TokenKind LookupKeyword(absl::string_view word);

constexpr bool IsKeyword(TokenKind kind) { return kind >= TokenKind::kBreak; }
constexpr bool IsLiteral(TokenKind kind) {
  return kind >= TokenKind::kIdent && kind <= TokenKind::kString;
}

struct Token {
  TokenKind kind = TokenKind::kEof;
  // The source bytes of the token. For a semicolon inserted at a line break or at the end of
  // the text (Go's automatic semicolon) the text is "\n".
  absl::string_view text;
  // Byte offset of the token's first byte in the expression text.
  int offset = 0;

  bool IsAutomaticSemicolon() const { return kind == TokenKind::kSemicolon && text == "\n"; }
};

}  // namespace mixlet::expr_internal

#endif  // MIXLET_LIB_EXPR_TOKEN_H_
