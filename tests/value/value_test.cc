#include "mixlet/value/value.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/hash/hash.h"
#include "mixlet/value/owned_value.h"
#include "mixlet/value/string_map.h"
#include "mixlet/value/value_type.h"

namespace mixlet {
namespace {

size_t HashOf(const Value& v) { return absl::Hash<Value>()(v); }

const std::string kIpv4(std::string("\x0a\x00\x00\x01", 4));
const std::string kIpv4Mapped(std::string("\0\0\0\0\0\0\0\0\0\0\xff\xff\x0a\x00\x00\x01", 16));
// ::10.0.0.1 (IPv4-compatible, not mapped): a different address.
const std::string kIpv4Compatible(std::string("\0\0\0\0\0\0\0\0\0\0\0\0\x0a\x00\x00\x01", 16));
const std::string kIpv6(std::string("\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16));

TEST_CASE("ValueType: every enumerator has its spec name and number", "[value]") {
  struct Row {
    ValueType type;
    const char* name;
    int number;
  };
  const Row rows[] = {
      {ValueType::kUnspecified, "VALUE_TYPE_UNSPECIFIED", 0},
      {ValueType::kString, "STRING", 1},
      {ValueType::kInt64, "INT64", 2},
      {ValueType::kDouble, "DOUBLE", 3},
      {ValueType::kBool, "BOOL", 4},
      {ValueType::kTimestamp, "TIMESTAMP", 5},
      {ValueType::kIpAddress, "IP_ADDRESS", 6},
      {ValueType::kEmailAddress, "EMAIL_ADDRESS", 7},
      {ValueType::kUri, "URI", 8},
      {ValueType::kDnsName, "DNS_NAME", 9},
      {ValueType::kDuration, "DURATION", 10},
      {ValueType::kStringMap, "STRING_MAP", 11},
  };
  REQUIRE(sizeof(rows) / sizeof(rows[0]) == static_cast<size_t>(kValueTypeCount));
  for (const Row& row : rows) {
    CAPTURE(row.name);
    CHECK(static_cast<int>(row.type) == row.number);
    CHECK(ValueTypeName(row.type) == row.name);
    CHECK(ParseValueTypeName(row.name) == row.type);
  }
}

TEST_CASE("ValueType: unknown names and numbers", "[value]") {
  CHECK_FALSE(ParseValueTypeName("string").has_value());
  CHECK_FALSE(ParseValueTypeName("").has_value());
  CHECK_FALSE(ParseValueTypeName("BYTES").has_value());
  CHECK(ValueTypeName(static_cast<ValueType>(12)) == "VALUE_TYPE_UNSPECIFIED");
  CHECK(ValueTypeName(static_cast<ValueType>(255)) == "VALUE_TYPE_UNSPECIFIED");
}

TEST_CASE("ValueType: IsStringLike", "[value]") {
  for (int i = 0; i < kValueTypeCount; ++i) {
    const ValueType t = static_cast<ValueType>(i);
    const bool expected = t == ValueType::kString || t == ValueType::kEmailAddress ||
                          t == ValueType::kUri || t == ValueType::kDnsName;
    CAPTURE(ValueTypeName(t));
    CHECK(IsStringLike(t) == expected);
  }
}

TEST_CASE("Value: factories set the type and accessors read it back", "[value]") {
  CHECK_FALSE(Value().has_value());
  CHECK(Value().type() == ValueType::kUnspecified);
  CHECK(Value::String("a").type() == ValueType::kString);
  CHECK(Value::String("a").string() == "a");
  CHECK(Value::DnsName("a.b").type() == ValueType::kDnsName);
  CHECK(Value::EmailAddress("a@b").type() == ValueType::kEmailAddress);
  CHECK(Value::Uri("http://x").type() == ValueType::kUri);
  CHECK(Value::StringOfType(ValueType::kUri, "u").type() == ValueType::kUri);
  CHECK(Value::IpAddress(kIpv4).ip_bytes() == kIpv4);
  CHECK(Value::Int64(-12).int64() == -12);
  CHECK(Value::Double(0.5).double_value() == 0.5);
  CHECK(Value::Bool(true).bool_value());
  CHECK_FALSE(Value::Bool(false).bool_value());
  CHECK(Value::Duration(int64_t{1500}).duration_nanos() == 1500);
  CHECK(Value::Duration(absl::Milliseconds(3)).duration_nanos() == 3000000);
  CHECK(Value::Duration(absl::Milliseconds(3)).duration() == absl::Milliseconds(3));
  CHECK(Value::TimestampValue({10, 20}).timestamp() == Timestamp{10, 20});
  const StringMapEntry entries[] = {{"k", "v"}};
  CHECK(Value::StringMap(StringMapView(entries, 1)).string_map().Find("k") == "v");
  // Wrong-type accessors return zero values rather than reinterpret the payload.
  CHECK(Value::Int64(5).string().empty());
  CHECK(Value::String("x").int64() == 0);
  CHECK(Value::Int64(5).double_value() == 0.0);
  CHECK(Value::Int64(5).duration_nanos() == 0);
  CHECK(Value::Int64(1).bool_value() == false);
  CHECK(Value::Int64(5).timestamp() == Timestamp());
  CHECK(Value::Int64(5).string_map().empty());
}

TEST_CASE("Timestamp: converts to and from absl::Time, nanos kept non-negative", "[value]") {
  struct Row {
    Timestamp t;
  };
  const Row rows[] = {{{0, 0}}, {{1420211075, 500000000}}, {{-1, 999999999}}, {{-62135596800, 1}}};
  for (const Row& row : rows) {
    CAPTURE(row.t.seconds, row.t.nanos);
    CHECK(Timestamp::FromAbslTime(row.t.ToAbslTime()) == row.t);
  }
  const Timestamp before_epoch = Timestamp::FromAbslTime(absl::UnixEpoch() - absl::Nanoseconds(1));
  CHECK(before_epoch == Timestamp{-1, 999999999});
  CHECK(Timestamp{1, 0} < Timestamp{1, 1});
  CHECK(Timestamp{-1, 999999999} < Timestamp{0, 0});
  CHECK_FALSE(Timestamp{1, 1} < Timestamp{1, 1});
  CHECK(Timestamp{1, 1} != Timestamp{1, 2});
}

TEST_CASE("Value: values of different types are never equal", "[value]") {
  const std::vector<Value> values = {
      Value(),
      Value::String("1"),
      Value::DnsName("1"),
      Value::EmailAddress("1"),
      Value::Uri("1"),
      Value::Int64(1),
      Value::Double(1.0),
      Value::Bool(true),
      Value::Duration(int64_t{1}),
      Value::TimestampValue({1, 0}),
      Value::IpAddress("1"),
      Value::StringMap(StringMapView()),
  };
  for (size_t i = 0; i < values.size(); ++i) {
    for (size_t j = 0; j < values.size(); ++j) {
      CAPTURE(values[i].DebugString(), values[j].DebugString());
      CHECK((values[i] == values[j]) == (i == j));
      CHECK((values[i] != values[j]) == (i != j));
    }
  }
}

TEST_CASE("Value: equality and hashing within a type", "[value]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const StringMapEntry ab[] = {{"a", "1"}, {"b", "2"}};
  const StringMapEntry ba[] = {{"b", "2"}, {"a", "1"}};
  const StringMapEntry ab3[] = {{"a", "1"}, {"b", "3"}};
  const StringMapEntry ac[] = {{"a", "1"}, {"c", "2"}};
  const StringMapEntry a[] = {{"a", "1"}};
  const std::string abc_copy = "abc";
  const std::string ipv6_copy = kIpv6;
  struct Row {
    const char* what;
    Value x;
    Value y;
    bool equal;
  };
  const Row rows[] = {
      {"same string", Value::String("abc"), Value::String(abc_copy), true},
      {"different string", Value::String("abc"), Value::String("abd"), false},
      {"empty strings", Value::String(""), Value::String(absl::string_view()), true},
      {"DNS names compare bytes here", Value::DnsName("A.com"), Value::DnsName("a.com"), false},
      {"int64", Value::Int64(7), Value::Int64(7), true},
      {"int64 differs", Value::Int64(7), Value::Int64(-7), false},
      {"double", Value::Double(0.25), Value::Double(0.25), true},
      {"-0.0 vs 0.0", Value::Double(-0.0), Value::Double(0.0), false},
      {"NaN vs same NaN", Value::Double(nan), Value::Double(nan), true},
      {"bool", Value::Bool(false), Value::Bool(false), true},
      {"bool differs", Value::Bool(false), Value::Bool(true), false},
      {"duration", Value::Duration(int64_t{5}), Value::Duration(int64_t{5}), true},
      {"timestamp", Value::TimestampValue({5, 6}), Value::TimestampValue({5, 6}), true},
      {"timestamp nanos", Value::TimestampValue({5, 6}), Value::TimestampValue({5, 7}), false},
      {"IPv4 4-byte vs mapped", Value::IpAddress(kIpv4), Value::IpAddress(kIpv4Mapped), true},
      {"IPv4 mapped vs 4-byte", Value::IpAddress(kIpv4Mapped), Value::IpAddress(kIpv4), true},
      {"IPv4 vs compatible", Value::IpAddress(kIpv4), Value::IpAddress(kIpv4Compatible), false},
      {"IPv6", Value::IpAddress(kIpv6), Value::IpAddress(ipv6_copy), true},
      {"IPv6 vs IPv4", Value::IpAddress(kIpv6), Value::IpAddress(kIpv4), false},
      {"map order-independent", Value::StringMap({ab, 2}), Value::StringMap({ba, 2}), true},
      {"map value differs", Value::StringMap({ab, 2}), Value::StringMap({ab3, 2}), false},
      {"map key differs", Value::StringMap({ab, 2}), Value::StringMap({ac, 2}), false},
      {"map size differs", Value::StringMap({ab, 2}), Value::StringMap({a, 1}), false},
      {"empty maps", Value::StringMap({}), Value::StringMap({ab, 0}), true},
      {"unspecified", Value(), Value(), true},
  };
  for (const Row& row : rows) {
    CAPTURE(row.what);
    CHECK((row.x == row.y) == row.equal);
    CHECK((row.y == row.x) == row.equal);
    if (row.equal) CHECK(HashOf(row.x) == HashOf(row.y));
  }
  // Hashes separate these (a collision here would be a bug, not bad luck).
  CHECK(HashOf(Value::Int64(1)) != HashOf(Value::Duration(int64_t{1})));
  CHECK(HashOf(Value::Double(0.0)) != HashOf(Value::Double(-0.0)));
  CHECK(HashOf(Value::String("a")) != HashOf(Value::Uri("a")));
}

TEST_CASE("Value: ToText gives attributes.md's canonical text of every type", "[value]") {
  const StringMapEntry map[] = {{"version", "v2"}, {"app", "ratings"}, {"a b", "x:y"}};
  const std::string odd_ip("\x01\x02\x03", 3);
  struct Row {
    Value value;
    const char* text;
  };
  const Row rows[] = {
      {Value(), ""},
      {Value::String("as is: \"q\" \n"), "as is: \"q\" \n"},
      {Value::EmailAddress("a@b.com"), "a@b.com"},
      {Value::Uri("http://x/y?z"), "http://x/y?z"},
      {Value::DnsName("Example.COM"), "Example.COM"},
      {Value::Int64(-12), "-12"},
      {Value::Int64(std::numeric_limits<int64_t>::min()), "-9223372036854775808"},
      {Value::Double(0.5), "0.5"},
      {Value::Double(100), "100"},
      {Value::Double(1e21), "1000000000000000000000"},
      {Value::Double(0.1), "0.1"},
      {Value::Double(-0.0), "-0"},
      {Value::Double(1e-7), "0.0000001"},
      {Value::Double(std::numeric_limits<double>::quiet_NaN()), "NaN"},
      {Value::Double(std::numeric_limits<double>::infinity()), "+Inf"},
      {Value::Double(-std::numeric_limits<double>::infinity()), "-Inf"},
      {Value::Bool(true), "true"},
      {Value::Bool(false), "false"},
      {Value::TimestampValue({1420211075, 500000000}), "2015-01-02T15:04:35.500000Z"},
      {Value::TimestampValue({1420211075, 0}), "2015-01-02T15:04:35.000000Z"},
      {Value::TimestampValue({1420211075, 123456789}), "2015-01-02T15:04:35.123456Z"},
      {Value::TimestampValue({-1, 999999999}), "1969-12-31T23:59:59.999999Z"},
      {Value::TimestampValue({-62135596800, 0}), "0001-01-01T00:00:00.000000Z"},
      {Value::IpAddress(kIpv4), "10.0.0.1"},
      {Value::IpAddress(kIpv4Mapped), "10.0.0.1"},
      {Value::IpAddress(kIpv6), "2001:db8::1"},
      {Value::IpAddress(kIpv4Compatible), "::a00:1"},
      {Value::IpAddress(""), "<nil>"},
      {Value::IpAddress(odd_ip), "?010203"},
      {Value::Duration(int64_t{1500000000}), "1.5s"},
      {Value::Duration(int64_t{120000000000}), "2m0s"},
      {Value::Duration(int64_t{3600000000000}), "1h0m0s"},
      {Value::Duration(int64_t{0}), "0s"},
      {Value::Duration(int64_t{350000000}), "350ms"},
      {Value::Duration(int64_t{1000}), "1\xC2\xB5s"},
      {Value::Duration(int64_t{-1500000000}), "-1.5s"},
      {Value::StringMap({map, 3}), "stringmap[a b:x:y app:ratings version:v2]"},
      {Value::StringMap({}), "stringmap[]"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.text);
    CHECK(row.value.ToText() == row.text);
  }
  CHECK(Value::TimestampValue({1420211075, 5}).ToText().size() == 27);
}

TEST_CASE("Value: DebugString is the type name and the text", "[value]") {
  CHECK(Value::Int64(1024).DebugString() == "INT64(1024)");
  CHECK(Value::String("tcp").DebugString() == "STRING(tcp)");
  CHECK(Value::Duration(int64_t{1000000}).DebugString() == "DURATION(1ms)");
  CHECK(Value().DebugString() == "VALUE_TYPE_UNSPECIFIED()");
}

TEST_CASE("Value: copies share the borrowed bytes", "[value]") {
  const std::string s = "bytes";
  const Value v = Value::String(s);
  const Value copy = v;  // NOLINT: the copy is the point
  CHECK(copy.string().data() == s.data());
  CHECK(sizeof(Value) <= 24);
}

TEST_CASE("OwnedValue: Of copies the bytes it views", "[value]") {
  OwnedValue owned;
  {
    std::string temp = "short-lived";
    owned = OwnedValue::Of(Value::Uri(temp));
    temp.assign("overwritten");
  }
  CHECK(owned.value().type() == ValueType::kUri);
  CHECK(owned.value().string() == "short-lived");

  std::string ip = kIpv6;
  const OwnedValue owned_ip = OwnedValue::Of(Value::IpAddress(ip));
  ip[0] = 'x';
  CHECK(owned_ip.value().ip_bytes() == kIpv6);

  // Scalars need no storage.
  CHECK(OwnedValue::Of(Value::Int64(4)).value() == Value::Int64(4));
  CHECK(OwnedValue::Of(Value::TimestampValue({1, 2})).value() == Value::TimestampValue({1, 2}));
  CHECK_FALSE(OwnedValue().value().has_value());
}

TEST_CASE("OwnedValue: moves keep views valid, copies are deep", "[value]") {
  OwnedValue a = OwnedValue::Of(Value::String("payload"));
  const char* data = a.value().string().data();

  OwnedValue moved = std::move(a);
  CHECK(moved.value().string().data() == data);
  CHECK(moved.value().string() == "payload");

  OwnedValue copy = moved;
  CHECK(copy.value().string() == "payload");
  CHECK(copy.value().string().data() != data);

  OwnedValue assigned;
  assigned = copy;
  copy = OwnedValue::Of(Value::Int64(1));  // The original storage of `copy` is gone.
  CHECK(assigned.value().string() == "payload");

  OwnedValue& self = assigned;
  assigned = self;
  CHECK(assigned.value().string() == "payload");

  // A vector that reallocates moves its elements: every view must survive.
  std::vector<OwnedValue> many;
  std::vector<const char*> datas;
  for (int i = 0; i < 100; ++i) {
    many.push_back(OwnedValue::Of(Value::String(std::string(i + 1, 'x'))));
    datas.push_back(many.back().value().string().data());
  }
  for (int i = 0; i < 100; ++i) {
    CHECK(many[i].value().string() == std::string(i + 1, 'x'));
    CHECK(many[i].value().string().data() == datas[i]);
  }
}

TEST_CASE("OwnedValue: string maps are deep-copied and keep their entries", "[value]") {
  OwnedValue map;
  {
    std::string k1 = "app", v1 = "ratings", k2 = "version", v2 = "v2";
    const StringMapEntry entries[] = {{k1, v1}, {k2, v2}};
    map = OwnedValue::Of(Value::StringMap({entries, 2}));
    k1.assign("XXX");
    v2.assign("YYY");
  }
  OwnedValue moved = std::move(map);
  const StringMapView view = moved.value().string_map();
  REQUIRE(view.size() == 2);
  CHECK(view.Find("app") == "ratings");
  CHECK(view.Find("version") == "v2");
  CHECK_FALSE(view.Find("XXX").has_value());

  const OwnedValue copy = moved;
  CHECK(copy.value() == moved.value());
  CHECK(copy.value().string_map().begin() != moved.value().string_map().begin());
}

TEST_CASE("OwnedValue: StringMapOf keeps first-seen order, later duplicates win", "[value]") {
  const OwnedValue m = OwnedValue::StringMapOf({{"b", "1"}, {"a", "2"}, {"b", "3"}, {"c", "4"}});
  const StringMapView view = m.value().string_map();
  REQUIRE(view.size() == 3);
  CHECK(view.begin()[0].key == "b");
  CHECK(view.begin()[0].value == "3");
  CHECK(view.begin()[1].key == "a");
  CHECK(view.begin()[2].key == "c");
  CHECK(OwnedValue::StringMapOf({}).value().string_map().empty());
  CHECK(OwnedValue::StringMapOf({}).value().type() == ValueType::kStringMap);
}

TEST_CASE("StringMapView: Find scans the entries", "[value]") {
  const StringMapEntry entries[] = {{"a", "1"}, {"", "empty key"}, {"c", ""}};
  const StringMapView view(entries, 3);
  CHECK(view.Find("a") == "1");
  CHECK(view.Find("") == "empty key");
  CHECK(view.Find("c") == "");
  CHECK_FALSE(view.Find("b").has_value());
  CHECK_FALSE(StringMapView().Find("a").has_value());
  CHECK(StringMapView().empty());
}

}  // namespace
}  // namespace mixlet
