#include "mixlet/proxy/report_batcher.h"

#include <atomic>
#include <cstdlib>
#include <catch2/catch.hpp>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "istio/mixer/v1/report.pb.h"
#include "mixlet/attribute/mutable_bag.h"
#include "mixlet/proxy/tcp_reporter.h"
#include "mixlet/wire/compressed_attributes.h"
#include "mixlet/wire/report_batch.h"
#include "proxy/report_recorder.h"

namespace mixlet {
namespace {

using istio::mixer::v1::ReportRequest;
using testing::At;
using testing::ReportRecorder;

// Records every request it is asked to send. Completes each send at once with `status`, or,
// when `deferred`, keeps the completion for the test to run later.
class FakeTransport : public ReportTransport {
 public:
  void Send(absl::string_view request, size_t reports,
            std::function<void(absl::Status)> done) override {
    std::function<void(absl::Status)> run_now;
    {
      std::lock_guard<std::mutex> lock(mu);
      ReportRequest parsed;
      // A test bug or an encoder bug; no Catch macros off the main thread.
      if (!parsed.ParseFromString(std::string(request))) std::abort();
      if (static_cast<size_t>(parsed.attributes_size()) != reports) std::abort();
      sent.push_back(std::move(parsed));
      // The buffers the requests are built in, once the first requests have grown them.
      if (sent.size() > kWarmUpSends) addresses.insert(request.data());
      if (deferred) {
        pending.push_back(std::move(done));
      } else {
        run_now = std::move(done);
      }
    }
    if (run_now) run_now(status);
  }

  // Completes the oldest deferred send with `s`.
  void CompleteOne(absl::Status s = absl::OkStatus()) {
    std::function<void(absl::Status)> done;
    {
      std::lock_guard<std::mutex> lock(mu);
      if (pending.empty()) std::abort();  // a test bug; no Catch macros off the main thread
      done = std::move(pending.front());
      pending.erase(pending.begin());
    }
    done(std::move(s));
  }

  std::mutex mu;
  bool deferred = false;
  absl::Status status;
  std::vector<ReportRequest> sent;
  static constexpr size_t kWarmUpSends = 10;
  std::set<const char*> addresses;
  std::vector<std::function<void(absl::Status)>> pending;
};

// A small report bag: which connection, which event, a byte count.
class BagMaker {
 public:
  BagMaker() : bag_(Vocabulary::Standard()) {}
  const Bag& Make(int i, absl::string_view event = "continue") {
    bag_.Reset();
    REQUIRE(bag_.Set("context.protocol", Value::String("tcp")).ok());
    REQUIRE(bag_.Set("connection.event", Value::String(event)).ok());
    REQUIRE(bag_.Set("connection.id", Value::String(absl::StrCat("proxy-", i))).ok());
    REQUIRE(bag_.Set("connection.received.bytes", Value::Int64(i * 10)).ok());
    REQUIRE(bag_.Set("destination.service.host", Value::String("mongodb.default.svc.cluster.local"))
                .ok());
    return bag_;
  }

