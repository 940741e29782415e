#include "mixlet/proxy/tcp_reporter.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "mixlet/attribute/vocabulary.h"
#include "proxy/report_recorder.h"
#include "proxy/tcp_attribute_table.h"
#include "testing/count_allocations.h"

namespace mixlet {
namespace {

using testing::At;
using testing::CountAllocations;
using testing::RecordedReport;
using testing::ReportRecorder;

const std::string kIpv4Client("\x0a\x01\x02\x03", 4);
const std::string kIpv4Server("\x0a\x04\x05\x06", 4);

std::unique_ptr<TcpReporter> MakeReporter(ReportSink* sink,
                                          absl::Duration interval = absl::Seconds(10)) {
  TcpReporterOptions options;
  options.reporter_uid = "proxy-7";
  options.report_interval = interval;
  absl::StatusOr<std::unique_ptr<TcpReporter>> r = TcpReporter::Create(options, sink);
  REQUIRE(r.ok());
  return std::move(*r);
}

// An outbound sidecar's view of a connection to MongoDB (attributes.md §4, EXPECTED.md §3).
ConnectionAttributes OutboundMongo() {
  ConnectionAttributes a;
  a.reporter_kind = ReporterKind::kOutbound;
  a.source_ip = kIpv4Client;
  a.source_uid = "kubernetes://ratings-v2-5d8c8d7c8-x2x7p.default";
  a.source_namespace = "default";
  a.source_workload_name = "ratings-v2";
  a.source_workload_namespace = "default";
  a.source_labels = {{"app", "ratings"}, {"version", "v2"}};
  a.destination_ip = kIpv4Server;
  a.destination_port = 27017;
  a.destination_workload_name = "mongodb-v1";
  a.destination_labels = {{"app", "mongodb"}, {"version", "v1"}};
  a.destination_service_host = "mongodb.default.svc.cluster.local";
  a.destination_service_name = "mongodb";
  a.destination_service_namespace = "default";
  a.destination_service_uid = "istio://default/services/mongodb";
  return a;
}

ConnectionHandle MustOpen(TcpReporter& r, const ConnectionAttributes& a, absl::Time now) {
  absl::StatusOr<ConnectionHandle> h = r.Open(a, now);
  REQUIRE(h.ok());
  return std::move(*h);
}

struct Bytes {
  int64_t received, received_total, sent, sent_total;
};

void CheckBytes(const RecordedReport& r, Bytes b) {
  INFO(r.event() << " report of " << r.id());
  CHECK(r.Int("connection.received.bytes") == b.received);
  CHECK(r.Int("connection.received.bytes_total") == b.received_total);
  CHECK(r.Int("connection.sent.bytes") == b.sent);
  CHECK(r.Int("connection.sent.bytes_total") == b.sent_total);
}

TEST_CASE("TcpReporter: tcp.md worked example, with open at accept", "[proxy]") {
  // tcp.md §4's example (interval 10 s; client sends 100 B at 1 s, server answers 300 B at 2 s,
  // client sends 50 B at 15 s, close at 17 s) with mixlet's fixed semantics: the open report is
  // for the accept at 0 s, so the continue comes at 10 s, and every report advances the
  // watermark.
  ReportRecorder sink;
  auto reporter = MakeReporter(&sink);
  ConnectionHandle c = MustOpen(*reporter, OutboundMongo(), At(0));
  REQUIRE(reporter->Poll(At(0)).ok());
  c.AddReceived(100);
  REQUIRE(reporter->Poll(At(1)).ok());
  c.AddSent(300);
  REQUIRE(reporter->Poll(At(2)).ok());
  REQUIRE(reporter->Poll(At(9.999)).ok());
  REQUIRE(reporter->Poll(At(10)).ok());
  c.AddReceived(50);
  REQUIRE(reporter->Poll(At(15)).ok());
  REQUIRE(reporter->Close(c, At(17)).ok());
  REQUIRE(reporter->Poll(At(17)).ok());

  const std::vector<RecordedReport> reports = sink.Take();
  REQUIRE(reports.size() == 3);
  CHECK(reports[0].event() == "open");
  CHECK(reports[0].time() == At(0));
  CheckBytes(reports[0], {0, 0, 0, 0});
  CHECK(reports[1].event() == "continue");
  CHECK(reports[1].time() == At(10));
  CheckBytes(reports[1], {100, 100, 300, 300});
  CHECK(reports[2].event() == "close");
  CHECK(reports[2].time() == At(17));
  CheckBytes(reports[2], {50, 150, 0, 300});
  REQUIRE(reports[2].Find("connection.duration") != nullptr);
  CHECK(reports[2].Find("connection.duration")->duration() == absl::Seconds(17));
  CHECK(reports[0].Find("connection.duration") == nullptr);
  CHECK(reports[1].Find("connection.duration") == nullptr);
}

TEST_CASE("TcpReporter: reports carry exactly the attribute sets of attributes.md §4", "[proxy]") {
  ReportRecorder sink;
  TcpReporterOptions options;
  options.reporter_uid = "kubernetes://ratings-v2-5d8c8d7c8-x2x7p.default";
  options.proxy_version = "1.7.0";
  auto reporter = std::move(*TcpReporter::Create(options, &sink));

  ConnectionAttributes a = OutboundMongo();
  a.source_principal = "cluster.local/ns/bookinfo/sa/bookinfo-ratings-v2";
  a.destination_principal = "cluster.local/ns/default/sa/mongodb";
  a.mtls = true;
  a.requested_server_name = "outbound_.27017_._.mongodb.default.svc.cluster.local";
  ConnectionHandle c = MustOpen(*reporter, a, At(0));
  c.AddReceived(10);
  REQUIRE(reporter->Poll(At(0)).ok());
  c.AddSent(20);
  REQUIRE(reporter->Poll(At(10)).ok());
  REQUIRE(reporter->Close(c, At(12.5)).ok());
  REQUIRE(reporter->Poll(At(13)).ok());
  const std::vector<RecordedReport> reports = sink.Take();
  REQUIRE(reports.size() == 3);

  const std::set<std::string> common = {
      // static (outbound listener)
      "context.reporter.kind", "context.reporter.uid", "context.proxy_version", "source.uid",
      "source.namespace", "destination.service.host", "destination.service.name",
      "destination.service.namespace", "destination.service.uid",
      // check-time
      "source.ip", "origin.ip", "source.principal", "source.user", "destination.principal",
      "connection.mtls", "connection.requested_server_name", "context.time", "context.protocol",
      "connection.id",
      // report-time
      "connection.event", "connection.received.bytes", "connection.received.bytes_total",
      "connection.sent.bytes", "connection.sent.bytes_total", "destination.ip", "destination.port",
      // what kubernetesenv added in Mixer, given by the proxy here
      "source.workload.name", "source.workload.namespace", "source.labels",
      "destination.workload.name", "destination.labels"};
  std::set<std::string> with_duration = common;
  with_duration.insert("connection.duration");
  CHECK(reports[0].Names() == common);
  CHECK(reports[1].Names() == common);
  CHECK(reports[2].Names() == with_duration);

  for (const RecordedReport& r : reports) {
    INFO(r.event());
    CHECK(r.Find("context.protocol")->string() == "tcp");
    CHECK(r.Find("connection.id")->string() == "kubernetes://ratings-v2-5d8c8d7c8-x2x7p.default-1");
    CHECK(r.Find("context.reporter.uid")->string() ==
          "kubernetes://ratings-v2-5d8c8d7c8-x2x7p.default");
    CHECK(r.Find("context.reporter.kind")->string() == "outbound");
    CHECK(r.Find("context.proxy_version")->string() == "1.7.0");
    CHECK(r.Find("source.ip")->ip_bytes() == kIpv4Client);
    CHECK(r.Find("origin.ip")->ip_bytes() == kIpv4Client);
    CHECK(r.Find("destination.ip")->ip_bytes() == kIpv4Server);
    CHECK(r.Find("destination.port")->int64() == 27017);
    // The peer certificate's namespace replaces the static one (tcp.md §5).
    CHECK(r.Find("source.namespace")->string() == "bookinfo");
    CHECK(r.Find("source.principal")->string() ==
          "cluster.local/ns/bookinfo/sa/bookinfo-ratings-v2");
    CHECK(r.Find("source.user")->string() == "cluster.local/ns/bookinfo/sa/bookinfo-ratings-v2");
    CHECK(r.Find("connection.mtls")->bool_value());
    CHECK(r.Find("source.labels")->string_map().Find("version") == absl::string_view("v2"));
    CHECK(r.Find("destination.labels")->string_map().Find("app") == absl::string_view("mongodb"));
    CHECK(r.Find("source.labels")->type() == ValueType::kStringMap);
  }
  CHECK(reports[0].event() == "open");
  CheckBytes(reports[0], {10, 10, 0, 0});
  CHECK(reports[1].event() == "continue");
  CheckBytes(reports[1], {0, 10, 20, 20});
  CHECK(reports[2].event() == "close");
  CheckBytes(reports[2], {0, 10, 0, 20});
  CHECK(reports[2].Find("connection.duration")->duration() == absl::Milliseconds(12500));
  CHECK(reports[2].time() == At(12.5));
}

TEST_CASE("TcpReporter: an inbound report carries only what is known", "[proxy]") {
  ReportRecorder sink;
  auto reporter = MakeReporter(&sink);
  ConnectionAttributes a;
  a.reporter_kind = ReporterKind::kInbound;
  a.source_ip = kIpv4Client;
  a.destination_ip = kIpv4Server;
  a.destination_port = 9080;
  a.destination_uid = "kubernetes://details-v1.default";
  a.destination_namespace = "default";
  ConnectionHandle c = MustOpen(*reporter, a, At(0));
  REQUIRE(reporter->Poll(At(0)).ok());
  const std::vector<RecordedReport> reports = sink.Take();
  REQUIRE(reports.size() == 1);
  const std::set<std::string> expected = {"context.reporter.kind",
                                          "context.reporter.uid",
                                          "destination.uid",
                                          "destination.namespace",
                                          "destination.ip",
                                          "destination.port",
                                          "source.ip",
                                          "origin.ip",
                                          "connection.mtls",
                                          "context.time",
                                          "context.protocol",
                                          "connection.id",
                                          "connection.event",
                                          "connection.received.bytes",
                                          "connection.received.bytes_total",
                                          "connection.sent.bytes",
                                          "connection.sent.bytes_total"};
  CHECK(reports[0].Names() == expected);
  CHECK(reports[0].Find("context.reporter.kind")->string() == "inbound");
  CHECK_FALSE(reports[0].Find("connection.mtls")->bool_value());
  CHECK(reports[0].Find("destination.service.host") == nullptr);
}

TEST_CASE("TcpReporter: a zero-byte connection gives an open and a close", "[proxy]") {
  ReportRecorder sink;
  auto reporter = MakeReporter(&sink);
  ConnectionHandle c = MustOpen(*reporter, OutboundMongo(), At(3));
  REQUIRE(reporter->Close(c, At(3.25)).ok());
  REQUIRE(reporter->Poll(At(4)).ok());
  const std::vector<RecordedReport> reports = sink.Take();
  REQUIRE(reports.size() == 2);
  CHECK(reports[0].event() == "open");
  CHECK(reports[0].time() == At(3));
  CheckBytes(reports[0], {0, 0, 0, 0});
  CHECK(reports[1].event() == "close");
  CHECK(reports[1].time() == At(3.25));
  CheckBytes(reports[1], {0, 0, 0, 0});
  CHECK(reports[1].Find("connection.duration")->duration() == absl::Milliseconds(250));
  CHECK(reports[0].poll_time == At(4));
  // Nothing more, however long we poll.
  REQUIRE(reporter->Poll(At(100)).ok());
  CHECK(sink.reports.empty());
}

TEST_CASE("TcpReporter: a server-speaks-first connection is reported from the accept", "[proxy]") {
  ReportRecorder sink;
  auto reporter = MakeReporter(&sink);
  ConnectionHandle c = MustOpen(*reporter, OutboundMongo(), At(0));
  c.AddSent(42);  // the server's greeting, before the client says anything
  REQUIRE(reporter->Poll(At(0.5)).ok());
  c.AddReceived(7);
  REQUIRE(reporter->Close(c, At(1)).ok());
  REQUIRE(reporter->Poll(At(1)).ok());
  const std::vector<RecordedReport> reports = sink.Take();
  REQUIRE(reports.size() == 2);
  CheckBytes(reports[0], {0, 0, 42, 42});
  // The open report advanced the watermark: the 42 bytes are not counted again.
  CheckBytes(reports[1], {7, 7, 0, 42});
}

TEST_CASE("TcpReporter: a connection closed before a due continue gets only its close", "[proxy]") {
  ReportRecorder sink;
  auto reporter = MakeReporter(&sink);
  ConnectionHandle c = MustOpen(*reporter, OutboundMongo(), At(0));
  c.AddReceived(5);
  REQUIRE(reporter->Close(c, At(25)).ok());
  c.AddReceived(1000);  // after Close: not reported
  REQUIRE(reporter->Poll(At(30)).ok());
  const std::vector<RecordedReport> reports = sink.Take();
  REQUIRE(reports.size() == 2);
  CHECK(reports[0].event() == "open");
  CHECK(reports[1].event() == "close");
  CHECK(reports[0].Int("connection.received.bytes") + reports[1].Int("connection.received.bytes") ==
        5);
  CHECK(reports[1].Int("connection.received.bytes_total") == 5);
}

TEST_CASE("ReportIntervalFromConfig: tcp.md §2 rules", "[proxy]") {
  struct Case {
    absl::optional<ProtoDuration> config;
    absl::Duration expected;
  };
  const Case cases[] = {
      {absl::nullopt, absl::Seconds(10)},
      {ProtoDuration{-1, 0}, absl::Seconds(10)},
      {ProtoDuration{5, -1}, absl::Seconds(10)},
      {ProtoDuration{-5, 500000000}, absl::Seconds(10)},
      {ProtoDuration{0, 0}, absl::Seconds(1)},
      {ProtoDuration{0, 200000000}, absl::Seconds(1)},
      {ProtoDuration{0, 999999999}, absl::Seconds(1)},
      {ProtoDuration{1, 0}, absl::Seconds(1)},
      {ProtoDuration{1, 500000000}, absl::Milliseconds(1500)},
      {ProtoDuration{2, 999999}, absl::Seconds(2)},
      {ProtoDuration{60, 0}, absl::Seconds(60)},
  };
  for (const Case& c : cases) {
    INFO((c.config ? absl::StrCat(c.config->seconds, "s ", c.config->nanos, "ns") : "absent"));
    CHECK(ReportIntervalFromConfig(c.config) == c.expected);
  }
}

TEST_CASE("TcpReporter: the report interval option is clamped as tcp.md §2 says", "[proxy]") {
  struct Case {
    absl::Duration option;
    absl::Duration effective;
  };
  const Case cases[] = {
      {absl::Milliseconds(200), absl::Seconds(1)},
      {absl::ZeroDuration(), absl::Seconds(1)},
      {absl::Milliseconds(999), absl::Seconds(1)},
      {absl::Milliseconds(1500), absl::Milliseconds(1500)},
      {absl::Microseconds(1999999), absl::Milliseconds(1999)},
      {absl::Seconds(-3), absl::Seconds(10)},
      {-absl::InfiniteDuration(), absl::Seconds(10)},
      {absl::Seconds(30), absl::Seconds(30)},
  };
  for (const Case& c : cases) {
    INFO(absl::FormatDuration(c.option));
    ReportRecorder sink;
    auto reporter = MakeReporter(&sink, c.option);
    CHECK(reporter->report_interval() == c.effective);
  }

  // Behaviour, not just the accessor: 200 ms acts as 1 s.
  ReportRecorder sink;
  auto reporter = MakeReporter(&sink, absl::Milliseconds(200));
  ConnectionHandle c = MustOpen(*reporter, OutboundMongo(), At(0));
  REQUIRE(reporter->Poll(At(0)).ok());
  REQUIRE(reporter->Poll(At(0.2)).ok());
  REQUIRE(reporter->Poll(At(0.999)).ok());
  CHECK(sink.Take().size() == 1);
  REQUIRE(reporter->Poll(At(1)).ok());
  std::vector<RecordedReport> reports = sink.Take();
  REQUIRE(reports.size() == 1);
  CHECK(reports[0].event() == "continue");

  TcpReporterOptions options;
  options.reporter_uid = "p";
  options.report_interval = absl::InfiniteDuration();
  absl::StatusOr<std::unique_ptr<TcpReporter>> bad = TcpReporter::Create(options, &sink);
  REQUIRE(bad.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(bad.status().message()), Catch::Contains("report_interval"));
}

TEST_CASE("TcpReporter: continue reports keep their cadence, a late poll emits one", "[proxy]") {
  ReportRecorder sink;
  auto reporter = MakeReporter(&sink);
  ConnectionHandle c = MustOpen(*reporter, OutboundMongo(), At(0));
  struct Step {
    double poll;
    bool expect_continue;
  };
  const Step steps[] = {{0, false}, {9.9, false}, {10, true},  {20.5, true},  {29.9, false},
                        {30, true}, {55, true},   {60, false}, {64.9, false}, {65, true}};
  REQUIRE(reporter->Poll(At(0)).ok());
  REQUIRE(sink.Take().size() == 1);  // open
  for (const Step& s : steps) {
    INFO("poll at " << s.poll);
    REQUIRE(reporter->Poll(At(s.poll)).ok());
    std::vector<RecordedReport> reports = sink.Take();
    REQUIRE(reports.size() == (s.expect_continue ? 1u : 0u));
    if (s.expect_continue) {
      CHECK(reports[0].event() == "continue");
      CHECK(reports[0].time() == At(s.poll));
    }
  }
}

TEST_CASE("TcpReporter: deltas sum to totals over random traffic", "[proxy]") {
  std::mt19937_64 rng(20240611);
  ReportRecorder sink;
  auto reporter = MakeReporter(&sink, absl::Seconds(1));
  struct Conn {
    ConnectionHandle handle;
    uint64_t received = 0;
    uint64_t sent = 0;
    bool closed = false;
  };
  std::vector<Conn> conns;
  double t = 0;
  for (int step = 0; step < 4000; ++step) {
    t += std::uniform_real_distribution<double>(0, 0.3)(rng);
    const int op = std::uniform_int_distribution<int>(0, 9)(rng);
    if (op == 0 || conns.empty()) {
      conns.push_back(Conn{MustOpen(*reporter, OutboundMongo(), At(t))});
    } else if (op <= 6) {
      Conn& c = conns[std::uniform_int_distribution<size_t>(0, conns.size() - 1)(rng)];
      if (c.closed) continue;
      const uint64_t n = std::uniform_int_distribution<uint64_t>(0, 1 << 16)(rng);
      if (op % 2 == 0) {
        c.handle.AddReceived(n);
        c.received += n;
      } else {
        c.handle.AddSent(n);
        c.sent += n;
      }
    } else if (op == 7) {
      Conn& c = conns[std::uniform_int_distribution<size_t>(0, conns.size() - 1)(rng)];
      if (!c.closed) REQUIRE(reporter->Close(c.handle, At(t)).ok());
      c.closed = true;
    } else {
      REQUIRE(reporter->Poll(At(t)).ok());
    }
  }
  reporter->CloseAll(At(t));
  REQUIRE(reporter->Poll(At(t)).ok());

  struct Seen {
    int64_t received = 0, sent = 0, last_received_total = 0, last_sent_total = 0;
    std::vector<std::string> events;
  };
  std::map<std::string, Seen> seen;
  for (const RecordedReport& r : sink.reports) {
    Seen& s = seen[r.id()];
    s.received += r.Int("connection.received.bytes");
    s.sent += r.Int("connection.sent.bytes");
    // Each total is the sum of the deltas so far.
    REQUIRE(r.Int("connection.received.bytes_total") == s.received);
    REQUIRE(r.Int("connection.sent.bytes_total") == s.sent);
    s.last_received_total = r.Int("connection.received.bytes_total");
    s.last_sent_total = r.Int("connection.sent.bytes_total");
    s.events.push_back(r.event());
  }
  REQUIRE(seen.size() == conns.size());
  for (size_t i = 0; i < conns.size(); ++i) {
    const std::string id = absl::StrCat("proxy-7-", i + 1);
    INFO(id);
    const Seen& s = seen[id];
    CHECK(s.last_received_total == static_cast<int64_t>(conns[i].received));
    CHECK(s.last_sent_total == static_cast<int64_t>(conns[i].sent));
    REQUIRE(s.events.size() >= 2);
    CHECK(s.events.front() == "open");
    CHECK(s.events.back() == "close");
    for (size_t k = 1; k + 1 < s.events.size(); ++k) CHECK(s.events[k] == "continue");
  }
  const TcpReporterStats stats = reporter->stats();
  CHECK(stats.opened == conns.size());
  CHECK(stats.closed == conns.size());
  CHECK(stats.active == 0);
  CHECK(stats.open_reports == conns.size());
  CHECK(stats.close_reports == conns.size());
  CHECK(stats.open_reports + stats.continue_reports + stats.close_reports == sink.reports.size());
}

TEST_CASE("TcpReporter: AddReceived/AddSent from many threads count exactly", "[proxy]") {
  ReportRecorder sink;
  auto reporter = MakeReporter(&sink);
  ConnectionHandle shared = MustOpen(*reporter, OutboundMongo(), At(0));
  constexpr int kThreads = 4;
  constexpr int kAdds = 200000;
  std::vector<ConnectionHandle> own;
  for (int i = 0; i < kThreads; ++i) own.push_back(MustOpen(*reporter, OutboundMongo(), At(0)));
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      for (int k = 0; k < kAdds; ++k) {
        shared.AddReceived(1);
        shared.AddSent(3);
        own[i].AddReceived(static_cast<uint64_t>(i + 1));
      }
    });
  }
  for (std::thread& t : threads) t.join();
  CHECK(shared.received_total() == uint64_t{kThreads} * kAdds);
  CHECK(shared.sent_total() == uint64_t{kThreads} * kAdds * 3);
  for (int i = 0; i < kThreads; ++i) CHECK(own[i].received_total() == uint64_t(i + 1) * kAdds);
  REQUIRE(reporter->Close(shared, At(1)).ok());
  REQUIRE(reporter->Poll(At(1)).ok());
  for (const RecordedReport& r : sink.reports) {
    if (r.id() == "proxy-7-1" && r.event() == "close") {
      CHECK(r.Int("connection.received.bytes_total") == int64_t{kThreads} * kAdds);
      CHECK(r.Int("connection.sent.bytes_total") == int64_t{kThreads} * kAdds * 3);
    }
  }
}

