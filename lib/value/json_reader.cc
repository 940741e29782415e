// A strict RFC 8259 reader that keeps numbers as written and positions for every value.
#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "value/json_internal.h"

namespace mixlet::value_internal {
namespace {

void AppendUtf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// The length of the valid UTF-8 sequence at the start of `s` (shortest form, no surrogates,
// at most U+10FFFF), or 0.
size_t Utf8SequenceLength(absl::string_view s) {
  const auto b0 = static_cast<unsigned char>(s[0]);
  size_t len;
  uint32_t cp;
  if (b0 < 0x80) return 1;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    cp = b0 & 0x0F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (s.size() < len) return 0;
  for (size_t i = 1; i < len; ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return len;
}

class Reader {
 public:
  explicit Reader(absl::string_view text) : text_(text) {}

  absl::StatusOr<JsonNode> ReadDocument() {
    SkipWhitespace();
    JsonNode root;
    if (absl::Status s = ReadValue(&root, 0); !s.ok()) return s;
    SkipWhitespace();
    if (pos_ < text_.size()) return Error("unexpected text after the JSON value");
    return root;
  }

 private:
  absl::Status ReadValue(JsonNode* node, int depth) {
    node->line = line_;
    node->column = Column();
    if (pos_ >= text_.size()) return Error("expected a JSON value, found the end of the text");
    switch (text_[pos_]) {
      case '{':
        return ReadObject(node, depth + 1);
      case '[':
        return ReadArray(node, depth + 1);
      case '"':
        node->kind = JsonNode::Kind::kString;
        return ReadString(&node->text);
      case 't':
        node->kind = JsonNode::Kind::kBool;
        node->boolean = true;
        return ReadWord("true");
      case 'f':
        node->kind = JsonNode::Kind::kBool;
        node->boolean = false;
        return ReadWord("false");
      case 'n':
        node->kind = JsonNode::Kind::kNull;
        return ReadWord("null");
      default:
        if (text_[pos_] == '-' || IsDigit(text_[pos_])) {
          node->kind = JsonNode::Kind::kNumber;
          return ReadNumber(&node->text);
        }
        return Error(absl::StrCat("expected a JSON value, found ", Found()));
    }
  }

  absl::Status ReadObject(JsonNode* node, int depth) {
    node->kind = JsonNode::Kind::kObject;
    if (depth > kMaxJsonDepth) return TooDeep();
    ++pos_;  // '{'
    SkipWhitespace();
    if (Peek('}')) {
      ++pos_;
      return absl::OkStatus();
    }
    while (true) {
      if (!Peek('"')) return Error(absl::StrCat("expected a string key, found ", Found()));
      JsonMember member;
      if (absl::Status s = ReadString(&member.key); !s.ok()) return s;
      SkipWhitespace();
      if (!Peek(':')) {
        return Error(absl::StrCat("expected ':' after an object key, found ", Found()));
      }
      ++pos_;
      SkipWhitespace();
      if (absl::Status s = ReadValue(&member.value, depth); !s.ok()) return s;
      node->members.push_back(std::move(member));
      SkipWhitespace();
      if (Peek(',')) {
        ++pos_;
        SkipWhitespace();
        continue;
      }
      if (Peek('}')) {
        ++pos_;
        return absl::OkStatus();
      }
      return Error(absl::StrCat("expected ',' or '}' in an object, found ", Found()));
    }
  }

  absl::Status ReadArray(JsonNode* node, int depth) {
    node->kind = JsonNode::Kind::kArray;
    if (depth > kMaxJsonDepth) return TooDeep();
    ++pos_;  // '['
    SkipWhitespace();
    if (Peek(']')) {
      ++pos_;
      return absl::OkStatus();
    }
    while (true) {
      JsonNode item;
      if (absl::Status s = ReadValue(&item, depth); !s.ok()) return s;
      node->items.push_back(std::move(item));
      SkipWhitespace();
      if (Peek(',')) {
        ++pos_;
        SkipWhitespace();
        continue;
      }
      if (Peek(']')) {
        ++pos_;
        return absl::OkStatus();
      }
      return Error(absl::StrCat("expected ',' or ']' in an array, found ", Found()));
    }
  }

  absl::Status ReadWord(absl::string_view word) {
    if (text_.substr(pos_, word.size()) != word) {
      return Error(absl::StrCat("expected a JSON value, found ", Found()));
    }
    pos_ += word.size();
    return absl::OkStatus();
  }

  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, kept as written.
  absl::Status ReadNumber(std::string* out) {
    const size_t start = pos_;
    if (Peek('-')) ++pos_;
    if (Peek('0')) {
      ++pos_;
    } else if (pos_ < text_.size() && IsDigit(text_[pos_])) {
      while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
    } else {
      return Error(absl::StrCat("expected a digit in a number, found ", Found()));
    }
    if (Peek('.')) {
      ++pos_;
      if (pos_ >= text_.size() || !IsDigit(text_[pos_])) {
        return Error(absl::StrCat("expected a digit after '.' in a number, found ", Found()));
      }
      while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
    }
    if (Peek('e') || Peek('E')) {
      ++pos_;
      if (Peek('+') || Peek('-')) ++pos_;
      if (pos_ >= text_.size() || !IsDigit(text_[pos_])) {
        return Error(absl::StrCat("expected a digit in a number's exponent, found ", Found()));
      }
      while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
    }
    // A number runs into the next token; "01" or "1x" are errors, not two values.
    if (pos_ < text_.size() && (IsDigit(text_[pos_]) || IsAsciiLetter(text_[pos_]))) {
      return Error(absl::StrCat("unexpected ", Found(), " in a number"));
    }
    out->assign(text_.data() + start, pos_ - start);
    return absl::OkStatus();
  }

  absl::Status ReadString(std::string* out) {
    ++pos_;  // '"'
    out->clear();
    while (true) {
      if (pos_ >= text_.size()) return Error("unterminated string");
      const char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        return absl::OkStatus();
      }
      if (static_cast<unsigned char>(c) < 0x20) {
        return Error(absl::StrCat("control character ", Found(), " in a string (escape it)"));
      }
      if (c == '\\') {
        if (absl::Status s = ReadEscape(out); !s.ok()) return s;
        continue;
      }
      const size_t len = Utf8SequenceLength(text_.substr(pos_));
      if (len == 0) return Error("invalid UTF-8 in a string");
      out->append(text_.data() + pos_, len);
      pos_ += len;
    }
  }

  absl::Status ReadEscape(std::string* out) {
    ++pos_;  // '\'
    if (pos_ >= text_.size()) return Error("unterminated string");
    const char c = text_[pos_];
    switch (c) {
      case '"':
      case '\\':
      case '/':
        out->push_back(c);
        ++pos_;
        return absl::OkStatus();
      case 'b':
        out->push_back('\b');
        ++pos_;
        return absl::OkStatus();
      case 'f':
        out->push_back('\f');
        ++pos_;
        return absl::OkStatus();
      case 'n':
        out->push_back('\n');
        ++pos_;
        return absl::OkStatus();
      case 'r':
        out->push_back('\r');
        ++pos_;
        return absl::OkStatus();
      case 't':
        out->push_back('\t');
        ++pos_;
        return absl::OkStatus();
      case 'u': {
        --pos_;  // Report positions at the backslash.
        uint32_t cp;
        if (absl::Status s = ReadHex4(&cp); !s.ok()) return s;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          uint32_t low;
          if (text_.substr(pos_, 2) != "\\u") return Error("lone UTF-16 surrogate in \\u escape");
          if (absl::Status s = ReadHex4(&low); !s.ok()) return s;
          if (low < 0xDC00 || low > 0xDFFF) return Error("lone UTF-16 surrogate in \\u escape");
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          return Error("lone UTF-16 surrogate in \\u escape");
        }
        AppendUtf8(out, cp);
        return absl::OkStatus();
      }
      default:
        if (c > 0x20 && c < 0x7F) {
          return Error(
              absl::StrCat("invalid escape '\\", absl::string_view(&c, 1), "' in a string"));
        }
        return Error(absl::StrCat("invalid escape: '\\' followed by ", Found()));
    }
  }

