#include "mixlet/router/router.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <random>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "config/testing/param_builders.h"
#include "config/testing/recording_adapter.h"
#include "mixlet/config/config_loader.h"
#include "router/testing/bags.h"
#include "testing/count_allocations.h"

namespace mixlet {
namespace {

using testing::FillMongoReport;
using testing::L;
using testing::M;
using testing::MetricInstance;
using testing::RecordedInstance;
using testing::RecordingAdapter;
using testing::S;
using testing::SetInt;
using testing::SetMap;
using testing::SetString;
using testing::TestHandler;
using testing::TestRule;

std::string Testdata(const std::string& name) {
  return absl::StrCat(MIXLET_SOURCE_DIR, "/tests/config/testdata/", name);
}

std::string Issues(const std::vector<ConfigIssue>& issues) {
  std::string out;
  for (const ConfigIssue& i : issues) out += i.ToString() + "\n";
  return out;
}

struct Fixture {
  explicit Fixture(std::vector<std::string> files, RouterOptions options = RouterOptions(),
                   bool record = true)
      : adapter(std::make_shared<RecordingAdapter>("prometheus", record)) {
    REQUIRE(adapters.Register(adapter).ok());
    std::vector<std::string> paths;
    for (const std::string& f : files) paths.push_back(Testdata(f));
    ConfigBuildResult c = LoadConfig(paths, adapters);
    INFO(Issues(c.issues));
    REQUIRE(c.ok());
    RouterBuildResult r = Router::Build(c.config, std::move(options));
    INFO(Issues(r.issues));
    REQUIRE(r.ok());
    router = r.router;
  }
  // Every instance delivered since the last call, as text, across all handlers.
  std::vector<std::string> Delivered() {
    std::vector<std::string> out;
    for (size_t h = 0; h < adapter->builds(); ++h) {
      for (const auto& call : adapter->handler(h)->TakeLog()) {
        for (const RecordedInstance& i : call) out.push_back(i.ToString());
      }
    }
    return out;
  }