TEST_CASE("TcpReporter: Open, AddBytes, Close and Poll race safely", "[proxy]") {
  ReportRecorder sink;
  auto reporter = MakeReporter(&sink, absl::Seconds(1));
  std::atomic<bool> done{false};
  std::atomic<int64_t> clock_ms{0};
  auto now = [&] { return At(0) + absl::Milliseconds(clock_ms.load()); };
  std::atomic<int> poll_errors{0};
  std::thread poller([&] {
    while (!done.load()) {
      clock_ms.fetch_add(7);
      if (!reporter->Poll(now()).ok()) poll_errors.fetch_add(1);
    }
  });
  constexpr int kWorkers = 2;
  constexpr int kConnsPerWorker = 300;
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&] {
      for (int i = 0; i < kConnsPerWorker; ++i) {
        absl::StatusOr<ConnectionHandle> c = reporter->Open(OutboundMongo(), now());
        if (!c.ok()) std::abort();
        for (int k = 0; k < 50; ++k) {
          c->AddReceived(2);
          c->AddSent(1);
        }
        // Every third connection is dropped without Close: the reporter closes it.
        if (i % 3 != 0 && !reporter->Close(*c, now()).ok()) std::abort();
      }
    });
  }
  for (std::thread& t : workers) t.join();
  done.store(true);
  poller.join();
  REQUIRE(poll_errors.load() == 0);
  REQUIRE(reporter->Poll(now()).ok());

  std::map<std::string, std::pair<int64_t, int64_t>> sums;
  std::map<std::string, int> closes;
  for (const RecordedReport& r : sink.reports) {
    sums[r.id()].first += r.Int("connection.received.bytes");
    sums[r.id()].second += r.Int("connection.sent.bytes");
    if (r.event() == "close") ++closes[r.id()];
  }
  REQUIRE(sums.size() == kWorkers * kConnsPerWorker);
  for (const auto& [id, s] : sums) {
    INFO(id);
    CHECK(s.first == 100);
    CHECK(s.second == 50);
    CHECK(closes[id] == 1);
  }
  CHECK(reporter->stats().active == 0);
}

