#include "mixlet/attribute/bag_json.h"

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "mixlet/attribute/mutable_bag.h"
#include "mixlet/attribute/vocabulary.h"

namespace mixlet {
namespace {

// The standard vocabulary plus one attribute of each type it lacks, so all 11 types appear.
std::shared_ptr<const Vocabulary> AllTypes() {
  static const std::shared_ptr<const Vocabulary>* const kVocabulary = [] {
    VocabularyBuilder b = VocabularyBuilder::Standard();
    REQUIRE(b.Add("test.double", ValueType::kDouble).ok());
    REQUIRE(b.Add("test.dns", ValueType::kDnsName).ok());
    REQUIRE(b.Add("test.email", ValueType::kEmailAddress).ok());
    REQUIRE(b.Add("test.uri", ValueType::kUri).ok());
    return new std::shared_ptr<const Vocabulary>(std::move(b).Build());
  }();
  return *kVocabulary;
}

constexpr const char kEveryType[] = R"({
  "context.protocol": "tcp",
  "request.size": 1200,
  "test.double": 0.25,
  "connection.mtls": true,
  "request.time": "2015-01-02T15:04:35.5+01:00",
  "source.ip": "10.0.0.1",
  "test.email": "a@b.com",
  "test.uri": "http://x/y",
  "test.dns": "example.com",
  "response.duration": "1.5s",
  "source.labels": {"version": "v2", "app": "ratings"}
})";

TEST_CASE("ParseBagJson: reads every type by the vocabulary", "[attribute]") {
  MutableBag bag(AllTypes());
  REQUIRE(ParseBagJson(kEveryType, &bag).ok());
  CHECK(bag.size() == 11);
  CHECK(bag.DebugString() ==
        "connection.mtls: BOOL(true)\n"
        "context.protocol: STRING(tcp)\n"
        "request.size: INT64(1200)\n"
        "request.time: TIMESTAMP(2015-01-02T14:04:35.500000Z)\n"
        "response.duration: DURATION(1.5s)\n"
        "source.ip: IP_ADDRESS(10.0.0.1)\n"
        "source.labels: STRING_MAP(stringmap[app:ratings version:v2])\n"
        "test.dns: DNS_NAME(example.com)\n"
        "test.double: DOUBLE(0.25)\n"
        "test.email: EMAIL_ADDRESS(a@b.com)\n"
        "test.uri: URI(http://x/y)\n");
}

TEST_CASE("BagToJson: every present attribute, sorted, in ToJson form", "[attribute]") {
  MutableBag bag(AllTypes());
  REQUIRE(ParseBagJson(kEveryType, &bag).ok());
  const std::string json = BagToJson(bag);
  CHECK(json == R"({"connection.mtls":true,"context.protocol":"tcp","request.size":1200,)"
                R"("request.time":"2015-01-02T14:04:35.5Z","response.duration":"1.5s",)"
                R"("source.ip":"10.0.0.1","source.labels":{"app":"ratings","version":"v2"},)"
                R"("test.dns":"example.com","test.double":0.25,"test.email":"a@b.com",)"
                R"("test.uri":"http://x/y"})");

  // And it reads back as the same bag.
  MutableBag again(AllTypes());
  REQUIRE(ParseBagJson(json, &again).ok());
  CHECK(again.DebugString() == bag.DebugString());
  CHECK(BagToJson(again) == json);
}

TEST_CASE("BagToJson: parents, unknown attributes, escaping, empty", "[attribute]") {
  MutableBag empty(Vocabulary::Standard());
  CHECK(BagToJson(empty) == "{}");

  MutableBag parent(Vocabulary::Standard());
  REQUIRE(parent.Set("request.size", Value::Int64(1)).ok());
  REQUIRE(parent.Set("request.path", Value::String("/parent")).ok());
  MutableBag bag(Vocabulary::Standard(), &parent);
  REQUIRE(bag.Set("request.path", Value::String("/a\"b\n")).ok());
  REQUIRE(bag.Set("x\"unknown", Value::Double(2)).ok());
  CHECK(BagToJson(bag) == R"({"request.path":"/a\"b\n","request.size":1,"x\"unknown":2})");
}