  AdapterRegistry adapters;
  std::shared_ptr<RecordingAdapter> adapter;
  std::shared_ptr<const Router> router;
};

const char kMongoReceived[] =
    "mongoreceivedbytes.instance.default value=1200 dimensions.source_service=ratings-v2 "
    "dimensions.source_version=v2 dimensions.destination_version=v1 "
    "monitored_resource_type=UNSPECIFIED";
const char kMongoSent[] =
    "mongosentbytes.instance.default value=3400 dimensions.source_service=ratings-v2 "
    "dimensions.source_version=v2 dimensions.destination_version=v1 "
    "monitored_resource_type=UNSPECIFIED";

TEST_CASE("Router: the sample TCP report builds both instances with the expected dimensions",
          "[router]") {
  for (bool split : {true, false}) {
    RouterOptions options;
    options.protocol_split = split;
    Fixture f({"tcp-metrics.yaml"}, options);
    MutableBag bag(Vocabulary::Standard());
    FillMongoReport(bag);
    DispatchResult r = f.router->Dispatch(bag);
    CHECK(r.rules_evaluated == 1);
    CHECK(r.rules_matched == 1);
    CHECK(r.instances_built == 2);
    CHECK(r.instance_errors == 0);
    CHECK(r.handler_calls == 1);
    // One Handle call with both instances, in the order the rule lists them.
    REQUIRE(f.adapter->builds() == 1);
    auto log = f.adapter->handler(0)->TakeLog();
    REQUIRE(log.size() == 1);
    REQUIRE(log[0].size() == 2);
    CHECK(log[0][0].ToString() == kMongoReceived);
    CHECK(log[0][1].ToString() == kMongoSent);
  }
}

TEST_CASE("Router: the legacy-style sample behaves the same", "[router]") {
  Fixture f({"tcp-metrics-crd.yaml"});
  MutableBag bag(Vocabulary::Standard());
  FillMongoReport(bag);
  f.router->Dispatch(bag);
  std::vector<std::string> got = f.Delivered();
  REQUIRE(got.size() == 2);
  CHECK(got[0] ==
        absl::StrCat("mongoreceivedbytes.metric.default", std::string(kMongoReceived).substr(35)));
}

TEST_CASE("Router: missing dimensions fall back to \"unknown\" and missing bytes to 0",
          "[router]") {
  Fixture f({"tcp-metrics.yaml"});
  MutableBag bag(Vocabulary::Standard());
  SetString(bag, "context.reporter.kind", "outbound");
  SetString(bag, "source.namespace", "default");
  SetString(bag, "context.protocol", "tcp");
  SetString(bag, "destination.service.host", "mongodb.default.svc.cluster.local");
  SetMap(bag, "source.labels", {{"app", "ratings"}});
  f.router->Dispatch(bag);
  std::vector<std::string> got = f.Delivered();
  REQUIRE(got.size() == 2);
  CHECK(got[0] ==
        "mongoreceivedbytes.instance.default value=0 dimensions.source_service=unknown "
        "dimensions.source_version=unknown dimensions.destination_version=unknown "
        "monitored_resource_type=UNSPECIFIED");
}

TEST_CASE("Router: HTTP reports and reports to another host do not match the TCP rule",
          "[router]") {
  for (bool split : {true, false}) {
    RouterOptions options;
    options.protocol_split = split;
    Fixture f({"tcp-metrics.yaml"}, options);
    struct Case {
      const char* what;
      void (*mutate)(MutableBag&);
    } cases[] = {
        {"http", [](MutableBag& b) { SetString(b, "context.protocol", "http"); }},
        {"grpc", [](MutableBag& b) { SetString(b, "context.protocol", "grpc"); }},
        {"no protocol", [](MutableBag& b) { b.Delete("context.protocol"); }},
        {"another host",
         [](MutableBag& b) { SetString(b, "destination.service.host", "redis.default.svc"); }},
        {"no host", [](MutableBag& b) { b.Delete("destination.service.host"); }},
    };
    for (const Case& c : cases) {
      MutableBag bag(Vocabulary::Standard());
      FillMongoReport(bag);
      c.mutate(bag);
      DispatchResult r = f.router->Dispatch(bag);
      INFO(c.what << " split=" << split);
      CHECK(r.rules_matched == 0);
      CHECK(r.handler_calls == 0);
      CHECK(f.Delivered().empty());
    }
  }
}

TEST_CASE("Router: rules of a namespace apply only to reports whose identity is that namespace",
          "[router]") {
  // tcp-metrics.yaml lives in `default`; metrics.yaml's doubleprom (no match) in istio-system.
  Fixture f({"tcp-metrics.yaml", "metrics.yaml"});
  struct Case {
    const char* what;
    const char* kind;            // context.reporter.kind, or null for absent
    const char* source_ns;       // or null
    const char* destination_ns;  // or null
    bool mongo;                  // mongoprom (namespace default) applies
  } cases[] = {
      {"outbound from default", "outbound", "default", "other", true},
      {"inbound to default", "inbound", "other", "default", true},
      {"no reporter kind means inbound", nullptr, "other", "default", true},
      {"outbound from another namespace", "outbound", "other", "default", false},
      {"inbound to istio-system", "inbound", "default", "istio-system", false},
      {"inbound without a destination namespace", "inbound", "default", nullptr, false},
      {"outbound without a source namespace", "outbound", nullptr, "default", false},
      {"another reporter kind has no namespace", "gateway", "default", "default", false},
  };
  for (const Case& c : cases) {
    MutableBag bag(Vocabulary::Standard());
    FillMongoReport(bag);
    bag.Delete("context.reporter.kind");
    bag.Delete("source.namespace");
    if (c.kind != nullptr) SetString(bag, "context.reporter.kind", c.kind);
    if (c.source_ns != nullptr) SetString(bag, "source.namespace", c.source_ns);
    if (c.destination_ns != nullptr) SetString(bag, "destination.namespace", c.destination_ns);
    f.router->Dispatch(bag);
    std::vector<std::string> got = f.Delivered();
    INFO(c.what);
    // doubleprom (istio-system, empty match) applies to every report, TCP ones included, as in
    // Mixer 1.4-1.7. (Delivered() lists mongohandler's instances first: it was built first.)
    REQUIRE(got.size() == (c.mongo ? 3u : 1u));
    CHECK_THAT(got.back(), Catch::StartsWith("doublerequestcount.instance.istio-system value=2"));
    if (c.mongo) CHECK(got[0] == kMongoReceived);
  }
}

TEST_CASE("Router: the default namespace is configurable", "[router]") {
  RouterOptions options;
  options.default_namespace = "default";
  Fixture f({"tcp-metrics.yaml", "metrics.yaml"}, options);
  MutableBag bag(Vocabulary::Standard());
  FillMongoReport(bag);
  SetString(bag, "source.namespace", "elsewhere");
  f.router->Dispatch(bag);
  std::vector<std::string> got = f.Delivered();
  // mongoprom (now in the default config namespace) applies everywhere; doubleprom nowhere.
  REQUIRE(got.size() == 2);
  CHECK(got[0] == kMongoReceived);
}

// A config built in code around one handler `h` in istio-system.
struct CodeFixture {
  explicit CodeFixture(ConfigResources resources, bool lenient = false, bool record = true,
                       RouterOptions options = RouterOptions())
      : adapter(std::make_shared<RecordingAdapter>("prometheus", record)) {
    REQUIRE(adapters.Register(adapter).ok());
    ConfigOptions co;
    co.lenient = lenient;
    ConfigBuildResult c = BuildConfig(resources, adapters, co);
    INFO(Issues(c.issues));
    REQUIRE(c.ok());
    RouterBuildResult r = Router::Build(c.config, options);
    issues = r.issues;
    router = r.router;
  }
  AdapterRegistry adapters;
  std::shared_ptr<RecordingAdapter> adapter;
  std::shared_ptr<const Router> router;
  std::vector<ConfigIssue> issues;
};

ConfigResources TwoInstances() {
  ConfigResources r;
  r.instances.push_back(
      MetricInstance("size", "istio-system", "request.size", {{"path", "request.path | \"-\""}}));
  r.instances.push_back(MetricInstance(
      "one", "istio-system", "1",
      {{"path", "request.path | \"-\""}, {"joined", "\"p:\" + (request.path | \"-\")"}}));
  r.handlers.push_back(TestHandler("h", "istio-system"));
  return r;
}

TEST_CASE("Router: a failing instance is dropped and the others are kept", "[router]") {
  ConfigResources r = TwoInstances();
  r.rules.push_back(TestRule("r", "istio-system", "", {{"h", {"size", "one"}}}));
  CodeFixture f(r);
  MutableBag bag(Vocabulary::Standard());
  SetString(bag, "request.path", "/a");
  DispatchResult d = f.router->Dispatch(bag);
  CHECK(d.instances_built == 1);
  CHECK(d.instance_errors == 1);
  auto log = f.adapter->handler(0)->TakeLog();
  REQUIRE(log.size() == 1);
  REQUIRE(log[0].size() == 1);
  CHECK(log[0][0].ToString() ==
        "one.instance.istio-system value=1 dimensions.path=/a "
        "dimensions.joined=p:/a monitored_resource_type=<none>");

  SetInt(bag, "request.size", 7);
  d = f.router->Dispatch(bag);
  CHECK(d.instances_built == 2);
  log = f.adapter->handler(0)->TakeLog();
  REQUIRE(log.size() == 1);
  CHECK(log[0].size() == 2);
}

TEST_CASE("Router: an instance is built once per report however many actions use it", "[router]") {
  ConfigResources r = TwoInstances();
  r.handlers.push_back(TestHandler("h2", "istio-system"));
  r.rules.push_back(TestRule("a", "istio-system", "", {{"h", {"one"}}, {"h2", {"one"}}}));
  r.rules.push_back(TestRule("b", "istio-system", "request.path == \"/a\"", {{"h", {"one"}}}));
  CodeFixture f(r);
  MutableBag bag(Vocabulary::Standard());
  SetString(bag, "request.path", "/a");
  DispatchResult d = f.router->Dispatch(bag);
  CHECK(d.rules_matched == 2);
  CHECK(d.instances_built == 1);
  CHECK(d.handler_calls == 2);
  // h gets it once per matching action (as Mixer delivered it), h2 once.
  auto h = f.adapter->handler(0)->TakeLog();
  auto h2 = f.adapter->handler(1)->TakeLog();
  REQUIRE(h.size() == 1);
  CHECK(h[0].size() == 2);
  CHECK(h[0][0] == h[0][1]);
  REQUIRE(h2.size() == 1);
  CHECK(h2[0].size() == 1);
}

TEST_CASE("Router: a match that fails to evaluate counts as false", "[router]") {
  ConfigResources r = TwoInstances();
  r.rules.push_back(TestRule("r", "istio-system", "request.path == \"/a\"", {{"h", {"one"}}}));
  CodeFixture f(r);
  MutableBag bag(Vocabulary::Standard());
  DispatchResult d = f.router->Dispatch(bag);
  CHECK(d.rules_evaluated == 1);
  CHECK(d.match_errors == 1);
  CHECK(d.rules_matched == 0);
  CHECK(d.handler_calls == 0);
}

TEST_CASE("Router: a handler that fails to build", "[router]") {
  ConfigResources r = TwoInstances();
  r.handlers[0].params = M({{"build_error", S("port 42422 is taken")}});
  r.handlers.push_back(TestHandler("ok", "istio-system"));
  r.rules.push_back(TestRule("r", "istio-system", "", {{"h", {"one"}}}));
  r.rules.push_back(TestRule("s", "istio-system", "", {{"ok", {"one"}}}));
  SECTION("refuses the config in strict mode") {
    CodeFixture f(r);
    CHECK(f.router == nullptr);
    REQUIRE(f.issues.size() == 1);
    CHECK(f.issues[0].ToString() ==
          "handler/h: spec.params: adapter 'prometheus' could not build the handler: port 42422 "
          "is taken");
    CHECK(f.issues[0].effect == ConfigIssue::Effect::kHandlerDropped);
  }
  SECTION("drops its actions in lenient mode") {
    CodeFixture f(r, /*lenient=*/true);
    REQUIRE(f.router != nullptr);
    // The handler, then the action and the rule it takes with it.
    REQUIRE(f.issues.size() == 3);
    CHECK(f.issues[1].ToString() ==
          "rule/r: spec.actions[0]: handler 'h.handler.istio-system' failed to build");
    CHECK(f.issues[1].effect == ConfigIssue::Effect::kActionDropped);
    CHECK(f.issues[2].effect == ConfigIssue::Effect::kRuleDropped);
    CHECK(f.router->handler(0) == nullptr);
    CHECK(f.router->handler(1) != nullptr);
    MutableBag bag(Vocabulary::Standard());
    DispatchResult d = f.router->Dispatch(bag);
    CHECK(d.rules_matched == 1);
    Explanation ex = f.router->Explain(bag);
    REQUIRE(ex.rules.size() == 2);
    CHECK(ex.rules[0].rule == "s.rule.istio-system");
    CHECK(ex.rules[0].outcome == RuleExplanation::Outcome::kMatched);
    CHECK(ex.rules[1].rule == "r.rule.istio-system");
    CHECK(ex.rules[1].outcome == RuleExplanation::Outcome::kNoActions);
  }
}

TEST_CASE("Router: a warm dispatch allocates nothing", "[router]") {
  Fixture f({"tcp-metrics.yaml", "istio-default-telemetry.yaml", "metrics.yaml"}, RouterOptions(),
            /*record=*/false);
  MutableBag bag(Vocabulary::Standard());
  FillMongoReport(bag);
  DispatchResult warm = f.router->Dispatch(bag);
  REQUIRE(warm.rules_matched == 3);  // promtcp, doubleprom, mongoprom
  REQUIRE(warm.instances_built == 5);
  testing::CountAllocations allocs;
  for (int i = 0; i < 100; ++i) f.router->Dispatch(bag);
  CHECK(allocs.count() == 0);
  // An HTTP report through the same router, warm too.
  SetString(bag, "context.protocol", "http");
  SetString(bag, "request.useragent", "curl/7");
  f.router->Dispatch(bag);
  testing::CountAllocations http_allocs;
  DispatchResult http = f.router->Dispatch(bag);
  CHECK(http_allocs.count() == 0);
  CHECK(http.rules_matched == 2);  // promhttp, doubleprom
}

TEST_CASE("Router: a bag of another vocabulary is converted by name", "[router]") {
  Fixture f({"tcp-metrics.yaml"});
  VocabularyBuilder b;
  // Same names, other ids.
  for (const char* name :
       {"destination.labels", "source.labels", "source.workload.name", "connection.sent.bytes",
        "connection.received.bytes", "destination.service.host", "context.protocol",
        "source.namespace", "context.reporter.kind", "connection.event",
        "connection.received.bytes_total"}) {
    REQUIRE(b.Add(name, Vocabulary::Standard()->Find(name)->type).ok());
  }
  MutableBag bag(std::move(b).Build());
  FillMongoReport(bag);
  DispatchResult d = f.router->Dispatch(bag);
  CHECK(d.rules_matched == 1);
  std::vector<std::string> got = f.Delivered();
  REQUIRE(got.size() == 2);
  CHECK(got[0] == kMongoReceived);
}

TEST_CASE("Router: Explain says which rules matched and why the others did not", "[router]") {
  Fixture f({"tcp-metrics.yaml", "istio-default-telemetry.yaml"});
  MutableBag bag(Vocabulary::Standard());
  FillMongoReport(bag);
  Explanation ex = f.router->Explain(bag);
  CHECK(ex.reporter_kind == "outbound");
  CHECK(ex.identity_namespace == "default");
  CHECK(ex.protocol == "tcp");
  CHECK(ex.protocol_class == ReportProtocol::kTcp);
  REQUIRE(ex.rules.size() == 5);
  // Candidates: istio-system's TCP rules, then default's.
  CHECK(ex.rules[0].rule == "promtcp.rule.istio-system");
  CHECK(ex.rules[0].outcome == RuleExplanation::Outcome::kMatched);
  REQUIRE(ex.rules[0].instances.size() == 2);
  CHECK(ex.rules[0].instances[0].instance == "tcpbytesent.instance.istio-system");
  CHECK(ex.rules[0].instances[0].handler == "prometheus.handler.istio-system");
  CHECK(ex.rules[0].instances[0].built);
  CHECK(ex.rules[0].instances[0].fields[0] == std::pair<std::string, std::string>("value", "3400"));
  CHECK(ex.rules[1].rule == "promtcpconnectionopen.rule.istio-system");
  CHECK(ex.rules[1].outcome == RuleExplanation::Outcome::kMatchFalse);
  CHECK(ex.rules[2].rule == "promtcpconnectionclosed.rule.istio-system");
  CHECK(ex.rules[3].rule == "mongoprom.rule.default");
  CHECK(ex.rules[3].outcome == RuleExplanation::Outcome::kMatched);
  CHECK(ex.rules[4].rule == "promhttp.rule.istio-system");
  CHECK(ex.rules[4].outcome == RuleExplanation::Outcome::kWrongProtocol);
  CHECK_THAT(ex.rules[4].reason, Catch::Contains("filed under http|grpc"));

  SetString(bag, "source.namespace", "elsewhere");
  SetString(bag, "connection.event", "open");
  bag.Delete("connection.sent.bytes");
  Explanation other = f.router->Explain(bag);
  CHECK(other.identity_namespace == "elsewhere");
  REQUIRE(other.rules.size() == 5);
  CHECK(other.rules[1].outcome == RuleExplanation::Outcome::kMatched);
  CHECK(other.rules[3].rule == "mongoprom.rule.default");
  CHECK(other.rules[3].outcome == RuleExplanation::Outcome::kWrongNamespace);
  CHECK_THAT(other.rules[3].reason, Catch::Contains("namespace 'default'"));
  const std::string text = other.ToString();
  CHECK_THAT(text, Catch::StartsWith("reporter kind 'outbound', identity namespace 'elsewhere', "
                                     "protocol tcp (tcp)\n"));
  CHECK_THAT(text, Catch::Contains("rule promtcpconnectionopen.rule.istio-system: matched\n"
                                   "  instance tcpconnectionsopened.instance.istio-system -> "
                                   "handler prometheus.handler.istio-system\n    value = 1\n"));

  // Errors in matches and instances are spelled out.
  bag.Delete("context.protocol");
  Explanation none = f.router->Explain(bag);
  CHECK(none.protocol == "<absent>");
  CHECK(none.protocol_class == ReportProtocol::kAbsent);
}

TEST_CASE("Router: Explain reports a failing match and a dropped instance", "[router]") {
  ConfigResources r = TwoInstances();
  r.rules.push_back(TestRule("r", "istio-system", "", {{"h", {"size"}}}));
  r.rules.push_back(TestRule("s", "istio-system", "request.path == \"/a\"", {{"h", {"one"}}}));
  CodeFixture f(r);
  MutableBag bag(Vocabulary::Standard());
  Explanation ex = f.router->Explain(bag);
  REQUIRE(ex.rules.size() == 2);
  CHECK(ex.rules[0].outcome == RuleExplanation::Outcome::kMatched);
  REQUIRE(ex.rules[0].instances.size() == 1);
  CHECK_FALSE(ex.rules[0].instances[0].built);
  CHECK_THAT(ex.rules[0].instances[0].error, Catch::Contains("value: "));
  CHECK_THAT(ex.rules[0].instances[0].error, Catch::Contains("request.size"));
  CHECK(ex.rules[1].outcome == RuleExplanation::Outcome::kMatchError);
  CHECK_THAT(ex.rules[1].reason, Catch::Contains("request.path"));
  // Explain calls no handler.
  CHECK(f.adapter->handler(0)->calls() == 0);
}

}  // namespace
}  // namespace mixlet

