#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "handler/prometheus/metric_params.h"
#include "mixlet/handler/prometheus_handler.h"
#include "prometheus_test_util.h"

namespace mixlet {
namespace {

using handler_internal::DecodePrometheusParams;
using handler_internal::MetricKind;
using handler_internal::PrometheusParams;
using handler_internal::SafeName;
using testing::L;
using testing::M;
using testing::N;
using testing::S;
using testing::Strings;

std::string IssuesText(const std::vector<ParamIssue>& issues) {
  std::vector<std::string> lines;
  for (const ParamIssue& i : issues) lines.push_back(i.field + ": " + i.message);
  return absl::StrJoin(lines, "\n");
}

std::vector<ParamIssue> Validate(const ParamValue& params) {
  PrometheusAdapter adapter(nullptr, PrometheusOptions());
  std::vector<ParamIssue> issues;
  adapter.Validate(params, &issues);
  return issues;
}

ParamValue OneMetric(std::vector<std::pair<std::string, ParamValue>> entry) {
  return M({{"metrics", L({M(std::move(entry))})}});
}

TEST_CASE("SafeName: Mixer's sanitising", "[handler]") {
  struct Row {
    const char* in;
    const char* want;
  };
  const Row rows[] = {{"mongo_received_bytes", "mongo_received_bytes"},
                      {"mongoreceivedbytes.instance.default", "mongoreceivedbytes_instance_default"},
                      {"double-count", "doublecount"},
                      {"/a/b c.d", "a_b_c_d"},
                      {"//x", "_x"},
                      {"-", ""},
                      {"istio-system", "istiosystem"}};
  for (const Row& row : rows) CHECK(SafeName(row.in) == row.want);
}

TEST_CASE("Prometheus params: the sample and Istio's default style are valid", "[handler]") {
  CHECK(IssuesText(Validate(testing::MongoParams())).empty());
  const ParamValue istio = M(
      {{"metricsExpirationPolicy", M({{"metricsExpiryDuration", S("10m")}})},
       {"metrics",
        L({M({{"name", S("requests_total")},
              {"instance_name", S("requestcount.instance.istio-system")},
              {"kind", S("COUNTER")},
              {"label_names", Strings({"reporter", "source_app"})}}),
           M({{"name", S("request_duration_seconds")},
              {"instanceName", S("requestduration.instance.istio-system")},
              {"kind", S("DISTRIBUTION")},
              {"labelNames", Strings({"reporter"})},
              {"buckets", M({{"explicit_buckets",
                              M({{"bounds", L({N(0.005), N(0.01), N(1), N(10)})}})}})}}),
           M({{"name", S("request_bytes")},
              {"instance_name", S("requestsize.instance.istio-system")},
              {"kind", N(3)},
              {"buckets", M({{"exponentialBuckets", M({{"numFiniteBuckets", N(8)},
                                                        {"scale", N(1)},
                                                        {"growthFactor", N(10)}})}})}}),
           M({{"name", S("g")},
              {"instance_name", S("g.instance.istio-system")},
              {"kind", S("GAUGE")},
              {"namespace", S("")},
              {"description", S("a gauge")}})})}});
  CHECK(IssuesText(Validate(istio)).empty());
}

TEST_CASE("Prometheus params: every problem is reported with its field path", "[handler]") {
  struct Row {
    const char* what;
    ParamValue params;
    const char* field;
    const char* message;
  };
  const Row rows[] = {
      {"unknown top-level key", M({{"metricz", L({})}}), "metricz", "unknown field 'metricz'"},
      {"metrics not a list", M({{"metrics", S("x")}}), "metrics",
       "expected a list of metrics, got a string"},
      {"params not a map", S("x"), "", "expected a map, got a string"},
      {"unknown entry key",
       OneMetric({{"name", S("a")}, {"instance_name", S("a.instance.default")},
                  {"kind", S("COUNTER")}, {"lables", Strings({"x"})}}),
       "metrics[0].lables", "unknown field 'lables'"},
      {"kind omitted", OneMetric({{"name", S("a")}, {"instance_name", S("a.i.d")}}),
       "metrics[0].kind", "unknown metric kind (0)"},
      {"kind unknown name",
       OneMetric({{"name", S("a")}, {"instance_name", S("a.i.d")}, {"kind", S("HISTOGRAM")}}),
       "metrics[0].kind", "unknown metric kind \"HISTOGRAM\""},
      {"kind unknown number",
       OneMetric({{"name", S("a")}, {"instance_name", S("a.i.d")}, {"kind", N(7)}}),
       "metrics[0].kind", "unknown metric kind (7)"},
      {"kind of the wrong type",
       OneMetric({{"name", S("a")}, {"instance_name", S("a.i.d")}, {"kind", L({})}}),
       "metrics[0].kind", "expected an integer, got a list"},
      {"name not valid once sanitised",
       OneMetric({{"name", S("a!b")}, {"instance_name", S("a.i.d")}, {"kind", S("GAUGE")}}),
       "metrics[0]", "\"istio_a!b\" is not a valid Prometheus metric name"},
      {"namespace not valid",
       OneMetric({{"namespace", S("9")}, {"name", S("a")}, {"instance_name", S("a.i.d")},
                  {"kind", S("GAUGE")}}),
       "metrics[0]", "\"9_a\" is not a valid Prometheus metric name"},
      {"name empty once sanitised",
       OneMetric({{"name", S("--")}, {"instance_name", S("a.i.d")}, {"kind", S("GAUGE")}}),
       "metrics[0]", "name \"--\" is empty once sanitised"},
      {"name of the wrong type",
       OneMetric({{"name", N(1)}, {"instance_name", S("a.i.d")}, {"kind", S("GAUGE")}}),
       "metrics[0].name", "expected a string, got a number"},
      {"instance_name missing", OneMetric({{"name", S("a")}, {"kind", S("GAUGE")}}),
       "metrics[0].instance_name", "instance_name is required"},
      {"key set in both spellings",
       OneMetric({{"name", S("a")}, {"instance_name", S("a.i.d")}, {"instanceName", S("b.i.d")},
                  {"kind", S("GAUGE")}}),
       "metrics[0].instanceName", "field 'instance_name' is set twice"},
      {"reserved label name",
       OneMetric({{"name", S("a")}, {"instance_name", S("a.i.d")}, {"kind", S("GAUGE")},
                  {"label_names", Strings({"__x"})}}),
       "metrics[0].label_names[0]", "\"__x\" is not a valid Prometheus label name"},
      {"label name not valid",
       OneMetric({{"name", S("a")}, {"instance_name", S("a.i.d")}, {"kind", S("GAUGE")},
                  {"label_names", Strings({"ok", "9a"})}}),
       "metrics[0].label_names[1]", "\"9a\" is not a valid Prometheus label name"},
      {"duplicate label names after sanitising",
       OneMetric({{"name", S("a")}, {"instance_name", S("a.i.d")}, {"kind", S("GAUGE")},
                  {"label_names", Strings({"source-app", "sourceapp"})}}),
       "metrics[0].label_names[1]", "duplicate label name \"sourceapp\""},
      {"label_names not a list",
       OneMetric({{"name", S("a")}, {"instance_name", S("a.i.d")}, {"kind", S("GAUGE")},
                  {"label_names", S("x")}}),
       "metrics[0].label_names", "expected a list of strings, got a string"},
      {"label name not a string",
       OneMetric({{"name", S("a")}, {"instance_name", S("a.i.d")}, {"kind", S("GAUGE")},
                  {"label_names", L({N(1)})}}),
       "metrics[0].label_names[0]", "expected a string, got a number"},
      {"two bucket definitions",
       OneMetric({{"name", S("a")}, {"instance_name", S("a.i.d")}, {"kind", S("DISTRIBUTION")},
                  {"buckets", M({{"linear_buckets", M({{"num_finite_buckets", N(1)},
                                                       {"width", N(1)}})},
                                 {"explicit_buckets", M({{"bounds", L({N(1)})}})}})}}),
       "metrics[0].buckets.explicit_buckets", "only one of linear_buckets"},
      {"negative linear count",
       OneMetric({{"name", S("a")}, {"instance_name", S("a.i.d")}, {"kind", S("DISTRIBUTION")},
                  {"buckets", M({{"linear_buckets", M({{"num_finite_buckets", N(-1)},
                                                       {"width", N(1)}})}})}}),
       "metrics[0].buckets.linear_buckets.num_finite_buckets", "must not be negative"},
      {"fractional count",
       OneMetric({{"name", S("a")}, {"instance_name", S("a.i.d")}, {"kind", S("DISTRIBUTION")},
                  {"buckets", M({{"linearBuckets", M({{"numFiniteBuckets", N(1.5)}})}})}}),
       "metrics[0].buckets.linearBuckets.numFiniteBuckets", "expected a 32-bit integer, got 1.5"},
      {"growth factor not above 1",
       OneMetric({{"name", S("a")}, {"instance_name", S("a.i.d")}, {"kind", S("DISTRIBUTION")},
                  {"buckets", M({{"exponential_buckets", M({{"num_finite_buckets", N(2)},
                                                            {"growth_factor", N(1)},
                                                            {"scale", N(1)}})}})}}),
       "metrics[0].buckets.exponential_buckets.growth_factor",
       "growth_factor must be greater than 1, got 1"},
      {"scale not positive",
       OneMetric({{"name", S("a")}, {"instance_name", S("a.i.d")}, {"kind", S("DISTRIBUTION")},
                  {"buckets", M({{"exponential_buckets", M({{"num_finite_buckets", N(2)},
                                                            {"growth_factor", N(2)},
                                                            {"scale", N(0)}})}})}}),
       "metrics[0].buckets.exponential_buckets.scale", "scale must be greater than 0, got 0"},
      {"unknown bucket key",
       OneMetric({{"name", S("a")}, {"instance_name", S("a.i.d")}, {"kind", S("DISTRIBUTION")},
                  {"buckets", M({{"log_buckets", M({})}})}}),
       "metrics[0].buckets.log_buckets", "unknown field 'log_buckets'"},
      {"bound not a number",
       OneMetric({{"name", S("a")}, {"instance_name", S("a.i.d")}, {"kind", S("DISTRIBUTION")},
                  {"buckets", M({{"explicit_buckets", M({{"bounds", L({N(1), S("x")})}})}})}}),
       "metrics[0].buckets.explicit_buckets.bounds[1]",
       "expected a number, got the string \"x\""},
      {"expiry duration zero",
       M({{"metrics_expiration_policy", M({{"metrics_expiry_duration", S("0s")}})}}),
       "metrics_expiration_policy.metrics_expiry_duration", "must be greater than 0"},
      {"expiry duration missing", M({{"metricsExpirationPolicy", M({})}}),
       "metricsExpirationPolicy.metrics_expiry_duration", "must be greater than 0"},
      {"expiry duration not Go syntax",
       M({{"metricsExpirationPolicy", M({{"metricsExpiryDuration", S("ten minutes")}})}}),
       "metricsExpirationPolicy.metricsExpiryDuration", "invalid duration"},
      {"expiry duration a number",
       M({{"metricsExpirationPolicy", M({{"metricsExpiryDuration", N(600)}})}}),
       "metricsExpirationPolicy.metricsExpiryDuration", "expected a duration string"},
      {"negative check interval",
       M({{"metricsExpirationPolicy", M({{"metricsExpiryDuration", S("10m")},
                                          {"expiryCheckIntervalDuration", S("-1s")}})}}),
       "metricsExpirationPolicy.expiry_check_interval_duration", "must not be negative"},
      {"unknown expiry key",
       M({{"metricsExpirationPolicy", M({{"metricsExpiryDuration", S("10m")},
                                          {"every", S("1s")}})}}),
       "metricsExpirationPolicy.every", "unknown field 'every'"},
      {"one name, two label sets",
       M({{"metrics",
           L({M({{"name", S("a")}, {"instance_name", S("a.i.d")}, {"kind", S("COUNTER")},
                 {"label_names", Strings({"x"})}}),
              M({{"name", S("a")}, {"instance_name", S("b.i.d")}, {"kind", S("COUNTER")},
                 {"label_names", Strings({"y"})}})})}}),
       "metrics[1]",
       "metric \"istio_a\" is already registered by metrics[0] with a different description "
       "or label names"},
      {"one name, two kinds",
       M({{"metrics", L({M({{"name", S("a")}, {"instance_name", S("a.i.d")},
                            {"kind", S("COUNTER")}}),
                         M({{"name", S("a")}, {"instance_name", S("b.i.d")},
                            {"kind", S("GAUGE")}})})}}),
       "metrics[1]", "is already registered by metrics[0] as COUNTER, not GAUGE"},
      {"reserved name",
       OneMetric({{"namespace", S("mixlet")}, {"name", S("prometheus_series_overflow_total")},
                  {"instance_name", S("a.i.d")}, {"kind", S("COUNTER")}}),
       "metrics[0]", "is reserved for mixlet's own counters"},
  };
  for (const Row& row : rows) {
    INFO(row.what);
    const std::vector<ParamIssue> issues = Validate(row.params);
    INFO(IssuesText(issues));
    bool found = false;
    for (const ParamIssue& issue : issues) {
      if (issue.field == row.field && absl::StrContains(issue.message, row.message)) found = true;
    }
    CHECK(found);
  }
}

TEST_CASE("Prometheus params: all problems at once", "[handler]") {
  const ParamValue params =
      M({{"metricz", N(1)},
         {"metrics", L({M({{"name", S("a!")}, {"kind", S("COUNTER")}}),
                        M({{"name", S("b")}, {"instance_name", S("b.i.d")}, {"kind", S("NOPE")},
                           {"label_names", Strings({"__r"})}})})}});
  const std::vector<ParamIssue> issues = Validate(params);
  INFO(IssuesText(issues));
  CHECK(issues.size() == 5);  // metricz, name a!, instance_name, kind NOPE, label __r
}

TEST_CASE("Prometheus params: names, help, labels and defaults", "[handler]") {
  std::vector<ParamIssue> issues;
  const PrometheusParams p = DecodePrometheusParams(
      M({{"metrics",
          L({M({{"name", S("mongo_received_bytes")},
                {"instance_name", S("mongoreceivedbytes.instance.default")},
                {"kind", S("COUNTER")},
                {"label_names", Strings({"source_service", "source_version",
                                         "destination_version"})}}),
             M({{"instance_name", S("mongoreceivedbytes.instance.default")},
                {"kind", S("COUNTER")}}),
             M({{"name", S("double-count")}, {"instance_name", S("x.i.d")}, {"kind", S("GAUGE")},
                {"description", S("Twice!")}}),
             M({{"namespace", S("my-ns.sub")}, {"name", S("x")}, {"instance_name", S("y.i.d")},
                {"kind", S("GAUGE")}}),
             M({{"namespace", S("-")}, {"name", S("bare")}, {"instance_name", S("z.i.d")},
                {"kind", S("GAUGE")}}),
             M({{"name", S("another-one")}, {"instance_name", S("w.i.d")},
                {"kind", S("GAUGE")}})})}}),
      &issues);
  REQUIRE(IssuesText(issues).empty());
  REQUIRE(p.metrics.size() == 6);
  CHECK(p.metrics[0].definition.full_name == "istio_mongo_received_bytes");
  CHECK(p.metrics[0].definition.help == "mongo_received_bytes");
  CHECK(p.metrics[0].definition.label_names ==
        std::vector<std::string>{"destination_version", "source_service", "source_version"});
  CHECK(p.metrics[1].definition.full_name == "istio_mongoreceivedbytes_instance_default");
  CHECK(p.metrics[1].definition.help == "mongoreceivedbytes.instance.default");
  CHECK(p.metrics[2].definition.full_name == "istio_doublecount");
  CHECK(p.metrics[2].definition.help == "Twice!");
  CHECK(p.metrics[3].definition.full_name == "myns_sub_x");
  CHECK(p.metrics[4].definition.full_name == "bare");
  CHECK(p.metrics[5].definition.full_name == "istio_anotherone");
  CHECK(p.metrics[5].definition.help == "another-one");  // unsanitised
  CHECK_FALSE(p.expiry.has_value());
  // The last entry of an instance wins, as Mixer's table kept the last.
  CHECK(p.FindEntry("mongoreceivedbytes.instance.default") == &p.metrics[1]);
  CHECK(p.FindEntry("nope") == nullptr);
}

TEST_CASE("Prometheus params: bucket definitions and the expiry policy", "[handler]") {
  auto dist = [](ParamValue buckets) {
    std::vector<std::pair<std::string, ParamValue>> e{
        {"name", S("d")}, {"instance_name", S("d.i.d")}, {"kind", S("DISTRIBUTION")}};
    if (buckets.kind() != ParamValue::Kind::kNull) e.emplace_back("buckets", buckets);
    return e;
  };
  struct Row {
    const char* what;
    ParamValue buckets;
    std::vector<double> want;
    bool usable;
  };
  const Row rows[] = {
      {"none", ParamValue::Null(), {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10},
       true},
      {"linear", M({{"linear_buckets", M({{"num_finite_buckets", N(3)}, {"width", N(10)},
                                           {"offset", N(0)}})}}),
       {0, 10, 20, 30}, true},
      {"linear zero count", M({{"linearBuckets", M({{"numFiniteBuckets", N(0)}})}}), {0}, true},
      {"linear zero width", M({{"linearBuckets", M({{"numFiniteBuckets", N(2)}})}}), {0, 0, 0},
       false},
      {"exponential", M({{"exponentialBuckets", M({{"numFiniteBuckets", N(2)},
                                                    {"growthFactor", N(10)},
                                                    {"scale", N(1)}})}}),
       {1, 10, 100}, true},
      {"explicit", M({{"explicitBuckets", M({{"bounds", L({N(1), N(2.5)})}})}}), {1, 2.5}, true},
      {"explicit with +Inf",
       M({{"explicit_buckets", M({{"bounds", L({N(1), S("Infinity")})}})}}), {1}, true},
      {"explicit empty", M({{"explicit_buckets", M({{"bounds", L({})}})}}),
       {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}, true},
      {"explicit decreasing", M({{"explicit_buckets", M({{"bounds", L({N(2), N(1)})}})}}),
       {2, 1}, false},
      {"numbers as strings", M({{"linear_buckets", M({{"num_finite_buckets", S("1")},
                                                       {"width", S("0.5")},
                                                       {"offset", S("1")}})}}),
       {1, 1.5}, true},
  };
  for (const Row& row : rows) {
    INFO(row.what);
    std::vector<ParamIssue> issues;
    const PrometheusParams p =
        DecodePrometheusParams(M({{"metrics", L({M(dist(row.buckets))})}}), &issues);
    REQUIRE(IssuesText(issues).empty());
    REQUIRE(p.metrics.size() == 1);
    CHECK(p.metrics[0].definition.bounds == row.want);
    CHECK(p.metrics[0].definition.unusable_reason.empty() == row.usable);
  }

  std::vector<ParamIssue> issues;
  PrometheusParams p = DecodePrometheusParams(
      M({{"metrics_expiration_policy", M({{"metrics_expiry_duration", S("10m")}})}}), &issues);
  REQUIRE(p.expiry.has_value());
  CHECK(p.expiry->expiry == absl::Minutes(10));
  CHECK(p.expiry->check_interval == absl::Minutes(5));
  p = DecodePrometheusParams(
      M({{"metricsExpirationPolicy", M({{"metricsExpiryDuration", S("1h")},
                                         {"expiryCheckIntervalDuration", S("90s")}})}}),
      &issues);
  REQUIRE(p.expiry.has_value());
  CHECK(p.expiry->check_interval == absl::Seconds(90));
  CHECK(issues.empty());
}

TEST_CASE("Prometheus ValidateInstance: value types, dimensions and unusable metrics",
          "[handler]") {
  PrometheusAdapter adapter(nullptr, PrometheusOptions());
  const ParamValue params = testing::MongoParams();
  auto check = [&](const InstanceDescriptor& d) {
    std::vector<ParamIssue> issues;
    adapter.ValidateInstance(params, d, &issues);
    return IssuesText(issues);
  };
  CHECK(check(*testing::MongoDescriptor("mongosentbytes.instance.default")).empty());
  for (ValueType t : {ValueType::kInt64, ValueType::kDouble, ValueType::kDuration,
                      ValueType::kString, ValueType::kDnsName}) {
    auto d = testing::MongoDescriptor("mongosentbytes.instance.default");
    d->field_types[0] = t;
    INFO(ValueTypeName(t));
    CHECK(check(*d).empty());
  }
  for (ValueType t : {ValueType::kBool, ValueType::kTimestamp, ValueType::kIpAddress,
                      ValueType::kStringMap, ValueType::kUnspecified}) {
    auto d = testing::MongoDescriptor("mongosentbytes.instance.default");
    d->field_types[0] = t;
    INFO(ValueTypeName(t));
    CHECK_THAT(check(*d), Catch::Contains("metrics[0]: the value of instance "
                                          "'mongosentbytes.instance.default'") &&
                              Catch::Contains("needs a numeric value"));
  }
  CHECK_THAT(check(*testing::MongoDescriptor("other.instance.default")),
             Catch::Contains("metrics: could not find metric info from adapter config for "
                             "other.instance.default"));
  {
    auto d = testing::MetricDescriptor("mongosentbytes.instance.default", ValueType::kInt64,
                                       {{"source_service", ValueType::kString},
                                        {"source_version", ValueType::kString},
                                        {"extra", ValueType::kString}});
    const std::string text = check(*d);
    CHECK_THAT(text, Catch::Contains("label 'destination_version' has no dimension"));
    CHECK_THAT(text, Catch::Contains("dimension 'extra' of instance "
                                     "'mongosentbytes.instance.default' is not one of "
                                     "label_names"));
  }
  {
    auto d = testing::MongoDescriptor("mongosentbytes.instance.default");
    d->template_name = "logentry";
    CHECK_THAT(check(*d), Catch::Contains("prometheus handles only 'metric'"));
  }
  {
    const ParamValue le = M({{"metrics", L({M({{"name", S("d")},
                                                {"instance_name", S("d.instance.default")},
                                                {"kind", S("DISTRIBUTION")},
                                                {"label_names", Strings({"le"})}})})}});
    auto d = testing::MetricDescriptor("d.instance.default", ValueType::kDouble,
                                       {{"le", ValueType::kString}});
    std::vector<ParamIssue> issues;
    adapter.ValidateInstance(le, *d, &issues);
    CHECK_THAT(IssuesText(issues), Catch::Contains("cannot have a label named \"le\""));
  }
  {
    // Invalid params: Validate reports them; ValidateInstance stays quiet.
    std::vector<ParamIssue> issues;
    adapter.ValidateInstance(M({{"metrics", S("x")}}),
                             *testing::MongoDescriptor("mongosentbytes.instance.default"),
                             &issues);
    CHECK(issues.empty());
  }
}

}  // namespace
}  // namespace mixlet

