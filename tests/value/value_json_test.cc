#include "mixlet/value/value_json.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "mixlet/value/owned_value.h"
#include "mixlet/value/value.h"
#include "value/json_internal.h"

namespace mixlet {
namespace {

using value_internal::JsonNode;
using value_internal::ReadJson;

TEST_CASE("ParseJsonValue: every type from its JSON form, and back with ToJson", "[value]") {
  struct Row {
    ValueType type;
    const char* json;
    const char* to_json;  // ToJson of the parsed value.
  };
  const Row rows[] = {
      {ValueType::kString, R"("hello")", R"("hello")"},
      {ValueType::kString, R"("")", R"("")"},
      {ValueType::kString, R"("a\u00e9\n\t\"\\\/")", "\"a\xC3\xA9\\n\\t\\\"\\\\/\""},
      {ValueType::kString, R"("\ud83d\ude00")", "\"\xF0\x9F\x98\x80\""},
      {ValueType::kString, " \"x\"\n", R"("x")"},
      {ValueType::kDnsName, R"("example.com")", R"("example.com")"},
      {ValueType::kEmailAddress, R"("a@b.com")", R"("a@b.com")"},
      {ValueType::kUri, R"("http://x/y?z=1")", R"("http://x/y?z=1")"},
      {ValueType::kInt64, "0", "0"},
      {ValueType::kInt64, "-0", "0"},
      {ValueType::kInt64, "42", "42"},
      {ValueType::kInt64, "-17", "-17"},
      {ValueType::kInt64, "9223372036854775807", "9223372036854775807"},
      {ValueType::kInt64, "-9223372036854775808", "-9223372036854775808"},
      {ValueType::kDouble, "1.5", "1.5"},
      {ValueType::kDouble, "12", "12"},
      {ValueType::kDouble, "-0", "-0"},
      {ValueType::kDouble, "-0.0", "-0"},
      {ValueType::kDouble, "1e3", "1000"},
      {ValueType::kDouble, "1E-7", "1e-7"},
      {ValueType::kDouble, "1e21", "1e+21"},
      {ValueType::kDouble, "0.1", "0.1"},
      {ValueType::kDouble, "1e-400", "0"},  // Underflow reads as zero, as in Go.
      {ValueType::kDouble, "-1e-400", "-0"},
      {ValueType::kDouble, "9223372036854775808", "9223372036854776000"},
      {ValueType::kBool, "true", "true"},
      {ValueType::kBool, "false", "false"},
      {ValueType::kTimestamp, R"("2015-01-02T15:04:35Z")", R"("2015-01-02T15:04:35Z")"},
      {ValueType::kTimestamp, R"("2015-01-02T15:04:35+08:00")", R"("2015-01-02T07:04:35Z")"},
      {ValueType::kTimestamp, R"("2015-01-02T15:04:35.500Z")", R"("2015-01-02T15:04:35.5Z")"},
      {ValueType::kDuration, R"("1m30s")", R"("1m30s")"},
      {ValueType::kDuration, R"("90s")", R"("1m30s")"},
      {ValueType::kDuration, R"("1.5s")", R"("1.5s")"},
      {ValueType::kDuration, R"("0")", R"("0s")"},
      {ValueType::kDuration, R"("1us")", "\"1\xC2\xB5s\""},
      {ValueType::kIpAddress, R"("10.0.0.1")", R"("10.0.0.1")"},
      {ValueType::kIpAddress, R"("::1")", R"("::1")"},
      {ValueType::kIpAddress, R"("2001:DB8::1")", R"("2001:db8::1")"},
      {ValueType::kIpAddress, R"("::ffff:1.2.3.4")", R"("1.2.3.4")"},
      {ValueType::kStringMap, R"({"b": "2", "a": "1"})", R"({"a":"1","b":"2"})"},
      {ValueType::kStringMap, "{}", "{}"},
      {ValueType::kStringMap, R"({"a": "1", "a": "2"})", R"({"a":"2"})"},
      {ValueType::kStringMap, R"({"": "", "k\"": "v\n"})", R"({"":"","k\"":"v\n"})"},
  };
  for (const Row& row : rows) {
    CAPTURE(ValueTypeName(row.type), row.json);
    absl::StatusOr<OwnedValue> v = ParseJsonValue(row.type, row.json);
    REQUIRE(v.ok());
    CHECK(v->value().type() == row.type);
    CHECK(ToJson(v->value()) == row.to_json);
    // What ToJson writes reads back as the same value.
    absl::StatusOr<OwnedValue> back = ParseJsonValue(row.type, ToJson(v->value()));
    REQUIRE(back.ok());
    CHECK(back->value() == v->value());
  }
}

TEST_CASE("ParseJsonValue: values are exact", "[value]") {
  CHECK(ParseJsonValue(ValueType::kInt64, "-9223372036854775808")->value().int64() ==
        std::numeric_limits<int64_t>::min());
  const double negative_zero = ParseJsonValue(ValueType::kDouble, "-0")->value().double_value();
  CHECK(std::signbit(negative_zero));
  CHECK(ParseJsonValue(ValueType::kDouble, "0.1")->value().double_value() == 0.1);
  CHECK(ParseJsonValue(ValueType::kDuration, "\"1.5s\"")->value().duration_nanos() == 1500000000);
  CHECK(ParseJsonValue(ValueType::kTimestamp, "\"2015-01-02T15:04:35.5Z\"")->value().timestamp() ==
        Timestamp{1420211075, 500000000});
  CHECK(ParseJsonValue(ValueType::kIpAddress, "\"10.0.0.1\"")->value().ip_bytes() ==
        std::string("\0\0\0\0\0\0\0\0\0\0\xff\xff\x0a\x00\x00\x01", 16));
  CHECK(ParseJsonValue(ValueType::kString, "\"a\\u0000b\"")->value().string() ==
        std::string("a\0b", 3));
  const OwnedValue map = *ParseJsonValue(ValueType::kStringMap, R"({"b": "2", "a": "1"})");
  REQUIRE(map.value().string_map().size() == 2);
  CHECK(map.value().string_map().begin()[0].key == "b");  // Document order is kept.
  CHECK(map.value().string_map().Find("a") == "1");
}

TEST_CASE("ParseJsonValue: errors name the expected form and what was found", "[value]") {
  struct Row {
    ValueType type;
    const char* json;
    const char* message;
  };
  const Row rows[] = {
      {ValueType::kString, "12", "expected a JSON string for STRING, got 12"},
      {ValueType::kString, "null", "expected a JSON string for STRING, got null"},
      {ValueType::kDnsName, "[1, 2]", "expected a JSON string for DNS_NAME, got [1,2]"},
      {ValueType::kEmailAddress, "{}", "expected a JSON string for EMAIL_ADDRESS, got {}"},
      {ValueType::kUri, "true", "expected a JSON string for URI, got true"},
      {ValueType::kInt64, "1.5", "expected a JSON integer for INT64, got 1.5"},
      {ValueType::kInt64, "1e3", "expected a JSON integer for INT64, got 1e3"},
      {ValueType::kInt64, "1.0", "expected a JSON integer for INT64, got 1.0"},
      {ValueType::kInt64, "\"x\"", "expected a JSON integer for INT64, got \"x\""},
      {ValueType::kInt64, "\"12\"", "expected a JSON integer for INT64, got \"12\""},
      {ValueType::kInt64, "9223372036854775808",
       "expected a JSON integer for INT64, got 9223372036854775808 (out of the int64 range)"},
      {ValueType::kInt64, "-9223372036854775809",
       "expected a JSON integer for INT64, got -9223372036854775809 (out of the int64 range)"},
      {ValueType::kDouble, "\"1.5\"", "expected a JSON number for DOUBLE, got \"1.5\""},
      {ValueType::kDouble, "1e400",
       "expected a JSON number for DOUBLE, got 1e400 (out of the range of a double)"},
      {ValueType::kDouble, "-1e400",
       "expected a JSON number for DOUBLE, got -1e400 (out of the range of a double)"},
      {ValueType::kBool, "1", "expected a JSON boolean for BOOL, got 1"},
      {ValueType::kBool, "\"true\"", "expected a JSON boolean for BOOL, got \"true\""},
      {ValueType::kTimestamp, "12", "expected an RFC 3339 string for TIMESTAMP, got 12"},
      {ValueType::kTimestamp, "\"2015-13-01T00:00:00Z\"",
       "expected an RFC 3339 string for TIMESTAMP, got \"2015-13-01T00:00:00Z\" (parsing time "
       "\"2015-13-01T00:00:00Z\": month out of range)"},
      {ValueType::kDuration, "5", "expected a Go duration string for DURATION, got 5"},
      {ValueType::kDuration, "\"5\"",
       "expected a Go duration string for DURATION, got \"5\" (time: missing unit in duration "
       "\"5\")"},
      {ValueType::kIpAddress, "\"010.0.0.1\"",
       "expected an IP address string for IP_ADDRESS, got \"010.0.0.1\""},
      {ValueType::kIpAddress, "[]", "expected an IP address string for IP_ADDRESS, got []"},
      {ValueType::kStringMap, "[]", "expected a JSON object of strings for STRING_MAP, got []"},
      {ValueType::kStringMap, "\"x\"",
       "expected a JSON object of strings for STRING_MAP, got \"x\""},
      {ValueType::kStringMap, R"({"a": "1", "b": 2})",
       "expected a JSON object of strings for STRING_MAP, got 2 for key \"b\""},
      {ValueType::kStringMap, R"({"a": {"x": "y"}})",
       "expected a JSON object of strings for STRING_MAP, got {\"x\":\"y\"} for key \"a\""},
      {ValueType::kUnspecified, "1", "cannot read a JSON value as VALUE_TYPE_UNSPECIFIED"},
      {static_cast<ValueType>(40), "1", "cannot read a JSON value as VALUE_TYPE_UNSPECIFIED"},
      {ValueType::kInt64,
       "\"0123456789012345678901234567890123456789012345678901234567890123456789\"",
       "expected a JSON integer for INT64, got "
       "\"01234567890123456789012345678901234567890123456789012345678..."},
  };
  for (const Row& row : rows) {
    CAPTURE(ValueTypeName(row.type), row.json);
    absl::StatusOr<OwnedValue> v = ParseJsonValue(row.type, row.json);
    REQUIRE_FALSE(v.ok());
    CHECK(v.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(v.status().message() == row.message);
  }
}

TEST_CASE("ParseJsonValue: text that is not JSON is an error with its position", "[value]") {
  struct Row {
    const char* json;
    const char* message;
  };
  const Row rows[] = {
      {"", "invalid JSON at line 1, column 1: expected a JSON value, found the end of the text"},
      {"   ", "invalid JSON at line 1, column 4: expected a JSON value, found the end of the text"},
      {"tru", "invalid JSON at line 1, column 1: expected a JSON value, found 't'"},
      {"nul", "invalid JSON at line 1, column 1: expected a JSON value, found 'n'"},
      {"NaN", "invalid JSON at line 1, column 1: expected a JSON value, found 'N'"},
      {"'a'", "invalid JSON at line 1, column 1: expected a JSON value, found '''"},
      {"\"abc", "invalid JSON at line 1, column 5: unterminated string"},
      {"1 2", "invalid JSON at line 1, column 3: unexpected text after the JSON value"},
      {"01", "invalid JSON at line 1, column 2: unexpected '1' in a number"},
      {"1x", "invalid JSON at line 1, column 2: unexpected 'x' in a number"},
      {"-",
       "invalid JSON at line 1, column 2: expected a digit in a number, found the end of "
       "the text"},
      {"+1", "invalid JSON at line 1, column 1: expected a JSON value, found '+'"},
      {".5", "invalid JSON at line 1, column 1: expected a JSON value, found '.'"},
      {"1.",
       "invalid JSON at line 1, column 3: expected a digit after '.' in a number, found "
       "the end of the text"},
      {"1e",
       "invalid JSON at line 1, column 3: expected a digit in a number's exponent, found "
       "the end of the text"},
      {"[1,]", "invalid JSON at line 1, column 4: expected a JSON value, found ']'"},
      {"[1 2]", "invalid JSON at line 1, column 4: expected ',' or ']' in an array, found '2'"},
      {"{", "invalid JSON at line 1, column 2: expected a string key, found the end of the text"},
      {"{1: 2}", "invalid JSON at line 1, column 2: expected a string key, found '1'"},
      {"{\"a\" 1}",
       "invalid JSON at line 1, column 6: expected ':' after an object key, found '1'"},
      {"{\"a\": 1,}", "invalid JSON at line 1, column 9: expected a string key, found '}'"},
      {"{\"a\": 1 \"b\"}",
       "invalid JSON at line 1, column 9: expected ',' or '}' in an object, found '\"'"},
      {"{\n  \"a\": x}", "invalid JSON at line 2, column 8: expected a JSON value, found 'x'"},
      {"\"\\x\"", "invalid JSON at line 1, column 3: invalid escape '\\x' in a string"},
      {"\"\\u12\"", "invalid JSON at line 1, column 2: expected four hex digits after \\u"},
      {"\"\\ud800\"", "invalid JSON at line 1, column 8: lone UTF-16 surrogate in \\u escape"},
      {"\"\\udc00\"", "invalid JSON at line 1, column 8: lone UTF-16 surrogate in \\u escape"},
      {"\"\\ud800\\u0041\"",
       "invalid JSON at line 1, column 14: lone UTF-16 surrogate in \\u escape"},
      {"\"a\nb\"",
       "invalid JSON at line 1, column 3: control character byte 0x0a in a string "
       "(escape it)"},
      {"\"\xff\"", "invalid JSON at line 1, column 2: invalid UTF-8 in a string"},
      {"\"\xc0\x80\"", "invalid JSON at line 1, column 2: invalid UTF-8 in a string"},
      {"\xef\xbb\xbf\"x\"",
       "invalid JSON at line 1, column 1: expected a JSON value, found byte "
       "0xef"},
      {"/* c */ 1", "invalid JSON at line 1, column 1: expected a JSON value, found '/'"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.json);
    absl::StatusOr<OwnedValue> v = ParseJsonValue(ValueType::kString, row.json);
    REQUIRE_FALSE(v.ok());
    CHECK(v.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(v.status().message() == row.message);
  }
}

TEST_CASE("ReadJson: nesting is bounded", "[value]") {
  const int max = value_internal::kMaxJsonDepth;
  const std::string ok = std::string(max, '[') + std::string(max, ']');
  CHECK(ReadJson(ok).ok());
  const std::string deep = std::string(max + 1, '[') + std::string(max + 1, ']');
  absl::StatusOr<JsonNode> too_deep = ReadJson(deep);
  REQUIRE_FALSE(too_deep.ok());
  CHECK(too_deep.status().message() ==
        "invalid JSON at line 1, column 65: arrays and objects nested deeper than 64");
  // A hostile document far deeper than any stack allows is refused, not a crash.
  const std::string hostile(1000000, '[');
  CHECK_FALSE(ReadJson(hostile).ok());
}

TEST_CASE("ReadJson: keeps numbers as written and positions", "[value]") {
  absl::StatusOr<JsonNode> doc = ReadJson("{\"a\": [1.50, -0, 2E+3],\n \"b\": null}");
  REQUIRE(doc.ok());
  REQUIRE(doc->kind == JsonNode::Kind::kObject);
  REQUIRE(doc->members.size() == 2);
  const JsonNode& a = doc->members[0].value;
  REQUIRE(a.items.size() == 3);
  CHECK(a.items[0].text == "1.50");
  CHECK(a.items[1].text == "-0");
  CHECK(a.items[2].text == "2E+3");
  CHECK(a.line == 1);
  CHECK(a.column == 7);
  CHECK(doc->members[1].key == "b");
  CHECK(doc->members[1].value.kind == JsonNode::Kind::kNull);
  CHECK(doc->members[1].value.line == 2);
  CHECK(doc->members[1].value.column == 7);
}

TEST_CASE("ToJson: strings as Go's encoding/json writes them", "[value]") {
  struct Row {
    std::string s;
    const char* json;
  };
  const Row rows[] = {
      {"", R"("")"},
      {"a\"b\\c", R"("a\"b\\c")"},
      {std::string("\n\r\t\b\f\x00\x1f\x7f", 8), "\"\\n\\r\\t\\u0008\\u000c\\u0000\\u001f\x7f\""},
      {"<>&/", R"("<>&/")"},
      {"h\xC3\xA9llo", "\"h\xC3\xA9llo\""},
      {"\xE2\x80\xA8\xE2\x80\xA9", R"("\u2028\u2029")"},
      {"\xF0\x9F\x98\x80", "\"\xF0\x9F\x98\x80\""},
      {"\xff", R"("\ufffd")"},
      {"a\xC3", R"("a\ufffd")"},
      {"\xED\xA0\x80", R"("\ufffd\ufffd\ufffd")"},            // An encoded surrogate.
      {"\xC0\x80", R"("\ufffd\ufffd")"},                      // Overlong.
      {"\xF4\x90\x80\x80", R"("\ufffd\ufffd\ufffd\ufffd")"},  // Past U+10FFFF.
      {"ok\xE2\x82\xAC", "\"ok\xE2\x82\xAC\""},
  };
  for (const Row& row : rows) {
    CAPTURE(row.json);
    CHECK(ToJson(Value::String(row.s)) == row.json);
  }
}

TEST_CASE("ToJson: every type", "[value]") {
  const StringMapEntry entries[] = {{"z", "1"}, {"a", "\"q\""}};
  const std::string ip4("\x0a\x00\x00\x01", 4);
  struct Row {
    Value value;
    const char* json;
  };
  const Row rows[] = {
      {Value(), "null"},
      {Value::String("s"), R"("s")"},
      {Value::DnsName("d.com"), R"("d.com")"},
      {Value::EmailAddress("e@x.com"), R"("e@x.com")"},
      {Value::Uri("u:x"), R"("u:x")"},
      {Value::Int64(-3), "-3"},
      {Value::Double(2.5), "2.5"},
      {Value::Double(std::numeric_limits<double>::quiet_NaN()), "NaN"},
      {Value::Double(std::numeric_limits<double>::infinity()), "Infinity"},
      {Value::Double(-std::numeric_limits<double>::infinity()), "-Infinity"},
      {Value::Bool(true), "true"},
      {Value::TimestampValue({1420211075, 120000000}), R"("2015-01-02T15:04:35.12Z")"},
      {Value::Duration(int64_t{5400000000000}), R"("1h30m0s")"},
      {Value::IpAddress(ip4), R"("10.0.0.1")"},
      {Value::IpAddress(""), R"("<nil>")"},
      {Value::StringMap({entries, 2}), R"({"a":"\"q\"","z":"1"})"},
      {Value::StringMap({}), "{}"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.json);
    CHECK(ToJson(row.value) == row.json);
  }
}

}  // namespace
}  // namespace mixlet
