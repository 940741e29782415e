// The differential test against Mixer: the same expressions and bags through `mixlet eval` and
// through Mixer's own CEXL engine (`mixer-eval`, built from /work/shared/peers/mixer-go), and
// the answers compared: the exit status class (0 value, 1 evaluation error, 2 compile error or
// bad input) and stdout byte for byte.
//
// Inputs:
//   * random expressions from a typed grammar over the standard vocabulary and constants (every
//     operator, built-in, receiver method and literal form of CEXL; mostly type-correct, a few
//     deliberately not), printed with Go's precedence (minimal parentheses, sometimes extra),
//     each with a random bag of the attributes it reads (some absent, empty strings and maps,
//     extreme integers, IPv4/IPv6, fractional timestamps, zero and negative durations);
//   * every row of the shared table tests/expr/expression_cases.h that only uses the standard
//     vocabulary and a JSON bag.
//
// Known deliberate differences (expressions.md §1 "mixlet and Mixer's bugs") are excluded by
// `KnownDifference` below, one predicate per difference, each pinned by a row flagged
// kMixerDiffers in expression_cases.h (and described in `mixlet --help`):
//   kOperatorInFallback       an operator form (comparison, &&, ||, +, size) where `|` may fall
//                             back: its left operand, or the right operand of a nested one
//   kIndexWithSumKey          `m["x-" + k]` where `|` may fall back
//   kTimestampOrderOffset     TIMESTAMP <= / >= with a timestamp() that is not a "...Z" literal
//   kOrInTopLevelCall         `||` directly inside a call at the top of the expression
//   kExtraArguments           a built-in called with more arguments than it takes
//   kInvalidRegexLiteral      an invalid regex literal as matches() receiver (compile time here;
//                             conservatively also any other receiver without attributes)
//   kInterpreterLimits        Mixer's fixed stack/heap limits ("stack overflow", "heap overflow")
//   kMixerHangs               Mixer did not answer within the time limit
//   kMixerCrashes             Mixer's interpreter panicked (the first few are listed)
// The grammar writes `|` chains left-nested, as people do: an all-absent right-nested chain
// (`a | (b | c)`, Mixer's "stack underflow") is pinned in the table instead.
//
// Environment: MIXLET_DIFF_CASES (default 3000 random cases), MIXLET_DIFF_SEED (default 1),
// MIXER_EVAL (a prebuilt mixer-eval; by default the test builds the peer once into
// <build>/mixer-go-bin). Skipped (with a message) when the peer sources or Go are absent.
#include <catch2/catch.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "expr/expression_cases.h"
#include "mixlet/attribute/mutable_bag.h"
#include "mixlet/attribute/vocabulary.h"
#include "mixlet/expr/compiler.h"
#include "re2/re2.h"
#include "tools/run_process.h"

namespace mixlet {
namespace {

using testing::ProcessResult;
using testing::RunProcess;

// ------------------------------------------------------------------------------------------
// The expression grammar
// ------------------------------------------------------------------------------------------

struct Node {
  enum Kind { kAttr, kConst, kCall, kReceiver, kBinary, kIndex };
  Kind kind;
  ValueType type;         // the type the generator meant (kUnspecified: deliberately wrong)
  std::string text;       // attribute name, constant text, function name or operator
  std::vector<Node> kids;  // arguments (receiver first), binary operands, or {map, key}
  bool extra_parens = false;
  bool invalid_regex = false;  // a matches() receiver literal that is not a valid regex
  bool extra_argument = false;
};

int Precedence(const Node& n) {
  if (n.kind != Node::kBinary) return 10;
  if (n.text == "||") return 1;
  if (n.text == "&&") return 2;
  if (n.text == "|" || n.text == "+") return 4;
  return 3;  // comparisons
}

std::string Print(const Node& n);

std::string PrintOperand(const Node& n, bool wrap) {
  std::string s = Print(n);
  return wrap || n.extra_parens ? absl::StrCat("(", s, ")") : s;
}

std::string Print(const Node& n) {
  switch (n.kind) {
    case Node::kAttr:
    case Node::kConst:
      return n.text;
    case Node::kCall: {
      std::vector<std::string> args;
      for (const Node& k : n.kids) args.push_back(Print(k));
      return absl::StrCat(n.text, "(", absl::StrJoin(args, ", "), ")");
    }
    case Node::kReceiver: {
      const Node& target = n.kids[0];
      // Go's grammar allows a selector chain, a literal, a call or a parenthesized expression
      // before `.method(...)`; anything else is parenthesized.
      const bool bare = target.kind == Node::kAttr || target.kind == Node::kConst ||
                        target.kind == Node::kCall;
      std::vector<std::string> args;
      for (size_t i = 1; i < n.kids.size(); ++i) args.push_back(Print(n.kids[i]));
      return absl::StrCat(PrintOperand(target, !bare), ".", n.text, "(",
                          absl::StrJoin(args, ", "), ")");
    }
    case Node::kIndex:
      return absl::StrCat(PrintOperand(n.kids[0], n.kids[0].kind == Node::kBinary), "[",
                          Print(n.kids[1]), "]");
    case Node::kBinary: {
      const int p = Precedence(n);
      return absl::StrCat(PrintOperand(n.kids[0], Precedence(n.kids[0]) < p), " ", n.text, " ",
                          PrintOperand(n.kids[1], Precedence(n.kids[1]) <= p));
    }
  }
  return "";
}

// Go string literal of `s` (printable ASCII as is, the rest escaped).
std::string GoLiteral(absl::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u >= 0x20 && u < 0x7F) {
      out.push_back(c);
    } else {
      absl::StrAppend(&out, "\\x", absl::Hex(u, absl::kZeroPad2));
    }
  }
  out.push_back('"');
  return out;
}