TEST_CASE("ParseBagJson: merges into what the bag holds; a repeated name keeps its last value",
          "[attribute]") {
  MutableBag bag(Vocabulary::Standard());
  REQUIRE(bag.Set("request.size", Value::Int64(1)).ok());
  REQUIRE(bag.Set("response.code", Value::Int64(500)).ok());
  REQUIRE(
      ParseBagJson(R"({"request.size": 2, "request.size": 3, "request.path": "/x"})", &bag).ok());
  CHECK(bag.DebugString() ==
        "request.path: STRING(/x)\n"
        "request.size: INT64(3)\n"
        "response.code: INT64(500)\n");
  REQUIRE(ParseBagJson(" {} ", &bag).ok());
  CHECK(bag.size() == 3);
}

TEST_CASE("ParseBagJson: every error, and the bag is left unchanged", "[attribute]") {
  struct Row {
    const char* json;
    const char* message;
  };
  const Row rows[] = {
      {R"({"request.size": "x"})",
       R"(attribute 'request.size': expected a JSON integer for INT64, got "x")"},
      {R"({"request.size": 1.5})",
       "attribute 'request.size': expected a JSON integer for INT64, got 1.5"},
      {R"({"context.protocol": 1})",
       "attribute 'context.protocol': expected a JSON string for STRING, got 1"},
      {R"({"source.ip": "10.0.0"})",
       R"(attribute 'source.ip': expected an IP address string for IP_ADDRESS, got "10.0.0")"},
      {R"({"response.duration": "1.5"})",
       "attribute 'response.duration': expected a Go duration string for DURATION, got \"1.5\" "
       "(time: missing unit in duration \"1.5\")"},
      {R"({"request.time": null})",
       "attribute 'request.time': expected an RFC 3339 string for TIMESTAMP, got null"},
      {R"({"connection.mtls": "true"})",
       R"(attribute 'connection.mtls': expected a JSON boolean for BOOL, got "true")"},
      {R"({"source.labels": {"app": 1}})",
       "attribute 'source.labels': expected a JSON object of strings for STRING_MAP, got 1 for "
       "key \"app\""},
      {R"({"request.path": "/ok", "no.such.attribute": 1})",
       "unknown attribute 'no.such.attribute'"},
      {R"({"source.port": 80})", "unknown attribute 'source.port'"},  // Not in the manifests.
      {"[1]",
       "expected a JSON object mapping attribute names to values, got an array at line 1, "
       "column 1"},
      {"\n  12",
       "expected a JSON object mapping attribute names to values, got a number at line 2, "
       "column 3"},
      {"null",
       "expected a JSON object mapping attribute names to values, got null at line 1, column 1"},
      {"\"request.size\"",
       "expected a JSON object mapping attribute names to values, got a string at line 1, "
       "column 1"},
      {"", "invalid JSON at line 1, column 1: expected a JSON value, found the end of the text"},
      {"{\"request.size\": 1,\n \"request.path\" \"/x\"}",
       "invalid JSON at line 2, column 17: expected ':' after an object key, found '\"'"},
      {"{\"request.size\": 1} {}",
       "invalid JSON at line 1, column 21: unexpected text after the JSON value"},
      {"{\"request.size\": 1",
       "invalid JSON at line 1, column 19: expected ',' or '}' in an "
       "object, found the end of the text"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.json);
    MutableBag bag(Vocabulary::Standard());
    REQUIRE(bag.Set("request.path", Value::String("/before")).ok());
    const absl::Status s = ParseBagJson(row.json, &bag);
    CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    CHECK(s.message() == row.message);
    CHECK(bag.DebugString() == "request.path: STRING(/before)\n");
  }
}

}  // namespace
}  // namespace mixlet
