#include "expr/parser.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "mixlet/value/value_json.h"

namespace mixlet::expr_internal {
namespace {

// Go's syntax tree, reduced to the node kinds CEXL can convert.
enum class SyntaxKind : uint8_t {
  kIdent,     // text
  kLiteral,   // token kind + text
  kParen,     // (x)
  kSelector,  // x.text
  kIndex,     // x[y]
  kCall,      // x(args)
  kUnary,     // op x
  kBinary,    // x op y
  kStar,      // *x
};

struct Syntax {
  SyntaxKind kind;
  int offset = 0;     // where the node's text starts
  int op_offset = 0;  // operator, '.', '[' or '(' position
  TokenKind token = TokenKind::kEof;
  absl::string_view text;
  Syntax* x = nullptr;
  Syntax* y = nullptr;
  std::vector<Syntax*> args;
  int depth = 1;  // height of the subtree
};

int Precedence(TokenKind k) {
  switch (k) {
    case TokenKind::kLor:
      return 1;
    case TokenKind::kLand:
      return 2;
    case TokenKind::kEql:
    case TokenKind::kNeq:
    case TokenKind::kLss:
    case TokenKind::kLeq:
    case TokenKind::kGtr:
    case TokenKind::kGeq:
      return 3;
    case TokenKind::kAdd:
    case TokenKind::kSub:
    case TokenKind::kOr:
    case TokenKind::kXor:
      return 4;
    case TokenKind::kMul:
    case TokenKind::kQuo:
    case TokenKind::kRem:
    case TokenKind::kShl:
    case TokenKind::kShr:
    case TokenKind::kAnd:
    case TokenKind::kAndNot:
      return 5;
    default:
      return 0;
  }
}

// The function name Mixer gives an operator (its `tMap`); "" for operators it does not name.
absl::string_view OperatorFunction(TokenKind k) {
  switch (k) {
    case TokenKind::kAdd:
      return "ADD";
    case TokenKind::kSub:
      return "SUB";
    case TokenKind::kMul:
      return "MUL";
    case TokenKind::kQuo:
      return "QUO";
    case TokenKind::kRem:
      return "REM";
    case TokenKind::kAnd:
      return "AND";
    case TokenKind::kOr:
      return "OR";
    case TokenKind::kXor:
      return "XOR";
    case TokenKind::kLand:
      return "LAND";
    case TokenKind::kLor:
      return "LOR";
    case TokenKind::kEql:
      return "EQ";
    case TokenKind::kLss:
      return "LT";
    case TokenKind::kGtr:
      return "GT";
    case TokenKind::kNot:
      return "NOT";
    case TokenKind::kNeq:
      return "NEQ";
    case TokenKind::kLeq:
      return "LEQ";
    case TokenKind::kGeq:
      return "GEQ";
    default:
      return "";
  }
}

// The recursion below is bounded by `max_depth_`: every nested operand, parenthesis, call and
// index enters `Enter()`, and every node records its height.
class GoParser {
 public:
  GoParser(absl::string_view text, int max_depth) : lexer_(text), max_depth_(max_depth) {}

  Syntax* ParseExpression() {
    if (!Next()) return nullptr;
    Syntax* e = ParseBinary(1);
    if (e == nullptr) return nullptr;
    if (tok_.IsAutomaticSemicolon() && !Next()) return nullptr;
    if (tok_.kind != TokenKind::kEof) return Expected("'EOF'");
    return e;
  }

  const SourceError& error() const { return error_; }

 private:
  class DepthGuard {
   public:
    explicit DepthGuard(GoParser* p) : p_(p) { ++p_->nesting_; }
    ~DepthGuard() { --p_->nesting_; }

   private:
    GoParser* p_;
  };

  bool Next() {
    if (!lexer_.Next(&tok_)) {
      Fail(lexer_.error().offset, lexer_.error().message);
      return false;
    }
    return true;
  }

  std::nullptr_t Fail(int offset, std::string message) {
    if (error_.message.empty()) {
      error_.message = std::move(message);
      error_.offset = offset;
    }
    return nullptr;
  }

  // Go's "expected X, found Y" at the current token.
  std::nullptr_t Expected(absl::string_view what) {
    std::string found;
    if (tok_.IsAutomaticSemicolon()) {
      found = "newline";
    } else if (IsLiteral(tok_.kind)) {
      found = std::string(tok_.text);
    } else {
      found = absl::StrCat("'", TokenSpelling(tok_.kind), "'");
    }
    return Fail(tok_.offset, absl::StrCat("expected ", what, ", found ", found));
  }

