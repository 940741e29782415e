#include "router/protocol_split.h"

#include <catch2/catch.hpp>
#include <random>

#include "absl/strings/str_cat.h"
#include "config/testing/param_builders.h"
#include "config/testing/recording_adapter.h"
#include "mixlet/router/router.h"
#include "router/testing/bags.h"

namespace mixlet {
namespace {

using router_internal::SplitTopLevelConjuncts;
using testing::MetricInstance;
using testing::RecordedInstance;
using testing::RecordingAdapter;
using testing::SetInt;
using testing::SetMap;
using testing::SetString;
using testing::TestHandler;
using testing::TestRule;

TEST_CASE("SplitTopLevelConjuncts: splits at top-level && only", "[router]") {
  struct Case {
    const char* text;
    std::vector<std::string> expected;
  } cases[] = {
      {"a && b", {"a", "b"}},
      {"  a &&b&& c  ", {"a", "b", "c"}},
      {"(a && b)", {"a", "b"}},
      {"((a && b))", {"a", "b"}},
      {"(a) && (b)", {"(a)", "(b)"}},
      {"a || b && c", {"a || b && c"}},
      {"(a || b) && c", {"(a || b)", "c"}},
      {"a == \"x&&y\" && b", {"a == \"x&&y\"", "b"}},
      {"a == \"q\\\"&&\" && b", {"a == \"q\\\"&&\"", "b"}},
      {"a == `x&&y` && b", {"a == `x&&y`", "b"}},
      {"a == '&' && b", {"a == '&'", "b"}},
      {"f(a && b, c) && d", {"f(a && b, c)", "d"}},
      {"m[a && b] && d", {"m[a && b]", "d"}},
      {"a && b // c", {"a && b // c"}},
      {"a /* && */ && b", {"a /* && */ && b"}},
      {"a &&\n  b", {"a", "b"}},
      {"(a", {"(a"}},
      {"a)", {"a)"}},
      {"\"open && b", {"\"open && b"}},
      {"a | b & c", {"a | b & c"}},
      {"", {""}},
      {"a", {"a"}},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    CHECK(SplitTopLevelConjuncts(c.text) == c.expected);
  }
}

struct SplitFixture {
  explicit SplitFixture(std::vector<std::string> matches, bool split = true)
      : adapter(std::make_shared<RecordingAdapter>()) {
    REQUIRE(adapters.Register(adapter).ok());
    ConfigResources r;
    r.instances.push_back(MetricInstance("one", "istio-system", "1"));
    r.handlers.push_back(TestHandler("h", "istio-system"));
    for (size_t i = 0; i < matches.size(); ++i) {
      r.rules.push_back(
          TestRule(absl::StrCat("r", i), "istio-system", matches[i], {{"h", {"one"}}}));
    }
    ConfigBuildResult c = BuildConfig(r, adapters);
    REQUIRE(c.ok());
    RouterOptions options;
    options.protocol_split = split;
    RouterBuildResult b = Router::Build(c.config, options);
    REQUIRE(b.ok());
    router = b.router;
  }
  AdapterRegistry adapters;
  std::shared_ptr<RecordingAdapter> adapter;
  std::shared_ptr<const Router> router;
};

TEST_CASE("Router: rules are filed under the protocols their match allows", "[router]") {
  struct Case {
    const char* match;
    const char* protocols;
  } cases[] = {
      {"context.protocol == \"tcp\"", "tcp"},
      {"\"tcp\" == context.protocol", "tcp"},
      {"(context.protocol == \"tcp\")", "tcp"},
      {"context.protocol != \"tcp\"", "http|grpc"},
      {"(context.protocol | \"tcp\") == \"tcp\"", "tcp|absent"},
      {"(context.protocol | \"none\") != \"tcp\"", "http|grpc|absent"},
      {"context.protocol == \"http\" || context.protocol == \"grpc\"", "http|grpc"},
      {"(context.protocol == \"http\" || context.protocol == \"grpc\") && "
       "(match((request.useragent | \"-\"), \"kube-probe*\") == false)",
       "http|grpc"},
      {"context.protocol == \"tcp\" && destination.service.host == \"a\"", "tcp"},
      {"destination.service.host == \"a\" && context.protocol == \"tcp\"", "tcp"},
      {"context.protocol == \"tcp\" && ((connection.event | \"na\") == \"open\")", "tcp"},
      {"context.protocol == \"tcp\" || destination.service.host == \"a\"", "any"},
      {"destination.service.host == \"a\"", "any"},
      {"", "any"},
      {"true", "any"},
      {"false", "none"},
      {"context.protocol == \"udp\"", "none"},
      {"context.protocol == \"tcp\" && context.protocol == \"http\"", "none"},
      {"context.protocol.startsWith(\"gr\")", "grpc"},
      {"match(context.protocol, \"h*\")", "http"},
      {"context.protocol == \"tcp\" && true", "tcp"},
      {"context.protocol == \"tcp\" /* TCP only */", "tcp"},
      {"context.protocol == \"a&&b\"", "none"},
  };
  std::vector<std::string> matches;
  for (const Case& c : cases) matches.push_back(c.match);
  SplitFixture f(matches);
  SplitFixture off(matches, /*split=*/false);
  for (size_t i = 0; i < matches.size(); ++i) {
    INFO(cases[i].match);
    CHECK(ProtocolSetText(f.router->rule_protocols(i)) == cases[i].protocols);
    CHECK(off.router->rule_protocols(i) == kAllProtocols);
  }
}

TEST_CASE("ProtocolSetText and ReportProtocolName name the classes", "[router]") {
  CHECK(ProtocolSetText(kAllProtocols) == "any");
  CHECK(ProtocolSetText(0) == "none");
  CHECK(ProtocolSetText(ProtocolBit(ReportProtocol::kAbsent)) == "absent");
  CHECK(ProtocolSetText(ProtocolBit(ReportProtocol::kHttp) | ProtocolBit(ReportProtocol::kTcp)) ==
        "tcp|http");
  CHECK(ReportProtocolName(ReportProtocol::kOther) == "other");
  CHECK(ReportProtocolName(ReportProtocol::kGrpc) == "grpc");
}

// The split must never change which rules match: a large, varied set of reports goes through
// the same configuration with and without it, and every outcome is compared.
TEST_CASE("Router: the protocol split never changes an outcome", "[router]") {
  const std::vector<std::string> namespaces = {"istio-system", "ns0", "ns1", "ns2", "default"};
  const std::vector<std::string> matches = {
      "",
      "context.protocol == \"tcp\"",
      "\"tcp\" == context.protocol",
      "context.protocol != \"tcp\"",
      "context.protocol == \"http\" || context.protocol == \"grpc\"",
      "(context.protocol == \"http\" || context.protocol == \"grpc\") && "
      "(match((request.useragent | \"-\"), \"kube-probe*\") == false) && "
      "(match((request.useragent | \"-\"), \"Prometheus*\") == false)",
      "context.protocol == \"tcp\" && ((connection.event | \"na\") == \"open\")",
      "context.protocol == \"tcp\" && ((connection.event | \"na\") == \"close\")",
      "context.protocol == \"tcp\" && destination.service.host == \"svc-a\"",
      "destination.service.host == \"svc-b\" && context.protocol == \"tcp\"",
      "(context.protocol | \"tcp\") == \"tcp\"",
      "(context.protocol | \"none\") != \"tcp\" && request.size > 10",
      "context.protocol == \"grpc\" && response.code == 200",
      "context.protocol == \"http\" || destination.service.host == \"svc-a\"",
      "request.path == \"/x\" && context.protocol == \"http\"",
      "context.protocol.startsWith(\"h\") && (request.path | \"/\").startsWith(\"/a\")",
      "context.protocol == \"udp\"",
      "(context.protocol == \"tcp\") && (source.labels[\"version\"] | \"none\") == \"v1\"",
      "context.protocol == \"tcp\" && connection.sent.bytes > 50",
  };
  ConfigResources r;
  for (const std::string& ns : namespaces) {
    r.instances.push_back(MetricInstance("bytes", ns, "connection.sent.bytes | 0",
                                         {{"host", "destination.service.host | \"unknown\""},
                                          {"version", "source.labels[\"version\"] | \"unknown\""},
                                          {"protocol", "context.protocol | \"none\""}}));
    // Fails when request.size is absent: exercises dropped instances.
    r.instances.push_back(
        MetricInstance("size", ns, "request.size", {{"path", "\"p:\" + (request.path | \"-\")"}}));
    r.handlers.push_back(TestHandler("h", ns));
    for (size_t m = 0; m < matches.size(); ++m) {
      std::vector<ActionResource> actions = {{"h", {"bytes"}}};
      if (m % 3 == 0) actions.push_back({"h", {"size", "bytes"}});
      if (m % 4 == 1) actions.push_back({"h.istio-system", {"bytes.istio-system"}});
      r.rules.push_back(TestRule(absl::StrCat("r", m), ns, matches[m], actions));
    }
  }
  auto adapter = std::make_shared<RecordingAdapter>();
  AdapterRegistry adapters;
  REQUIRE(adapters.Register(adapter).ok());
  ConfigBuildResult c = BuildConfig(r, adapters);
  REQUIRE(c.ok());
  RouterOptions off;
  off.protocol_split = false;
  RouterBuildResult with = Router::Build(c.config);
  RouterBuildResult without = Router::Build(c.config, off);
  REQUIRE(with.ok());
  REQUIRE(without.ok());
  const size_t handlers = c.config->handlers().size();
  REQUIRE(adapter->builds() == 2 * handlers);

  std::mt19937 rng(20240601);
  auto pick = [&rng](std::initializer_list<const char*> options) -> const char* {
    std::uniform_int_distribution<size_t> d(0, options.size() - 1);
    return options.begin()[d(rng)];
  };
  size_t matched_total = 0, decided = 0, undecided = 0;
  for (int report = 0; report < 4000; ++report) {
    MutableBag bag(Vocabulary::Standard());
    const char* protocol = pick({"tcp", "http", "grpc", nullptr, "udp", "", "HTTP", "tcp"});
    if (protocol != nullptr) SetString(bag, "context.protocol", protocol);
    if (const char* kind = pick({"inbound", "outbound", nullptr, "gateway"})) {
      SetString(bag, "context.reporter.kind", kind);
    }
    if (const char* ns = pick({"ns0", "ns1", "ns2", "default", "istio-system", "nsX", nullptr})) {
      SetString(bag, "source.namespace", ns);
    }
    if (const char* ns = pick({"ns0", "ns1", "default", "istio-system", nullptr})) {
      SetString(bag, "destination.namespace", ns);
    }
    if (const char* host = pick({"svc-a", "svc-b", "svc-c", nullptr})) {
      SetString(bag, "destination.service.host", host);
    }
    if (const char* event = pick({"open", "continue", "close", nullptr})) {
      SetString(bag, "connection.event", event);
    }
    if (const char* ua = pick({"kube-probe/1.18", "Prometheus/2.1", "curl/7", nullptr})) {
      SetString(bag, "request.useragent", ua);
    }
    if (const char* path = pick({"/x", "/a/b", "/", nullptr})) SetString(bag, "request.path", path);
    if (pick({"y", nullptr})) SetInt(bag, "request.size", rng() % 20);
    if (pick({"y", nullptr})) SetInt(bag, "connection.sent.bytes", rng() % 100);
    if (pick({"y", nullptr, nullptr}))
      SetInt(bag, "response.code", pick({"a", nullptr}) ? 200 : 404);
    if (pick({"y", nullptr})) SetMap(bag, "source.labels", {{"version", pick({"v1", "v2"})}});

    DispatchResult a = with.router->Dispatch(bag);
    DispatchResult b = without.router->Dispatch(bag);
    INFO("report " << report << "\n" << bag.DebugString());
    REQUIRE(a.rules_matched == b.rules_matched);
    REQUIRE(a.instances_built == b.instances_built);
    REQUIRE(a.instance_errors == b.instance_errors);
    REQUIRE(a.handler_calls == b.handler_calls);
    CHECK(a.rules_evaluated <= b.rules_evaluated);
    // Handlers [0, n) belong to the split router, [n, 2n) to the other, in the same order.
    for (size_t h = 0; h < handlers; ++h) {
      auto x = adapter->handler(h)->TakeLog();
      auto y = adapter->handler(handlers + h)->TakeLog();
      REQUIRE(x.size() == y.size());
      for (size_t call = 0; call < x.size(); ++call) REQUIRE(x[call] == y[call]);
    }
    matched_total += a.rules_matched;
    const ReportProtocol p = with.router->Explain(bag).protocol_class;
    (p == ReportProtocol::kOther ? undecided : decided) += 1;
  }
  // The generated reports exercise both paths and match plenty of rules.
  CHECK(decided > 2000);
  CHECK(undecided > 500);
  CHECK(matched_total > 10000);
}

}  // namespace
}  // namespace mixlet
