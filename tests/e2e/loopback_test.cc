// The loopback story with the real programs: a TCP client -> mixlet-tcp-proxy -> an upstream in
// this test, the proxy reporting over gRPC to mixlet-server, whose /metrics must show exactly
// the bytes that crossed the proxy. Ports are all picked by the kernel (port 0) and read from
// what each program prints at start-up.
#include <signal.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "e2e/e2e_testing.h"
#include "e2e/malformed_reports.h"
#include "e2e/recording_mixer.h"

namespace mixlet::e2e {
namespace {

const std::string kConfig = MIXLET_SOURCE_DIR "/tests/config/testdata/tcp-metrics.yaml";
const std::string kIdentity = MIXLET_SOURCE_DIR "/tests/e2e/testdata/identity.yaml";

struct Totals {
  int64_t received = 0;  // client -> server
  int64_t sent = 0;      // server -> client
};

// `n` connections at once through the proxy: connection i comes from `source_of(i)`, sends
// bytes_of(i) bytes and gets twice that back; all are open together before any closes.
Totals RunConnections(int proxy_port, int n, const std::function<std::string(int)>& source_of,
                      const std::function<size_t(int)>& bytes_of, std::atomic<int>* failures) {
  std::mutex mu;
  std::condition_variable all_open;
  int ready = 0;
  std::vector<std::thread> threads;
  Totals totals;
  for (int i = 0; i < n; ++i) {
    totals.received += static_cast<int64_t>(bytes_of(i));
    totals.sent += 2 * static_cast<int64_t>(bytes_of(i));
    threads.emplace_back([&, i] {
      const int fd = ConnectFrom(source_of(i), proxy_port);
      bool ok = fd >= 0 && SendAll(fd, bytes_of(i)) && ReadExactly(fd, 2 * bytes_of(i));
      {
        // Everyone has exchanged their bytes before anyone closes: n connections at once.
        std::unique_lock<std::mutex> lock(mu);
        if (++ready == n) all_open.notify_all();
        all_open.wait_for(lock, std::chrono::seconds(30), [&] { return ready == n; });
      }
      if (ok) {
        shutdown(fd, SHUT_WR);
        ok = ReadToEof(fd) == 0;
      }
      if (fd >= 0) close(fd);
      if (!ok) failures->fetch_add(1);
    });
  }
  for (std::thread& t : threads) t.join();
  return totals;
}

// Waits until /metrics shows `received` and `sent` for the series of (service, version).
bool MetricsReach(const Server& server, absl::string_view service, absl::string_view version,
                  int64_t received, int64_t sent, std::string* last) {
  return WaitFor(
      [&] {
        *last = HttpGet(server.metrics_url);
        return SeriesValue(*last, MongoSeries("received", service, version)) == received &&
               SeriesValue(*last, MongoSeries("sent", service, version)) == sent;
      },
      absl::Seconds(20));
}

TEST_CASE("e2e: 50 concurrent connections are counted exactly", "[e2e]") {
  TempDir dir;
  DoublingUpstream upstream;
  Server server(dir, {kConfig});
  REQUIRE(server.ok());
  Proxy proxy(dir, upstream.port(), server.grpc_address_bound, kIdentity);
  REQUIRE(proxy.ok());

  // Even connections come from ratings-v2 (127.0.0.2, in the identity file), odd ones from an
  // address the proxy does not know (reported without source workload attributes).
  std::atomic<int> failures{0};
  const auto source_of = [](int i) { return i % 2 == 0 ? "127.0.0.2" : "127.0.0.3"; };
  const auto bytes_of = [](int i) { return static_cast<size_t>(1000 + 7919 * i); };
  RunConnections(proxy.port, 50, source_of, bytes_of, &failures);
  REQUIRE(failures.load() == 0);
  Totals known, unknown;
  for (int i = 0; i < 50; ++i) {
    Totals& t = i % 2 == 0 ? known : unknown;
    t.received += static_cast<int64_t>(bytes_of(i));
    t.sent += 2 * static_cast<int64_t>(bytes_of(i));
  }

  std::string exposition;
  CHECK(MetricsReach(server, "ratings-v2", "v2", known.received, known.sent, &exposition));
  CHECK(MetricsReach(server, "unknown", "unknown", unknown.received, unknown.sent, &exposition));
  INFO(exposition);

  auto counters = proxy.Stop();
  CHECK(proxy.exit_code == 0);
  CHECK(Counter(counters, "connections") == 50);
  CHECK(Counter(counters, "bytes_from_clients") ==
        static_cast<uint64_t>(known.received + unknown.received));
  CHECK(Counter(counters, "bytes_to_clients") ==
        static_cast<uint64_t>(known.sent + unknown.sent));
  CHECK(Counter(counters, "reports_failed") == 0);
  CHECK(Counter(counters, "reports_dropped") == 0);
  CHECK(Counter(counters, "reports_delivered") == Counter(counters, "reports"));
  // Nothing changed after the proxy's last reports: the counts were final.
  CHECK(SeriesValue(HttpGet(server.metrics_url), MongoSeries("received", "ratings-v2", "v2")) ==
        known.received);
}

TEST_CASE("e2e: the proxy reports like an inbound sidecar", "[e2e]") {
  TempDir dir;
  DoublingUpstream upstream;
  RecordingMixer mixer;
  Proxy proxy(dir, upstream.port(), mixer.address(), kIdentity);
  REQUIRE(proxy.ok());

  std::atomic<int> failures{0};
  RunConnections(
      proxy.port, 2, [](int i) { return i == 0 ? "127.0.0.2" : "127.0.0.3"; },
      [](int i) { return size_t{10} + i; }, &failures);
  REQUIRE(failures.load() == 0);
  REQUIRE(WaitFor([&] { return mixer.reports().size() == 4; }, absl::Seconds(20)));
  proxy.Stop();

  const std::string destination = absl::StrCat(
      R"("destination.ip":"127.0.0.1","destination.labels":{"app":"mongodb","version":"v1"},)",
      R"("destination.namespace":"default","destination.port":)", proxy.port, ",",
      R"("destination.service.host":"mongodb.default.svc.cluster.local",)",
      R"("destination.workload.name":"mongodb-v1")");
  int known_open = 0, known_close = 0, unknown_open = 0, unknown_close = 0;
  for (const std::string& report : mixer.reports()) {
    INFO(report);
    CHECK(absl::StrContains(report, R"("context.protocol":"tcp")"));
    CHECK(absl::StrContains(report, R"("context.reporter.kind":"inbound")"));
    CHECK(absl::StrContains(report, R"("context.reporter.uid":"mixlet-tcp-proxy-)"));
    CHECK(absl::StrContains(report, R"("connection.id":"mixlet-tcp-proxy-)"));
    CHECK(absl::StrContains(report, R"("connection.mtls":false)"));
    CHECK(absl::StrContains(report, destination));
    const bool close = absl::StrContains(report, R"("connection.event":"close")");
    CHECK((close || absl::StrContains(report, R"("connection.event":"open")")));
    CHECK(close == absl::StrContains(report, R"("connection.duration":)"));
    if (absl::StrContains(report, R"("source.ip":"127.0.0.2")")) {
      CHECK(absl::StrContains(report, R"("source.labels":{"app":"ratings","version":"v2"},)"
                                      R"("source.namespace":"default",)"
                                      R"("source.workload.name":"ratings-v2")"));
      ++(close ? known_close : known_open);
    } else {
      CHECK(absl::StrContains(report, R"("source.ip":"127.0.0.3")"));
      CHECK_FALSE(absl::StrContains(report, R"("source.workload.name")"));
      CHECK_FALSE(absl::StrContains(report, R"("source.labels")"));
      ++(close ? unknown_close : unknown_open);
    }
    // received is 10 or 11 in total over open + close, sent twice that.
    CHECK(absl::StrContains(report, R"("connection.received.bytes_total":1)"));
  }
  CHECK(known_open == 1);
  CHECK(known_close == 1);
  CHECK(unknown_open == 1);
  CHECK(unknown_close == 1);
}

TEST_CASE("e2e: a long-lived connection's bytes reach /metrics before it closes", "[e2e]") {
  TempDir dir;
  DoublingUpstream upstream;
  Server server(dir, {kConfig});
  REQUIRE(server.ok());
  Proxy proxy(dir, upstream.port(), server.grpc_address_bound, kIdentity,
              {"--report-interval", "1s"});
  REQUIRE(proxy.ok());

  const int fd = ConnectFrom("127.0.0.2", proxy.port);
  REQUIRE(fd >= 0);
  REQUIRE(SendAll(fd, 4321));
  REQUIRE(ReadExactly(fd, 2 * 4321));
  std::string exposition;
  // `continue` reports (every second) carry the bytes while the connection stays open.
  CHECK(MetricsReach(server, "ratings-v2", "v2", 4321, 2 * 4321, &exposition));

  REQUIRE(SendAll(fd, 1000));
  REQUIRE(ReadExactly(fd, 2000));
  CHECK(MetricsReach(server, "ratings-v2", "v2", 5321, 2 * 5321, &exposition));

  shutdown(fd, SHUT_WR);
  CHECK(ReadToEof(fd) == 0);
  close(fd);
  // The close report adds what is left (nothing): the totals stay exact, nothing counted twice.
  auto counters = proxy.Stop();
  CHECK(SeriesValue(HttpGet(server.metrics_url), MongoSeries("received", "ratings-v2", "v2")) ==
        5321);
  CHECK(SeriesValue(HttpGet(server.metrics_url), MongoSeries("sent", "ratings-v2", "v2")) ==
        2 * 5321);
  CHECK(Counter(counters, "reports_failed") == 0);
}

TEST_CASE("e2e: SIGTERM makes the proxy report every open connection, then exit 0", "[e2e]") {
  TempDir dir;
  DoublingUpstream upstream;
  Server server(dir, {kConfig});
  REQUIRE(server.ok());
  Proxy proxy(dir, upstream.port(), server.grpc_address_bound, kIdentity);  // interval 10 s
  REQUIRE(proxy.ok());

  std::vector<int> open;
  int64_t received = 0;
  for (int i = 0; i < 5; ++i) {
    const int fd = ConnectFrom("127.0.0.2", proxy.port);
    REQUIRE(fd >= 0);
    REQUIRE(SendAll(fd, 100 + i));
    REQUIRE(ReadExactly(fd, 2 * (100 + i)));
    received += 100 + i;
    open.push_back(fd);
  }
  auto counters = proxy.Stop();  // the connections are still open
  CHECK(proxy.exit_code == 0);
  CHECK(Counter(counters, "connections") == 5);
  CHECK(Counter(counters, "reports_delivered") == 10);  // open + close of each
  std::string exposition = HttpGet(server.metrics_url);
  INFO(exposition);
  CHECK(SeriesValue(exposition, MongoSeries("received", "ratings-v2", "v2")) == received);
  CHECK(SeriesValue(exposition, MongoSeries("sent", "ratings-v2", "v2")) == 2 * received);
  for (int fd : open) {
    CHECK(ReadToEof(fd) >= 0);  // the proxy closed them
    close(fd);
  }
}

TEST_CASE("e2e: the server survives malformed requests", "[e2e]") {
  TempDir dir;
  DoublingUpstream upstream;
  Server server(dir, {kConfig});
  REQUIRE(server.ok());

  // Garbage straight at the gRPC port: not HTTP/2 at all.
  for (int i = 0; i < 3; ++i) {
    const int fd = ConnectFrom("127.0.0.1", PortOf(server.grpc_address_bound));
    REQUIRE(fd >= 0);
    const std::string junk = "GET / HTTP/1.0\r\n\r\n\x00\xff\xfe garbage";
    send(fd, junk.data(), junk.size(), MSG_NOSIGNAL);
    ReadToEof(fd);
    close(fd);
  }
  // Malformed Report calls: four answered INVALID_ARGUMENT, three of them refused whole; the
  // good element of the fourth counts 7 received bytes for ratings-v2.
  std::string answers;
  CHECK(SendMalformedReports(server.grpc_address_bound, &answers) == 4);
  INFO(answers);

  Proxy proxy(dir, upstream.port(), server.grpc_address_bound, kIdentity);
  REQUIRE(proxy.ok());
  std::atomic<int> failures{0};
  RunConnections(
      proxy.port, 4, [](int) { return std::string("127.0.0.2"); },
      [](int) { return size_t{50}; }, &failures);
  REQUIRE(failures.load() == 0);
  std::string exposition;
  CHECK(MetricsReach(server, "ratings-v2", "v2", 200 + 7, 400, &exposition));
  INFO(exposition);
  proxy.Stop();
  server.process->Signal(SIGTERM);
  CHECK(server.process->Wait(absl::Seconds(20)) == 0);
  CHECK(absl::StrContains(server.process->out(), "3 requests refused whole"));
}

}  // namespace
}  // namespace mixlet::e2e