namespace mixlet {
namespace {

// Runs of `attr == "literal"` matches are dispatched through a sorted lookup; the rules that
// match, and their order, must be those of a rule-by-rule evaluation (Explain).
TEST_CASE("Router: runs of equality matches give the same rules as evaluating each", "[router]") {
  const std::vector<std::string> hosts = {"svc-a",
                                          "svc-b",
                                          "svc-a",
                                          "a",
                                          "",
                                          "svc-aaaaaaaa.ns",
                                          "svc-aaaaaaaa.nt",
                                          "svc-aaaaaaaa.ns",
                                          "reviews.default.svc.cluster.local",
                                          "ratings.default.svc.cluster.local"};
  ConfigResources r;
  r.handlers.push_back(TestHandler("h", "istio-system"));
  for (size_t i = 0; i < hosts.size(); ++i) {
    const std::string name = absl::StrCat("i", i);
    r.instances.push_back(MetricInstance(name, "istio-system", absl::StrCat(i)));
    r.rules.push_back(TestRule(absl::StrCat("host", i), "istio-system",
                               absl::StrCat("destination.service.host == \"", hosts[i], "\""),
                               {{"h", {name}}}));
    if (i == 6) {  // A rule of another shape splits the run in two.
      r.rules.push_back(
          TestRule("other", "istio-system", "request.path == \"/x\" || true", {{"h", {"i0"}}}));
    }
  }
  CodeFixture f(r);
  std::vector<std::string> probes = hosts;
  probes.push_back("svc-c");
  probes.push_back("svc-aaaaaaaa.nu");
  for (const std::string& host : probes) {
    for (bool present : {true, false}) {
      MutableBag bag(Vocabulary::Standard());
      if (present) SetString(bag, "destination.service.host", host);
      DispatchResult d = f.router->Dispatch(bag);
      std::vector<std::string> dispatched;
      for (const auto& call : f.adapter->handler(0)->TakeLog()) {
        for (const RecordedInstance& i : call) dispatched.push_back(i.instance);
      }
      std::vector<std::string> expected;
      uint32_t errors = 0;
      for (const RuleExplanation& e : f.router->Explain(bag).rules) {
        if (e.outcome == RuleExplanation::Outcome::kMatchError) ++errors;
        for (const auto& i : e.instances) expected.push_back(i.instance);
      }
      INFO(host << " present=" << present);
      CHECK(dispatched == expected);
      CHECK(d.match_errors == errors);
      CHECK(d.rules_evaluated == hosts.size() + 1);
    }
  }
}

}  // namespace
}  // namespace mixlet

