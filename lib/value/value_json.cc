// JSON forms of values: reading a JSON value as a declared type, and writing a value as JSON.
#include "mixlet/value/value_json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "internal/status_macros.h"
#include "value/json_internal.h"

namespace mixlet {
namespace {

using value_internal::DescribeJson;
using value_internal::JsonNode;

// The JSON form each type is read from, for messages: "expected <form> for <TYPE>".
absl::string_view ExpectedForm(ValueType type) {
  switch (type) {
    case ValueType::kString:
    case ValueType::kEmailAddress:
    case ValueType::kUri:
    case ValueType::kDnsName:
      return "a JSON string";
    case ValueType::kInt64:
      return "a JSON integer";
    case ValueType::kDouble:
      return "a JSON number";
    case ValueType::kBool:
      return "a JSON boolean";
    case ValueType::kTimestamp:
      return "an RFC 3339 string";
    case ValueType::kDuration:
      return "a Go duration string";
    case ValueType::kIpAddress:
      return "an IP address string";
    case ValueType::kStringMap:
      return "a JSON object of strings";
    case ValueType::kUnspecified:
      break;
  }
  return "a value";
}

absl::Status Mismatch(ValueType type, const JsonNode& found, absl::string_view detail = "") {
  return absl::InvalidArgumentError(absl::StrCat("expected ", ExpectedForm(type), " for ",
                                                 ValueTypeName(type), ", got ", DescribeJson(found),
                                                 detail));
}

// Where a JSON number that strtod-like parsing finds out of range lies: true when its magnitude
// is huge (overflow), false when tiny (underflow). `text` matches the JSON number grammar.
bool IsHugeMagnitude(absl::string_view text) {
  size_t i = text[0] == '-' ? 1 : 0;
  int64_t position = 0;  // Decimal position of the first significant digit.
  bool seen_significant = false;
  bool after_point = false;
  for (; i < text.size() && text[i] != 'e' && text[i] != 'E'; ++i) {
    if (text[i] == '.') {
      after_point = true;
      continue;
    }
    if (!seen_significant) {
      if (text[i] != '0') {
        seen_significant = true;
        if (!after_point) position = 1;
      } else if (after_point) {
        --position;
      }
    } else if (!after_point) {
      ++position;
    }
  }
  int64_t exponent = 0;
  if (i < text.size()) {
    ++i;
    bool negative = false;
    if (text[i] == '+' || text[i] == '-') negative = text[i++] == '-';
    for (; i < text.size() && exponent < 1000000; ++i) exponent = exponent * 10 + (text[i] - '0');
    if (negative) exponent = -exponent;
  }
  return seen_significant && position + exponent > 0;
}

absl::StatusOr<double> ReadDouble(const JsonNode& node) {
  const std::string& text = node.text;
  double v = 0;
  const std::from_chars_result r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (r.ec == std::errc() && r.ptr == text.data() + text.size()) return v;
  if (r.ec == std::errc::result_out_of_range) {
    if (IsHugeMagnitude(text)) {
      return Mismatch(ValueType::kDouble, node, " (out of the range of a double)");
    }
    return text[0] == '-' ? -0.0 : 0.0;  // Underflow reads as zero, as Go's ParseFloat does.
  }
  return Mismatch(ValueType::kDouble, node);
}

absl::StatusOr<int64_t> ReadInt64(const JsonNode& node) {
  const std::string& text = node.text;
  if (text.find_first_of(".eE") != std::string::npos) return Mismatch(ValueType::kInt64, node);
  int64_t v = 0;
  if (!absl::SimpleAtoi(text, &v)) {
    return Mismatch(ValueType::kInt64, node, " (out of the int64 range)");
  }
  return v;
}

}  // namespace

namespace value_internal {

absl::StatusOr<OwnedValue> ValueFromJson(ValueType type, const JsonNode& node) {
  using Kind = JsonNode::Kind;
  switch (type) {
    case ValueType::kString:
    case ValueType::kEmailAddress:
    case ValueType::kUri:
    case ValueType::kDnsName:
      if (node.kind != Kind::kString) return Mismatch(type, node);
      return OwnedValue::Of(Value::StringOfType(type, node.text));
    case ValueType::kInt64: {
      if (node.kind != Kind::kNumber) return Mismatch(type, node);
      MIXLET_ASSIGN_OR_RETURN(int64_t v, ReadInt64(node));
      return OwnedValue::Of(Value::Int64(v));
    }
    case ValueType::kDouble: {
      if (node.kind != Kind::kNumber) return Mismatch(type, node);
      MIXLET_ASSIGN_OR_RETURN(double v, ReadDouble(node));
      return OwnedValue::Of(Value::Double(v));
    }
    case ValueType::kBool:
      if (node.kind != Kind::kBool) return Mismatch(type, node);
      return OwnedValue::Of(Value::Bool(node.boolean));
    case ValueType::kTimestamp: {
      if (node.kind != Kind::kString) return Mismatch(type, node);
      absl::StatusOr<Timestamp> t = ParseRfc3339(node.text);
      if (!t.ok()) return Mismatch(type, node, absl::StrCat(" (", t.status().message(), ")"));
      return OwnedValue::Of(Value::TimestampValue(*t));
    }
    case ValueType::kDuration: {
      if (node.kind != Kind::kString) return Mismatch(type, node);
      absl::StatusOr<int64_t> d = ParseGoDuration(node.text);
      if (!d.ok()) return Mismatch(type, node, absl::StrCat(" (", d.status().message(), ")"));
      return OwnedValue::Of(Value::Duration(*d));
    }
    case ValueType::kIpAddress: {
      if (node.kind != Kind::kString) return Mismatch(type, node);
      absl::StatusOr<std::string> ip = ParseIpText(node.text);
      if (!ip.ok()) return Mismatch(type, node);
      return OwnedValue::Of(Value::IpAddress(*ip));
    }
    case ValueType::kStringMap: {
      if (node.kind != Kind::kObject) return Mismatch(type, node);
      std::vector<std::pair<std::string, std::string>> entries;
      entries.reserve(node.members.size());
      for (const JsonMember& m : node.members) {
        if (m.value.kind != Kind::kString) {
          std::string key;
          AppendJsonString(&key, m.key);
          return Mismatch(type, m.value, absl::StrCat(" for key ", key));
        }
        entries.emplace_back(m.key, m.value.text);
      }
      // A repeated key keeps its last value, as Go's decoder does.
      return OwnedValue::StringMapOf(std::move(entries));
    }
    case ValueType::kUnspecified:
      break;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("cannot read a JSON value as ", ValueTypeName(type)));
}

void AppendJsonString(std::string* out, absl::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          *out += "\\\"";
          break;
        case '\\':
          *out += "\\\\";
          break;
        case '\n':
          *out += "\\n";
          break;
        case '\r':
          *out += "\\r";
          break;
        case '\t':
          *out += "\\t";
          break;
        default:
          if (c < 0x20) {
            *out += "\\u00";
            out->push_back(kHex[c >> 4]);
            out->push_back(kHex[c & 0xF]);
          } else {
            out->push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    // Non-ASCII: copy valid UTF-8 sequences, replace each invalid byte with U+FFFD.
    size_t len = 0;
    uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    }
    bool valid = len > 0 && i + len <= s.size();
    for (size_t k = 1; valid && k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      valid = (b & 0xC0) == 0x80;
      cp = (cp << 6) | (b & 0x3F);
    }
    valid = valid && !(len == 3 && cp < 0x800) && !(len == 4 && cp < 0x10000) && cp <= 0x10FFFF &&
            !(cp >= 0xD800 && cp <= 0xDFFF);
    if (!valid) {
      *out += "\\ufffd";
      ++i;
    } else if (cp == 0x2028 || cp == 0x2029) {
      *out += cp == 0x2028 ? "\\u2028" : "\\u2029";
      i += len;
    } else {
      out->append(s.data() + i, len);
      i += len;
    }
  }
  out->push_back('"');
}

}  // namespace value_internal