TEST_CASE("TcpReporter: a handle dropped without Close is closed at the next poll", "[proxy]") {
  ReportRecorder sink;
  auto reporter = MakeReporter(&sink);
  {
    ConnectionHandle c = MustOpen(*reporter, OutboundMongo(), At(0));
    REQUIRE(reporter->Poll(At(0)).ok());
    c.AddReceived(11);
  }  // e.g. an error path that forgot Close
  REQUIRE(reporter->Poll(At(4)).ok());
  std::vector<RecordedReport> reports = sink.Take();
  REQUIRE(reports.size() == 2);
  CHECK(reports[1].event() == "close");
  CHECK(reports[1].time() == At(4));
  CHECK(reports[1].Find("connection.duration")->duration() == absl::Seconds(4));
  CheckBytes(reports[1], {11, 11, 0, 0});

  // Dropped before its open report went out: open and close in one poll.
  { ConnectionHandle c = MustOpen(*reporter, OutboundMongo(), At(5)); }
  REQUIRE(reporter->Poll(At(6)).ok());
  reports = sink.Take();
  REQUIRE(reports.size() == 2);
  CHECK(reports[0].event() == "open");
  CHECK(reports[1].event() == "close");

  // Moving over a handle releases the connection it held.
  ConnectionHandle a = MustOpen(*reporter, OutboundMongo(), At(7));
  a = MustOpen(*reporter, OutboundMongo(), At(7));
  REQUIRE(reporter->Poll(At(8)).ok());
  reports = sink.Take();
  REQUIRE(reports.size() == 3);  // two opens, one close
  CHECK(reports[2].event() == "close");
  CHECK(reports[2].id() == "proxy-7-3");
  CHECK(reporter->stats().active == 1);
}