 private:
  MutableBag bag_;
};

std::unique_ptr<ReportBatcher> MakeBatcher(ReportTransport* transport,
                                           ReportBatcherOptions options = {}) {
  absl::StatusOr<std::unique_ptr<ReportBatcher>> b = ReportBatcher::Create(options, transport);
  REQUIRE(b.ok());
  return std::move(*b);
}

std::vector<std::string> DecodeAll(const ReportRequest& request) {
  std::vector<std::string> out;
  absl::StatusOr<ReportBatchResult> r =
      DecodeReportBatch(request, WireCodec::Create(Vocabulary::Standard()),
                        [&](const Bag& bag) { out.push_back(bag.DebugString()); });
  REQUIRE(r.ok());
  REQUIRE(r->ok());
  return out;
}

void CheckInvariants(const ReportBatcher& b) {
  const ReportBatcherStats s = b.stats();
  CHECK(s.sends == s.successes + s.failures + b.pending_requests());
}

TEST_CASE("ReportBatcher: flushes at max_batch_entries", "[proxy]") {
  FakeTransport transport;
  ReportBatcherOptions options;
  options.max_batch_entries = 3;
  auto batcher = MakeBatcher(&transport, options);
  BagMaker maker;
  for (int i = 0; i < 7; ++i) batcher->OnReport(maker.Make(i), At(0));
  REQUIRE(transport.sent.size() == 2);
  CHECK(batcher->batch_size() == 1);
  for (const ReportRequest& r : transport.sent) {
    CHECK(r.attributes_size() == 3);
    CHECK(r.repeated_attributes_semantics() == ReportRequest::INDEPENDENT_ENCODING);
    CHECK(r.global_word_count() == 222);
    CHECK(r.default_words_size() > 0);
    for (const auto& element : r.attributes()) CHECK(element.words_size() == 0);
  }
  // The second request holds reports 3, 4, 5.
  const std::vector<std::string> bags = DecodeAll(transport.sent[1]);
  REQUIRE(bags.size() == 3);
  CHECK_THAT(bags[0], Catch::Contains("connection.id: STRING(proxy-3)"));
  CHECK_THAT(bags[2], Catch::Contains("connection.received.bytes: INT64(50)"));
  const ReportBatcherStats s = batcher->stats();
  CHECK(s.reports == 7);
  CHECK(s.sends == 2);
  CHECK(s.successes == 2);
  CHECK(s.failures == 0);
  CHECK(s.drops == 0);
  CheckInvariants(*batcher);
}

TEST_CASE("ReportBatcher: flushes max_batch_time after the first report", "[proxy]") {
  FakeTransport transport;
  auto batcher = MakeBatcher(&transport);  // 100 entries, 1 s
  BagMaker maker;
  batcher->OnReport(maker.Make(1), At(0));
  batcher->OnReport(maker.Make(2), At(0.5));
  batcher->Poll(At(0.999));
  CHECK(transport.sent.empty());
  batcher->Poll(At(1));
  REQUIRE(transport.sent.size() == 1);
  CHECK(transport.sent[0].attributes_size() == 2);
  batcher->Poll(At(3));  // empty batch: nothing to send
  CHECK(transport.sent.size() == 1);

  // A report arriving after the batch timed out sends the old batch first.
  batcher->OnReport(maker.Make(3), At(5));
  batcher->OnReport(maker.Make(4), At(6.25));
  REQUIRE(transport.sent.size() == 2);
  CHECK(transport.sent[1].attributes_size() == 1);
  CHECK(batcher->batch_size() == 1);
  // The new batch started at 6.25.
  batcher->Poll(At(7.2));
  CHECK(transport.sent.size() == 2);
  batcher->Poll(At(7.25));
  CHECK(transport.sent.size() == 3);

  batcher->OnReport(maker.Make(5), At(8));
  batcher->Flush();
  CHECK(transport.sent.size() == 4);
  batcher->Flush();  // nothing left
  CHECK(transport.sent.size() == 4);
}

TEST_CASE("ReportBatcher: zero options mean istio/proxy's defaults", "[proxy]") {
  FakeTransport transport;
  ReportBatcherOptions options;
  options.max_batch_entries = 0;
  options.max_batch_time = absl::ZeroDuration();
  auto batcher = MakeBatcher(&transport, options);
  BagMaker maker;
  for (int i = 0; i < 99; ++i) batcher->OnReport(maker.Make(i), At(0));
  batcher->Poll(At(0.99));
  CHECK(transport.sent.empty());
  batcher->OnReport(maker.Make(99), At(0.99));
  REQUIRE(transport.sent.size() == 1);
  CHECK(transport.sent[0].attributes_size() == 100);
  batcher->OnReport(maker.Make(100), At(2));
  batcher->Poll(At(3));
  CHECK(transport.sent.size() == 2);
}

TEST_CASE("ReportBatcher: the pending-request cap drops and counts, never blocks", "[proxy]") {
  FakeTransport transport;
  transport.deferred = true;
  ReportBatcherOptions options;
  options.max_batch_entries = 2;
  options.max_pending_requests = 2;
  auto batcher = MakeBatcher(&transport, options);
  BagMaker maker;
  for (int i = 0; i < 9; ++i) batcher->OnReport(maker.Make(i), At(0));
  // Batches {0,1} and {2,3} went out; {4,5} and {6,7} were dropped; 8 is in the current batch.
  CHECK(transport.sent.size() == 2);
  CHECK(batcher->pending_requests() == 2);
  ReportBatcherStats s = batcher->stats();
  CHECK(s.reports == 9);
  CHECK(s.sends == 2);
  CHECK(s.drops == 4);
  CHECK(batcher->batch_size() == 1);
  CheckInvariants(*batcher);

  transport.CompleteOne();  // the server answers one
  CHECK(batcher->pending_requests() == 1);
  batcher->OnReport(maker.Make(9), At(0));  // fills {8,9}: there is room now
  CHECK(transport.sent.size() == 3);
  CHECK(DecodeAll(transport.sent[2]).size() == 2);

  transport.CompleteOne(absl::UnavailableError("Server is currently overloaded"));
  transport.CompleteOne(absl::DeadlineExceededError("deadline"));
  s = batcher->stats();
  CHECK(s.successes == 1);
  CHECK(s.failures == 2);
  CHECK(s.drops == 4);
  CHECK(batcher->pending_requests() == 0);
  CHECK(batcher->last_send_error().code() == absl::StatusCode::kDeadlineExceeded);
  // Failed sends are not retried.
  CHECK(transport.sent.size() == 3);
  CheckInvariants(*batcher);
  // reports == reports sent + drops + current batch
  CHECK(s.reports == 6 + s.drops + batcher->batch_size());
}

TEST_CASE("ReportBatcher: requests are reused from a bounded pool", "[proxy]") {
  BagMaker maker;
  SECTION("synchronous transport: two requests alternate") {
    FakeTransport transport;
    ReportBatcherOptions options;
    options.max_batch_entries = 5;
    auto batcher = MakeBatcher(&transport, options);
    for (int i = 0; i < 500; ++i) batcher->OnReport(maker.Make(i % 7), At(0));
    CHECK(transport.sent.size() == 100);
    CHECK(transport.addresses.size() == 2);
    // A reused request carries nothing of its previous batch.
    for (const ReportRequest& r : transport.sent) CHECK(r.attributes_size() == 5);
    CHECK(DecodeAll(transport.sent.back()).size() == 5);
  }
  SECTION("slow transport: at most max_pending_requests + 1 requests ever exist") {
    FakeTransport transport;
    transport.deferred = true;
    ReportBatcherOptions options;
    options.max_batch_entries = 1;
    options.max_pending_requests = 3;
    auto batcher = MakeBatcher(&transport, options);
    for (int round = 0; round < 50; ++round) {
      for (int i = 0; i < 5; ++i) batcher->OnReport(maker.Make(i), At(0));
      while (!transport.pending.empty()) transport.CompleteOne();
    }
    CHECK(transport.addresses.size() <= 4);
    CHECK(batcher->stats().sends == 150);
    CHECK(batcher->stats().drops == 100);
  }
}

// A sink that forwards to the batcher and also records, to compare decoded batches with what
// the reporter built.
class Tee : public ReportSink {
 public:
  Tee(ReportSink* a, ReportSink* b) : a_(a), b_(b) {}
  void OnReport(const Bag& report, absl::Time now) override {
    a_->OnReport(report, now);
    b_->OnReport(report, now);
  }

