#include "router/fast_path.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "mixlet/attribute/mutable_bag.h"

namespace mixlet::router_internal {
namespace {

struct Token {
  enum class Kind { kIdent, kString, kNumber, kPunct };
  Kind kind;
  std::string text;  // Identifier, string contents (no escapes), number text, or punctuation.
};

// Splits the few shapes we recognise into tokens; false for anything else (escapes, raw
// strings, comments, other operators), which leaves the expression to the evaluator.
bool Tokenize(absl::string_view s, std::vector<Token>* out) {
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == ' ' || c == '\t') {
      ++i;
    } else if (absl::ascii_isalpha(c) || c == '_') {
      size_t j = i;
      while (j < s.size() && (absl::ascii_isalnum(s[j]) || s[j] == '_' || s[j] == '.')) ++j;
      if (s[j - 1] == '.') return false;
      out->push_back({Token::Kind::kIdent, std::string(s.substr(i, j - i))});
      i = j;
    } else if (absl::ascii_isdigit(c)) {
      size_t j = i;
      while (j < s.size() && absl::ascii_isdigit(s[j])) ++j;
      out->push_back({Token::Kind::kNumber, std::string(s.substr(i, j - i))});
      i = j;
    } else if (c == '"') {
      const size_t j = s.find('"', i + 1);
      if (j == absl::string_view::npos) return false;
      const absl::string_view body = s.substr(i + 1, j - i - 1);
      if (body.find('\\') != absl::string_view::npos ||
          body.find('\n') != absl::string_view::npos) {
        return false;
      }
      out->push_back({Token::Kind::kString, std::string(body)});
      i = j + 1;
    } else if ((c == '=' || c == '!') && i + 1 < s.size() && s[i + 1] == '=') {
      out->push_back({Token::Kind::kPunct, std::string(s.substr(i, 2))});
      i += 2;
    } else if (c == '|' && (i + 1 >= s.size() || s[i + 1] != '|')) {
      out->push_back({Token::Kind::kPunct, "|"});
      ++i;
    } else if (c == '(' || c == ')' || c == '[' || c == ']' || c == ',') {
      out->push_back({Token::Kind::kPunct, std::string(1, c)});
      ++i;
    } else {
      return false;
    }
  }
  // Parentheses around everything change nothing.
  while (out->size() >= 2 && out->front().text == "(" && out->back().text == ")" &&
         out->front().kind == Token::Kind::kPunct && out->back().kind == Token::Kind::kPunct) {
    int depth = 0;
    bool wraps = true;
    for (size_t k = 0; k + 1 < out->size(); ++k) {
      const Token& t = (*out)[k];
      if (t.kind != Token::Kind::kPunct) continue;
      if (t.text == "(") ++depth;
      if (t.text == ")" && --depth == 0) wraps = false;
    }
    if (!wraps) break;
    out->erase(out->begin());
    out->pop_back();
  }
  return true;
}

bool Is(const Token& t, Token::Kind kind, absl::string_view text = "") {
  return t.kind == kind && (text.empty() || t.text == text);
}
bool IsLiteral(const Token& t) {
  return t.kind == Token::Kind::kString || t.kind == Token::Kind::kNumber ||
         (t.kind == Token::Kind::kIdent && (t.text == "true" || t.text == "false"));
}

// A value of `type` that no fallback in a configuration is likely to equal.
OwnedValue Sample(ValueType type) {
  switch (type) {
    case ValueType::kString:
    case ValueType::kDnsName:
    case ValueType::kEmailAddress:
    case ValueType::kUri:
      return OwnedValue::Of(Value::StringOfType(type, "mixlet-probe.example"));
    case ValueType::kInt64:
      return OwnedValue::Of(Value::Int64(-4242));
    case ValueType::kDouble:
      return OwnedValue::Of(Value::Double(-42.25));
    case ValueType::kBool:
      return OwnedValue::Of(Value::Bool(true));
    case ValueType::kDuration:
      return OwnedValue::Of(Value::Duration(int64_t{4242}));
    case ValueType::kTimestamp:
      return OwnedValue::Of(Value::TimestampValue(Timestamp{4242, 42}));
    case ValueType::kIpAddress:
      return OwnedValue::Of(Value::IpAddress(absl::string_view("\x0a\x04\x02\x02", 4)));
    case ValueType::kStringMap:
      return OwnedValue::StringMapOf({{"mixlet-probe", "x"}});
    case ValueType::kUnspecified:
      break;
  }
  return OwnedValue();
}