namespace mixlet {
namespace {

// Dispatch builds instance fields through shortcuts for the common expression shapes; Explain
// evaluates every field with the expression evaluator. Both must give the same values.
TEST_CASE("Router: dispatched field values equal the evaluator's", "[router]") {
  Fixture f({"istio-default-telemetry.yaml", "metrics.yaml", "tcp-metrics.yaml"});
  std::mt19937 rng(7);
  auto maybe = [&rng](const char* v) -> const char* { return rng() % 3 == 0 ? nullptr : v; };
  size_t compared = 0;
  for (int report = 0; report < 300; ++report) {
    MutableBag bag(Vocabulary::Standard());
    const char* protocols[] = {"tcp", "http", "grpc"};
    SetString(bag, "context.protocol", protocols[rng() % 3]);
    if (const char* k = maybe(rng() % 2 ? "inbound" : "outbound")) {
      SetString(bag, "context.reporter.kind", k);
    }
    if (const char* v = maybe("default")) SetString(bag, "source.namespace", v);
    if (const char* v = maybe("ratings-v2")) SetString(bag, "source.workload.name", v);
    if (const char* v = maybe("default")) SetString(bag, "source.workload.namespace", v);
    if (const char* v = maybe("spiffe://cluster.local/ns/default/sa/r")) {
      SetString(bag, "source.principal", v);
    }
    if (maybe("x")) SetMap(bag, "source.labels", {{"app", "ratings"}, {"version", "v2"}});
    if (maybe("x")) SetMap(bag, "destination.labels", {{"version", "v1"}});
    if (const char* v = maybe("mongodb.default.svc.cluster.local")) {
      SetString(bag, "destination.service.host", v);
    }
    if (const char* v = maybe("mongodb")) SetString(bag, "destination.service.name", v);
    if (const char* v = maybe("reviews:9080")) SetString(bag, "request.host", v);
    if (const char* v = maybe("UF")) SetString(bag, "context.proxy_error_code", v);
    if (const char* v = maybe(rng() % 2 ? "open" : "close")) {
      SetString(bag, "connection.event", v);
    }
    if (maybe("x")) SetInt(bag, "connection.sent.bytes", rng() % 1000);
    if (maybe("x")) SetInt(bag, "response.code", 503);
    if (maybe("x")) SetInt(bag, "request.size", 17);
    if (maybe("x")) {
      REQUIRE(bag.Set("connection.mtls", Value::Bool(rng() % 2 == 0)).ok());
    }
    if (maybe("x")) {
      REQUIRE(bag.Set("response.duration", Value::Duration(int64_t{1500000})).ok());
    }
    f.router->Dispatch(bag);
    std::vector<std::string> dispatched = f.Delivered();
    std::vector<std::string> expected;
    for (const RuleExplanation& r : f.router->Explain(bag).rules) {
      for (const auto& i : r.instances) {
        if (!i.built) continue;
        std::string text = i.instance;
        for (const auto& [name, value] : i.fields) absl::StrAppend(&text, " ", name, "=", value);
        expected.push_back(text);
      }
    }
    std::sort(dispatched.begin(), dispatched.end());
    std::sort(expected.begin(), expected.end());
    INFO(bag.DebugString());
    REQUIRE(dispatched == expected);
    compared += expected.size();
  }
  CHECK(compared > 300);
}

}  // namespace
}  // namespace mixlet