  // Reads "\uXXXX" at pos_.
  absl::Status ReadHex4(uint32_t* cp) {
    *cp = 0;
    for (size_t i = 2; i < 6; ++i) {
      if (pos_ + i >= text_.size()) return Error("unterminated \\u escape");
      const char h = text_[pos_ + i];
      int v;
      if (h >= '0' && h <= '9') {
        v = h - '0';
      } else if (h >= 'a' && h <= 'f') {
        v = h - 'a' + 10;
      } else if (h >= 'A' && h <= 'F') {
        v = h - 'A' + 10;
      } else {
        return Error("expected four hex digits after \\u");
      }
      *cp = *cp * 16 + static_cast<uint32_t>(v);
    }
    pos_ += 6;
    return absl::OkStatus();
  }

  void SkipWhitespace() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '\n') {
        ++line_;
        line_start_ = pos_ + 1;
      } else if (c != ' ' && c != '\t' && c != '\r') {
        return;
      }
      ++pos_;
    }
  }

  static bool IsDigit(char c) { return c >= '0' && c <= '9'; }
  static bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
  bool Peek(char c) const { return pos_ < text_.size() && text_[pos_] == c; }
  int Column() const { return static_cast<int>(pos_ - line_start_) + 1; }

  // The character at pos_ for messages: 'x', a control or non-ASCII byte in hex, or "the end of
  // the text".
  std::string Found() const {
    if (pos_ >= text_.size()) return "the end of the text";
    const auto c = static_cast<unsigned char>(text_[pos_]);
    if (c < 0x20 || c >= 0x7F) return absl::StrFormat("byte 0x%02x", c);
    return absl::StrCat("'", absl::string_view(text_.data() + pos_, 1), "'");
  }

  absl::Status Error(absl::string_view what) const {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid JSON at line ", line_, ", column ", Column(), ": ", what));
  }
  absl::Status TooDeep() const {
    return Error(absl::StrCat("arrays and objects nested deeper than ", kMaxJsonDepth));
  }

  absl::string_view text_;
  size_t pos_ = 0;
  int line_ = 1;
  size_t line_start_ = 0;
};