 private:
  ReportSink* a_;
  ReportSink* b_;
};

ConnectionAttributes Outbound(int i) {
  ConnectionAttributes a;
  a.reporter_kind = ReporterKind::kOutbound;
  a.source_ip = std::string("\x0a\x01\x02\x03", 4);
  a.source_namespace = "default";
  a.source_workload_name = absl::StrCat("ratings-v", i % 3);
  a.source_labels = {{"app", "ratings"}, {"version", absl::StrCat("v", i % 3)}};
  a.destination_ip =
      std::string("\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01", 16);
  a.destination_port = 27017;
  a.destination_service_host = "mongodb.default.svc.cluster.local";
  if (i % 2 == 0) {
    a.extra.emplace_back("destination.mesh.id", OwnedValue::Of(Value::String("mesh1")));
  }
  return a;
}

TEST_CASE("ReportBatcher: TCP reports round-trip through DecodeReportBatch", "[proxy]") {
  const BatchEncoding encodings[] = {BatchEncoding::kIndependent, BatchEncoding::kDelta};
  for (BatchEncoding encoding : encodings) {
    INFO((encoding == BatchEncoding::kDelta ? "delta" : "independent"));
    FakeTransport transport;
    ReportBatcherOptions options;
    options.encoding = encoding;
    options.max_batch_entries = 7;
    options.max_batch_time = absl::Hours(1);  // only the entry limit ends a batch here
    auto batcher = MakeBatcher(&transport, options);
    ReportRecorder recorder;
    Tee tee(batcher.get(), &recorder);
    TcpReporterOptions reporter_options;
    reporter_options.reporter_uid = "proxy-1";
    reporter_options.report_interval = absl::Seconds(1);
    auto reporter = std::move(*TcpReporter::Create(reporter_options, &tee));

    std::vector<ConnectionHandle> conns;
    for (int i = 0; i < 6; ++i) conns.push_back(std::move(*reporter->Open(Outbound(i), At(i))));
    for (int t = 0; t < 12; ++t) {
      for (size_t i = 0; i < conns.size(); ++i) {
        conns[i].AddReceived(100 * (i + 1));
        conns[i].AddSent(7 * t);
      }
      if (t == 8) REQUIRE(reporter->Close(conns[2], At(t)).ok());
      REQUIRE(reporter->Poll(At(t)).ok());
      batcher->Poll(At(t));
    }
    reporter->CloseAll(At(12));
    REQUIRE(reporter->Poll(At(12)).ok());
    batcher->Flush();

    std::vector<std::string> decoded;
    std::vector<std::string> decoded_from_bytes;
    auto codec = WireCodec::Create(Vocabulary::Standard());
    for (const ReportRequest& r : transport.sent) {
      CHECK(r.repeated_attributes_semantics() == (encoding == BatchEncoding::kDelta
                                                      ? ReportRequest::DELTA_ENCODING
                                                      : ReportRequest::INDEPENDENT_ENCODING));
      absl::StatusOr<ReportBatchResult> result = DecodeReportBatch(
          r, codec, [&](const Bag& bag) { decoded.push_back(bag.DebugString()); });
      REQUIRE(result.ok());
      CHECK(result->ok());
      result = DecodeReportBatch(r.SerializeAsString(), codec, [&](const Bag& bag) {
        decoded_from_bytes.push_back(bag.DebugString());
      });
      REQUIRE(result.ok());
      CHECK(result->ok());
    }
    REQUIRE(decoded.size() == recorder.reports.size());
    CHECK(decoded == decoded_from_bytes);
    CHECK(batcher->stats().reports == recorder.reports.size());
    CHECK(batcher->stats().drops == 0);
    // Compare with what the reporter built, re-rendered through a bag.
    for (size_t i = 0; i < decoded.size(); ++i) {
      MutableBag original(Vocabulary::Standard());
      for (const auto& [name, value] : recorder.reports[i].attributes) {
        REQUIRE(original.Set(name, value.value()).ok());
      }
      INFO("report " << i);
      CHECK(decoded[i] == original.DebugString());
    }
    if (encoding == BatchEncoding::kDelta) {
      // Reports without `destination.mesh.id` or `connection.duration` after ones with them
      // started new requests: more requests than the 7-entry limit alone would make.
      CHECK(transport.sent.size() > (recorder.reports.size() + 6) / 7);
    } else {
      CHECK(transport.sent.size() == (recorder.reports.size() + 6) / 7);
    }
  }
}

TEST_CASE("ReportBatcher: an invalid-dictionary answer shrinks to the base dictionary", "[proxy]") {
  FakeTransport transport;
  transport.status = absl::InvalidArgumentError(
      "Request could not be processed due to invalid global dictionary: server knows 200 "
      "words, client 222");
  ReportBatcherOptions options;
  options.max_batch_entries = 1;
  auto batcher = MakeBatcher(&transport, options);
  BagMaker maker;
  CHECK(batcher->global_word_count() == 222);
  batcher->OnReport(maker.Make(1), At(0));
  CHECK(batcher->global_word_count() == 111);
  transport.status = absl::OkStatus();
  batcher->OnReport(maker.Make(2), At(0));
  REQUIRE(transport.sent.size() == 2);
  CHECK(transport.sent[0].global_word_count() == 222);
  CHECK(transport.sent[1].global_word_count() == 111);
  // `destination.service.host` is global word 193: beyond the base list, so it now travels as
  // a message word; the request still decodes to the same bag.
  CHECK(DecodeAll(transport.sent[1])[0] == maker.Make(2).DebugString());
  CHECK(transport.sent[1].default_words_size() > transport.sent[0].default_words_size());
  CHECK(batcher->stats().failures == 1);

  // Other errors do not touch the dictionary.
  FakeTransport other;
  other.status = absl::InvalidArgumentError("1 of 1 reports refused: ...");
  auto b2 = MakeBatcher(&other, options);
  b2->OnReport(maker.Make(1), At(0));
  CHECK(b2->global_word_count() == 222);
}

TEST_CASE("ReportBatcher: a report that cannot be encoded is dropped and counted", "[proxy]") {
  FakeTransport transport;
  auto batcher = MakeBatcher(&transport);
  MutableBag bad(Vocabulary::Standard());
  // Year 10000: protobuf's Timestamp cannot carry it.
  REQUIRE(bad.Set("context.time", Value::TimestampValue(Timestamp{253402300800, 0})).ok());
  batcher->OnReport(bad, At(0));
  BagMaker maker;
  batcher->OnReport(maker.Make(1), At(0));
  batcher->Flush();
  REQUIRE(transport.sent.size() == 1);
  CHECK(transport.sent[0].attributes_size() == 1);
  CHECK(batcher->stats().drops == 1);
  CHECK(batcher->stats().reports == 2);
}

TEST_CASE("ReportBatcher: destruction sends the last batch and waits for completions", "[proxy]") {
  FakeTransport transport;
  transport.deferred = true;
  std::atomic<bool> completed{false};
  std::thread completer;
  {
    auto batcher = MakeBatcher(&transport);
    BagMaker maker;
    batcher->OnReport(maker.Make(1), At(0));
    completer = std::thread([&] {
      // Waits for the destructor's flush, then answers it a little later.
      while (true) {
        {
          std::lock_guard<std::mutex> lock(transport.mu);
          if (!transport.pending.empty()) break;
        }
        absl::SleepFor(absl::Milliseconds(1));
      }
      absl::SleepFor(absl::Milliseconds(20));
      completed.store(true);
      transport.CompleteOne();
    });
  }  // ~ReportBatcher
  CHECK(completed.load());
  completer.join();
  REQUIRE(transport.sent.size() == 1);
  CHECK(transport.sent[0].attributes_size() == 1);
}

TEST_CASE("ReportBatcher: concurrent reports from several threads are all accounted for",
          "[proxy]") {
  FakeTransport transport;
  ReportBatcherOptions options;
  options.max_batch_entries = 10;
  auto batcher = MakeBatcher(&transport, options);
  constexpr int kThreads = 3;
  constexpr int kReports = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      MutableBag bag(Vocabulary::Standard());
      for (int i = 0; i < kReports; ++i) {
        bag.Reset();
        if (!bag.Set("connection.id", Value::String(absl::StrCat(t, "-", i))).ok()) std::abort();
        batcher->OnReport(bag, At(i * 0.001));
        if (i % 97 == 0) batcher->Poll(At(i * 0.001));
      }
    });
  }
  for (std::thread& t : threads) t.join();
  batcher->Flush();
  size_t elements = 0;
  std::set<std::string> ids;
  auto codec = WireCodec::Create(Vocabulary::Standard());
  for (const ReportRequest& r : transport.sent) {
    elements += r.attributes_size();
    REQUIRE(DecodeReportBatch(r, codec, [&](const Bag& bag) {
              ids.insert(std::string(bag.Find("connection.id")->string()));
            }).ok());
  }
  CHECK(elements == kThreads * kReports);
  CHECK(ids.size() == kThreads * kReports);
  CHECK(batcher->stats().reports == kThreads * kReports);
  CHECK(batcher->stats().drops == 0);
}