TEST_CASE("TcpReporter: Close is idempotent and checks its handle", "[proxy]") {
  ReportRecorder sink;
  auto reporter = MakeReporter(&sink);
  ConnectionHandle c = MustOpen(*reporter, OutboundMongo(), At(10));
  REQUIRE(reporter->Close(c, At(11)).ok());
  REQUIRE(reporter->Close(c, At(12)).ok());
  REQUIRE(reporter->Poll(At(12)).ok());
  REQUIRE(reporter->Close(c, At(13)).ok());
  REQUIRE(reporter->Poll(At(13)).ok());
  std::vector<RecordedReport> reports = sink.Take();
  REQUIRE(reports.size() == 2);
  CHECK(reports[1].time() == At(11));

  // A close time before the accept (clock skew) is taken as the accept time.
  ConnectionHandle skewed = MustOpen(*reporter, OutboundMongo(), At(20));
  REQUIRE(reporter->Close(skewed, At(19)).ok());
  REQUIRE(reporter->Poll(At(20)).ok());
  reports = sink.Take();
  REQUIRE(reports.size() == 2);
  CHECK(reports[1].Find("connection.duration")->duration() == absl::ZeroDuration());

  ConnectionHandle empty;
  absl::Status s = reporter->Close(empty, At(1));
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(s.message()), Catch::Contains("empty"));
  empty.AddReceived(5);  // harmless
  CHECK(empty.received_total() == 0);

  ReportRecorder other_sink;
  auto other = MakeReporter(&other_sink);
  ConnectionHandle foreign = MustOpen(*other, OutboundMongo(), At(1));
  s = reporter->Close(foreign, At(2));
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(s.message()), Catch::Contains("another TcpReporter"));
}