namespace mixlet {
namespace {

// Instances that repeat another's dimensions copy them when that instance was built for the
// same report; when it failed, or was not built, they compute their own.
TEST_CASE("Router: shared dimensions are copied only from a successfully built instance",
          "[router]") {
  const std::vector<std::pair<std::string, std::string>> dims = {
      {"a", "source.workload.name | \"unknown\""},
      {"b", "source.labels[\"version\"] | \"unknown\""},
      {"c", "conditional((context.reporter.kind | \"inbound\") == \"outbound\", \"s\", \"d\")"},
      {"d", "\"p:\" + (request.path | \"-\")"},
      {"e", "request.path | \"-\""},
  };
  ConfigResources r;
  r.handlers.push_back(TestHandler("h", "istio-system"));
  r.instances.push_back(MetricInstance("first", "istio-system", "request.size", dims));
  r.instances.push_back(MetricInstance("second", "istio-system", "1", dims));
  // For /r, `reverse` builds `second` before its donor `first` exists in this report.
  r.rules.push_back(
      TestRule("reverse", "istio-system", "request.path == \"/r\"", {{"h", {"second", "first"}}}));
  r.rules.push_back(TestRule("both", "istio-system", "", {{"h", {"first", "second"}}}));
  CodeFixture f(r);
  for (const char* path : {"/a", "/r"}) {
    for (bool size : {true, false}) {
      MutableBag bag(Vocabulary::Standard());
      SetString(bag, "request.path", path);
      SetString(bag, "context.reporter.kind", "outbound");
      SetMap(bag, "source.labels", {{"version", "v3"}});
      if (size) SetInt(bag, "request.size", 10);
      DispatchResult d = f.router->Dispatch(bag);
      CHECK(d.instance_errors == (size ? 0u : 1u));
      std::vector<std::string> got;
      for (const auto& call : f.adapter->handler(0)->TakeLog()) {
        for (const RecordedInstance& i : call) got.push_back(i.ToString());
      }
      const std::string tail =
          absl::StrCat(" dimensions.a=unknown dimensions.b=v3 dimensions.c=s dimensions.d=p:", path,
                       " dimensions.e=", path, " monitored_resource_type=<none>");
      const std::string first = "first.instance.istio-system value=10" + tail;
      const std::string second = "second.instance.istio-system value=1" + tail;
      std::vector<std::string> expected;
      if (std::string(path) == "/r") {
        expected.push_back(second);
        if (size) expected.push_back(first);
      }
      if (size) expected.push_back(first);
      expected.push_back(second);
      INFO(path << " size=" << size);
      CHECK(got == expected);
    }
  }
}

}  // namespace
}  // namespace mixlet

