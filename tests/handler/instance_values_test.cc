#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>

#include "handler/prometheus/exposition.h"
#include "handler/prometheus/instance_values.h"
#include "mixlet/value/owned_value.h"
#include "mixlet/value/value_json.h"
#include "testing/count_allocations.h"

namespace mixlet::handler_internal {
namespace {

// Rows checked against Go 1.19's strconv.ParseFloat(s, 64).
TEST_CASE("ParseGoFloat: accepts what Go's strconv.ParseFloat accepts", "[handler]") {
  struct Row {
    const char* in;
    const char* want;  // FormatPromFloat of the result
  };
  const Row rows[] = {
      {"12", "12"},          {"-1.5", "-1.5"},     {"+3", "3"},
      {"1e3", "1000"},       {"1E-2", "0.01"},     {".5", "0.5"},
      {"5.", "5"},           {"0x1p-2", "0.25"},   {"0X1.8P1", "3"},
      {"Inf", "+Inf"},       {"+inf", "+Inf"},     {"-Infinity", "-Inf"},
      {"INFINITY", "+Inf"},  {"NaN", "NaN"},       {"nan", "NaN"},
      {"1_000", "1000"},     {"0x_1p0", "1"},      {"1_000.5", "1000.5"},
      {"1.5_0", "1.5"},      {"0x1p1_0", "1024"},  {"1e1_0", "1e+10"},
      {"1e-400", "0"},       {"2e-324", "0"},      {"4.9e-324", "5e-324"},
      {"1e308", "1e+308"},   {"00012", "12"},      {"1_2.3_4e1_0", "1.234e+11"},
      {"2317", "2317"},
  };
  for (const Row& row : rows) {
    INFO("in = \"" << row.in << "\"");
    double v = 0;
    REQUIRE(ParseGoFloat(row.in, &v));
    CHECK(FormatPromFloat(v) == row.want);
  }
}

TEST_CASE("ParseGoFloat: refuses what Go refuses", "[handler]") {
  const char* rows[] = {"",      " 12",   "12 ",  "abc",   "1e",   "0x1",   "0x1.8",
                        "1__0",  "_1",    "1_",   "+nan",  "-nan", "infin", "1.2.3",
                        "--1",   "0x",    "1e+",  ".",     "e5",   "0b101", "0o7",
                        "1e400", "1.7976931348623159e308", "0x1.fffffffffffff8p1023"};
  for (const char* in : rows) {
    INFO("in = \"" << in << "\"");
    double v = 0;
    CHECK_FALSE(ParseGoFloat(in, &v));
  }
}

TEST_CASE("ParseGoFloat: long inputs", "[handler]") {
  std::string digits(300, '1');
  double v = 0;
  REQUIRE(ParseGoFloat(digits, &v));
  CHECK(v == Approx(1.1111111111111111e299));
  std::string zeros = "0." + std::string(400, '0') + "1";
  REQUIRE(ParseGoFloat(zeros, &v));
  CHECK(v == 0);
}

TEST_CASE("MetricValue: numeric conversion per value type", "[handler]") {
  double v = 0;
  CHECK(MetricValue(Value::Double(2.5), &v));
  CHECK(v == 2.5);
  CHECK(MetricValue(Value::Int64(1200), &v));
  CHECK(v == 1200);
  CHECK(MetricValue(Value::Int64((int64_t{1} << 53) + 1), &v));
  CHECK(v == 9007199254740992.0);  // nearest double
  CHECK(MetricValue(Value::Duration(absl::Milliseconds(1500)), &v));
  CHECK(v == 1.5);
  CHECK(MetricValue(Value::Duration(absl::Milliseconds(-1500)), &v));
  CHECK(v == -1.5);
  CHECK(MetricValue(Value::Duration(std::numeric_limits<int64_t>::max()), &v));
  CHECK(FormatPromFloat(v) == "9.223372036854776e+09");
  CHECK(MetricValue(Value::String("12"), &v));
  CHECK(v == 12);
  CHECK(MetricValue(Value::DnsName("1e3"), &v));
  CHECK(v == 1000);
  CHECK(MetricValue(Value::Uri("0.5"), &v));
  CHECK(MetricValue(Value::EmailAddress("7"), &v));

  CHECK_FALSE(MetricValue(Value::String("twelve"), &v));
  CHECK_FALSE(MetricValue(Value::Bool(true), &v));
  CHECK_FALSE(MetricValue(Value(), &v));
  CHECK_FALSE(MetricValue(Value::TimestampValue(Timestamp{1, 0}), &v));
  CHECK_FALSE(MetricValue(Value::IpAddress(absl::string_view("\x0a\x00\x00\x01", 4)), &v));
  CHECK_FALSE(MetricValue(Value::StringMap(StringMapView()), &v));
}

TEST_CASE("MetricValueError: Mixer's messages", "[handler]") {
  CHECK(MetricValueError(Value::String("x")) ==
        "strconv.ParseFloat: parsing \"x\": invalid syntax");
  CHECK(MetricValueError(Value::String("1e999")) ==
        "strconv.ParseFloat: parsing \"1e999\": value out of range");
  CHECK(MetricValueError(Value::Bool(true)) == "could not extract numeric value for BOOL(true)");
  CHECK(MetricValueError(Value()) == "could not extract numeric value for a null value");
}

TEST_CASE("MetricValue: no allocation for numbers and number strings", "[handler]") {
  double v = 0;
  testing::CountAllocations allocs;
  MetricValue(Value::Int64(5), &v);
  MetricValue(Value::Double(5), &v);
  MetricValue(Value::Duration(5), &v);
  MetricValue(Value::String("123.5e3"), &v);
  CHECK(allocs.count() == 0);
}

TEST_CASE("LabelRenderer: the canonical text of every type, as Value::ToText", "[handler]") {
  const double inf = std::numeric_limits<double>::infinity();
  OwnedValue ip4 = OwnedValue::Of(Value::IpAddress(absl::string_view("\x0a\x00\x00\x01", 4)));
  OwnedValue ip6 = OwnedValue::Of(
      Value::IpAddress(absl::string_view("\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16)));
  OwnedValue map = OwnedValue::StringMapOf({{"version", "v2"}, {"app", "ratings"}});
  const Value values[] = {
      Value::String("ratings-v2"),
      Value::DnsName("mongodb.default.svc.cluster.local"),
      Value::Uri("http://x/"),
      Value::EmailAddress("a@b.c"),
      Value(),
      Value::Bool(true),
      Value::Bool(false),
      Value::Int64(0),
      Value::Int64(-42),
      Value::Int64(std::numeric_limits<int64_t>::min()),
      Value::Double(0),
      Value::Double(-0.0),
      Value::Double(0.1),
      Value::Double(1e21),
      Value::Double(1e-7),
      Value::Double(123.456),
      Value::Double(-2.5),
      Value::Double(5e-324),
      Value::Double(1e300),
      Value::Double(std::nan("")),
      Value::Double(inf),
      Value::Double(-inf),
      Value::Duration(absl::Milliseconds(1500)),
      Value::Duration(absl::Minutes(90)),
      Value::TimestampValue(Timestamp{1500000000, 123456789}),
      ip4.value(),
      ip6.value(),
      map.value(),
  };
  LabelRenderer renderer;
  for (const Value& v : values) {
    INFO(v.DebugString());
    CHECK(std::string(renderer.Render(v)) == v.ToText());
  }
}

TEST_CASE("LabelRenderer: Go 'f' forms of doubles", "[handler]") {
  LabelRenderer renderer;
  CHECK(renderer.Render(Value::Double(1e21)) == "1000000000000000000000");
  CHECK(renderer.Render(Value::Double(1e-7)) == "0.0000001");
  CHECK(renderer.Render(Value::Double(-0.0)) == "-0");
  CHECK(renderer.Render(Value::Double(std::nan(""))) == "NaN");
}

TEST_CASE("LabelRenderer: views stay valid and nothing is allocated for common types",
          "[handler]") {
  LabelRenderer renderer;
  absl::string_view a, b, c, d;
  {
    testing::CountAllocations allocs;
    a = renderer.Render(Value::Int64(1234));
    b = renderer.Render(Value::Double(2.5));
    c = renderer.Render(Value::String("x"));
    d = renderer.Render(Value::Bool(true));
    CHECK(allocs.count() == 0);
  }
  // Many doubles overflow the inline buffer into owned strings; earlier views stay intact.
  for (int i = 0; i < 20; ++i) renderer.Render(Value::Double(1e300));
  CHECK(a == "1234");
  CHECK(b == "2.5");
  CHECK(c == "x");
  CHECK(d == "true");
}

}  // namespace
}  // namespace mixlet::handler_internal