  std::nullptr_t TooDeep(int offset) {
    return Fail(offset,
                absl::StrCat("expression nests deeper than the limit of ", max_depth_, " levels"));
  }

  Syntax* NewNode(SyntaxKind kind, int offset, int op_offset) {
    nodes_.push_back(std::make_unique<Syntax>());
    Syntax* s = nodes_.back().get();
    s->kind = kind;
    s->offset = offset;
    s->op_offset = op_offset;
    return s;
  }

  // Sets the node's height from its children; false when it exceeds the limit.
  bool Measure(Syntax* s) {
    int d = 0;
    if (s->x != nullptr) d = std::max(d, s->x->depth);
    if (s->y != nullptr) d = std::max(d, s->y->depth);
    for (const Syntax* a : s->args) d = std::max(d, a->depth);
    s->depth = d + 1;
    if (s->depth > max_depth_) {
      TooDeep(s->op_offset);
      return false;
    }
    return true;
  }

  // Recursion through ParseBinary alone is bounded by the five precedence levels; each
  // construct that nests (unary operator, parentheses, index, call) passes a DepthGuard.
  Syntax* ParseBinary(int min_prec) {
    Syntax* x = ParseUnary();
    if (x == nullptr) return nullptr;
    for (;;) {
      TokenKind op = tok_.kind;
      // In an expression Go reads '=' as a misspelt '==', which then fails to match.
      if (op == TokenKind::kAssign) op = TokenKind::kEql;
      const int prec = Precedence(op);
      if (prec < min_prec) return x;
      if (tok_.kind != op) return Expected(absl::StrCat("'", TokenSpelling(op), "'"));
      const int op_offset = tok_.offset;
      if (!Next()) return nullptr;
      Syntax* y = ParseBinary(prec + 1);
      if (y == nullptr) return nullptr;
      Syntax* b = NewNode(SyntaxKind::kBinary, x->offset, op_offset);
      b->token = op;
      b->x = x;
      b->y = y;
      if (!Measure(b)) return nullptr;
      x = b;
    }
  }

  Syntax* ParseUnary() {
    switch (tok_.kind) {
      case TokenKind::kAdd:
      case TokenKind::kSub:
      case TokenKind::kNot:
      case TokenKind::kXor:
      case TokenKind::kAnd:
      case TokenKind::kTilde:
      case TokenKind::kArrow:
      case TokenKind::kMul: {
        DepthGuard guard(this);
        if (nesting_ > max_depth_) return TooDeep(tok_.offset);
        const TokenKind op = tok_.kind;
        const int offset = tok_.offset;
        if (!Next()) return nullptr;
        Syntax* x = ParseUnary();
        if (x == nullptr) return nullptr;
        Syntax* u =
            NewNode(op == TokenKind::kMul ? SyntaxKind::kStar : SyntaxKind::kUnary, offset, offset);
        u->token = op;
        u->x = x;
        if (!Measure(u)) return nullptr;
        return u;
      }
      default:
        return ParsePrimary();
    }
  }

  Syntax* ParseOperand() {
    switch (tok_.kind) {
      case TokenKind::kIdent: {
        Syntax* s = NewNode(SyntaxKind::kIdent, tok_.offset, tok_.offset);
        s->text = tok_.text;
        if (!Next()) return nullptr;
        return s;
      }
      case TokenKind::kInt:
      case TokenKind::kFloat:
      case TokenKind::kImag:
      case TokenKind::kChar:
      case TokenKind::kString: {
        Syntax* s = NewNode(SyntaxKind::kLiteral, tok_.offset, tok_.offset);
        s->token = tok_.kind;
        s->text = tok_.text;
        if (!Next()) return nullptr;
        return s;
      }
      case TokenKind::kLparen: {
        DepthGuard guard(this);
        if (nesting_ > max_depth_) return TooDeep(tok_.offset);
        const int offset = tok_.offset;
        if (!Next()) return nullptr;
        Syntax* x = ParseBinary(1);
        if (x == nullptr) return nullptr;
        if (tok_.kind != TokenKind::kRparen) return Expected("')'");
        if (!Next()) return nullptr;
        Syntax* p = NewNode(SyntaxKind::kParen, offset, offset);
        p->x = x;
        if (!Measure(p)) return nullptr;
        return p;
      }
      case TokenKind::kFunc:
        return Fail(tok_.offset, "unexpected expression: function literal");
      case TokenKind::kLbrack:
      case TokenKind::kStruct:
      case TokenKind::kInterface:
      case TokenKind::kMap:
      case TokenKind::kChan:
        return Fail(tok_.offset, absl::StrCat("unexpected expression: a type ('",
                                              TokenSpelling(tok_.kind), "')"));
      default:
        return Expected("operand");
    }
  }