TEST_CASE("TcpReporter: CloseAll closes every open connection", "[proxy]") {
  ReportRecorder sink;
  auto reporter = MakeReporter(&sink);
  ConnectionHandle a = MustOpen(*reporter, OutboundMongo(), At(0));
  REQUIRE(reporter->Poll(At(0)).ok());
  ConnectionHandle b = MustOpen(*reporter, OutboundMongo(), At(1));  // not polled yet
  ConnectionHandle c = MustOpen(*reporter, OutboundMongo(), At(1));
  REQUIRE(reporter->Close(c, At(2)).ok());
  reporter->CloseAll(At(3));
  REQUIRE(reporter->Poll(At(3)).ok());
  std::map<std::string, std::vector<std::string>> events;
  std::map<std::string, absl::Time> close_times;
  for (const RecordedReport& r : sink.reports) {
    events[r.id()].push_back(r.event());
    if (r.event() == "close") close_times[r.id()] = r.time();
  }
  CHECK(events["proxy-7-1"] == std::vector<std::string>{"open", "close"});
  CHECK(events["proxy-7-2"] == std::vector<std::string>{"open", "close"});
  CHECK(events["proxy-7-3"] == std::vector<std::string>{"open", "close"});
  CHECK(close_times["proxy-7-1"] == At(3));
  CHECK(close_times["proxy-7-2"] == At(3));
  CHECK(close_times["proxy-7-3"] == At(2));
  CHECK(reporter->stats().active == 0);
}

