#include "mixlet/grpc/report_server.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "grpc/grpc_testing.h"
#include "istio/mixer/v1/mixer.grpc.pb.h"

namespace mixlet {
namespace {

using istio::mixer::v1::ReportRequest;
using testing::CountingRuntime;
using testing::RawReport;
using testing::Report;
using testing::TcpRequest;

std::unique_ptr<ReportServer> StartServer(const Runtime* runtime,
                                          ReportServerOptions options = ReportServerOptions()) {
  options.address = "127.0.0.1:0";
  absl::StatusOr<std::unique_ptr<ReportServer>> server = ReportServer::Start(options, runtime);
  REQUIRE(server.ok());
  return std::move(*server);
}

TEST_CASE("ReportServer: a good batch is dispatched into the handlers", "[grpc]") {
  CountingRuntime rt;
  REQUIRE(rt.Configure());
  std::unique_ptr<ReportServer> server = StartServer(rt.runtime.get());
  REQUIRE(server->port() > 0);
  REQUIRE(server->address() == absl::StrCat("127.0.0.1:", server->port()));
  auto channel = testing::Connect(server->port());

  ::grpc::Status status = Report(channel, TcpRequest({100, 20, 3}, "ratings-v2"));
  REQUIRE(status.ok());
  status = Report(channel, TcpRequest({4000}));
  REQUIRE(status.ok());
  CHECK(rt.sum("ratings-v2") == 123);
  CHECK(rt.sum("unknown") == 4000);

  ReportServerStats stats = server->stats();
  CHECK(stats.requests == 2);
  CHECK(stats.reports_dispatched == 4);
  CHECK(stats.reports_refused == 0);
  CHECK(stats.requests_refused == 0);
}

TEST_CASE("ReportServer: delta-encoded batches are applied element by element", "[grpc]") {
  CountingRuntime rt;
  REQUIRE(rt.Configure());
  std::unique_ptr<ReportServer> server = StartServer(rt.runtime.get());
  ReportBatchOptions delta;
  delta.semantics = ReportRequest::DELTA_ENCODING;
  REQUIRE(Report(testing::Connect(server->port()), TcpRequest({5, 6, 7}, "a", delta)).ok());
  CHECK(rt.sum("a") == 18);
}

TEST_CASE("ReportServer: an empty request succeeds", "[grpc]") {
  CountingRuntime rt;
  REQUIRE(rt.Configure());
  std::unique_ptr<ReportServer> server = StartServer(rt.runtime.get());
  CHECK(RawReport(testing::Connect(server->port()), "").ok());
  CHECK(server->stats().reports_dispatched == 0);
}

// Refuses elements 1 and 3 of a four-element request: 1 names a global word that does not
// exist, 3 sends a STRING attribute in the int64s map.
ReportRequest RequestWithTwoBadElements() {
  ReportRequest request = TcpRequest({1, 10, 100, 1000}, "w");
  (*request.mutable_attributes(1)->mutable_strings())[5000] = 124;
  (*request.mutable_attributes(3)->mutable_int64s())[201] = 7;  // context.reporter.kind
  return request;
}

TEST_CASE("ReportServer: malformed elements are refused by position, the rest applied",
          "[grpc]") {
  CountingRuntime rt;
  REQUIRE(rt.Configure());
  std::unique_ptr<ReportServer> server = StartServer(rt.runtime.get());
  auto channel = testing::Connect(server->port());

  ::grpc::Status status = Report(channel, RequestWithTwoBadElements());
  REQUIRE(status.error_code() == ::grpc::StatusCode::INVALID_ARGUMENT);
  const std::string& message = status.error_message();
  INFO(message);
  CHECK(absl::StartsWith(message, "2 of 4 reports refused: report 1: "));
  CHECK(absl::StrContains(message, "attribute name index 5000 in strings is out of range"));
  CHECK(absl::StrContains(message,
                          "; report 3: attribute 'context.reporter.kind' is STRING but was sent "
                          "in int64s"));
  CHECK(rt.sum("w") == 101);  // elements 0 and 2

  ReportServerStats stats = server->stats();
  CHECK(stats.reports_dispatched == 2);
  CHECK(stats.reports_refused == 2);
  CHECK(stats.requests_with_refused_reports == 1);

  // The server keeps serving.
  REQUIRE(Report(channel, TcpRequest({5}, "w")).ok());
  CHECK(rt.sum("w") == 106);
}

TEST_CASE("ReportServer: in a delta request a refused element refuses the ones after it",
          "[grpc]") {
  CountingRuntime rt;
  REQUIRE(rt.Configure());
  std::unique_ptr<ReportServer> server = StartServer(rt.runtime.get());
  ReportBatchOptions delta;
  delta.semantics = ReportRequest::DELTA_ENCODING;
  ReportRequest request = TcpRequest({1, 10, 100}, "d", delta);
  (*request.mutable_attributes(1)->mutable_int64s())[-40] = 3;  // no such message word
  ::grpc::Status status = Report(testing::Connect(server->port()), request);
  REQUIRE(status.error_code() == ::grpc::StatusCode::INVALID_ARGUMENT);
  INFO(status.error_message());
  CHECK(absl::StartsWith(status.error_message(), "2 of 3 reports refused: report 1: "));
  CHECK(absl::StrContains(status.error_message(), "; report 2: "));
  CHECK(rt.sum("d") == 1);
}

TEST_CASE("ReportServer: a newer global dictionary gets the message istio/proxy falls back on",
          "[grpc]") {
  CountingRuntime rt;
  REQUIRE(rt.Configure());
  std::unique_ptr<ReportServer> server = StartServer(rt.runtime.get());
  auto channel = testing::Connect(server->port());
  ReportRequest request = TcpRequest({9, 9}, "g");
  request.set_global_word_count(kGlobalDictionarySize + 1);

  ::grpc::Status status = Report(channel, request);
  REQUIRE(status.error_code() == ::grpc::StatusCode::INVALID_ARGUMENT);
  INFO(status.error_message());
  CHECK(absl::StartsWith(status.error_message(),
                         "Request could not be processed due to invalid"));
  CHECK(absl::StrContains(status.error_message(), "server knows 222 words, client 223"));
  CHECK(rt.sum("g") == 0);  // nothing of the request is applied
  CHECK(server->stats().requests_refused == 1);

  // The same reports with the base dictionary, as istio/proxy retries them, are applied.
  ReportBatchOptions base;
  base.global_word_count = kGlobalDictionaryBaseSize;
  REQUIRE(Report(channel, TcpRequest({9, 9}, "g", base)).ok());
  CHECK(rt.sum("g") == 18);
}

TEST_CASE("ReportServer: bytes that are not a ReportRequest are refused, the server serves on",
          "[grpc]") {
  CountingRuntime rt;
  REQUIRE(rt.Configure());
  std::unique_ptr<ReportServer> server = StartServer(rt.runtime.get());
  auto channel = testing::Connect(server->port());

  struct Case {
    const char* name;
    std::string bytes;
  };
  const std::vector<Case> cases = {
      {"truncated length", std::string("\x0a\x7f\x01", 3)},
      {"bad wire type", std::string("\x0f\x01", 2)},
      {"varint too long", std::string("\x18\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 12)},
      {"unknown semantics", std::string("\x20\x07", 2)},
  };
  for (const Case& c : cases) {
    SECTION(c.name) {
      ::grpc::Status status = RawReport(channel, c.bytes);
      INFO(status.error_message());
      CHECK(status.error_code() == ::grpc::StatusCode::INVALID_ARGUMENT);
      CHECK_FALSE(status.error_message().empty());
    }
  }
  // An element whose own bytes do not parse is refused alone.
  std::string element_garbage = TcpRequest({2}, "x").SerializeAsString();
  element_garbage += std::string("\x0a\x03\xff\xff\xff", 5);  // attributes: 3 bytes of junk
  ::grpc::Status status = RawReport(channel, element_garbage);
  CHECK(status.error_code() == ::grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(absl::StartsWith(status.error_message(), "1 of 2 reports refused: report 1: "));
  CHECK(rt.sum("x") == 2);

  REQUIRE(Report(channel, TcpRequest({1}, "x")).ok());
  CHECK(rt.sum("x") == 3);
}

TEST_CASE("ReportServer: a request larger than max_message_bytes is refused", "[grpc]") {
  CountingRuntime rt;
  REQUIRE(rt.Configure());
  ReportServerOptions options;
  options.max_message_bytes = 4096;
  std::unique_ptr<ReportServer> server = StartServer(rt.runtime.get(), options);
  auto channel = testing::Connect(server->port());
  std::vector<int64_t> many(400, 1);
  ::grpc::Status status = Report(channel, TcpRequest(many, "big"));
  CHECK(status.error_code() == ::grpc::StatusCode::RESOURCE_EXHAUSTED);
  CHECK(rt.sum("big") == 0);
  REQUIRE(Report(channel, TcpRequest({1}, "big")).ok());
}

TEST_CASE("ReportServer: without a configuration requests are UNAVAILABLE, not applied",
          "[grpc]") {
  CountingRuntime rt;  // not configured
  std::unique_ptr<ReportServer> server = StartServer(rt.runtime.get());
  auto channel = testing::Connect(server->port());
  ::grpc::Status status = Report(channel, TcpRequest({5}, "u"), "client-1");
  CHECK(status.error_code() == ::grpc::StatusCode::UNAVAILABLE);
  CHECK(server->stats().unconfigured_requests == 1);

  // Once configured, the retry with the same report id is applied (the id was not spent).
  REQUIRE(rt.Configure());
  REQUIRE(Report(channel, TcpRequest({5}, "u"), "client-1").ok());
  CHECK(rt.sum("u") == 5);
}

TEST_CASE("ReportServer: a repeated report id is answered again but applied once", "[grpc]") {
  CountingRuntime rt;
  REQUIRE(rt.Configure());
  std::unique_ptr<ReportServer> server = StartServer(rt.runtime.get());
  auto channel = testing::Connect(server->port());

  REQUIRE(Report(channel, TcpRequest({7}, "r"), "abc-1").ok());
  REQUIRE(Report(channel, TcpRequest({7}, "r"), "abc-1").ok());
  CHECK(rt.sum("r") == 7);
  REQUIRE(Report(channel, TcpRequest({7}, "r"), "abc-2").ok());
  CHECK(rt.sum("r") == 14);

  // A refusal is remembered with its message.
  ::grpc::Status first = Report(channel, RequestWithTwoBadElements(), "abc-3");
  ::grpc::Status again = Report(channel, RequestWithTwoBadElements(), "abc-3");
  CHECK(first.error_code() == ::grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(again.error_code() == first.error_code());
  CHECK(again.error_message() == first.error_message());
  CHECK(rt.sum("w") == 101);
  CHECK(server->stats().duplicate_requests == 2);
}

TEST_CASE("ReportServer: with recent_report_ids 0 every request is applied", "[grpc]") {
  CountingRuntime rt;
  REQUIRE(rt.Configure());
  ReportServerOptions options;
  options.recent_report_ids = 0;
  std::unique_ptr<ReportServer> server = StartServer(rt.runtime.get(), options);
  auto channel = testing::Connect(server->port());
  REQUIRE(Report(channel, TcpRequest({7}, "r"), "abc-1").ok());
  REQUIRE(Report(channel, TcpRequest({7}, "r"), "abc-1").ok());
  CHECK(rt.sum("r") == 14);
}

TEST_CASE("ReportServer: Check is not implemented", "[grpc]") {
  CountingRuntime rt;
  REQUIRE(rt.Configure());
  std::unique_ptr<ReportServer> server = StartServer(rt.runtime.get());
  auto stub = istio::mixer::v1::Mixer::NewStub(testing::Connect(server->port()));
  ::grpc::ClientContext context;
  istio::mixer::v1::CheckRequest request;
  istio::mixer::v1::CheckResponse response;
  CHECK(stub->Check(&context, request, &response).error_code() ==
        ::grpc::StatusCode::UNIMPLEMENTED);
}

TEST_CASE("ReportServer: concurrent requests are all counted exactly", "[grpc]") {
  CountingRuntime rt;
  REQUIRE(rt.Configure());
  std::unique_ptr<ReportServer> server = StartServer(rt.runtime.get());
  constexpr int kThreads = 8;
  constexpr int kRequests = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto channel = testing::Connect(server->port());  // one connection per thread
      ReportRequest request = TcpRequest(std::vector<int64_t>(100, t + 1), "c");
      for (int i = 0; i < kRequests; ++i) {
        if (!Report(channel, request).ok()) failures.fetch_add(1);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  CHECK(failures.load() == 0);
  // sum over t of (t + 1) * 100 * kRequests
  CHECK(rt.sum("c") == int64_t{36} * 100 * kRequests);
  CHECK(server->stats().reports_dispatched == uint64_t{kThreads} * kRequests * 100);
}

TEST_CASE("ReportServer: a reload between requests keeps the handler's counts", "[grpc]") {
  CountingRuntime rt;
  REQUIRE(rt.Configure());
  std::unique_ptr<ReportServer> server = StartServer(rt.runtime.get());
  auto channel = testing::Connect(server->port());
  REQUIRE(Report(channel, TcpRequest({1, 2}, "z")).ok());
  REQUIRE(rt.Configure());  // same config again: a new snapshot
  REQUIRE(rt.runtime->generation() == 2);
  REQUIRE(Report(channel, TcpRequest({3}, "z")).ok());
  CHECK(rt.sum("z") == 6);
}

// A port taken by a plain socket.
struct TakenPort {
  TakenPort() {
    fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    REQUIRE(listen(fd, 1) == 0);
    socklen_t len = sizeof(addr);
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
  }
  ~TakenPort() { close(fd); }
  int fd = -1;
  int port = 0;
};

TEST_CASE("ReportServer: a taken port is an error that says so", "[grpc]") {
  CountingRuntime rt;
  TakenPort taken;
  ReportServerOptions options;
  options.address = absl::StrCat("127.0.0.1:", taken.port);
  absl::StatusOr<std::unique_ptr<ReportServer>> server =
      ReportServer::Start(options, rt.runtime.get());
  REQUIRE_FALSE(server.ok());
  CHECK(server.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(server.status().message() ==
        absl::StrCat("cannot listen on 127.0.0.1:", taken.port, ": Address already in use"));

  // A second mixlet server on a port in use by the first is refused too (no SO_REUSEPORT).
  std::unique_ptr<ReportServer> first = StartServer(rt.runtime.get());
  options.address = first->address();
  server = ReportServer::Start(options, rt.runtime.get());
  REQUIRE_FALSE(server.ok());
  CHECK(absl::StrContains(server.status().message(), "Address already in use"));
}

TEST_CASE("ReportServer: bad options are refused with the field named", "[grpc]") {
  CountingRuntime rt;
  struct Case {
    const char* address;
    size_t max_message_bytes;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"127.0.0.1", 1 << 20, "address '127.0.0.1' is not host:port"},
      {"127.0.0.1:http", 1 << 20, "port 'http' is not a number in 0..65535"},
      {"127.0.0.1:70000", 1 << 20, "port '70000' is not a number in 0..65535"},
      {"::1:9091", 1 << 20, "write an IPv6 host in brackets"},
      {"127.0.0.1:0", 10, "max_message_bytes 10 is outside 1024..2147483647"},
  };
  for (const Case& c : cases) {
    ReportServerOptions options;
    options.address = c.address;
    options.max_message_bytes = c.max_message_bytes;
    absl::StatusOr<std::unique_ptr<ReportServer>> server =
        ReportServer::Start(options, rt.runtime.get());
    INFO(c.address);
    REQUIRE_FALSE(server.ok());
    CHECK(server.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(absl::StrContains(server.status().message(), c.message));
  }
  CHECK(ReportServer::Start(ReportServerOptions(), nullptr).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("ReportServer: Shutdown is idempotent and ends serving", "[grpc]") {
  CountingRuntime rt;
  REQUIRE(rt.Configure());
  std::unique_ptr<ReportServer> server = StartServer(rt.runtime.get());
  auto channel = testing::Connect(server->port());
  REQUIRE(Report(channel, TcpRequest({1}, "s")).ok());
  server->Shutdown(absl::Seconds(1));
  server->Shutdown(absl::Seconds(1));
  CHECK(Report(channel, TcpRequest({1}, "s")).error_code() == ::grpc::StatusCode::UNAVAILABLE);
  CHECK(rt.sum("s") == 1);
}

}  // namespace
}  // namespace mixlet