  Syntax* ParsePrimary() {
    Syntax* x = ParseOperand();
    if (x == nullptr) return nullptr;
    for (;;) {
      switch (tok_.kind) {
        case TokenKind::kPeriod: {
          const int dot = tok_.offset;
          if (!Next()) return nullptr;
          if (tok_.kind == TokenKind::kLparen) {
            return Fail(tok_.offset, "unexpected expression: type assertion");
          }
          if (tok_.kind != TokenKind::kIdent) return Expected("selector or type assertion");
          Syntax* s = NewNode(SyntaxKind::kSelector, x->offset, dot);
          s->x = x;
          s->text = tok_.text;
          if (!Next()) return nullptr;
          if (!Measure(s)) return nullptr;
          x = s;
          break;
        }
        case TokenKind::kLbrack: {
          DepthGuard guard(this);
          if (nesting_ > max_depth_) return TooDeep(tok_.offset);
          const int bracket = tok_.offset;
          if (!Next()) return nullptr;
          if (tok_.kind == TokenKind::kRbrack) return Expected("operand");
          if (tok_.kind == TokenKind::kColon) {
            return Fail(tok_.offset, "unexpected expression: slice expression");
          }
          Syntax* index = ParseBinary(1);
          if (index == nullptr) return nullptr;
          if (tok_.kind == TokenKind::kColon) {
            return Fail(tok_.offset, "unexpected expression: slice expression");
          }
          if (tok_.kind == TokenKind::kComma) {
            return Fail(tok_.offset, "unexpected expression: index with more than one value");
          }
          if (tok_.kind != TokenKind::kRbrack) return Expected("']'");
          if (!Next()) return nullptr;
          Syntax* s = NewNode(SyntaxKind::kIndex, x->offset, bracket);
          s->x = x;
          s->y = index;
          if (!Measure(s)) return nullptr;
          x = s;
          break;
        }
        case TokenKind::kLparen: {
          DepthGuard guard(this);
          if (nesting_ > max_depth_) return TooDeep(tok_.offset);
          const int paren = tok_.offset;
          if (!Next()) return nullptr;
          Syntax* call = NewNode(SyntaxKind::kCall, x->offset, paren);
          call->x = x;
          bool ellipsis = false;
          while (tok_.kind != TokenKind::kRparen && tok_.kind != TokenKind::kEof && !ellipsis) {
            Syntax* arg = ParseBinary(1);
            if (arg == nullptr) return nullptr;
            call->args.push_back(arg);
            // Go accepts `f(a...)`; Mixer ignores the ellipsis, and so does CEXL.
            if (tok_.kind == TokenKind::kEllipsis) {
              ellipsis = true;
              if (!Next()) return nullptr;
            }
            if (tok_.kind == TokenKind::kComma) {
              if (!Next()) return nullptr;
              continue;
            }
            if (tok_.kind != TokenKind::kRparen) {
              return Fail(tok_.offset, tok_.IsAutomaticSemicolon()
                                           ? "missing ',' before newline in argument list"
                                           : "missing ',' in argument list");
            }
          }
          if (tok_.kind != TokenKind::kRparen) return Expected("')'");
          if (!Next()) return nullptr;
          if (!Measure(call)) return nullptr;
          x = call;
          break;
        }
        case TokenKind::kLbrace:
          // After a name, selector or index Go reads a composite literal; elsewhere '{' ends
          // the expression and is reported by the caller.
          if (x->kind == SyntaxKind::kIdent || x->kind == SyntaxKind::kSelector ||
              x->kind == SyntaxKind::kIndex) {
            return Fail(tok_.offset, "unexpected expression: composite literal");
          }
          return x;
        default:
          return x;
      }
    }
  }

