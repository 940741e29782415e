// Expected values were produced by Go 1.19's time.ParseDuration and Duration.String().
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "mixlet/value/value_json.h"

namespace mixlet {
namespace {

TEST_CASE("ParseGoDuration: accepts Go's duration syntax", "[value]") {
  struct Row {
    const char* text;
    int64_t nanos;
  };
  const Row rows[] = {
      {"0", 0},
      {"+0", 0},
      {"-0", 0},
      {"0s", 0},
      {"1h0m0s", INT64_C(3600000000000)},
      {"2m0s", INT64_C(120000000000)},
      {"1.5s", INT64_C(1500000000)},
      {"350ms", INT64_C(350000000)},
      {"1ns", 1},
      {"1us", 1000},
      {"1\xC2\xB5s", 1000},  // U+00B5 MICRO SIGN
      {"1\xCE\xBCs", 1000},  // U+03BC GREEK SMALL LETTER MU
      {"-1.5s", INT64_C(-1500000000)},
      {"1h30m", INT64_C(5400000000000)},
      {"5h10m", INT64_C(18600000000000)},
      {"4m", INT64_C(240000000000)},
      {".5s", INT64_C(500000000)},
      {"1.s", INT64_C(1000000000)},
      {"1.5h", INT64_C(5400000000000)},
      {"0.1h", INT64_C(360000000000)},
      {"1.123456789s", INT64_C(1123456789)},
      {"0.000000001s", 1},
      {"0.0000000001s", 0},
      {"1ns1us1ms1s1m1h", INT64_C(3661001001001)},
      {"100ms200ms", INT64_C(300000000)},
      {"+1s", INT64_C(1000000000)},
      {"9223372036854775807ns", INT64_MAX},
      {"-9223372036854775808ns", INT64_MIN},
      {"2562047h47m16.854775807s", INT64_MAX},
      {"-2562047h47m16.854775808s", INT64_MIN},
      {"3.000000000000000000000000001h", INT64_C(10800000000000)},
  };
  for (const Row& row : rows) {
    CAPTURE(row.text);
    absl::StatusOr<int64_t> d = ParseGoDuration(row.text);
    REQUIRE(d.ok());
    CHECK(*d == row.nanos);
  }
}

TEST_CASE("ParseGoDuration: rejects what Go rejects, with Go's message", "[value]") {
  struct Row {
    const char* text;
    const char* message;
  };
  const Row rows[] = {
      {"", "time: invalid duration \"\""},
      {"1", "time: missing unit in duration \"1\""},
      {"10 ms", "time: unknown unit \" ms\" in duration \"10 ms\""},
      {".s", "time: invalid duration \".s\""},
      {"-.s", "time: invalid duration \"-.s\""},
      {"s", "time: invalid duration \"s\""},
      {"+", "time: invalid duration \"+\""},
      {"-", "time: invalid duration \"-\""},
      {"--1s", "time: invalid duration \"--1s\""},
      {"1x", "time: unknown unit \"x\" in duration \"1x\""},
      {"1S", "time: unknown unit \"S\" in duration \"1S\""},
      {"1ms2", "time: missing unit in duration \"1ms2\""},
      {"1.2.3s", "time: missing unit in duration \"1.2.3s\""},
      {"1m1", "time: missing unit in duration \"1m1\""},
      {"1\xC2\xB5", "time: unknown unit \"\\xc2\\xb5\" in duration \"1\\xc2\\xb5\""},
      {"1\"s", "time: unknown unit \"\\\"s\" in duration \"1\\\"s\""},
      {"\xC3\xBFs", "time: invalid duration \"\\xc3\\xbfs\""},
      // Overflow.
      {"9223372036854775808ns", "time: invalid duration \"9223372036854775808ns\""},
      {"-9223372036854775809ns", "time: invalid duration \"-9223372036854775809ns\""},
      {"2562047h47m16.854775808s", "time: invalid duration \"2562047h47m16.854775808s\""},
      {"18446744073709551616ns", "time: invalid duration \"18446744073709551616ns\""},
      {"2562048h", "time: invalid duration \"2562048h\""},
      {"9223372036854775807ns1ns", "time: invalid duration \"9223372036854775807ns1ns\""},
  };
  for (const Row& row : rows) {
    CAPTURE(row.text);
    absl::StatusOr<int64_t> d = ParseGoDuration(row.text);
    REQUIRE_FALSE(d.ok());
    CHECK(d.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(d.status().message() == row.message);
  }
}

TEST_CASE("FormatGoDuration: Go's Duration.String()", "[value]") {
  struct Row {
    int64_t nanos;
    const char* text;
  };
  const Row rows[] = {
      {0, "0s"},
      {1, "1ns"},
      {-1, "-1ns"},
      {999, "999ns"},
      {1000, "1\xC2\xB5s"},
      {1001, "1.001\xC2\xB5s"},
      {1500, "1.5\xC2\xB5s"},
      {999999, "999.999\xC2\xB5s"},
      {1000000, "1ms"},
      {1500000, "1.5ms"},
      {350000000, "350ms"},
      {999999999, "999.999999ms"},
      {1000000000, "1s"},
      {1500000000, "1.5s"},
      {-1500000000, "-1.5s"},
      {INT64_C(60000000000), "1m0s"},
      {INT64_C(120000000000), "2m0s"},
      {INT64_C(3600000000000), "1h0m0s"},
      {INT64_C(3661000000001), "1h1m1.000000001s"},
      {INT64_C(-3661000000001), "-1h1m1.000000001s"},
      {INT64_C(86400000000000), "24h0m0s"},
      {INT64_MAX, "2562047h47m16.854775807s"},
      {INT64_MIN, "-2562047h47m16.854775808s"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.nanos);
    CHECK(FormatGoDuration(row.nanos) == row.text);
    // What Go prints, Go reads back.
    absl::StatusOr<int64_t> back = ParseGoDuration(row.text);
    REQUIRE(back.ok());
    CHECK(*back == row.nanos);
  }
  CHECK(FormatGoDuration(absl::Seconds(1.5)) == "1.5s");
  CHECK(FormatGoDuration(absl::Minutes(90)) == "1h30m0s");
}

}  // namespace
}  // namespace mixlet
