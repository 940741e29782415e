#include "mixlet/wire/global_dictionary.h"

#include <catch2/catch.hpp>
#include <set>
#include <string>

namespace mixlet {
namespace {

// The table of wire.md §6, typed in independently of global_dictionary.yaml and of the CMake
// generator: word i at position i, exact bytes.
constexpr absl::string_view kSpecTable[] = {
    // 0
    "source.ip",
    "source.port",
    "source.name",
    "source.uid",
    "source.namespace",
    "source.labels",
    "source.user",
    "target.ip",
    "target.port",
    "target.service",
    // 10
    "target.name",
    "target.uid",
    "target.namespace",
    "target.labels",
    "target.user",
    "request.headers",
    "request.id",
    "request.path",
    "request.host",
    "request.method",
    // 20
    "request.reason",
    "request.referer",
    "request.scheme",
    "request.size",
    "request.time",
    "request.useragent",
    "response.headers",
    "response.size",
    "response.time",
    "response.duration",
    // 30
    "response.code",
    ":authority",
    ":method",
    ":path",
    ":scheme",
    ":status",
    "access-control-allow-origin",
    "access-control-allow-methods",
    "access-control-allow-headers",
    "access-control-max-age",
    // 40
    "access-control-request-method",
    "access-control-request-headers",
    "accept-charset",
    "accept-encoding",
    "accept-language",
    "accept-ranges",
    "accept",
    "access-control-allow",
    "age",
    "allow",
    // 50
    "authorization",
    "cache-control",
    "content-disposition",
    "content-encoding",
    "content-language",
    "content-length",
    "content-location",
    "content-range",
    "content-type",
    "cookie",
    // 60
    "date",
    "etag",
    "expect",
    "expires",
    "from",
    "host",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-range",
    // 70
    "if-unmodified-since",
    "keep-alive",
    "last-modified",
    "link",
    "location",
    "max-forwards",
    "proxy-authenticate",
    "proxy-authorization",
    "range",
    "referer",
    // 80
    "refresh",
    "retry-after",
    "server",
    "set-cookie",
    "strict-transport-sec",
    "transfer-encoding",
    "user-agent",
    "vary",
    "via",
    "www-authenticate",
    // 90
    "GET",
    "POST",
    "http",
    "envoy",
    "'200'",
    "Keep-Alive",
    "chunked",
    "x-envoy-service-time",
    "x-forwarded-for",
    "x-forwarded-host",
    // 100
    "x-forwarded-proto",
    "x-http-method-override",
    "x-request-id",
    "x-requested-with",
    "application/json",
    "application/xml",
    "gzip",
    "text/html",
    "text/html; charset=utf-8",
    "text/plain",
    // 110
    "text/plain; charset=utf-8",
    "'0'",
    "'1'",
    "true",
    "false",
    "gzip, deflate",
    "max-age=0",
    "x-envoy-upstream-service-time",
    "x-envoy-internal",
    "x-envoy-expected-rq-timeout-ms",
    // 120
    "x-ot-span-context",
    "x-b3-traceid",
    "x-b3-sampled",
    "x-b3-spanid",
    "tcp",
    "connection.id",
    "connection.received.bytes",
    "connection.received.bytes_total",
    "connection.sent.bytes",
    "connection.sent.bytes_total",
    // 130
    "connection.duration",
    "context.protocol",
    "context.timestamp",
    "context.time",
    "0",
    "1",
    "200",
    "302",
    "400",
    "401",
    // 140
    "403",
    "404",
    "409",
    "429",
    "499",
    "500",
    "501",
    "502",
    "503",
    "504",
    // 150
    "destination.ip",
    "destination.port",
    "destination.service",
    "destination.name",
    "destination.uid",
    "destination.namespace",
    "destination.labels",
    "destination.user",
    "source.service",
    "api.service",
    // 160
    "api.version",
    "api.operation",
    "api.protocol",
    "request.auth.principal",
    "request.auth.audiences",
    "request.auth.presenter",
    "request.api_key",
    "check.error_code",
    "check.error_message",
    "request.total_size",
    // 170
    "response.total_size",
    "connection.event",
    "check.cache_hit",
    "quota.cache_hit",
    "source.principal",
    "request.auth.claims",
    "request.auth.raw_claims",
    "connection.mtls",
    "source.metadata",
    "source.owner",
    // 180
    "source.services",
    "source.workload.uid",
    "source.workload.name",
    "source.workload.namespace",
    "destination.metadata",
    "destination.owner",
    "destination.principal",
    "destination.workload.uid",
    "destination.workload.name",
    "destination.workload.namespace",
    // 190
    "destination.service.uid",
    "destination.service.name",
    "destination.service.namespace",
    "destination.service.host",
    "destination.container.name",
    "destination.container.image",
    "context.reporter.local",
    "context.reporter.uid",
    "response.grpc_status",
    "response.grpc_message",
    // 200
    "context.reporter.type",
    "context.reporter.kind",
    "connection.requested_server_name",
    "request.url_path",
    "request.query_params",
    "context.proxy_error_code",
    "UH",
    "UF",
    "UO",
    "NR",
    // 210
    "LH",
    "UT",
    "LR",
    "UR",
    "UC",
    "DI",
    "FI",
    "RL",
    "\"-\"",
    "inbound",
    // 220
    "outbound",
    "context.proxy_version",
};

TEST_CASE("GlobalDictionary: has the 222 words of Istio 1.4-1.7", "[wire]") {
  REQUIRE(GlobalDictionary().size() == 222);
  REQUIRE(kGlobalDictionarySize == 222);
  REQUIRE(sizeof(kSpecTable) / sizeof(kSpecTable[0]) == 222);
}

TEST_CASE("GlobalDictionary: every word equals the wire.md table", "[wire]") {
  for (size_t i = 0; i < 222; ++i) {
    INFO("index " << i);
    CHECK(GlobalDictionary()[i] == kSpecTable[i]);
  }
}

TEST_CASE("GlobalDictionary: spot checks, raw line text kept", "[wire]") {
  struct Case {
    uint32_t index;
    absl::string_view word;
  };
  const Case cases[] = {
      {0, "source.ip"},
      {94, "'200'"},  // With its single quotes: the generators do not parse YAML.
      {111, "'0'"},
      {113, "true"},  // A string, not a boolean.
      {124, "tcp"},
      {136, "200"},
      {218, "\"-\""},  // Double quote, dash, double quote.
      {221, "context.proxy_version"},
  };
  for (const Case& c : cases) {
    INFO("index " << c.index);
    CHECK(GlobalDictionary()[c.index] == c.word);
    CHECK(GlobalDictionary()[c.index].size() == c.word.size());
    REQUIRE(GlobalDictionaryIndex(c.word).has_value());
    CHECK(*GlobalDictionaryIndex(c.word) == c.index);
  }
  CHECK(GlobalDictionary()[94].size() == 5);
  CHECK(GlobalDictionary()[218].size() == 3);
}

TEST_CASE("GlobalDictionaryIndex: maps every word to its position", "[wire]") {
  std::set<std::string> distinct;
  for (uint32_t i = 0; i < kGlobalDictionarySize; ++i) {
    const absl::string_view word = GlobalDictionary()[i];
    distinct.emplace(word);
    INFO("word " << std::string(word));
    REQUIRE(GlobalDictionaryIndex(word).has_value());
    CHECK(*GlobalDictionaryIndex(word) == i);
  }
  CHECK(distinct.size() == kGlobalDictionarySize);  // Istio requires unique words.
}

TEST_CASE("GlobalDictionaryIndex: other strings are not found", "[wire]") {
  const absl::string_view cases[] = {"",
                                     "-",
                                     "Source.ip",
                                     "source.ip ",
                                     "mongodb.default.svc.cluster.local",
                                     "'2000'",
                                     "destination.mesh.id",
                                     absl::string_view("tcp\0", 4)};
  for (absl::string_view word : cases) {
    INFO("word " << std::string(word));
    CHECK_FALSE(GlobalDictionaryIndex(word).has_value());
  }
}

TEST_CASE("GlobalDictionary: the base section is the first 111 words", "[wire]") {
  CHECK(kGlobalDictionaryBaseSize == 111);
  CHECK(GlobalDictionary()[kGlobalDictionaryBaseSize - 1] == "text/plain; charset=utf-8");
  CHECK(GlobalDictionary()[kGlobalDictionaryBaseSize] == "'0'");
}

}  // namespace
}  // namespace mixlet