void AppendCompact(const JsonNode& node, std::string* out, size_t limit) {
  if (out->size() > limit) return;
  switch (node.kind) {
    case JsonNode::Kind::kNull:
      *out += "null";
      return;
    case JsonNode::Kind::kBool:
      *out += node.boolean ? "true" : "false";
      return;
    case JsonNode::Kind::kNumber:
      *out += node.text;
      return;
    case JsonNode::Kind::kString:
      AppendJsonString(out, node.text);
      return;
    case JsonNode::Kind::kArray:
      out->push_back('[');
      for (size_t i = 0; i < node.items.size() && out->size() <= limit; ++i) {
        if (i > 0) out->push_back(',');
        AppendCompact(node.items[i], out, limit);
      }
      out->push_back(']');
      return;
    case JsonNode::Kind::kObject:
      out->push_back('{');
      for (size_t i = 0; i < node.members.size() && out->size() <= limit; ++i) {
        if (i > 0) out->push_back(',');
        AppendJsonString(out, node.members[i].key);
        out->push_back(':');
        AppendCompact(node.members[i].value, out, limit);
      }
      out->push_back('}');
      return;
  }
}

}  // namespace

absl::StatusOr<JsonNode> ReadJson(absl::string_view text) { return Reader(text).ReadDocument(); }

absl::string_view JsonKindName(JsonNode::Kind kind) {
  switch (kind) {
    case JsonNode::Kind::kNull:
      return "null";
    case JsonNode::Kind::kBool:
      return "a boolean";
    case JsonNode::Kind::kNumber:
      return "a number";
    case JsonNode::Kind::kString:
      return "a string";
    case JsonNode::Kind::kArray:
      return "an array";
    case JsonNode::Kind::kObject:
      return "an object";
  }
  return "a value";
}

std::string DescribeJson(const JsonNode& node) {
  constexpr size_t kLimit = 60;
  std::string out;
  AppendCompact(node, &out, kLimit);
  if (out.size() > kLimit) {
    // Cut on a UTF-8 boundary.
    size_t cut = kLimit;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
    out += "...";
  }
  return out;
}

}  // namespace mixlet::value_internal
