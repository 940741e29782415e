#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include <httplib.h>

#include "absl/strings/match.h"
#include "mixlet/handler/metrics_server.h"
#include "prometheus_test_util.h"

namespace mixlet {
namespace {

using testing::InstanceValues;

// A registry with one sample series.
struct Served {
  Served() {
    PrometheusOptions options;
    options.expiry_thread = false;
    registry = std::make_shared<MetricsRegistry>();
    adapter = std::make_shared<PrometheusAdapter>(registry, options);
    descriptor = testing::MongoDescriptor("mongosentbytes.instance.default");
    auto h = adapter->BuildPrometheusHandler(testing::MongoParams(), {descriptor.get()});
    REQUIRE(h.ok());
    handler = *h;
    const InstanceValues v = testing::MongoInstance(*descriptor, 530);
    const Instance batch[] = {v.instance()};
    handler->Handle(batch);
  }
  std::shared_ptr<MetricsRegistry> registry;
  std::shared_ptr<PrometheusAdapter> adapter;
  std::shared_ptr<InstanceDescriptor> descriptor;
  std::shared_ptr<PrometheusHandler> handler;
};

MetricsServerOptions Ephemeral() {
  MetricsServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  return options;
}

TEST_CASE("MetricsServer: defaults are Mixer's", "[handler]") {
  const MetricsServerOptions options;
  CHECK(options.port == 42422);
  CHECK(options.host == "0.0.0.0");
  CHECK(options.path == "/metrics");
}

TEST_CASE("MetricsServer: GET /metrics serves the exposition", "[handler]") {
  Served served;
  auto server = MetricsServer::Start(served.registry, Ephemeral());
  REQUIRE(server.ok());
  REQUIRE((*server)->port() > 0);
  httplib::Client client("127.0.0.1", (*server)->port());
  auto response = client.Get("/metrics");
  REQUIRE(response);
  CHECK(response->status == 200);
  CHECK(response->get_header_value("Content-Type") == "text/plain; version=0.0.4; charset=utf-8");
  CHECK(response->body == served.registry->TextExposition());
  CHECK_THAT(response->body, Catch::Contains("istio_mongo_sent_bytes{destination_version=\"v1\","
                                             "source_service=\"ratings-v2\",source_version=\"v2\"}"
                                             " 530\n"));

  // Later reports show up in the next scrape.
  const InstanceValues v = testing::MongoInstance(*served.descriptor, 1);
  const Instance batch[] = {v.instance()};
  served.handler->Handle(batch);
  response = client.Get("/metrics");
  REQUIRE(response);
  CHECK_THAT(response->body, Catch::Contains(" 531\n"));

  response = client.Get("/");
  REQUIRE(response);
  CHECK(response->status == 404);
  response = client.Get("/metricsx");
  REQUIRE(response);
  CHECK(response->status == 404);
}

TEST_CASE("MetricsServer: gzip when the scraper asks for it", "[handler]") {
  Served served;
  auto server = MetricsServer::Start(served.registry, Ephemeral());
  REQUIRE(server.ok());
  httplib::Client client("127.0.0.1", (*server)->port());
  client.set_decompress(true);
  auto response = client.Get("/metrics", {{"Accept-Encoding", "gzip"}});
  REQUIRE(response);
  CHECK(response->get_header_value("Content-Encoding") == "gzip");
  CHECK(response->body == served.registry->TextExposition());
}

TEST_CASE("MetricsServer: a taken port is a clear error", "[handler]") {
  Served served;
  auto first = MetricsServer::Start(served.registry, Ephemeral());
  REQUIRE(first.ok());
  MetricsServerOptions same = Ephemeral();
  same.port = (*first)->port();
  auto second = MetricsServer::Start(served.registry, same);
  REQUIRE_FALSE(second.ok());
  CHECK(second.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK_THAT(std::string(second.status().message()),
             Catch::Contains("cannot listen on 127.0.0.1:" + std::to_string(same.port) +
                             ": address already in use"));

  // Also when another program (a plain socket here) holds the port.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(listen(fd, 1) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  MetricsServerOptions taken = Ephemeral();
  taken.port = ntohs(addr.sin_port);
  auto third = MetricsServer::Start(served.registry, taken);
  close(fd);
  REQUIRE_FALSE(third.ok());
  CHECK_THAT(std::string(third.status().message()), Catch::Contains("address already in use"));
}

TEST_CASE("MetricsServer: bad options and stopping", "[handler]") {
  Served served;
  MetricsServerOptions bad = Ephemeral();
  bad.port = 70000;
  CHECK(MetricsServer::Start(served.registry, bad).status().code() ==
        absl::StatusCode::kInvalidArgument);
  bad = Ephemeral();
  bad.path = "metrics";
  CHECK(MetricsServer::Start(served.registry, bad).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(MetricsServer::Start(nullptr, Ephemeral()).status().code() ==
        absl::StatusCode::kInvalidArgument);
  bad = Ephemeral();
  bad.host = "no-such-host.invalid";
  auto unresolved = MetricsServer::Start(served.registry, bad);
  REQUIRE_FALSE(unresolved.ok());
  CHECK(unresolved.status().code() == absl::StatusCode::kFailedPrecondition);

  // A custom path, stopped right away, twice.
  MetricsServerOptions custom = Ephemeral();
  custom.path = "/stats/prometheus";
  auto server = MetricsServer::Start(served.registry, custom);
  REQUIRE(server.ok());
  httplib::Client client("127.0.0.1", (*server)->port());
  auto response = client.Get("/stats/prometheus");
  REQUIRE(response);
  CHECK(response->status == 200);
  CHECK((*server)->address() == "127.0.0.1:" + std::to_string((*server)->port()));
  (*server)->Stop();
  (*server)->Stop();
  CHECK_FALSE(client.Get("/stats/prometheus"));
}

}  // namespace
}  // namespace mixlet