namespace mixlet {
namespace {

TEST_CASE("Prometheus params: unknown keys Mixer's decoder only logged are marked", "[handler]") {
  using testing::MongoEntry;
  const ParamValue params = M(
      {{"metrics", L({M({{"name", S("a")}, {"instance_name", S("a.i.d")}, {"kind", S("GAUGE")},
                         {"first_extra", N(1)}}),
                      M({{"name", S("b")}, {"instance_name", S("b.i.d")}, {"kind", S("GAUGE")},
                         {"last_extra", N(1)},
                         {"buckets", M({{"linear_buckets", M({{"bucket_extra", N(1)}})}})}})})},
       {"metricsExpirationPolicy", M({{"metricsExpiryDuration", S("1m")}, {"policy_extra", N(1)}})},
       {"top_extra", N(1)}});
  const std::vector<ParamIssue> issues = Validate(params);
  INFO(IssuesText(issues));
  auto ignored = [&](const std::string& field) {
    for (const ParamIssue& i : issues) {
      if (i.field == field) return i.mixer_ignored;
    }
    FAIL("no issue for " << field);
    return false;
  };
  CHECK_FALSE(ignored("metrics[0].first_extra"));  // later entries were left empty
  CHECK(ignored("metrics[1].last_extra"));
  CHECK_FALSE(ignored("metrics[1].buckets.linear_buckets.bucket_extra"));
  CHECK(ignored("metricsExpirationPolicy.policy_extra"));
  CHECK(ignored("top_extra"));

  // Build tolerates the ignored ones only.
  PrometheusAdapter adapter(nullptr, PrometheusOptions());
  const ParamValue tolerated =
      M({{"metrics", L({MongoEntry("mongo_sent_bytes", "mongosentbytes.instance.default")})},
         {"extra", N(1)}});
  CHECK(adapter.Build(tolerated, {}).ok());
  const auto refused = adapter.Build(params, {});
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(std::string(refused.status().message()),
             Catch::Contains("metrics[0].first_extra") && !Catch::Contains("top_extra"));
  // ValidateInstance looks past ignored issues.
  auto d = testing::MongoDescriptor("other.instance.default");
  std::vector<ParamIssue> instance_issues;
  adapter.ValidateInstance(tolerated, *d, &instance_issues);
  CHECK(instance_issues.size() == 1);
}

}  // namespace
}  // namespace mixlet
