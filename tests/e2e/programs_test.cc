// The programs' contracts: a server restart under a running proxy, configuration reload on
// SIGHUP, and the start-up errors (taken ports, bad files) scripts rely on.
#include <signal.h>
#include <sys/socket.h>

#include <atomic>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "e2e/e2e_testing.h"

namespace mixlet::e2e {
namespace {

const std::string kConfig = MIXLET_SOURCE_DIR "/tests/config/testdata/tcp-metrics.yaml";
const std::string kIdentity = MIXLET_SOURCE_DIR "/tests/e2e/testdata/identity.yaml";

// `n` connections from ratings-v2, one after the other, each sending `bytes`.
int64_t Connections(int proxy_port, int n, size_t bytes) {
  int64_t received = 0;
  for (int i = 0; i < n; ++i) {
    const int fd = ConnectFrom("127.0.0.2", proxy_port);
    REQUIRE(fd >= 0);
    REQUIRE(SendAll(fd, bytes));
    REQUIRE(ReadExactly(fd, 2 * bytes));
    shutdown(fd, SHUT_WR);
    REQUIRE(ReadToEof(fd) == 0);
    close(fd);
    received += static_cast<int64_t>(bytes);
  }
  return received;
}

double Received(const Server& server) {
  return SeriesValue(HttpGet(server.metrics_url), MongoSeries("received", "ratings-v2", "v2"));
}

TEST_CASE("e2e: a short server restart loses nothing (the proxy retries)", "[e2e]") {
  TempDir dir;
  DoublingUpstream upstream;
  auto first = std::make_unique<Server>(dir, std::vector<std::string>{kConfig},
                                        "127.0.0.1:0", "server1");
  REQUIRE(first->ok());
  const std::string grpc_address = first->grpc_address_bound;
  // 12 attempts: about 17 s of retries, ample for a restart even on a loaded machine.
  Proxy proxy(dir, upstream.port(), grpc_address, kIdentity, {"--report-attempts", "12"});
  REQUIRE(proxy.ok());

  const int64_t a = Connections(proxy.port, 5, 100);
  REQUIRE(WaitFor([&] { return Received(*first) == a; }, absl::Seconds(20)));
  absl::SleepFor(absl::Milliseconds(1500));  // every batch of these connections is delivered
  first->process->Signal(SIGTERM);
  REQUIRE(first->process->Wait(absl::Seconds(20)) == 0);

  // Reports of these connections are sent while no server listens: they wait and retry.
  const int64_t b = Connections(proxy.port, 5, 1000);
  absl::SleepFor(absl::Milliseconds(1500));  // the batch is sent and refused at least once
  Server second(dir, {kConfig}, grpc_address, "server2");  // same port
  REQUIRE(second.ok());
  const int64_t c = Connections(proxy.port, 5, 10);
  CHECK(WaitFor([&] { return Received(second) == b + c; }, absl::Seconds(20)));

  auto counters = proxy.Stop();
  INFO(proxy.process->out() << proxy.process->err());
  CHECK(Counter(counters, "reports") == 30);
  CHECK(Counter(counters, "reports_delivered") == 30);  // 10 to the first server, 20 later
  CHECK(Counter(counters, "reports_failed") == 0);
  CHECK(Counter(counters, "reports_dropped") == 0);
  CHECK(Counter(counters, "retries") > 0);
  CHECK(Received(second) == b + c);  // none counted twice
}

TEST_CASE("e2e: a long server outage loses the reports of that time, counted", "[e2e]") {
  TempDir dir;
  DoublingUpstream upstream;
  auto first = std::make_unique<Server>(dir, std::vector<std::string>{kConfig},
                                        "127.0.0.1:0", "server1");
  REQUIRE(first->ok());
  const std::string grpc_address = first->grpc_address_bound;
  // Two attempts per batch: the retries are over long before the server is back.
  Proxy proxy(dir, upstream.port(), grpc_address, kIdentity, {"--report-attempts", "2"});
  REQUIRE(proxy.ok());

  const int64_t a = Connections(proxy.port, 3, 100);
  REQUIRE(WaitFor([&] { return Received(*first) == a; }, absl::Seconds(20)));
  absl::SleepFor(absl::Milliseconds(1500));  // every batch of these connections is delivered
  first->process->Signal(SIGTERM);
  REQUIRE(first->process->Wait(absl::Seconds(20)) == 0);

  Connections(proxy.port, 4, 1000);  // 8 reports, lost
  absl::SleepFor(absl::Milliseconds(3000));  // sent, refused twice, given up
  Server second(dir, {kConfig}, grpc_address, "server2");
  REQUIRE(second.ok());
  // The proxy's channel reconnects within its longest reconnection backoff (2 s, +20% jitter);
  // with two attempts per batch, reports sent before that would be lost too.
  absl::SleepFor(absl::Milliseconds(3000));
  const int64_t c = Connections(proxy.port, 3, 10);
  CHECK(WaitFor([&] { return Received(second) == c; }, absl::Seconds(20)));

  auto counters = proxy.Stop();
  INFO(proxy.process->out() << proxy.process->err());
  CHECK(Counter(counters, "reports") == 20);
  CHECK(Counter(counters, "reports_failed") == 8);  // exactly the outage's, counted
  CHECK(Counter(counters, "reports_delivered") == 12);
  CHECK(Received(second) == c);
}

TEST_CASE("e2e: SIGHUP reloads the configuration and keeps the counters", "[e2e]") {
  TempDir dir;
  DoublingUpstream upstream;
  const std::string config = dir.Write("config.yaml", ReadFile(kConfig));
  Server server(dir, {config});
  REQUIRE(server.ok());
  Proxy proxy(dir, upstream.port(), server.grpc_address_bound, kIdentity);
  REQUIRE(proxy.ok());

  const int64_t a = Connections(proxy.port, 2, 300);
  REQUIRE(WaitFor([&] { return Received(server) == a; }, absl::Seconds(20)));

  server.process->Signal(SIGHUP);
  CHECK(!server.process->WaitForLine("mixlet-server: configuration reloaded (generation 2)",
                                     absl::Seconds(20))
             .empty());
  CHECK(Received(server) == a);
  const int64_t b = Connections(proxy.port, 2, 40);
  CHECK(WaitFor([&] { return Received(server) == a + b; }, absl::Seconds(20)));

  // A broken file is refused with its errors; the running configuration stays.
  dir.Write("config.yaml", ReadFile(kConfig) + "\n---\nkind: rule\nspec: [\n");
  server.process->Signal(SIGHUP);
  CHECK(WaitFor([&] { return absl::StrContains(server.process->err(), "reload refused"); },
                absl::Seconds(20)));
  CHECK(absl::StrContains(server.process->err(), "error: "));
  const int64_t c = Connections(proxy.port, 1, 5);
  CHECK(WaitFor([&] { return Received(server) == a + b + c; }, absl::Seconds(20)));

  proxy.Stop();
  server.process->Signal(SIGTERM);
  CHECK(server.process->Wait(absl::Seconds(20)) == 0);
}

// A port taken by a plain listening socket.
struct TakenPort {
  TakenPort() {
    fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    listen(fd, 1);
    socklen_t length = sizeof(addr);
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length);
    port = ntohs(addr.sin_port);
  }
  ~TakenPort() { close(fd); }
  int fd = -1;
  int port = 0;
};

TEST_CASE("e2e: the programs refuse taken ports and bad files with a clear message", "[e2e]") {
  TempDir dir;
  TakenPort taken;
  const std::string taken_address = absl::StrCat("127.0.0.1:", taken.port);
  const std::string bad_identity =
      dir.Write("bad-identity.yaml", "attributes:\n  destination.port: 80\n");
  const std::string bad_config = dir.Write("bad.yaml", "kind: rule\nspec: [\n");
  struct Case {
    const char* name;
    std::vector<std::string> argv;
    int exit_code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"server: gRPC port taken",
       {MIXLET_SERVER_BIN, "--config", kConfig, "--grpc-address", taken_address,
        "--metrics-address", "127.0.0.1:0"},
       1,
       absl::StrCat("error: --grpc-address: cannot listen on ", taken_address,
                    ": Address already in use")},
      {"server: metrics port taken",
       {MIXLET_SERVER_BIN, "--config", kConfig, "--grpc-address", "127.0.0.1:0",
        "--metrics-address", taken_address},
       1,
       "error: --metrics-address: "},
      {"server: missing config file",
       {MIXLET_SERVER_BIN, "--config", dir.File("nope.yaml")},
       2,
       "nope.yaml"},
      {"server: bad config file", {MIXLET_SERVER_BIN, "--config", bad_config}, 2, "bad.yaml"},
      {"server: no config", {MIXLET_SERVER_BIN}, 2, "at least one --config"},
      {"server: unknown flag", {MIXLET_SERVER_BIN, "--confgi", kConfig}, 2,
       "unknown argument '--confgi'"},
      {"proxy: listen port taken",
       {MIXLET_TCP_PROXY_BIN, "--listen", taken_address, "--upstream", "127.0.0.1:1"},
       1,
       absl::StrCat("error: cannot listen on ", taken_address, ": Address already in use")},
      {"proxy: bad identity",
       {MIXLET_TCP_PROXY_BIN, "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:1",
        "--identity", bad_identity},
       2,
       "bad-identity.yaml:2: attribute 'destination.port' is set by the proxy"},
      {"proxy: bad interval",
       {MIXLET_TCP_PROXY_BIN, "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:1",
        "--report-interval", "10"},
       2,
       "--report-interval '10'"},
      {"proxy: no upstream", {MIXLET_TCP_PROXY_BIN, "--listen", "127.0.0.1:0"}, 2,
       "--upstream HOST:PORT is required"},
  };
  int n = 0;
  for (const Case& c : cases) {
    Process process(c.argv, dir, absl::StrCat("case", n++));
    const int code = process.Wait(absl::Seconds(30));
    INFO(c.name << "\nstdout: " << process.out() << "\nstderr: " << process.err());
    CHECK(code == c.exit_code);
    CHECK(absl::StrContains(process.err(), c.message));
  }
}

}  // namespace
}  // namespace mixlet::e2e