TEST_CASE("TcpReporter: extra attributes are carried and checked", "[proxy]") {
  ReportRecorder sink;
  auto reporter = MakeReporter(&sink);
  ConnectionAttributes a = OutboundMongo();
  a.extra.emplace_back("context.proxy_error_code", OwnedValue::Of(Value::String("UF")));
  a.extra.emplace_back("destination.mesh.id", OwnedValue::Of(Value::String("mesh1")));
  a.extra.emplace_back("source.workload.name", OwnedValue::Of(Value::String("override")));
  a.extra.emplace_back("mongo.dynamic", OwnedValue::StringMapOf({{"op", "insert"}}));
  ConnectionHandle c = MustOpen(*reporter, a, At(0));
  a = ConnectionAttributes();  // the reporter kept its own copies
  REQUIRE(reporter->Poll(At(0)).ok());
  REQUIRE(sink.reports.size() == 1);
  const RecordedReport& r = sink.reports[0];
  CHECK(r.Find("context.proxy_error_code")->string() == "UF");
  CHECK(r.Find("destination.mesh.id")->string() == "mesh1");
  CHECK(r.Find("source.workload.name")->string() == "override");
  CHECK(r.Find("mongo.dynamic")->string_map().Find("op") == absl::string_view("insert"));
  CHECK(r.Find("destination.service.host")->string() == "mongodb.default.svc.cluster.local");
}