absl::StatusOr<OwnedValue> ParseJsonValue(ValueType type, absl::string_view json_text) {
  if (type == ValueType::kUnspecified || static_cast<int>(type) >= kValueTypeCount) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read a JSON value as ", ValueTypeName(type)));
  }
  MIXLET_ASSIGN_OR_RETURN(JsonNode node, value_internal::ReadJson(json_text));
  return value_internal::ValueFromJson(type, node);
}

std::string ToJson(const Value& v) {
  std::string out;
  switch (v.type()) {
    case ValueType::kUnspecified:
      return "null";
    case ValueType::kString:
    case ValueType::kEmailAddress:
    case ValueType::kUri:
    case ValueType::kDnsName:
      value_internal::AppendJsonString(&out, v.string());
      return out;
    case ValueType::kInt64:
      return absl::StrCat(v.int64());
    case ValueType::kDouble: {
      const double d = v.double_value();
      if (std::isnan(d)) return "NaN";
      if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
      return value_internal::FormatJsonDouble(d);
    }
    case ValueType::kBool:
      return v.bool_value() ? "true" : "false";
    case ValueType::kTimestamp:
      value_internal::AppendJsonString(&out, FormatRfc3339Nano(v.timestamp()));
      return out;
    case ValueType::kDuration:
      value_internal::AppendJsonString(&out, FormatGoDuration(v.duration_nanos()));
      return out;
    case ValueType::kIpAddress:
      value_internal::AppendJsonString(&out, FormatIp(v.ip_bytes()));
      return out;
    case ValueType::kStringMap: {
      const StringMapView map = v.string_map();
      std::vector<const StringMapEntry*> sorted;
      sorted.reserve(map.size());
      for (const StringMapEntry& e : map) sorted.push_back(&e);
      std::sort(sorted.begin(), sorted.end(),
                [](const StringMapEntry* a, const StringMapEntry* b) { return a->key < b->key; });
      out.push_back('{');
      for (size_t i = 0; i < sorted.size(); ++i) {
        if (i > 0) out.push_back(',');
        value_internal::AppendJsonString(&out, sorted[i]->key);
        out.push_back(':');
        value_internal::AppendJsonString(&out, sorted[i]->value);
      }
      out.push_back('}');
      return out;
    }
  }
  return "null";
}

}  // namespace mixlet