// The result of evaluating `e` on a bag holding only `values`: nullopt for an error.
absl::optional<OwnedValue> Probe(const Expression& e, const std::shared_ptr<const Vocabulary>& v,
                                 std::initializer_list<std::pair<AttributeId, Value>> values) {
  MutableBag bag(v);
  for (const auto& [id, value] : values) {
    if (!bag.Set(id, value).ok()) return absl::nullopt;
  }
  absl::StatusOr<OwnedValue> r = e.Evaluate(bag);
  if (!r.ok()) return absl::nullopt;
  return std::move(r).value();
}

bool ProbeIs(const absl::optional<OwnedValue>& got, const Value& want) {
  return got.has_value() && got->value() == want && got->value().type() == want.type();
}

// The one attribute `e` reads, if it is named `name`.
absl::optional<AttributeInfo> SingleAttribute(const Expression& e, const Vocabulary& v,
                                              absl::string_view name) {
  if (e.attributes().size() != 1) return absl::nullopt;
  const AttributeId id = e.attributes()[0];
  if (v.name(id) != name) return absl::nullopt;
  return AttributeInfo{id, v.type(id)};
}

}  // namespace

FastExpression RecognizeField(const Expression& e,
                              const std::shared_ptr<const Vocabulary>& vocabulary) {
  using Kind = FastExpression::Kind;
  FastExpression f;
  std::vector<Token> t;
  if (!Tokenize(e.text(), &t) || t.empty() || !Is(t[0], Token::Kind::kIdent)) return f;
  // conditional((attr | "d") == "x", K1, K2)
  if (t.size() == 14 && t[0].text == "conditional" && Is(t[1], Token::Kind::kPunct, "(") &&
      Is(t[2], Token::Kind::kPunct, "(") && Is(t[3], Token::Kind::kIdent) &&
      Is(t[4], Token::Kind::kPunct, "|") && Is(t[5], Token::Kind::kString) &&
      Is(t[6], Token::Kind::kPunct, ")") && Is(t[7], Token::Kind::kPunct, "==") &&
      Is(t[8], Token::Kind::kString) && Is(t[9], Token::Kind::kPunct, ",") && IsLiteral(t[10]) &&
      Is(t[11], Token::Kind::kPunct, ",") && IsLiteral(t[12]) &&
      Is(t[13], Token::Kind::kPunct, ")")) {
    const absl::optional<AttributeInfo> cond = SingleAttribute(e, *vocabulary, t[3].text);
    if (!cond.has_value() || cond->type != ValueType::kString) return f;
    const std::string& fallback = t[5].text;
    const std::string& literal = t[8].text;
    const std::string miss = literal + "~mixlet-probe";
    absl::optional<OwnedValue> yes = Probe(e, vocabulary, {{cond->id, Value::String(literal)}});
    absl::optional<OwnedValue> no = Probe(e, vocabulary, {{cond->id, Value::String(miss)}});
    absl::optional<OwnedValue> absent = Probe(e, vocabulary, {});
    if (!yes.has_value() || !no.has_value() || !absent.has_value()) return f;
    if (!ProbeIs(absent, (fallback == literal ? yes : no)->value())) return f;
    f.kind = Kind::kChoose;
    f.attribute = cond->id;
    f.literal = literal;
    f.fallback_literal = fallback;
    f.if_true = std::move(*yes);
    f.if_false = std::move(*no);
    return f;
  }
  const absl::optional<AttributeInfo> attr = SingleAttribute(e, *vocabulary, t[0].text);
  if (!attr.has_value()) return f;
  const OwnedValue sample = Sample(attr->type);
  if (!sample.value().has_value()) return f;

  if (t.size() == 1) {  // attr
    if (ProbeIs(Probe(e, vocabulary, {{attr->id, sample.value()}}), sample.value()) &&
        !Probe(e, vocabulary, {}).has_value()) {
      f.kind = Kind::kAttribute;
      f.attribute = attr->id;
    }
    return f;
  }
  if (t.size() == 3 && Is(t[1], Token::Kind::kPunct, "|") && IsLiteral(t[2])) {  // attr | K
    absl::optional<OwnedValue> absent = Probe(e, vocabulary, {});
    if (absent.has_value() &&
        ProbeIs(Probe(e, vocabulary, {{attr->id, sample.value()}}), sample.value())) {
      f.kind = Kind::kAttributeOr;
      f.attribute = attr->id;
      f.fallback = std::move(*absent);
    }
    return f;
  }
  if (t.size() == 6 && attr->type == ValueType::kStringMap && Is(t[1], Token::Kind::kPunct, "[") &&
      Is(t[2], Token::Kind::kString) && Is(t[3], Token::Kind::kPunct, "]") &&
      Is(t[4], Token::Kind::kPunct, "|") && IsLiteral(t[5])) {  // m["key"] | K
    const std::string& key = t[2].text;
    absl::optional<OwnedValue> absent = Probe(e, vocabulary, {});
    const OwnedValue with_key = OwnedValue::StringMapOf({{"other", "o"}, {key, "mixlet-probe"}});
    const OwnedValue without_key = OwnedValue::StringMapOf({{"other", "o"}});
    if (absent.has_value() &&
        ProbeIs(Probe(e, vocabulary, {{attr->id, with_key.value()}}),
                Value::String("mixlet-probe")) &&
        ProbeIs(Probe(e, vocabulary, {{attr->id, without_key.value()}}), absent->value())) {
      f.kind = Kind::kMapKeyOr;
      f.attribute = attr->id;
      f.key = key;
      f.fallback = std::move(*absent);
    }
    return f;
  }
  return f;
}

