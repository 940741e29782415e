#include "mixlet/grpc/report_client.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "grpc/grpc_testing.h"
#include "mixlet/grpc/report_server.h"
#include "mixlet/proxy/report_batcher.h"
#include "mixlet/proxy/tcp_reporter.h"

namespace mixlet {
namespace {

using istio::mixer::v1::ReportRequest;
using testing::CountingRuntime;
using testing::TcpRequest;

// A port nobody listens on (bound, then released).
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// A listening socket that never accepts: TCP connects (the kernel's backlog), but the HTTP/2
// handshake never completes, so gRPC's connection never opens.
struct SilentListener {
  SilentListener() {
    fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    REQUIRE(listen(fd, 16) == 0);
    socklen_t len = sizeof(addr);
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
  }
  ~SilentListener() { close(fd); }
  int fd = -1;
  int port = 0;
};

std::unique_ptr<ReportServer> StartServerOn(const Runtime* runtime, int port) {
  ReportServerOptions options;
  options.address = absl::StrCat("127.0.0.1:", port);
  absl::StatusOr<std::unique_ptr<ReportServer>> server = ReportServer::Start(options, runtime);
  REQUIRE(server.ok());
  return std::move(*server);
}

std::unique_ptr<ReportClient> MakeClient(int port, ReportClientOptions options = {}) {
  options.target = absl::StrCat("127.0.0.1:", port);
  absl::StatusOr<std::unique_ptr<ReportClient>> client = ReportClient::Create(options);
  REQUIRE(client.ok());
  return std::move(*client);
}

// Sends one request and waits for its outcome.
absl::Status SendAndWait(ReportClient& client, const ReportRequest& request) {
  absl::Notification done;
  absl::Status result;
  client.Send(request, [&](absl::Status status) {
    result = std::move(status);
    done.Notify();
  });
  done.WaitForNotification();
  return result;
}

TEST_CASE("ReportClient: delivers a request and counts it", "[grpc]") {
  CountingRuntime rt;
  REQUIRE(rt.Configure());
  auto server = StartServerOn(rt.runtime.get(), 0);
  auto client = MakeClient(server->port());
  REQUIRE(SendAndWait(*client, TcpRequest({3, 4}, "a")).ok());
  CHECK(rt.sum("a") == 7);
  ReportClientStats stats = client->stats();
  CHECK(stats.requests == 1);
  CHECK(stats.attempts == 1);
  CHECK(stats.retries == 0);
  CHECK(stats.successes == 1);
  CHECK(stats.reports_succeeded == 2);
  CHECK(stats.in_flight == 0);
}

TEST_CASE("ReportClient: INVALID_ARGUMENT is final, never retried", "[grpc]") {
  CountingRuntime rt;
  REQUIRE(rt.Configure());
  auto server = StartServerOn(rt.runtime.get(), 0);
  auto client = MakeClient(server->port());

  ReportRequest request = TcpRequest({1, 10}, "b");
  (*request.mutable_attributes(1)->mutable_strings())[4000] = 1;
  absl::Status status = SendAndWait(*client, request);
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StartsWith(status.message(), "1 of 2 reports refused: report 1: "));
  CHECK(rt.sum("b") == 1);  // the good element, once

  // The dictionary refusal keeps the message the batcher recognizes.
  ReportRequest newer = TcpRequest({5}, "b");
  newer.set_global_word_count(300);
  status = SendAndWait(*client, newer);
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StartsWith(status.message(), "Request could not be processed due to invalid"));
  CHECK(rt.sum("b") == 1);

  ReportClientStats stats = client->stats();
  CHECK(stats.attempts == 2);
  CHECK(stats.retries == 0);
  CHECK(stats.refusals == 2);
  CHECK(stats.reports_refused == 3);
}

TEST_CASE("ReportClient: UNAVAILABLE is retried until the server is there", "[grpc]") {
  CountingRuntime rt;
  REQUIRE(rt.Configure());
  const int port = FreePort();
  ReportClientOptions options;
  options.initial_backoff = absl::Milliseconds(50);
  options.max_backoff = absl::Milliseconds(200);
  options.max_attempts = 30;
  auto client = MakeClient(port, options);

  ReportRequest request = TcpRequest({11}, "c");
  absl::Notification done;
  absl::Status result;
  client->Send(request, [&](absl::Status status) {
    result = std::move(status);
    done.Notify();
  });
  absl::SleepFor(absl::Milliseconds(400));  // a few refused attempts
  CHECK_FALSE(done.HasBeenNotified());
  auto server = StartServerOn(rt.runtime.get(), port);
  REQUIRE(done.WaitForNotificationWithTimeout(absl::Seconds(20)));
  CHECK(result.ok());
  CHECK(rt.sum("c") == 11);
  ReportClientStats stats = client->stats();
  CHECK(stats.retries >= 1);
  CHECK(stats.attempts == stats.retries + 1);
  CHECK(stats.successes == 1);
  CHECK(server->stats().reports_dispatched == 1);
}