  Lexer lexer_;
  Token tok_;
  const int max_depth_;
  int nesting_ = 0;
  SourceError error_;
  std::vector<std::unique_ptr<Syntax>> nodes_;
};

// Go syntax -> CEXL tree, as Mixer's `process` does it.
class Converter {
 public:
  explicit Converter(Ast* ast) : ast_(ast) {}

  Node* Convert(const Syntax* s) {
    switch (s->kind) {
      case SyntaxKind::kIdent: {
        // `true` and `false` are identifiers in Go; CEXL reads them as booleans, in any case.
        const std::string lower = absl::AsciiStrToLower(s->text);
        if (lower == "true" || lower == "false") {
          return ast_->NewConstant(OwnedValue::Of(Value::Bool(lower == "true")), lower, s->offset);
        }
        return ast_->NewVariable(std::string(s->text), s->offset);
      }
      case SyntaxKind::kLiteral:
        return ConvertLiteral(s);
      case SyntaxKind::kParen: {
        Node* n = Convert(s->x);
        if (n != nullptr) n->offset = s->offset;
        return n;
      }
      case SyntaxKind::kSelector: {
        std::vector<absl::string_view> parts;
        const Syntax* anchor = nullptr;
        if (!Flatten(s, &parts, &anchor)) return nullptr;
        if (anchor != nullptr) {
          return Fail(s->op_offset, absl::StrCat("unexpected expression: selector '.", s->text,
                                                 "' on ", Describe(anchor)));
        }
        return ast_->NewVariable(JoinReversed(parts, 0), s->offset);
      }
      case SyntaxKind::kIndex: {
        Node* m = Convert(s->x);
        if (m == nullptr) return nullptr;
        Node* k = Convert(s->y);
        if (k == nullptr) return nullptr;
        return ast_->NewCall("INDEX", nullptr, {m, k}, s->offset, s->op_offset);
      }
      case SyntaxKind::kCall:
        return ConvertCall(s);
      case SyntaxKind::kUnary: {
        Node* x = Convert(s->x);
        if (x == nullptr) return nullptr;
        return ast_->NewCall(std::string(OperatorFunction(s->token)), nullptr, {x}, s->offset,
                             s->op_offset);
      }
      case SyntaxKind::kBinary: {
        Node* x = Convert(s->x);
        if (x == nullptr) return nullptr;
        Node* y = Convert(s->y);
        if (y == nullptr) return nullptr;
        return ast_->NewCall(std::string(OperatorFunction(s->token)), nullptr, {x, y}, s->offset,
                             s->op_offset);
      }
      case SyntaxKind::kStar:
        return Fail(s->offset, "unexpected expression: '*' (pointer indirection)");
    }
    return Fail(s->offset, "unexpected expression");
  }

  const SourceError& error() const { return error_; }

 private:
  std::nullptr_t Fail(int offset, std::string message) {
    if (error_.message.empty()) {
      error_.message = std::move(message);
      error_.offset = offset;
    }
    return nullptr;
  }

  static absl::string_view Describe(const Syntax* s) {
    switch (s->kind) {
      case SyntaxKind::kIdent:
        return "a name";
      case SyntaxKind::kLiteral:
        return "a literal";
      case SyntaxKind::kParen:
        return "a parenthesized expression";
      case SyntaxKind::kSelector:
        return "a selector";
      case SyntaxKind::kIndex:
        return "an index expression";
      case SyntaxKind::kCall:
        return "a call";
      case SyntaxKind::kUnary:
        return "a unary expression";
      case SyntaxKind::kBinary:
        return "a binary expression";
      case SyntaxKind::kStar:
        return "a '*' expression";
    }
    return "an expression";
  }

  // `a.b.c` -> parts {c, b, a}, anchor null. `f().b.c` -> parts {c, b}, anchor f(): a selector
  // chain may hang off a call, a literal or a parenthesized expression (Mixer's
  // flattenSelectors); anything else is an error.
  bool Flatten(const Syntax* s, std::vector<absl::string_view>* parts, const Syntax** anchor) {
    for (;;) {
      parts->push_back(s->text);
      const Syntax* x = s->x;
      switch (x->kind) {
        case SyntaxKind::kSelector:
          s = x;
          continue;
        case SyntaxKind::kIdent:
          parts->push_back(x->text);
          return true;
        case SyntaxKind::kCall:
        case SyntaxKind::kLiteral:
        case SyntaxKind::kParen:
          *anchor = x;
          return true;
        default:
          Fail(s->op_offset,
               absl::StrCat("unexpected expression: selector '.", s->text, "' on ", Describe(x),
                            x->kind == SyntaxKind::kIndex ? " (parenthesize it: (m[k]).f())" : ""));
          return false;
      }
    }
  }

