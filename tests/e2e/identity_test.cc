// The identity file of mixlet-tcp-proxy (examples/tcp-proxy/identity.h).
#include "identity.h"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/strings/match.h"
#include "mixlet/value/value_json.h"

namespace mixlet::tcp_proxy {
namespace {

const Vocabulary& Vocab() { return *Vocabulary::Standard(); }

const OwnedValue* Find(const ConnectionAttributes& a, const std::string& name) {
  for (const auto& [n, v] : a.extra) {
    if (n == name) return &v;
  }
  return nullptr;
}

constexpr char kSample[] = R"(
attributes:
  destination.workload.name: mongodb-v1
  destination.namespace: default
  destination.service.host: mongodb.default.svc.cluster.local
  destination.labels: {app: mongodb, version: v1}
  context.reporter.local: true
  check.error_code: 12
  response.duration: 1.5s
  source.namespace: elsewhere
sources:
  127.0.0.2:
    source.workload.name: ratings-v2
    source.namespace: default
    source.labels: {app: ratings, version: "2"}
  "::1":
    source.workload.name: local6
)";

TEST_CASE("ProxyIdentity: values are read as the vocabulary's types", "[tcp-proxy]") {
  absl::StatusOr<ProxyIdentity> identity = ParseProxyIdentity(kSample, "id.yaml", Vocab());
  REQUIRE(identity.ok());
  const std::string v4(std::string("\x7f\x00\x00\x02", 4));
  ConnectionAttributes known = identity->AttributesFor(v4);
  REQUIRE(Find(known, "destination.workload.name") != nullptr);
  CHECK(Find(known, "destination.workload.name")->value().string() == "mongodb-v1");
  CHECK(Find(known, "destination.labels")->value().type() == ValueType::kStringMap);
  CHECK(Find(known, "destination.labels")->value().ToText() ==
        OwnedValue::StringMapOf({{"app", "mongodb"}, {"version", "v1"}}).value().ToText());
  CHECK(Find(known, "context.reporter.local")->value().bool_value());
  CHECK(Find(known, "check.error_code")->value().int64() == 12);
  CHECK(Find(known, "response.duration")->value().duration() == absl::Milliseconds(1500));
  CHECK(Find(known, "source.workload.name")->value().string() == "ratings-v2");
  // The source's value replaces the proxy's for the same name.
  CHECK(Find(known, "source.namespace")->value().string() == "default");
  CHECK(Find(known, "source.labels")->value().ToText() ==
        OwnedValue::StringMapOf({{"app", "ratings"}, {"version", "2"}}).value().ToText());

  // The IPv4-mapped form of a source matches too; other addresses get only the proxy's own.
  CHECK(Find(identity->AttributesFor(*ParseIpText("127.0.0.2")), "source.workload.name") !=
        nullptr);
  CHECK(Find(identity->AttributesFor(*ParseIpText("::1")), "source.workload.name")
            ->value()
            .string() == "local6");
  ConnectionAttributes unknown = identity->AttributesFor(std::string("\x7f\x00\x00\x03", 4));
  CHECK(Find(unknown, "source.workload.name") == nullptr);
  CHECK(Find(unknown, "source.namespace")->value().string() == "elsewhere");
  CHECK(Find(unknown, "destination.service.host") != nullptr);
  CHECK(identity->source_addresses().size() == 2);
}

TEST_CASE("ProxyIdentity: an empty file means no attributes", "[tcp-proxy]") {
  for (const char* text : {"", "# nothing\n", "attributes:\nsources:\n"}) {
    absl::StatusOr<ProxyIdentity> identity = ParseProxyIdentity(text, "id.yaml", Vocab());
    REQUIRE(identity.ok());
    CHECK(identity->AttributesFor(std::string(4, '\0')).extra.empty());
  }
}

TEST_CASE("ProxyIdentity: bad files are refused with the place and attribute named",
          "[tcp-proxy]") {
  struct Case {
    const char* text;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"attributes: {destination.workload.nme: x}",
       "id.yaml:1: unknown attribute 'destination.workload.nme'"},
      {"attributes:\n  source.workload.name: 123",
       "id.yaml:2: attribute 'source.workload.name': expected a string for STRING, got the "
       "number 123 (quote it to make it a string)"},
      {"attributes: {source.workload.name: true}", "got the boolean true"},
      {"attributes: {source.workload.name: }", "attribute 'source.workload.name': has no value"},
      {"attributes: {source.workload.name: [a]}", "expected a string for STRING, got a list"},
      {"attributes: {destination.labels: v1}",
       "attribute 'destination.labels': expected a map of strings for STRING_MAP, got a scalar"},
      {"attributes: {destination.labels: {version: 1}}",
       "attribute 'destination.labels' key 'version': expected a string for STRING_MAP, got the "
       "number 1"},
      {"attributes: {check.error_code: \"12\"}",
       "attribute 'check.error_code': expected a number for INT64, got the string \"12\""},
      {"attributes: {check.error_code: 1.5}", "attribute 'check.error_code': expected a number"},
      {"attributes: {context.reporter.local: yes}",
       "attribute 'context.reporter.local': expected a boolean for BOOL, got the string \"yes\""},
      {"attributes: {response.duration: 1.5x}",
       "attribute 'response.duration': expected a Go duration string for DURATION"},
      {"attributes: {source.ip: 10.0.0.1}",
       "attribute 'source.ip' is set by the proxy for each connection"},
      {"attributes: {connection.mtls: true}", "attribute 'connection.mtls' is set by the proxy"},
      {"attributes: {context.protocol: tcp}", "attribute 'context.protocol' is set by the proxy"},
      {"attributes: {destination.port: 80}", "attribute 'destination.port' is set by the proxy"},
      {"attributes:\n  source.uid: a\n  source.uid: b",
       "id.yaml:3: attribute 'source.uid' appears twice in attributes"},
      {"sources: {notanip: {source.uid: x}}", "id.yaml:1: sources: 'notanip' is not an IP address"},
      {"sources: {127.0.0.2: {source.uid: x}, \"::ffff:127.0.0.2\": {source.uid: y}}",
       "sources: '::ffff:127.0.0.2' is given twice"},
      {"sources: {127.0.0.2: {source.nope: x}}", "unknown attribute 'source.nope'"},
      {"sources: [a]", "sources: expected a map of client IP to attributes, got a list"},
      {"attributes: [a]", "attributes: expected a map of attribute name to value, got a list"},
      {"foo: 1", "id.yaml:1: unknown key 'foo'"},
      {"- a\n- b", "expected a map with `attributes` and `sources`, got a list"},
      {"attributes: [", "id.yaml:1:1: end of sequence flow not found"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<ProxyIdentity> identity = ParseProxyIdentity(c.text, "id.yaml", Vocab());
    INFO(c.text);
    REQUIRE_FALSE(identity.ok());
    CHECK(identity.status().code() == absl::StatusCode::kInvalidArgument);
    INFO(identity.status().message());
    CHECK(absl::StrContains(identity.status().message(), c.message));
  }
}

TEST_CASE("ProxyIdentity: a missing file is NotFound with the path", "[tcp-proxy]") {
  absl::StatusOr<ProxyIdentity> identity = LoadProxyIdentity("/nonexistent/id.yaml", Vocab());
  REQUIRE_FALSE(identity.ok());
  CHECK(identity.status().code() == absl::StatusCode::kNotFound);
  CHECK(absl::StrContains(identity.status().message(), "/nonexistent/id.yaml"));
}

}  // namespace
}  // namespace mixlet::tcp_proxy