TEST_CASE("ReportClient: a connection that never opens is retried, then fails", "[grpc]") {
  SilentListener silent;
  ReportClientOptions options;
  options.attempt_timeout = absl::Milliseconds(200);
  options.initial_backoff = absl::Milliseconds(20);
  options.max_backoff = absl::Milliseconds(20);
  options.max_attempts = 3;
  auto client = MakeClient(silent.port, options);
  absl::Status status = SendAndWait(*client, TcpRequest({1, 2, 3}));
  CHECK(status.code() == absl::StatusCode::kDeadlineExceeded);
  ReportClientStats stats = client->stats();
  CHECK(stats.attempts == 3);
  CHECK(stats.retries == 2);
  CHECK(stats.failures == 1);
  CHECK(stats.reports_failed == 3);
}

TEST_CASE("ReportClient: a deadline on a ready connection is not retried", "[grpc]") {
  CountingRuntime rt;
  REQUIRE(rt.Configure());
  auto server = StartServerOn(rt.runtime.get(), 0);
  ReportClientOptions options;
  options.attempt_timeout = absl::Milliseconds(300);
  auto client = MakeClient(server->port(), options);
  REQUIRE(SendAndWait(*client, TcpRequest({1}, "d")).ok());  // connection now ready

  rt.adapter->handler()->set_delay(absl::Milliseconds(800));
  absl::Status status = SendAndWait(*client, TcpRequest({2}, "d"));
  CHECK(status.code() == absl::StatusCode::kDeadlineExceeded);
  ReportClientStats stats = client->stats();
  CHECK(stats.attempts == 2);  // one per request: the slow one was not tried again
  CHECK(stats.failures == 1);
  server->Shutdown(absl::Seconds(5));  // lets the slow call finish
  CHECK(rt.sum("d") == 3);             // the server did apply it, once
}

TEST_CASE("ReportClient: backoff is bounded and the failure counted", "[grpc]") {
  const int port = FreePort();
  ReportClientOptions options;
  options.initial_backoff = absl::Milliseconds(50);
  options.backoff_multiplier = 2;
  options.max_backoff = absl::Milliseconds(100);
  options.jitter = 0;
  options.max_attempts = 4;
  auto client = MakeClient(port, options);
  const absl::Time start = absl::Now();
  absl::Status status = SendAndWait(*client, TcpRequest({1, 1}));
  const absl::Duration took = absl::Now() - start;
  CHECK(status.code() == absl::StatusCode::kUnavailable);
  // Waits of 50, 100, 100 ms between the four attempts, each attempt refused at once.
  CHECK(took >= absl::Milliseconds(250));
  CHECK(took < absl::Seconds(3));
  ReportClientStats stats = client->stats();
  CHECK(stats.attempts == 4);
  CHECK(stats.retries == 3);
  CHECK(stats.failures == 1);
  CHECK(stats.reports_failed == 2);
  CHECK(stats.in_flight == 0);
}