TEST_CASE("TcpReporter: Open refuses bad attributes with the field at fault", "[proxy]") {
  struct Case {
    const char* name;
    void (*mutate)(ConnectionAttributes&);
    const char* message;
  };
  const Case cases[] = {
      {"3-byte source ip", [](ConnectionAttributes& a) { a.source_ip = "abc"; },
       "source_ip: an IP address must be 4 or 16 raw bytes"},
      {"text destination ip", [](ConnectionAttributes& a) { a.destination_ip = "10.0.0.1"; },
       "destination_ip: an IP address must be 4 or 16 raw bytes"},
      {"port too large", [](ConnectionAttributes& a) { a.destination_port = 70000; },
       "destination_port: 70000 is outside 0..65535"},
      {"negative port", [](ConnectionAttributes& a) { a.destination_port = -1; },
       "destination_port: -1 is outside 0..65535"},
      {"duplicate label",
       [](ConnectionAttributes& a) {
         a.source_labels = {{"app", "x"}, {"app", "y"}};
       },
       "source_labels: duplicate key 'app'"},
      {"reporter attribute in extra",
       [](ConnectionAttributes& a) {
         a.extra.emplace_back("connection.event", OwnedValue::Of(Value::String("open")));
       },
       "extra['connection.event']: the TCP reporter sets this attribute itself"},
      {"wrong type in extra",
       [](ConnectionAttributes& a) {
         a.extra.emplace_back("destination.port", OwnedValue::Of(Value::String("80")));
       },
       "extra['destination.port']: the vocabulary declares type INT64, got a value of type "
       "STRING"},
      {"extra twice",
       [](ConnectionAttributes& a) {
         a.extra.emplace_back("x.y", OwnedValue::Of(Value::Int64(1)));
         a.extra.emplace_back("x.y", OwnedValue::Of(Value::Int64(2)));
       },
       "extra['x.y']: given twice"},
      {"extra without value",
       [](ConnectionAttributes& a) { a.extra.emplace_back("x.y", OwnedValue()); },
       "extra['x.y']: no value"},
      {"extra without name",
       [](ConnectionAttributes& a) { a.extra.emplace_back("", OwnedValue::Of(Value::Int64(1))); },
       "extra: empty attribute name"},
  };
  ReportRecorder sink;
  auto reporter = MakeReporter(&sink);
  for (const Case& c : cases) {
    INFO(c.name);
    ConnectionAttributes a = OutboundMongo();
    c.mutate(a);
    absl::StatusOr<ConnectionHandle> h = reporter->Open(a, At(0));
    REQUIRE(h.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(h.status().message()), Catch::Contains(c.message));
  }
  // Refused opens consume no connection number and report nothing.
  ConnectionHandle ok = MustOpen(*reporter, OutboundMongo(), At(0));
  REQUIRE(reporter->Poll(At(0)).ok());
  REQUIRE(sink.reports.size() == 1);
  CHECK(sink.reports[0].id() == "proxy-7-1");
  CHECK(reporter->stats().opened == 1);
}

TEST_CASE("TcpReporter: Create refuses bad options", "[proxy]") {
  ReportRecorder sink;
  TcpReporterOptions good;
  good.reporter_uid = "p";

  TcpReporterOptions no_uid = good;
  no_uid.reporter_uid.clear();
  absl::Status s = TcpReporter::Create(no_uid, &sink).status();
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(s.message()), Catch::Contains("reporter_uid"));

  s = TcpReporter::Create(good, nullptr).status();
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(s.message()), Catch::Contains("sink"));

  TcpReporterOptions no_vocabulary = good;
  no_vocabulary.vocabulary = nullptr;
  s = TcpReporter::Create(no_vocabulary, &sink).status();
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);

  VocabularyBuilder b = VocabularyBuilder::Standard();
  REQUIRE(b.Add("connection.id", ValueType::kInt64).ok());
  TcpReporterOptions bad_vocabulary = good;
  bad_vocabulary.vocabulary = std::move(b).Build();
  s = TcpReporter::Create(bad_vocabulary, &sink).status();
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(s.message()),
             Catch::Contains("declares 'connection.id' as INT64; TCP reports carry it as STRING"));
}

