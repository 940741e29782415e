#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>

#include "absl/strings/string_view.h"
#include "handler/prometheus/epoch.h"
#include "handler/prometheus/exposition.h"
#include "handler/prometheus/series_table.h"

namespace mixlet::handler_internal {
namespace {

TEST_CASE("AppendPromFloat: byte-exact rows of Go's FormatFloat('g', -1)", "[handler]") {
  const double inf = std::numeric_limits<double>::infinity();
  struct Row {
    double x;
    const char* want;
  };
  const Row rows[] = {
      // metric-and-prometheus.md §5.1
      {2317, "2317"},
      {100000, "100000"},
      {123456, "123456"},
      {999999, "999999"},
      {1000000, "1e+06"},
      {1234567, "1.234567e+06"},
      {1.5e21, "1.5e+21"},
      {0.5, "0.5"},
      {0.0001, "0.0001"},
      {0.00001, "1e-05"},
      {0.005, "0.005"},
      {2.5, "2.5"},
      {-3.25, "-3.25"},
      // writeFloat's special cases
      {1, "1"},
      {0, "0"},
      {-0.0, "0"},
      {-1, "-1"},
      {std::nan(""), "NaN"},
      {inf, "+Inf"},
      {-inf, "-Inf"},
      // more of Go's %g shortest
      {0.1, "0.1"},
      {0.30000000000000004, "0.30000000000000004"},
      {0.7999999999999999, "0.7999999999999999"},
      {1.4641000000000006, "1.4641000000000006"},
      {12.5, "12.5"},
      {10, "10"},
      {100, "100"},
      {123456.5, "123456.5"},
      {999999.9, "999999.9"},
      {1e6 + 0.5, "1.0000005e+06"},
      {1e100, "1e+100"},
      {1.7976931348623157e308, "1.7976931348623157e+308"},
      {5e-324, "5e-324"},
      {0.00012, "0.00012"},
      {0.000012, "1.2e-05"},
      {-1234567, "-1.234567e+06"},
      {-0.00001, "-1e-05"},
      {2, "2"},
      {-2, "-2"},
      {18446744073709551616.0, "1.8446744073709552e+19"},
  };
  for (const Row& row : rows) {
    INFO("x = " << row.x);
    CHECK(FormatPromFloat(row.x) == row.want);
  }
}

TEST_CASE("AppendEscapedLabelValue: backslash, quote and newline", "[handler]") {
  struct Row {
    absl::string_view in;
    const char* want;
  };
  const Row rows[] = {
      {"plain", "plain"},
      {"", ""},
      {"a\\b", "a\\\\b"},
      {"say \"hi\"", "say \\\"hi\\\""},
      {"two\nlines", "two\\nlines"},
      {"\\\"\n", "\\\\\\\"\\n"},
      {"tab\there", "tab\there"},  // Only the three characters are escaped.
      {"ünïcödé", "ünïcödé"},
  };
  for (const Row& row : rows) {
    std::string out;
    AppendEscapedLabelValue(row.in, &out);
    CHECK(out == row.want);
  }
}

// The escaping scans eight bytes at a time: every escaped character at every position of
// values up to 40 bytes, alone and in pairs, against the byte-by-byte definition. Bytes that
// differ from the escaped ones by one bit (the SWAR test must not confuse them) are the filler.
TEST_CASE("AppendEscapedLabelValue: every position of values up to 40 bytes", "[handler]") {
  auto reference = [](absl::string_view in) {
    std::string out;
    for (char c : in) {
      if (c == '\\') {
        out += "\\\\";
      } else if (c == '"') {
        out += "\\\"";
      } else if (c == '\n') {
        out += "\\n";
      } else {
        out.push_back(c);
      }
    }
    return out;
  };
  const char fillers[] = {'x', '\\' ^ 1, '"' ^ 1, '\n' ^ 1, '\x80', '\xdc', '\0'};
  for (size_t n = 0; n <= 40; ++n) {
    for (char filler : fillers) {
      const std::string base(n, filler);
      std::string out;
      AppendEscapedLabelValue(base, &out);
      CHECK(out == reference(base));
      for (size_t i = 0; i < n; ++i) {
        for (char special : {'\\', '"', '\n'}) {
          std::string in = base;
          in[i] = special;
          in[n - 1 - i] = '\n';
          out.clear();
          AppendEscapedLabelValue(in, &out);
          INFO(n << " " << i);
          CHECK(out == reference(in));
        }
      }
    }
  }
}

TEST_CASE("AppendEscapedHelp: backslash and newline, quotes kept", "[handler]") {
  std::string out;
  AppendEscapedHelp("a \"b\" \\ c\nd", &out);
  CHECK(out == "a \"b\" \\\\ c\\nd");
}

MetricDefinition Definition(MetricKind kind, std::vector<std::string> labels,
                            std::vector<double> bounds = {}) {
  MetricDefinition def;
  def.kind = kind;
  def.full_name = "istio_x";
  def.help = "x";
  def.label_names = std::move(labels);
  def.bounds = std::move(bounds);
  return def;
}

Series* Get(SeriesTable& table, std::vector<absl::string_view> labels) {
  SeriesTable::Outcome outcome;
  return table.FindOrCreate(SeriesTable::Hash(labels), labels, &outcome);
}

TEST_CASE("AppendFamily: the histogram example of the spec", "[handler]") {
  const MetricDefinition def = Definition(MetricKind::kDistribution, {"a"}, {0, 10, 20});
  SeriesTable table(1, 4, 0, "overflow");
  EpochDomain::ReadSection section;
  Series* s = Get(table, {"1"});
  s->Observe(1, 5);   // 5 <= 10
  s->Observe(2, 15);  // 15 <= 20
  std::string out;
  AppendFamily(def, table, &out);
  CHECK(out ==
        "# HELP istio_x x\n"
        "# TYPE istio_x histogram\n"
        "istio_x_bucket{a=\"1\",le=\"0\"} 0\n"
        "istio_x_bucket{a=\"1\",le=\"10\"} 1\n"
        "istio_x_bucket{a=\"1\",le=\"20\"} 2\n"
        "istio_x_bucket{a=\"1\",le=\"+Inf\"} 2\n"
        "istio_x_sum{a=\"1\"} 20\n"
        "istio_x_count{a=\"1\"} 2\n");
}

TEST_CASE("AppendFamily: counters sorted by label values, escaped, no braces without labels",
          "[handler]") {
  EpochDomain::ReadSection section;
  {
    const MetricDefinition def = Definition(MetricKind::kCounter, {"a", "b"});
    SeriesTable table(2, 0, 0, "overflow");
    Get(table, {"y", "1"})->CounterAdd(1);
    Get(table, {"x", "2"})->CounterAdd(2317);
    Get(table, {"x", "10"})->CounterAdd(1000000);
    Get(table, {"q\"\\\n", ""})->CounterAdd(0.5);
    std::string out;
    AppendFamily(def, table, &out);
    CHECK(out ==
          "# HELP istio_x x\n"
          "# TYPE istio_x counter\n"
          "istio_x{a=\"q\\\"\\\\\\n\",b=\"\"} 0.5\n"
          "istio_x{a=\"x\",b=\"10\"} 1e+06\n"
          "istio_x{a=\"x\",b=\"2\"} 2317\n"
          "istio_x{a=\"y\",b=\"1\"} 1\n");
  }
  {
    MetricDefinition def = Definition(MetricKind::kGauge, {});
    def.help = "multi\nline \\ help";
    SeriesTable table(0, 0, 0, "overflow");
    Get(table, {})->GaugeSet(-3.25);
    std::string out;
    AppendFamily(def, table, &out);
    CHECK(out ==
          "# HELP istio_x multi\\nline \\\\ help\n"
          "# TYPE istio_x gauge\n"
          "istio_x -3.25\n");
  }
  {
    const MetricDefinition def = Definition(MetricKind::kDistribution, {}, {1});
    SeriesTable table(0, 2, 0, "overflow");
    Get(table, {})->Observe(1, 7);
    std::string out;
    AppendFamily(def, table, &out);
    CHECK(out ==
          "# HELP istio_x x\n"
          "# TYPE istio_x histogram\n"
          "istio_x_bucket{le=\"1\"} 0\n"
          "istio_x_bucket{le=\"+Inf\"} 1\n"
          "istio_x_sum 7\n"
          "istio_x_count 1\n");
  }
}

TEST_CASE("AppendFamily: nothing for a metric without series", "[handler]") {
  const MetricDefinition def = Definition(MetricKind::kCounter, {"a"});
  SeriesTable table(1, 0, 0, "overflow");
  EpochDomain::ReadSection section;
  std::string out;
  AppendFamily(def, table, &out);
  CHECK(out.empty());
}

}  // namespace
}  // namespace mixlet::handler_internal
