// Expected values were produced by Go 1.19's strconv.FormatFloat(v, 'f', -1, 64) and
// encoding/json.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>

#include "mixlet/value/value.h"
#include "mixlet/value/value_json.h"

namespace mixlet {
namespace {

TEST_CASE("FormatDoubleShortest: shortest round-trip digits, never an exponent", "[value]") {
  struct Row {
    double v;
    const char* text;
    const char* json;  // ToJson: Go's encoding/json form.
  };
  const Row rows[] = {
      {0.0, "0", "0"},
      {-0.0, "-0", "-0"},
      {1.0, "1", "1"},
      {-1.0, "-1", "-1"},
      {0.1, "0.1", "0.1"},
      {0.5, "0.5", "0.5"},
      {100.0, "100", "100"},
      {1e21, "1000000000000000000000", "1e+21"},
      {1e20, "100000000000000000000", "100000000000000000000"},
      {1e23, "100000000000000000000000", "1e+23"},
      {123456789.125, "123456789.125", "123456789.125"},
      {1e-6, "0.000001", "0.000001"},
      {1e-7, "0.0000001", "1e-7"},
      {2.5e-5, "0.000025", "0.000025"},
      {1.0 / 3, "0.3333333333333333", "0.3333333333333333"},
      {9007199254740993.0, "9007199254740992", "9007199254740992"},
      {0.30000000000000004, "0.30000000000000004", "0.30000000000000004"},
      {-12.75, "-12.75", "-12.75"},
      {-1e-300, nullptr, "-1e-300"},
      {1.5e-10, nullptr, "1.5e-10"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.json);
    if (row.text != nullptr) CHECK(FormatDoubleShortest(row.v) == row.text);
    CHECK(ToJson(Value::Double(row.v)) == row.json);
  }
  // The extremes: every digit written out.
  CHECK(FormatDoubleShortest(1.7976931348623157e308) ==
        "17976931348623157" + std::string(292, '0'));
  CHECK(ToJson(Value::Double(1.7976931348623157e308)) == "1.7976931348623157e+308");
  CHECK(FormatDoubleShortest(5e-324) == "0." + std::string(323, '0') + "5");
  CHECK(ToJson(Value::Double(5e-324)) == "5e-324");
  CHECK(FormatDoubleShortest(std::numeric_limits<double>::quiet_NaN()) == "NaN");
  CHECK(FormatDoubleShortest(std::numeric_limits<double>::infinity()) == "+Inf");
  CHECK(FormatDoubleShortest(-std::numeric_limits<double>::infinity()) == "-Inf");
}

TEST_CASE("FormatDoubleShortest: reads back exactly", "[value]") {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 20000; ++i) {
    uint64_t bits = rng();
    double v;
    std::memcpy(&v, &bits, sizeof v);
    if (!std::isfinite(v)) continue;
    const std::string text = FormatDoubleShortest(v);
    CAPTURE(text);
    REQUIRE(text.find_first_of("eE") == std::string::npos);
    REQUIRE(std::strtod(text.c_str(), nullptr) == v);
    const std::string json = ToJson(Value::Double(v));
    REQUIRE(std::strtod(json.c_str(), nullptr) == v);
  }
}

}  // namespace
}  // namespace mixlet