TEST_CASE("TcpReporter: follows the vocabulary's string types and carries undeclared names",
          "[proxy]") {
  VocabularyBuilder b;
  REQUIRE(b.Add("destination.service.host", ValueType::kDnsName).ok());
  REQUIRE(b.Add("connection.received.bytes", ValueType::kInt64).ok());
  TcpReporterOptions options;
  options.reporter_uid = "p";
  options.vocabulary = std::move(b).Build();
  ReportRecorder sink;
  auto reporter = std::move(*TcpReporter::Create(options, &sink));
  ConnectionHandle c = MustOpen(*reporter, OutboundMongo(), At(0));
  REQUIRE(reporter->Poll(At(0)).ok());
  REQUIRE(sink.reports.size() == 1);
  const RecordedReport& r = sink.reports[0];
  CHECK(r.Find("destination.service.host")->type() == ValueType::kDnsName);
  // Not declared: carried by name with the reported type.
  CHECK(r.Find("connection.event")->type() == ValueType::kString);
  CHECK(r.Find("connection.sent.bytes")->type() == ValueType::kInt64);
  CHECK(r.Find("source.labels")->type() == ValueType::kStringMap);
}

TEST_CASE("TcpReporter: counting bytes and polling allocate nothing once warm", "[proxy]") {
  testing::CountingSink sink;
  auto reporter = MakeReporter(&sink, absl::Seconds(1));
  ConnectionAttributes a = OutboundMongo();
  a.extra.emplace_back("destination.mesh.id", OwnedValue::Of(Value::String("mesh1")));
  std::vector<ConnectionHandle> conns;
  for (int i = 0; i < 8; ++i) conns.push_back(MustOpen(*reporter, a, At(0)));
  REQUIRE(reporter->Poll(At(0)).ok());
  REQUIRE(reporter->Poll(At(1)).ok());  // warms the bag with a continue of each connection
  const uint64_t before = sink.count;
  {
    CountAllocations allocs;
    for (int k = 0; k < 1000; ++k) {
      conns[k % 8].AddReceived(100);
      conns[k % 8].AddSent(50);
    }
    CHECK(allocs.count() == 0);
  }
  {
    CountAllocations allocs;
    REQUIRE(reporter->Poll(At(2)).ok());
    REQUIRE(reporter->Poll(At(3)).ok());
    CHECK(allocs.count() == 0);
  }
  CHECK(sink.count == before + 16);
}

TEST_CASE("TcpReporter: source.namespace follows istio/proxy's principal rule", "[proxy]") {
  struct Case {
    const char* principal;
    const char* expected_namespace;  // nullptr: the static value "static" is kept
  };
  const Case cases[] = {
      {"cluster.local/ns/bookinfo/sa/ratings", "bookinfo"},
      {"td/sa/x/ns/prod", "prod"},
      {"td/ns/", ""},
      {"td/ns", nullptr},
      {"ns/bookinfo/sa/x", nullptr},  // the first token is the domain, never a key
      {"no-slashes", nullptr},
      {"", nullptr},
  };
  for (const Case& c : cases) {
    INFO(c.principal);
    ReportRecorder sink;
    auto reporter = MakeReporter(&sink);
    ConnectionAttributes a;
    a.source_namespace = "static";
    a.source_principal = c.principal;
    ConnectionHandle h = MustOpen(*reporter, a, At(0));
    REQUIRE(reporter->Poll(At(0)).ok());
    REQUIRE(sink.reports.size() == 1);
    const Value* ns = sink.reports[0].Find("source.namespace");
    if (c.expected_namespace == nullptr) {
      REQUIRE(ns != nullptr);
      CHECK(ns->string() == "static");
    } else if (*c.expected_namespace == '\0') {
      CHECK(ns == nullptr);  // an empty namespace is not reported
    } else {
      REQUIRE(ns != nullptr);
      CHECK(ns->string() == c.expected_namespace);
    }
  }
}

TEST_CASE("TcpAttribute table: every row is a standard attribute of the stated type", "[proxy]") {
  std::set<absl::string_view> names;
  for (const proxy_internal::TcpAttributeRow& row : proxy_internal::kTcpAttributeRows) {
    INFO(row.name);
    absl::optional<AttributeInfo> info = Vocabulary::Standard()->Find(row.name);
    REQUIRE(info.has_value());
    CHECK(info->type == row.type);
    CHECK(names.insert(row.name).second);
  }
  CHECK(names.size() == proxy_internal::kTcpAttributeCount);
  CHECK(proxy_internal::TcpAttributeInfo(proxy_internal::TcpAttribute::kConnectionDuration).name ==
        "connection.duration");
}

}  // namespace
}  // namespace mixlet