FastExpression RecognizeMatch(const Expression& e,
                              const std::shared_ptr<const Vocabulary>& vocabulary) {
  using Kind = FastExpression::Kind;
  FastExpression f;
  if (e.result_type() != ValueType::kBool) return f;
  std::vector<Token> t;
  if (!Tokenize(e.text(), &t)) return f;

  std::string name, literal, fallback;
  Kind kind = Kind::kNone;
  if (t.size() == 3 &&
      (Is(t[1], Token::Kind::kPunct, "==") || Is(t[1], Token::Kind::kPunct, "!="))) {
    kind = t[1].text == "==" ? Kind::kEquals : Kind::kNotEquals;
    if (Is(t[0], Token::Kind::kIdent) && Is(t[2], Token::Kind::kString)) {
      name = t[0].text;
      literal = t[2].text;
    } else if (Is(t[0], Token::Kind::kString) && Is(t[2], Token::Kind::kIdent)) {
      name = t[2].text;
      literal = t[0].text;
    } else {
      return f;
    }
  } else if (t.size() == 7 && Is(t[0], Token::Kind::kPunct, "(") && Is(t[1], Token::Kind::kIdent) &&
             Is(t[2], Token::Kind::kPunct, "|") && Is(t[3], Token::Kind::kString) &&
             Is(t[4], Token::Kind::kPunct, ")") && Is(t[5], Token::Kind::kPunct, "==") &&
             Is(t[6], Token::Kind::kString)) {  // (attr | "d") == "x"
    kind = Kind::kOrEquals;
    name = t[1].text;
    fallback = t[3].text;
    literal = t[6].text;
  } else {
    return f;
  }
  const absl::optional<AttributeInfo> attr = SingleAttribute(e, *vocabulary, name);
  if (!attr.has_value() || attr->type != ValueType::kString) return f;

  // The compiled program must agree with the shortcut on a hit, a miss and an absent attribute.
  const std::string miss = literal + "~mixlet-probe";
  const bool equals = kind != Kind::kNotEquals;
  const absl::optional<OwnedValue> hit = Probe(e, vocabulary, {{attr->id, Value::String(literal)}});
  const absl::optional<OwnedValue> other = Probe(e, vocabulary, {{attr->id, Value::String(miss)}});
  const absl::optional<OwnedValue> absent = Probe(e, vocabulary, {});
  if (!ProbeIs(hit, Value::Bool(equals)) || !ProbeIs(other, Value::Bool(!equals))) return f;
  if (kind == Kind::kOrEquals) {
    if (!ProbeIs(absent, Value::Bool(fallback == literal))) return f;
  } else if (absent.has_value()) {
    return f;
  }
  f.kind = kind;
  f.attribute = attr->id;
  f.literal = std::move(literal);
  f.fallback_literal = std::move(fallback);
  return f;
}

}  // namespace mixlet::router_internal
