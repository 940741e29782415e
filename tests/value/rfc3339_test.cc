// Expected values and messages were produced by Go 1.19's time.Parse(time.RFC3339, ...) and
// t.UTC().Format(time.RFC3339Nano).
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>

#include "mixlet/value/value_json.h"

namespace mixlet {
namespace {

TEST_CASE("ParseRfc3339: accepts what Go's time.Parse accepts", "[value]") {
  struct Row {
    const char* text;
    int64_t seconds;
    int32_t nanos;
  };
  const Row rows[] = {
      {"2015-01-02T15:04:35Z", INT64_C(1420211075), 0},
      {"2015-01-02T15:04:35+08:00", INT64_C(1420182275), 0},
      {"2015-01-02T15:04:35-08:30", INT64_C(1420241675), 0},
      {"2015-01-02T15:04:35-00:00", INT64_C(1420211075), 0},
      {"2015-01-02T15:04:35+00:00", INT64_C(1420211075), 0},
      {"2015-01-02T15:04:35.5Z", INT64_C(1420211075), 500000000},
      {"2015-01-02T15:04:35,5Z", INT64_C(1420211075), 500000000},
      {"2015-01-02T15:04:35.123456789123Z", INT64_C(1420211075), 123456789},
      {"2015-01-02T15:04:35.000000001Z", INT64_C(1420211075), 1},
      {"2015-01-02T15:04:35.5+01:00", INT64_C(1420207475), 500000000},
      {"2015-01-02T1:04:35Z", INT64_C(1420160675), 0},  // Go reads the hour as 1 or 2 digits.
      {"2016-02-29T00:00:00Z", INT64_C(1456704000), 0},
      {"2000-02-29T23:59:59Z", INT64_C(951868799), 0},
      {"1970-01-01T00:00:00Z", 0, 0},
      {"1969-12-31T23:59:59.999999999Z", -1, 999999999},
      {"0000-01-01T00:00:00Z", INT64_C(-62167219200), 0},
      {"9999-12-31T23:59:59.999999999Z", INT64_C(253402300799), 999999999},
      {"2015-01-02T15:04:35+24:00", INT64_C(1420124675), 0},
  };
  for (const Row& row : rows) {
    CAPTURE(row.text);
    absl::StatusOr<Timestamp> t = ParseRfc3339(row.text);
    REQUIRE(t.ok());
    CHECK(t->seconds == row.seconds);
    CHECK(t->nanos == row.nanos);
  }
}

TEST_CASE("ParseRfc3339: rejects what Go rejects, with Go's message", "[value]") {
  constexpr const char* kLayout = " as \"2006-01-02T15:04:05Z07:00\": cannot parse ";
  struct Row {
    const char* text;
    std::string message;
  };
  const Row rows[] = {
      {"2015-01-02t15:04:35Z",
       std::string("parsing time \"2015-01-02t15:04:35Z\"") + kLayout + "\"t15:04:35Z\" as \"T\""},
      {"2015-01-02T15:04:35z",
       std::string("parsing time \"2015-01-02T15:04:35z\"") + kLayout + "\"z\" as \"Z07:00\""},
      {"2015-01-02T15:04:35+0800", std::string("parsing time \"2015-01-02T15:04:35+0800\"") +
                                       kLayout + "\"+0800\" as \"Z07:00\""},
      {"2015-01-02T15:04:35+08",
       std::string("parsing time \"2015-01-02T15:04:35+08\"") + kLayout + "\"+08\" as \"Z07:00\""},
      {"2015-01-02T15:04:35.Z",
       std::string("parsing time \"2015-01-02T15:04:35.Z\"") + kLayout + "\".Z\" as \"Z07:00\""},
      {"2015-01-02T15:04:35",
       std::string("parsing time \"2015-01-02T15:04:35\"") + kLayout + "\"\" as \"Z07:00\""},
      {"2015-01-02T15:4:35Z",
       std::string("parsing time \"2015-01-02T15:4:35Z\"") + kLayout + "\"4:35Z\" as \"04\""},
      {"2015-1-02T15:04:35Z", std::string("parsing time \"2015-1-02T15:04:35Z\"") + kLayout +
                                  "\"1-02T15:04:35Z\" as \"01\""},
      {"2015-01-02 15:04:35Z",
       std::string("parsing time \"2015-01-02 15:04:35Z\"") + kLayout + "\" 15:04:35Z\" as \"T\""},
      {"242233", std::string("parsing time \"242233\"") + kLayout + "\"33\" as \"-\""},
      {"", std::string("parsing time \"\"") + kLayout + "\"\" as \"2006\""},
      {"2015-02-30T00:00:00Z", "parsing time \"2015-02-30T00:00:00Z\": day out of range"},
      {"2015-02-29T00:00:00Z", "parsing time \"2015-02-29T00:00:00Z\": day out of range"},
      {"1900-02-29T00:00:00Z", "parsing time \"1900-02-29T00:00:00Z\": day out of range"},
      {"2015-01-00T15:04:35Z", "parsing time \"2015-01-00T15:04:35Z\": day out of range"},
      {"2015-01-32T15:04:35Z", "parsing time \"2015-01-32T15:04:35Z\": day out of range"},
      {"2015-13-02T15:04:35Z", "parsing time \"2015-13-02T15:04:35Z\": month out of range"},
      {"2015-00-02T15:04:35Z", "parsing time \"2015-00-02T15:04:35Z\": month out of range"},
      {"2015-01-02T24:00:00Z", "parsing time \"2015-01-02T24:00:00Z\": hour out of range"},
      {"2015-01-02T15:60:35Z", "parsing time \"2015-01-02T15:60:35Z\": minute out of range"},
      {"2015-01-02T23:59:60Z", "parsing time \"2015-01-02T23:59:60Z\": second out of range"},
      {"2015-01-02T15:04:35Zjunk",
       "parsing time \"2015-01-02T15:04:35Zjunk\": extra text: \"junk\""},
      {"2015-01-02T15:04:35+08:00x",
       "parsing time \"2015-01-02T15:04:35+08:00x\": extra text: \"x\""},
      // Go >= 1.20 range-checks offsets; 1.19 did not. mixlet follows the newer, stricter Go.
      {"2015-01-02T15:04:35+25:00",
       "parsing time \"2015-01-02T15:04:35+25:00\": time zone offset hour out of range"},
      {"2015-01-02T15:04:35+08:61",
       "parsing time \"2015-01-02T15:04:35+08:61\": time zone offset minute out of range"},
      // Go 1.19 lets a missing seconds field through when a fraction follows; mixlet does not.
      {"2015-01-02T15:04:.5Z",
       std::string("parsing time \"2015-01-02T15:04:.5Z\"") + kLayout + "\".5Z\" as \"05\""},
      {"2015-01-02T15:04:35+-1:00", std::string("parsing time \"2015-01-02T15:04:35+-1:00\"") +
                                        kLayout + "\"+-1:00\" as \"Z07:00\""},
  };
  for (const Row& row : rows) {
    CAPTURE(row.text);
    absl::StatusOr<Timestamp> t = ParseRfc3339(row.text);
    REQUIRE_FALSE(t.ok());
    CHECK(t.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(t.status().message() == row.message);
  }
}

TEST_CASE("FormatRfc3339Nano: UTC, Z, shortest fraction", "[value]") {
  struct Row {
    Timestamp t;
    const char* text;
  };
  const Row rows[] = {
      {{0, 0}, "1970-01-01T00:00:00Z"},
      {{INT64_C(1420211075), 0}, "2015-01-02T15:04:35Z"},
      {{INT64_C(1420211075), 500000000}, "2015-01-02T15:04:35.5Z"},
      {{INT64_C(1420211075), 123456789}, "2015-01-02T15:04:35.123456789Z"},
      {{INT64_C(1420211075), 120000000}, "2015-01-02T15:04:35.12Z"},
      {{INT64_C(1420211075), 1}, "2015-01-02T15:04:35.000000001Z"},
      {{-1, 999999999}, "1969-12-31T23:59:59.999999999Z"},
      {{INT64_C(-62167219200), 0}, "0000-01-01T00:00:00Z"},
      {{INT64_C(253402300799), 999999999}, "9999-12-31T23:59:59.999999999Z"},
      {{INT64_C(951782400), 0}, "2000-02-29T00:00:00Z"},
      // Outside Go's four-digit years: a sign, or more digits.
      {{INT64_C(-62167219201), 0}, "-0001-12-31T23:59:59Z"},
      {{INT64_C(253402300800), 0}, "10000-01-01T00:00:00Z"},
      // Out-of-range nanoseconds are carried into the seconds.
      {{0, 1500000000}, "1970-01-01T00:00:01.5Z"},
      {{0, -1}, "1969-12-31T23:59:59.999999999Z"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.text);
    CHECK(FormatRfc3339Nano(row.t) == row.text);
  }
}

TEST_CASE("ParseRfc3339: reads back every instant FormatRfc3339Nano writes", "[value]") {
  // Every day boundary of four centuries, with a varying time and fraction.
  for (int64_t day = -146097; day <= 146097 * 2; day += 97) {
    const Timestamp t{day * 86400 + (day % 86400 + 86400) % 86400,
                      static_cast<int32_t>((day * 7919) % 1000000000 + 1000000000) % 1000000000};
    const std::string text = FormatRfc3339Nano(t);
    absl::StatusOr<Timestamp> back = ParseRfc3339(text);
    CAPTURE(text);
    REQUIRE(back.ok());
    REQUIRE(*back == t);
  }
}

}  // namespace
}  // namespace mixlet
