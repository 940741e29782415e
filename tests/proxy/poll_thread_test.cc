#include "mixlet/proxy/poll_thread.h"

#include <atomic>
#include <map>
#include <string>
#include <catch2/catch.hpp>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "istio/mixer/v1/report.pb.h"
#include "mixlet/proxy/report_batcher.h"
#include "mixlet/proxy/tcp_reporter.h"
#include "mixlet/wire/compressed_attributes.h"
#include "mixlet/wire/report_batch.h"

namespace mixlet {
namespace {

// Waits (in real time, bounded) until `done()`; false on timeout.
template <typename F>
bool WaitFor(F done, absl::Duration limit = absl::Seconds(20)) {
  const absl::Time deadline = absl::Now() + limit;
  while (!done()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(1));
  }
  return true;
}

TEST_CASE("PollThread: calls poll with the clock's time until stopped", "[proxy]") {
  std::atomic<int64_t> fake_seconds{100};
  std::mutex mu;
  std::vector<absl::Time> seen;
  PollThreadOptions options;
  options.period = absl::Milliseconds(1);
  options.clock = [&] { return absl::FromUnixSeconds(fake_seconds.fetch_add(1)); };
  absl::StatusOr<std::unique_ptr<PollThread>> t = PollThread::Start(
      [&](absl::Time now) {
        std::lock_guard<std::mutex> lock(mu);
        seen.push_back(now);
      },
      options);
  REQUIRE(t.ok());
  REQUIRE(WaitFor([&] { return (*t)->polls() >= 5; }));
  (*t)->Stop();
  const uint64_t polls = (*t)->polls();
  std::vector<absl::Time> copy;
  {
    std::lock_guard<std::mutex> lock(mu);
    copy = seen;
  }
  REQUIRE(copy.size() == polls);
  for (size_t i = 0; i < copy.size(); ++i) {
    CHECK(copy[i] == absl::FromUnixSeconds(100 + static_cast<int64_t>(i)));
  }
  // Nothing after Stop returned.
  absl::SleepFor(absl::Milliseconds(20));
  CHECK((*t)->polls() == polls);
  (*t)->Stop();  // idempotent
}

TEST_CASE("PollThread: Stop wakes a long wait at once", "[proxy]") {
  std::atomic<int> calls{0};
  PollThreadOptions options;
  options.period = absl::Hours(1);
  absl::StatusOr<std::unique_ptr<PollThread>> t =
      PollThread::Start([&](absl::Time) { calls.fetch_add(1); }, options);
  REQUIRE(t.ok());
  const absl::Time start = absl::Now();
  (*t)->Stop();
  // Generous bound: the point is that it does not wait for the hour.
  CHECK(absl::Now() - start < absl::Seconds(30));
  CHECK(calls.load() == 0);
}

TEST_CASE("PollThread: Stop from inside poll ends the loop", "[proxy]") {
  std::atomic<PollThread*> self{nullptr};
  std::atomic<int> calls{0};
  PollThreadOptions options;
  options.period = absl::Milliseconds(1);
  absl::StatusOr<std::unique_ptr<PollThread>> t = PollThread::Start(
      [&](absl::Time) {
        PollThread* me;
        while ((me = self.load()) == nullptr) absl::SleepFor(absl::Milliseconds(1));
        calls.fetch_add(1);
        me->Stop();
      },
      options);
  REQUIRE(t.ok());
  self.store(t->get());
  REQUIRE(WaitFor([&] { return calls.load() >= 1; }));
  absl::SleepFor(absl::Milliseconds(20));
  CHECK(calls.load() == 1);
  t->reset();  // joins
}

TEST_CASE("PollThread: concurrent Stop calls and destruction are safe", "[proxy]") {
  PollThreadOptions options;
  options.period = absl::Milliseconds(1);
  absl::StatusOr<std::unique_ptr<PollThread>> t = PollThread::Start([](absl::Time) {}, options);
  REQUIRE(t.ok());
  std::vector<std::thread> stoppers;
  for (int i = 0; i < 3; ++i) stoppers.emplace_back([&] { (*t)->Stop(); });
  for (std::thread& s : stoppers) s.join();
  t->reset();
}

TEST_CASE("PollThread: Start refuses bad arguments", "[proxy]") {
  struct Case {
    absl::Duration period;
    const char* message;
  };
  const Case cases[] = {
      {absl::ZeroDuration(), "period must be positive and finite, got 0"},
      {absl::Seconds(-1), "period must be positive and finite, got -1s"},
      {absl::InfiniteDuration(), "period must be positive and finite, got inf"},
  };
  for (const Case& c : cases) {
    PollThreadOptions options;
    options.period = c.period;
    absl::Status s = PollThread::Start([](absl::Time) {}, options).status();
    CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(s.message()), Catch::Contains(c.message));
  }
  absl::Status s = PollThread::Start(nullptr).status();
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(s.message()), Catch::Contains("poll function is empty"));
}

// Counts the reports of each event that reach the transport, decoding every request.
class DecodingTransport : public ReportTransport {
 public:
  void Send(absl::string_view request, size_t reports,
            std::function<void(absl::Status)> done) override {
    {
      std::lock_guard<std::mutex> lock(mu);
      absl::StatusOr<ReportBatchResult> r =
          DecodeReportBatch(request, codec, [&](const Bag& bag) {
            const Value* event = bag.Find("connection.event");
            if (event != nullptr) ++events[std::string(event->string())];
          });
      if (!r.ok() || !r->ok() || r->total != reports) ++errors;
    }
    done(absl::OkStatus());
  }
  int count(const std::string& event) {
    std::lock_guard<std::mutex> lock(mu);
    return events[event];
  }

  std::shared_ptr<const WireCodec> codec = WireCodec::Create(Vocabulary::Standard());
  std::mutex mu;
  std::map<std::string, int> events;
  int errors = 0;
};

TEST_CASE("PollThread: drives a reporter and a batcher end to end", "[proxy]") {
  DecodingTransport transport;
  ReportBatcherOptions batcher_options;
  batcher_options.max_batch_time = absl::Milliseconds(1);
  auto batcher = std::move(*ReportBatcher::Create(batcher_options, &transport));
  TcpReporterOptions reporter_options;
  reporter_options.reporter_uid = "proxy";
  auto reporter = std::move(*TcpReporter::Create(reporter_options, batcher.get()));
  PollThreadOptions options;
  options.period = absl::Milliseconds(1);
  auto poller = std::move(*PollThread::Start(
      [&](absl::Time now) {
        (void)reporter->Poll(now);
        batcher->Poll(now);
      },
      options));

  ConnectionAttributes attributes;
  attributes.reporter_kind = ReporterKind::kInbound;
  ConnectionHandle c = std::move(*reporter->Open(attributes, absl::Now()));
  c.AddReceived(10);
  REQUIRE(WaitFor([&] { return transport.count("open") == 1; }));
  REQUIRE(reporter->Close(c, absl::Now()).ok());
  REQUIRE(WaitFor([&] { return transport.count("close") == 1; }));
  poller->Stop();
  CHECK(transport.errors == 0);
  CHECK(batcher->stats().drops == 0);
}

}  // namespace
}  // namespace mixlet