  static std::string JoinReversed(const std::vector<absl::string_view>& parts, size_t skip) {
    std::string out;
    for (size_t i = parts.size(); i > skip; --i) {
      if (!out.empty()) out.push_back('.');
      absl::StrAppend(&out, parts[i - 1]);
    }
    return out;
  }

  Node* ConvertCall(const Syntax* s) {
    std::string function;
    Node* target = nullptr;
    int name_offset = s->x->offset;
    if (s->x->kind == SyntaxKind::kIdent) {
      function = std::string(s->x->text);
    } else if (s->x->kind == SyntaxKind::kSelector) {
      std::vector<absl::string_view> parts;
      const Syntax* anchor = nullptr;
      if (!Flatten(s->x, &parts, &anchor)) return nullptr;
      function = std::string(parts[0]);
      name_offset = s->x->op_offset + 1;
      if (anchor == nullptr) {
        // `a.b.f(x)`: the attribute `a.b` is the receiver of `f`.
        target = ast_->NewVariable(JoinReversed(parts, 1), s->x->offset);
      } else {
        if (parts.size() != 1) {
          return Fail(s->x->op_offset,
                      absl::StrCat("unexpected expression: only a method call may follow ",
                                   Describe(anchor)));
        }
        target = Convert(anchor);
        if (target == nullptr) return nullptr;
      }
    } else {
      // Mixer's compiler crashes on these; CEXL rejects them.
      return Fail(s->x->offset, absl::StrCat("unexpected expression: cannot call ", Describe(s->x),
                                             "; only a function name or a "
                                             "method of a receiver can be called"));
    }
    std::vector<Node*> args;
    for (const Syntax* a : s->args) {
      Node* n = Convert(a);
      if (n == nullptr) return nullptr;
      args.push_back(n);
    }
    return ast_->NewCall(std::move(function), target, std::move(args), s->offset, name_offset);
  }

  Node* ConvertLiteral(const Syntax* s) {
    const std::string text(s->text);
    switch (s->token) {
      case TokenKind::kInt: {
        absl::StatusOr<int64_t> v = ParseIntLiteral(s->text);
        if (!v.ok()) return Fail(s->offset, std::string(v.status().message()));
        return ast_->NewConstant(OwnedValue::Of(Value::Int64(*v)), text, s->offset);
      }
      case TokenKind::kFloat: {
        absl::StatusOr<double> v = ParseFloatLiteral(s->text);
        if (!v.ok()) return Fail(s->offset, std::string(v.status().message()));
        return ast_->NewConstant(OwnedValue::Of(Value::Double(*v)), text, s->offset);
      }
      case TokenKind::kChar:
      case TokenKind::kString: {
        absl::StatusOr<std::string> v = UnquoteLiteral(s->text);
        if (!v.ok()) return Fail(s->offset, std::string(v.status().message()));
        // Mixer's rule: a string that parses as a Go duration is a DURATION constant.
        absl::StatusOr<int64_t> d = ParseGoDuration(*v);
        if (d.ok()) return ast_->NewConstant(OwnedValue::Of(Value::Duration(*d)), text, s->offset);
        return ast_->NewConstant(OwnedValue::Of(Value::String(*v)), text, s->offset);
      }
      default:  // imaginary literals: Mixer tries to unquote them
        return Fail(s->offset, "invalid syntax");
    }
  }

  Ast* ast_;
  SourceError error_;
};

}  // namespace

bool Parse(absl::string_view text, int max_depth, Ast* ast, SourceError* error) {
  GoParser parser(text, max_depth);
  Syntax* syntax = parser.ParseExpression();
  if (syntax == nullptr) {
    *error = parser.error();
    return false;
  }
  Converter converter(ast);
  Node* root = converter.Convert(syntax);
  if (root == nullptr) {
    *error = converter.error();
    return false;
  }
  ast->set_root(root);
  return true;
}

}  // namespace mixlet::expr_internal