// A JSON string literal of `s` (valid UTF-8 input).
std::string JsonString(absl::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20) {
      absl::StrAppend(&out, "\\u00", absl::Hex(u, absl::kZeroPad2));
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

// Constant pools. Strings never parse as Go durations (a "1s" literal is a DURATION in CEXL).
const std::vector<std::string> kStrings = {
    "", "a", "abc", "/api/v1", "/api/*", "tcp", "http", "grpc", "Mobile Safari", "jason",
    "x-user", "version", "UPPER", "MiXeD", "a.b.c", "10.0.0.1", "*", "*.svc", "/api",
    "\xc3\xbc" "ber", "\xce\xa3\xce\x91", "istio@istio.io", "http://istio.io:80", "v1",
    "outbound", "inbound", "unknown", " ", "tab\there",
};
const std::vector<std::string> kMapKeys = {"x-user", "version", "app", "user-agent", "missing",
                                           "", ":path"};
const std::vector<std::string> kInts = {"0", "1", "42", "200", "010", "9223372036854775807"};
const std::vector<std::string> kDoubles = {"0.5", "1.5", "2.0", ".25", "1e300", "1e-7", "3.",
                                           "0x1p-2"};
const std::vector<std::string> kDurations = {"0s", "10ms", "1.5s", "1h", "-1s", "90m", "1us"};
const std::vector<std::string> kTimestamps = {
    "2015-01-02T15:04:35Z", "2015-01-02T15:04:35.5Z", "1970-01-01T00:00:00Z",
    "2015-01-02T16:04:35+01:00", "2015-01-02T15:04:35.000000001Z", "2038-01-19T03:14:08Z"};
const std::vector<std::string> kBadTimestamps = {"242233", "2015-02-30T00:00:00Z", ""};
const std::vector<std::string> kIps = {"10.0.0.1", "::1", "1.2.3.4", "::ffff:1.2.3.4", "fe80::1",
                                       "0.0.0.0"};
const std::vector<std::string> kBadIps = {"10.1.12", "", "::g", "1.2.3.4/8"};
const std::vector<std::string> kNames = {
    "foo.bar.com", "FOO.bar.com.", "a..b", "xn--bcher-kva.de", "B\xc3\x9c" "CHER.de",
    "foo_bar.com", "-x.com", "istio@istio.io", "\"istio\"@istio.io", "Name <a@b.com>",
    "<a@b.com>", "A@B.COM", "http://istio.io:80", "HTTP://ISTIO.IO:80/x", "http://istio.io:81",
    "mailto:a@b.com", "/path", "%zz", ":/", "", "a b", "http://a_b.com/"};
// Regex receivers: valid in both Go's regexp and RE2, plus one invalid pattern.
const std::vector<std::string> kPatterns = {"Mobile.*", "^/api/", "v[0-9]+$", ".*", "a|b",
                                            "(?i)jason", "^$", "\\d+", "[a-z]+\\.[a-z]+"};
constexpr char kInvalidPattern[] = "(";
const std::vector<std::string> kGlobs = {"/api/*", "*.svc", "*", "jason", "*a*", ""};

bool HasAttribute(const Node& n) {
  if (n.kind == Node::kAttr) return true;
  for (const Node& k : n.kids) {
    if (HasAttribute(k)) return true;
  }
  return false;
}

// False for a matches() receiver that mixlet compiles with the expression and that may not be a
// valid regex: a string literal that RE2 refuses, or any other receiver without attributes
// (folded to a constant at compile time; its text is not worked out here).
// The pools hold no escapes RE2 and Go read differently.
bool ValidRegexLiteral(const Node& target) {
  if (target.kind != Node::kConst) return HasAttribute(target);
  std::string pattern;
  absl::string_view body(target.text);
  body = body.substr(1, body.size() - 2);
  for (size_t i = 0; i < body.size(); ++i) {  // undo GoLiteral: \", \\ and \xNN
    if (body[i] == '\\' && i + 1 < body.size() && body[i + 1] == 'x' && i + 3 < body.size()) {
      const std::string hex(body.substr(i + 2, 2));
      pattern.push_back(static_cast<char>(std::stoi(hex, nullptr, 16)));
      i += 3;
      continue;
    }
    if (body[i] == '\\' && i + 1 < body.size()) ++i;
    pattern.push_back(body[i]);
  }
  RE2 re(pattern, RE2::Quiet);
  return re.ok();
}

class Generator {
 public:
  explicit Generator(uint64_t seed, const Vocabulary& vocabulary) : rng_(seed) {
    for (uint32_t i = 0; i < vocabulary.size(); ++i) {
      const std::string name(vocabulary.name(AttributeId{i}));
      if (Referenceable(name)) attrs_[vocabulary.type(AttributeId{i})].push_back(name);
    }
  }

  Node Expression() {
    static const ValueType kTop[] = {
        ValueType::kBool,      ValueType::kBool,      ValueType::kBool,   ValueType::kString,
        ValueType::kString,    ValueType::kInt64,     ValueType::kDouble, ValueType::kTimestamp,
        ValueType::kIpAddress, ValueType::kDuration,  ValueType::kStringMap,
        ValueType::kDnsName,   ValueType::kEmailAddress, ValueType::kUri};
    return Gen(kTop[Pick(std::size(kTop))], 4);
  }

  // A JSON bag giving each attribute of `names` a random value, or leaving it out.
  std::string Bag(const std::vector<std::string>& names, const Vocabulary& vocabulary) {
    std::vector<std::string> entries;
    for (const std::string& name : names) {
      if (Chance(0.25)) continue;
      const auto info = vocabulary.Find(name);
      if (!info) continue;
      entries.push_back(absl::StrCat(JsonString(name), ": ", JsonValue(info->type)));
    }
    return absl::StrCat("{", absl::StrJoin(entries, ", "), "}");
  }

 private:
  static bool Referenceable(absl::string_view name) {
    static const char* const kKeywords[] = {
        "break", "case", "chan", "const", "continue", "default", "defer", "else", "fallthrough",
        "for", "func", "go", "goto", "if", "import", "interface", "map", "package", "range",
        "return", "select", "struct", "switch", "type", "var"};
    for (absl::string_view segment : absl::StrSplit(name, '.')) {
      if (segment.empty() || (segment[0] >= '0' && segment[0] <= '9')) return false;
      for (const char* k : kKeywords) {
        if (segment == k) return false;
      }
      for (char c : segment) {
        if (!(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
      }
    }
    return true;
  }

  size_t Pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  template <typename T>
  const T& OneOf(const std::vector<T>& v) {
    return v[Pick(v.size())];
  }

  std::string JsonValue(ValueType type) {
    switch (type) {
      case ValueType::kString:
        return JsonString(OneOf(kStrings));
      case ValueType::kInt64: {
        static const char* const kValues[] = {"0", "1", "-1", "42", "200",
                                              "9223372036854775807", "-9223372036854775808"};
        return kValues[Pick(std::size(kValues))];
      }
      case ValueType::kBool:
        return Chance(0.5) ? "true" : "false";
      case ValueType::kTimestamp:
        return JsonString(OneOf(kTimestamps));
      case ValueType::kDuration:
        return JsonString(OneOf(kDurations));
      case ValueType::kIpAddress:
        return JsonString(OneOf(kIps));
      case ValueType::kStringMap: {
        std::vector<std::string> entries;
        const size_t n = Pick(4);
        for (size_t i = 0; i < n; ++i) {
          entries.push_back(
              absl::StrCat(JsonString(OneOf(kMapKeys)), ": ", JsonString(OneOf(kStrings))));
        }
        return absl::StrCat("{", absl::StrJoin(entries, ", "), "}");
      }
      default:
        return JsonString(OneOf(kNames));
    }
  }

  static Node Leaf(Node::Kind kind, ValueType type, std::string text) {
    return Node{kind, type, std::move(text), {}};
  }
  static Node Call(ValueType type, std::string name, std::vector<Node> args) {
    return Node{Node::kCall, type, std::move(name), std::move(args)};
  }
  static Node Binary(ValueType type, std::string op, Node a, Node b) {
    return Node{Node::kBinary, type, std::move(op), {std::move(a), std::move(b)}};
  }

  Node Attr(ValueType type) {
    auto it = attrs_.find(type);
    if (it == attrs_.end() || Chance(0.01)) {
      return Leaf(Node::kAttr, ValueType::kUnspecified, "request.nosuch");  // compile error
    }
    return Leaf(Node::kAttr, type, OneOf(it->second));
  }

  Node StringConst() { return Leaf(Node::kConst, ValueType::kString, GoLiteral(OneOf(kStrings))); }

  // A node of `type`; depth 0 gives a leaf.
  Node Gen(ValueType type, int depth) {
    // A few deliberate type errors: the checker of both must refuse them.
    if (depth > 0 && Chance(0.02)) {
      static const ValueType kAny[] = {ValueType::kString, ValueType::kInt64, ValueType::kBool,
                                       ValueType::kDuration, ValueType::kStringMap};
      Node n = Gen(kAny[Pick(std::size(kAny))], depth - 1);
      if (n.type != type) n.type = ValueType::kUnspecified;
      return n;
    }
    Node n = GenTyped(type, depth);
    if (n.kind == Node::kBinary && Chance(0.08)) n.extra_parens = true;
    return n;
  }

  Node Fallback(ValueType type, int depth) {
    // The left operand: what can be absent (attribute, index, a left-nested chain), sometimes a
    // constant or a call (never absent); the right operand never a `|` (see the file comment).
    Node left;
    const size_t form = depth <= 1 ? 0 : Pick(10);
    if (form < 5 || type == ValueType::kDouble) {
      left = type == ValueType::kDouble ? GenTyped(type, 0) : Attr(type);
    } else if (form < 7 && type == ValueType::kString) {
      left = Index(depth - 1);
    } else if (form < 9) {
      left = Fallback(type, depth - 1);
    } else {
      left = Gen(type, depth - 1);
    }
    Node right = Gen(type, depth - 1);
    if (right.kind == Node::kBinary && right.text == "|") right = GenTyped(type, 0);
    return Binary(type, "|", std::move(left), std::move(right));
  }

  Node Index(int depth) {
    Node map = Chance(0.85) || depth <= 0 ? Attr(ValueType::kStringMap)
                                          : Fallback(ValueType::kStringMap, depth);
    Node key;
    const size_t form = Pick(10);
    if (form < 7) {
      key = Leaf(Node::kConst, ValueType::kString, GoLiteral(OneOf(kMapKeys)));
    } else if (form < 9 || depth <= 0) {
      key = Attr(ValueType::kString);
    } else {
      key = Binary(ValueType::kString, "+", Leaf(Node::kConst, ValueType::kString, "\"x-\""),
                   Attr(ValueType::kString));
    }
    return Node{Node::kIndex, ValueType::kString, "", {std::move(map), std::move(key)}};
  }

  Node Conditional(ValueType type, int depth) {
    return Call(type, "conditional",
                {Gen(ValueType::kBool, depth - 1), Gen(type, depth - 1), Gen(type, depth - 1)});
  }

  Node GenTyped(ValueType type, int depth) {
    const bool leaf = depth <= 0;
    switch (type) {
      case ValueType::kString: {
        if (leaf) return Chance(0.5) ? Attr(type) : StringConst();
        switch (Pick(10)) {
          case 0: return Attr(type);
          case 1: return StringConst();
          case 2: return Binary(type, "+", Gen(type, depth - 1), Gen(type, depth - 1));
          case 3: return Fallback(type, depth);
          case 4: return Index(depth - 1);
          case 5: return Call(type, "toLower", {Gen(type, depth - 1)});
          case 6: return Conditional(type, depth);
          case 7:
            return Call(type, "conditionalString", {Gen(ValueType::kBool, depth - 1),
                                                    Gen(type, depth - 1), Gen(type, depth - 1)});
          case 8: return Fallback(type, depth);
          default: return Index(depth - 1);
        }
      }
      case ValueType::kInt64: {
        if (leaf) return Chance(0.5) ? Attr(type) : Leaf(Node::kConst, type, OneOf(kInts));
        switch (Pick(7)) {
          case 0: return Attr(type);
          case 1: return Leaf(Node::kConst, type, OneOf(kInts));
          case 2: return Binary(type, "+", Gen(type, depth - 1), Gen(type, depth - 1));
          case 3: return Fallback(type, depth);
          case 4: {
            Node n = Call(type, "size", {Gen(ValueType::kString, depth - 1)});
            if (Chance(0.05)) {
              n.kids.push_back(StringConst());
              n.extra_argument = true;
            }
            return n;
          }
          case 5: return Conditional(type, depth);
          default: return Fallback(type, depth);
        }
      }
      case ValueType::kDouble: {
        if (leaf) return Leaf(Node::kConst, type, OneOf(kDoubles));
        switch (Pick(4)) {
          case 0: return Leaf(Node::kConst, type, OneOf(kDoubles));
          case 1: return Binary(type, "+", Gen(type, depth - 1), Gen(type, depth - 1));
          case 2: return Conditional(type, depth);
          default: return Fallback(type, depth);
        }
      }
      case ValueType::kBool:
        return GenBool(depth);
      case ValueType::kTimestamp: {
        auto literal = [&] {
          const bool bad = Chance(0.1);
          return Call(type, "timestamp",
                      {Leaf(Node::kConst, ValueType::kString,
                            GoLiteral(bad ? OneOf(kBadTimestamps) : OneOf(kTimestamps)))});
        };
        if (leaf) return Chance(0.6) ? Attr(type) : literal();
        switch (Pick(5)) {
          case 0: return Attr(type);
          case 1: return literal();
          case 2: return Conditional(type, depth);
          default: return Fallback(type, depth);
        }
      }
      case ValueType::kIpAddress: {
        auto literal = [&] {
          return Call(type, "ip", {Leaf(Node::kConst, ValueType::kString,
                                        GoLiteral(Chance(0.15) ? OneOf(kBadIps) : OneOf(kIps)))});
        };
        if (leaf) return Chance(0.6) ? Attr(type) : literal();
        switch (Pick(6)) {
          case 0: return Attr(type);
          case 1: return literal();
          case 2: return Call(type, "ip", {Gen(ValueType::kString, depth - 1)});
          case 3: return Conditional(type, depth);
          default: return Fallback(type, depth);
        }
      }
      case ValueType::kDuration: {
        auto literal = [&] { return Leaf(Node::kConst, type, GoLiteral(OneOf(kDurations))); };
        if (leaf) return Chance(0.6) ? Attr(type) : literal();
        switch (Pick(4)) {
          case 0: return Attr(type);
          case 1: return literal();
          case 2: return Conditional(type, depth);
          default: return Fallback(type, depth);
        }
      }
      case ValueType::kStringMap: {
        if (leaf) return Chance(0.8) ? Attr(type) : Call(type, "emptyStringMap", {});
        switch (Pick(4)) {
          case 0: return Attr(type);
          case 1: return Call(type, "emptyStringMap", {});
          case 2: return Conditional(type, depth);
          default: return Fallback(type, depth);
        }
      }
      default: {  // DNS_NAME, EMAIL_ADDRESS, URI: only from their constructors
        const char* ctor = type == ValueType::kDnsName        ? "dnsName"
                           : type == ValueType::kEmailAddress ? "email"
                                                              : "uri";
        auto make = [&](int d) {
          Node arg = d <= 0 || Chance(0.7) ? Leaf(Node::kConst, ValueType::kString,
                                                  GoLiteral(OneOf(kNames)))
                                           : Gen(ValueType::kString, d - 1);
          return Call(type, ctor, {std::move(arg)});
        };
        if (leaf) return make(0);
        switch (Pick(5)) {
          case 0:
          case 1: return make(depth);
          case 2: return Binary(type, "+", make(depth - 1), make(depth - 1));
          case 3: return Conditional(type, depth);
          default: return Binary(type, "|", make(depth - 1), make(depth - 1));
        }
      }
    }
  }

  Node GenBool(int depth) {
    const ValueType b = ValueType::kBool;
    if (depth <= 0) {
      return Chance(0.5) ? Attr(b) : Leaf(Node::kConst, b, Chance(0.5) ? "true" : "false");
    }
    static const ValueType kEq[] = {
        ValueType::kString,   ValueType::kString,       ValueType::kInt64,
        ValueType::kDouble,   ValueType::kBool,         ValueType::kTimestamp,
        ValueType::kIpAddress, ValueType::kDnsName,     ValueType::kEmailAddress,
        ValueType::kUri};
    static const ValueType kOrdered[] = {ValueType::kString, ValueType::kInt64,
                                         ValueType::kDouble, ValueType::kTimestamp,
                                         ValueType::kDnsName};
    switch (Pick(13)) {
      case 0: return Attr(b);
      case 1:
      case 2: {
        const ValueType t = kEq[Pick(std::size(kEq))];
        return Binary(b, Chance(0.7) ? "==" : "!=", Gen(t, depth - 1), Gen(t, depth - 1));
      }
      case 3: {
        static const char* const kOps[] = {"<", "<=", ">", ">="};
        const ValueType t = kOrdered[Pick(std::size(kOrdered))];
        return Binary(b, kOps[Pick(4)], Gen(t, depth - 1), Gen(t, depth - 1));
      }
      case 4: return Binary(b, "&&", Gen(b, depth - 1), Gen(b, depth - 1));
      case 5: return Binary(b, "||", Gen(b, depth - 1), Gen(b, depth - 1));
      case 6: return Fallback(b, depth);
      case 7:
        return Call(b, "match",
                    {Gen(ValueType::kString, depth - 1),
                     Chance(0.7) ? Leaf(Node::kConst, ValueType::kString, GoLiteral(OneOf(kGlobs)))
                                 : Gen(ValueType::kString, depth - 1)});
      case 8: {
        Node target;
        bool invalid = false;
        if (Chance(0.75)) {
          invalid = Chance(0.04);
          target = Leaf(Node::kConst, ValueType::kString,
                        GoLiteral(invalid ? kInvalidPattern : OneOf(kPatterns)));
        } else {
          target = Gen(ValueType::kString, depth - 1);
        }
        Node n{Node::kReceiver, b, "matches",
               {std::move(target), Gen(ValueType::kString, depth - 1)}};
        n.invalid_regex = invalid || !ValidRegexLiteral(n.kids[0]);
        return n;
      }
      case 9:
      case 10:
        return Node{Node::kReceiver, b, Chance(0.5) ? "startsWith" : "endsWith",
                    {Gen(ValueType::kString, depth - 1), Gen(ValueType::kString, depth - 1)}};
      case 11: return Conditional(b, depth);
      default: return Leaf(Node::kConst, b, Chance(0.5) ? "true" : "false");
    }
  }

  std::mt19937_64 rng_;
  std::map<ValueType, std::vector<std::string>> attrs_;
};

void CollectAttributes(const Node& n, std::vector<std::string>* out) {
  if (n.kind == Node::kAttr && std::find(out->begin(), out->end(), n.text) == out->end()) {
    out->push_back(n.text);
  }
  for (const Node& k : n.kids) CollectAttributes(k, out);
}

// ------------------------------------------------------------------------------------------
// Known deliberate differences
// ------------------------------------------------------------------------------------------

enum class Known {
  kNone,
  kOperatorInFallback,
  kIndexWithSumKey,
  kTimestampOrderOffset,
  kOrInTopLevelCall,
  kExtraArguments,
  kInvalidRegexLiteral,
  kInterpreterLimits,
  kMixerHangs,
  kMixerCrashes,
  kFlaggedInTable,  // a row of expression_cases.h flagged kMixerDiffers
};

const char* KnownName(Known k) {
  switch (k) {
    case Known::kNone: return "none";
    case Known::kOperatorInFallback: return "operator form where | falls back";
    case Known::kIndexWithSumKey: return "m[\"x-\" + k] where | falls back";
    case Known::kTimestampOrderOffset: return "TIMESTAMP <=/>= with an offset";
    case Known::kOrInTopLevelCall: return "|| in a top-level call";
    case Known::kExtraArguments: return "extra built-in arguments";
    case Known::kInvalidRegexLiteral: return "invalid regex literal";
    case Known::kInterpreterLimits: return "Mixer interpreter limits";
    case Known::kMixerHangs: return "Mixer hangs";
    case Known::kMixerCrashes: return "Mixer crashes";
    case Known::kFlaggedInTable: return "flagged kMixerDiffers in the table";
  }
  return "?";
}

bool Any(const Node& n, bool (*pred)(const Node&)) {
  if (pred(n)) return true;
  for (const Node& k : n.kids) {
    if (Any(k, pred)) return true;
  }
  return false;
}

bool IsOperatorForm(const Node& n) {
  return n.kind == Node::kBinary ? n.text != "|" : n.kind == Node::kCall && n.text == "size";
}

// `||` written directly as an argument of a call of a built-in other than conditional and size,
// where that call is the whole expression or nested only in such calls.
bool OrInCallChain(const Node& n) {
  const bool chain_call = (n.kind == Node::kCall || n.kind == Node::kReceiver) &&
                          n.text != "conditional" && n.text != "size";
  if (!chain_call) return false;
  for (const Node& k : n.kids) {
    if (k.kind == Node::kBinary && k.text == "||") return true;
    if (OrInCallChain(k)) return true;
  }
  return false;
}

// True when `n`, evaluated in `nillable` mode (where absence falls back rather than fails:
// the left operand of `|`, the right operand of a `|` that is itself nillable, the map and key
// of an index in nillable mode), or any node under it, satisfies `pred`.
bool AnyNillable(const Node& n, bool nillable, bool (*pred)(const Node&)) {
  if (nillable && pred(n)) return true;
  if (n.kind == Node::kBinary && n.text == "|") {
    return AnyNillable(n.kids[0], true, pred) || AnyNillable(n.kids[1], nillable, pred);
  }
  if (n.kind == Node::kIndex) {
    return AnyNillable(n.kids[0], nillable, pred) || AnyNillable(n.kids[1], nillable, pred);
  }
  for (const Node& k : n.kids) {
    if (AnyNillable(k, false, pred)) return true;
  }
  return false;
}

Known StructuralDifference(const Node& root) {
  if (AnyNillable(root, false, IsOperatorForm)) return Known::kOperatorInFallback;
  if (AnyNillable(root, false, [](const Node& n) {
        return n.kind == Node::kIndex && n.kids[1].kind == Node::kBinary &&
               n.kids[1].text == "+";
      })) {
    return Known::kIndexWithSumKey;
  }
  if (Any(root, [](const Node& n) {
        return n.kind == Node::kBinary && (n.text == "<=" || n.text == ">=") &&
               n.kids[0].type == ValueType::kTimestamp;
      }) &&
      Any(root, [](const Node& n) {
        return n.kind == Node::kCall && n.text == "timestamp" &&
               !(n.kids[0].kind == Node::kConst && absl::EndsWith(n.kids[0].text, "Z\""));
      })) {
    return Known::kTimestampOrderOffset;
  }
  if (OrInCallChain(root)) return Known::kOrInTopLevelCall;
  if (Any(root, [](const Node& n) { return n.extra_argument; })) return Known::kExtraArguments;
  if (Any(root, [](const Node& n) { return n.invalid_regex; })) {
    return Known::kInvalidRegexLiteral;
  }
  return Known::kNone;
}

Known OutputDifference(const ProcessResult& mixer) {
  if (mixer.timed_out) return Known::kMixerHangs;
  if (absl::StrContains(mixer.err, "panic: ")) return Known::kMixerCrashes;
  if (mixer.exit_code == 1 && (absl::StrContains(mixer.err, "heap overflow") ||
                               absl::StrContains(mixer.err, "stack overflow"))) {
    return Known::kInterpreterLimits;
  }
  return Known::kNone;
}

// ------------------------------------------------------------------------------------------
// Running both engines
// ------------------------------------------------------------------------------------------

struct Case {
  std::string expression;
  std::string bag;  // JSON
  Known known = Known::kNone;
  std::string origin;
};

struct Outcome {
  int exit_code;
  std::string out;
  std::string err;
};

// Builds the peer into the build directory (once) and returns the path of mixer-eval, or ""
// with `why` set when it cannot exist here.
std::string PeerMixerEval(std::string* why) {
  if (const char* prebuilt = std::getenv("MIXER_EVAL"); prebuilt != nullptr && *prebuilt) {
    return prebuilt;
  }
  const std::string script = std::string(MIXLET_SOURCE_DIR) + "/../shared/peers/mixer-go/build";
  if (access(script.c_str(), X_OK) != 0) {
    *why = "the Mixer peer is not here (" + script + ")";
    return "";
  }
  const bool have_go = access("/usr/lib/go-1.19/bin/go", X_OK) == 0 ||
                       RunProcess({"/bin/sh", "-c", "command -v go"}).exit_code == 0;
  if (!have_go) {
    *why = "Go is not installed";
    return "";
  }
  const std::string out_dir = std::string(MIXLET_BINARY_DIR) + "/mixer-go-bin";
  const std::string eval = out_dir + "/mixer-eval";
  if (access(eval.c_str(), X_OK) != 0) {
    ProcessResult r = RunProcess({script, out_dir}, std::chrono::minutes(10));
    if (r.exit_code != 0) {
      FAIL("building the Mixer peer failed (" << script << " " << out_dir << "):\n" << r.err);
    }
  }
  return eval;
}

class Runner {
 public:
  Runner(std::string mixer_eval, std::string dir) : mixer_eval_(std::move(mixer_eval)),
                                                    dir_(std::move(dir)) {}

  // Runs `cases` on both engines with two workers; returns the mismatches, described.
  // `by_exit[k]` counts the compared cases whose (agreed or not) mixlet exit status is k.
  // `crashes` receives the first few cases that made Mixer panic.
  std::vector<std::string> Run(std::vector<Case>& cases, std::map<std::string, int>* excluded,
                               int* compared, int by_exit[3], std::vector<std::string>* crashes) {
    std::vector<std::string> mismatches;
    std::mutex mu;
    std::atomic<size_t> next{0};
    auto worker = [&](int id) {
      const std::string bag_file = absl::StrCat(dir_, "/bag", id, ".json");
      for (size_t i = next++; i < cases.size(); i = next++) {
        Case& c = cases[i];
        std::ofstream(bag_file, std::ios::binary | std::ios::trunc) << c.bag;
        const ProcessResult ours =
            RunProcess({MIXLET_CLI, "eval", "--attrs", bag_file, "--", c.expression},
                       std::chrono::seconds(30));
        const ProcessResult theirs =
            RunProcess({mixer_eval_, "eval", "--attrs", bag_file, "--", c.expression},
                       std::chrono::seconds(20));
        Known known = c.known;
        if (known == Known::kNone) known = OutputDifference(theirs);
        std::lock_guard<std::mutex> lock(mu);
        if (known != Known::kNone) {
          ++(*excluded)[KnownName(known)];
          if (known == Known::kMixerCrashes && crashes->size() < 5) {
            crashes->push_back(absl::StrCat(c.origin, ": ", c.expression, "  bag ", c.bag,
                                            "  mixlet: exit ", ours.exit_code, " ", ours.out,
                                            ours.err, "  mixer: ",
                                            theirs.err.substr(0, theirs.err.find('\n'))));
          }
          continue;
        }
        ++*compared;
        if (ours.exit_code >= 0 && ours.exit_code <= 2) ++by_exit[ours.exit_code];
        if (ours.exit_code != theirs.exit_code || ours.out != theirs.out) {
          mismatches.push_back(absl::StrCat(
              c.origin, "\n  expression: ", c.expression, "\n  bag: ", c.bag, "\n  mixlet: exit ",
              ours.exit_code, " ", ours.out, ours.err, "  mixer:  exit ", theirs.exit_code, " ",
              theirs.out, theirs.err));
        }
      }
      unlink(bag_file.c_str());
    };
    std::thread a(worker, 0), b(worker, 1);
    a.join();
    b.join();
    return mismatches;
  }

 private:
  std::string mixer_eval_;
  std::string dir_;
};

std::string TempDirectory() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = absl::StrCat(tmp != nullptr && *tmp ? tmp : "/tmp", "/mixlet_diff.XXXXXX");
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  REQUIRE(mkdtemp(buf.data()) != nullptr);
  return buf.data();
}

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v ? std::atoi(v) : fallback;
}

void Report(const char* what, size_t total, int compared, const int by_exit[3],
            const std::map<std::string, int>& excluded, const std::vector<std::string>& crashes,
            const std::vector<std::string>& mismatches) {
  std::string summary = absl::StrCat(
      what, ": ", total, " cases, ", compared, " compared (", by_exit[0], " values, ", by_exit[1],
      " evaluation errors, ", by_exit[2], " compile errors), ", mismatches.size(), " mismatches");
  for (const auto& [name, n] : excluded) {
    absl::StrAppend(&summary, "; excluded ", n, " (", name, ")");
  }
  for (const std::string& c : crashes) absl::StrAppend(&summary, "\nMixer crashed on ", c);
  WARN(summary);
  for (const std::string& m : mismatches) UNSCOPED_INFO(m);
  CHECK(mismatches.empty());
}

TEST_CASE("Differential: random expressions agree with Mixer", "[expr][differential]") {
  std::string why;
  const std::string mixer_eval = PeerMixerEval(&why);
  if (mixer_eval.empty()) {
    WARN("skipped: " << why);
    SUCCEED();
    return;
  }
  std::shared_ptr<const Vocabulary> vocabulary = Vocabulary::Standard();
  const int count = EnvInt("MIXLET_DIFF_CASES", 3000);
  const uint64_t seed = static_cast<uint64_t>(EnvInt("MIXLET_DIFF_SEED", 1));
  Generator gen(seed, *vocabulary);
  std::vector<Case> cases;
  for (int i = 0; i < count; ++i) {
    Node root = gen.Expression();
    std::vector<std::string> names;
    CollectAttributes(root, &names);
    Case c;
    c.expression = Print(root);
    c.bag = gen.Bag(names, *vocabulary);
    c.known = StructuralDifference(root);
    c.origin = absl::StrCat("random case ", i, " (seed ", seed, ")");
    cases.push_back(std::move(c));
  }
  const std::string dir = TempDirectory();
  std::map<std::string, int> excluded;
  int compared = 0;
  int by_exit[3] = {0, 0, 0};
  std::vector<std::string> crashes;
  std::vector<std::string> mismatches =
      Runner(mixer_eval, dir).Run(cases, &excluded, &compared, by_exit, &crashes);
  rmdir(dir.c_str());
  Report("random expressions", cases.size(), compared, by_exit, excluded, crashes, mismatches);
  CHECK(compared >= count / 2);
}

TEST_CASE("Differential: the shared expression table agrees with Mixer", "[expr][differential]") {
  std::string why;
  const std::string mixer_eval = PeerMixerEval(&why);
  if (mixer_eval.empty()) {
    WARN("skipped: " << why);
    SUCCEED();
    return;
  }
  // Applicable rows: the expression compiles against the standard vocabulary (or fails for a
  // reason other than a test-only attribute) and the bag is plain JSON over standard attributes.
  std::shared_ptr<const Vocabulary> standard = Vocabulary::Standard();
  ExpressionCompiler compiler(standard);
  std::vector<Case> cases;
  int not_applicable = 0;
  int index = 0;
  for (const expr_testing::ExpressionCase& row : expr_testing::kExpressionCases) {
    ++index;
    MutableBag bag(standard);
    bool applicable = row.builder == nullptr && ParseBagJson(row.bag, &bag).ok();
    if (applicable) {
      absl::StatusOr<Expression> e = compiler.Compile(row.expression);
      if (!e.ok()) {
        for (const expr_testing::TestAttribute& a : expr_testing::kTestAttributes) {
          if (absl::StrContains(e.status().message(),
                                absl::StrCat("unknown attribute '", a.name, "'"))) {
            applicable = false;
          }
        }
      }
    }
    if (!applicable) {
      ++not_applicable;
      continue;
    }
    Case c;
    c.expression = row.expression;
    c.bag = row.bag;
    c.origin = absl::StrCat("expression_cases.h row ", index, " (", row.note, ")");
    if (row.flags & expr_testing::kMixerDiffers) c.known = Known::kFlaggedInTable;
    cases.push_back(std::move(c));
  }
  const std::string dir = TempDirectory();
  std::map<std::string, int> excluded;
  int compared = 0;
  int by_exit[3] = {0, 0, 0};
  std::vector<std::string> crashes;
  std::vector<std::string> mismatches =
      Runner(mixer_eval, dir).Run(cases, &excluded, &compared, by_exit, &crashes);
  rmdir(dir.c_str());
  Report(absl::StrCat("expression table (", not_applicable, " rows need test attributes)").c_str(),
         cases.size(), compared, by_exit, excluded, crashes, mismatches);
}

}  // namespace
}  // namespace mixlet