namespace mixlet {
namespace {

// Hostile or broken configuration must give issues, never a crash or a hang: random byte-level
// mutations of the samples go through the whole pipeline (YAML, lenient build, router, one
// dispatch and explanation).
TEST_CASE("Config pipeline: mutated configurations are handled without crashing", "[router]") {
  std::vector<std::string> samples;
  for (const char* name : {"tcp-metrics.yaml", "tcp-metrics-crd.yaml", "metrics.yaml",
                           "istio-default-telemetry.yaml", "bad_several.yaml"}) {
    std::ifstream in(Testdata(name));
    std::stringstream text;
    text << in.rdbuf();
    samples.push_back(text.str());
  }
  auto adapter = std::make_shared<RecordingAdapter>("prometheus", /*record=*/false);
  AdapterRegistry adapters;
  REQUIRE(adapters.Register(adapter).ok());
  MutableBag bag(Vocabulary::Standard());
  FillMongoReport(bag);
  std::mt19937 rng(99);
  const char kAlphabet[] = " \n\t:-|\"'[]{}&*!#%@`,?>0123456789abcxyz.\\";
  size_t applied = 0;
  for (int round = 0; round < 600; ++round) {
    std::string text = samples[rng() % samples.size()];
    const int edits = 1 + rng() % 6;
    for (int e = 0; e < edits && !text.empty(); ++e) {
      const size_t pos = rng() % text.size();
      switch (rng() % 4) {
        case 0:
          text[pos] = kAlphabet[rng() % (sizeof(kAlphabet) - 1)];
          break;
        case 1:
          text.erase(pos, 1 + rng() % 8);
          break;
        case 2:
          text.insert(pos, 1, kAlphabet[rng() % (sizeof(kAlphabet) - 1)]);
          break;
        default:
          text.insert(pos, text.substr(rng() % text.size(), rng() % 40));
          break;
      }
    }
    ConfigResources resources = ParseConfigYaml(text, "mutated.yaml");
    ConfigOptions options;
    options.lenient = true;
    ConfigBuildResult built = BuildConfig(resources, adapters, options);
    REQUIRE(built.ok());  // Lenient mode always applies something.
    for (const ConfigIssue& issue : built.issues) CHECK_FALSE(issue.ToString().empty());
    RouterBuildResult routed = Router::Build(built.config);
    REQUIRE(routed.ok());
    routed.router->Dispatch(bag);
    routed.router->Explain(bag).ToString();
    if (BuildConfig(resources, adapters).ok()) ++applied;
  }
  CHECK(applied > 0);  // Some mutations (in comments, say) leave a valid configuration.
}

}  // namespace
}  // namespace mixlet