TEST_CASE("ReportClient: CancelAll ends waiting requests and refuses new ones", "[grpc]") {
  const int port = FreePort();
  ReportClientOptions options;
  options.initial_backoff = absl::Seconds(30);  // the retry would wait long
  options.max_backoff = absl::Seconds(30);
  auto client = MakeClient(port, options);
  ReportRequest request = TcpRequest({1});
  absl::Notification done;
  absl::Status result;
  client->Send(request, [&](absl::Status status) {
    result = std::move(status);
    done.Notify();
  });
  // Wait for the first attempt to fail and the retry to be scheduled.
  for (int i = 0; i < 200 && client->stats().attempts == 0; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  absl::SleepFor(absl::Milliseconds(200));
  const absl::Time start = absl::Now();
  client->CancelAll();
  REQUIRE(done.WaitForNotificationWithTimeout(absl::Seconds(5)));
  CHECK(absl::Now() - start < absl::Seconds(5));
  CHECK(result.code() == absl::StatusCode::kCancelled);
  CHECK(SendAndWait(*client, request).code() == absl::StatusCode::kCancelled);
  CHECK(client->stats().failures == 2);
}

TEST_CASE("ReportClient: destroying the client completes every request", "[grpc]") {
  const int port = FreePort();
  ReportClientOptions options;
  options.initial_backoff = absl::Seconds(30);
  options.max_backoff = absl::Seconds(30);
  auto client = MakeClient(port, options);
  ReportRequest request = TcpRequest({1});
  std::atomic<int> completed{0};
  for (int i = 0; i < 5; ++i) {
    client->Send(request, [&](absl::Status status) { completed.fetch_add(1); });
  }
  client.reset();
  CHECK(completed.load() == 5);
}

TEST_CASE("ReportClient: options out of range are refused with the field named", "[grpc]") {
  struct Case {
    const char* field;
    void (*set)(ReportClientOptions&);
  };
  const std::vector<Case> cases = {
      {"target is empty", [](ReportClientOptions& o) { o.target = ""; }},
      {"attempt_timeout", [](ReportClientOptions& o) { o.attempt_timeout = absl::ZeroDuration(); }},
      {"max_attempts", [](ReportClientOptions& o) { o.max_attempts = 0; }},
      {"initial_backoff", [](ReportClientOptions& o) { o.initial_backoff = -absl::Seconds(1); }},
      {"max_backoff",
       [](ReportClientOptions& o) { o.max_backoff = o.initial_backoff / 2; }},
      {"backoff_multiplier", [](ReportClientOptions& o) { o.backoff_multiplier = 0.5; }},
      {"jitter", [](ReportClientOptions& o) { o.jitter = 1.0; }},
  };
  for (const Case& c : cases) {
    ReportClientOptions options;
    options.target = "127.0.0.1:1";
    c.set(options);
    absl::StatusOr<std::unique_ptr<ReportClient>> client = ReportClient::Create(options);
    INFO(c.field);
    REQUIRE_FALSE(client.ok());
    CHECK(client.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(absl::StrContains(client.status().message(), c.field));
  }
}

// The proxy side end to end in one process: TcpReporter -> ReportBatcher -> ReportClient ->
// ReportServer -> router -> handler, across a server restart.
TEST_CASE("ReportClient: reports cross a server restart without loss or double count",
          "[grpc]") {
  CountingRuntime rt;
  REQUIRE(rt.Configure());
  const int port = FreePort();
  auto server = StartServerOn(rt.runtime.get(), port);

  ReportClientOptions client_options;
  client_options.initial_backoff = absl::Milliseconds(50);
  client_options.max_backoff = absl::Milliseconds(200);
  client_options.max_attempts = 50;
  auto client = MakeClient(port, client_options);
  ReportBatcherOptions batcher_options;
  batcher_options.max_batch_entries = 10;
  auto batcher = ReportBatcher::Create(batcher_options, client.get()).value();
  TcpReporterOptions reporter_options;
  reporter_options.reporter_uid = "test-proxy";
  auto reporter = TcpReporter::Create(reporter_options, batcher.get()).value();

  ConnectionAttributes attributes;
  attributes.source_workload_name = "restart";
  int64_t expected = 0;
  absl::Time now = absl::Now();
  auto run_connections = [&](int n, int64_t bytes) {
    for (int i = 0; i < n; ++i) {
      absl::StatusOr<ConnectionHandle> c = reporter->Open(attributes, now);
      REQUIRE(c.ok());
      c->AddReceived(bytes + i);
      expected += bytes + i;
      REQUIRE(reporter->Close(*c, now).ok());
    }
    REQUIRE(reporter->Poll(now).ok());
    batcher->Flush();
  };
  auto wait_for = [&](int64_t sum) {
    for (int i = 0; i < 500 && rt.sum("restart") != sum; ++i) {
      absl::SleepFor(absl::Milliseconds(20));
    }
    return rt.sum("restart");
  };

  run_connections(20, 100);
  CHECK(wait_for(expected) == expected);
  server->Shutdown(absl::Seconds(1));
  server.reset();

  // While the server is down the requests wait and retry.
  run_connections(20, 1000);
  absl::SleepFor(absl::Milliseconds(300));
  CHECK(batcher->pending_requests() > 0);
  const int64_t before_restart = rt.sum("restart");
  server = StartServerOn(rt.runtime.get(), port);
  CHECK(wait_for(expected) == expected);
  CHECK(before_restart < expected);

  batcher.reset();  // waits for every request
  ReportClientStats stats = client->stats();
  CHECK(stats.failures == 0);
  CHECK(stats.reports_failed == 0);
  CHECK(stats.retries > 0);
  CHECK(stats.reports_succeeded == 80);  // 40 connections: open + close reports
  CHECK(rt.sum("restart") == expected);
}

}  // namespace
}  // namespace mixlet