TEST_CASE("ReportBatcher: Create refuses bad options", "[proxy]") {
  FakeTransport transport;
  struct Case {
    const char* name;
    void (*mutate)(ReportBatcherOptions&);
    const char* message;
  };
  const Case cases[] = {
      {"no pending requests", [](ReportBatcherOptions& o) { o.max_pending_requests = 0; },
       "max_pending_requests must be >= 1"},
      {"negative time", [](ReportBatcherOptions& o) { o.max_batch_time = absl::Seconds(-1); },
       "max_batch_time must be finite and not negative, got -1s"},
      {"infinite time",
       [](ReportBatcherOptions& o) { o.max_batch_time = absl::InfiniteDuration(); },
       "max_batch_time must be finite and not negative, got inf"},
      {"too many global words", [](ReportBatcherOptions& o) { o.global_word_count = 223; },
       "global_word_count is 223, above the 222 words"},
      {"no vocabulary", [](ReportBatcherOptions& o) { o.vocabulary = nullptr; },
       "vocabulary is null"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    ReportBatcherOptions options;
    c.mutate(options);
    absl::Status s = ReportBatcher::Create(options, &transport).status();
    CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(s.message()), Catch::Contains(c.message));
  }
  absl::Status s = ReportBatcher::Create(ReportBatcherOptions(), nullptr).status();
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(s.message()), Catch::Contains("transport is null"));

  ReportBatcherOptions base_words;
  base_words.global_word_count = 111;
  base_words.max_batch_entries = 1;
  auto batcher = MakeBatcher(&transport, base_words);
  BagMaker maker;
  batcher->OnReport(maker.Make(1), At(0));
  REQUIRE(transport.sent.size() == 1);
  CHECK(transport.sent[0].global_word_count() == 111);
}

}  // namespace
}  // namespace mixlet
