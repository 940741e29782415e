// Benchmarks of the proxy side (DESIGN.md item 7): the data-path byte count, and building (and
// encoding) one periodic report. Each hot path sits next to a reference.
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "bench_util.h"
#include "istio/mixer/v1/attributes.pb.h"
#include "istio/mixer/v1/report.pb.h"
#include "mixlet/attribute/mutable_bag.h"
#include "mixlet/proxy/report_batcher.h"
#include "mixlet/proxy/tcp_reporter.h"
#include "mixlet/wire/compressed_attributes.h"

namespace mixlet {
namespace {

absl::Time At(int64_t seconds) { return absl::FromUnixSeconds(1600000000 + seconds); }

class NullSink : public ReportSink {
 public:
  void OnReport(const Bag& report, absl::Time now) override {
    benchmark::DoNotOptimize(&report);
    ++count;
  }
  uint64_t count = 0;
};

// A typical outbound sidecar connection (attributes.md §4, EXPECTED.md §3): with the reporter's
// own attributes, its reports carry 32 attributes.
ConnectionAttributes OutboundAttributes() {
  ConnectionAttributes a;
  a.reporter_kind = ReporterKind::kOutbound;
  a.source_ip = std::string("\x0a\x01\x02\x03", 4);
  a.source_uid = "kubernetes://ratings-v2-5d8c8d7c8-x2x7p.default";
  a.source_namespace = "default";
  a.source_principal = "cluster.local/ns/default/sa/bookinfo-ratings-v2";
  a.source_workload_name = "ratings-v2";
  a.source_workload_namespace = "default";
  a.source_labels = {{"app", "ratings"}, {"version", "v2"}};
  a.destination_ip = std::string("\x0a\x04\x05\x06", 4);
  a.destination_port = 27017;
  a.destination_principal = "cluster.local/ns/default/sa/mongodb";
  a.destination_workload_name = "mongodb-v1";
  a.destination_workload_namespace = "default";
  a.destination_labels = {{"app", "mongodb"}, {"version", "v1"}};
  a.destination_service_host = "mongodb.default.svc.cluster.local";
  a.destination_service_name = "mongodb";
  a.destination_service_namespace = "default";
  a.destination_service_uid = "istio://default/services/mongodb";
  a.mtls = true;
  return a;
}

std::unique_ptr<TcpReporter> NewReporter(ReportSink* sink) {
  TcpReporterOptions options;
  options.reporter_uid = "sidecar~10.1.2.3~ratings-v2-5d8c8d7c8-x2x7p.default~default.svc";
  options.proxy_version = "1.7.0";
  options.report_interval = absl::Seconds(1);
  return std::move(*TcpReporter::Create(std::move(options), sink));
}

// Shared by the multi-threaded benchmarks: built once, before any thread starts counting.
struct SharedConnections {
  SharedConnections() : reporter(NewReporter(&sink)) {
    for (int i = 0; i < 2; ++i)
      handles.push_back(std::move(*reporter->Open(OutboundAttributes(), At(0))));
  }
  NullSink sink;
  std::unique_ptr<TcpReporter> reporter;
  std::vector<ConnectionHandle> handles;
};
SharedConnections& Shared() {
  static SharedConnections* shared = new SharedConnections();
  return *shared;
}

// --- The data path: counting bytes. ---

void BM_AddReceived(benchmark::State& state) {
  const ConnectionHandle& h = Shared().handles[0];
  bench::AllocationCounter allocs;
  for (auto _ : state) h.AddReceived(1460);
  allocs.Report(state);
}
BENCHMARK(BM_AddReceived);

// Reference: the bare relaxed atomic add the handle wraps (the floor).
void BM_Reference_RelaxedAtomicAdd(benchmark::State& state) {
  static std::atomic<uint64_t> counter{0};
  bench::AllocationCounter allocs;
  for (auto _ : state) counter.fetch_add(1460, std::memory_order_relaxed);
  allocs.Report(state);
}
BENCHMARK(BM_Reference_RelaxedAtomicAdd);

// Reference: what a lock around the counter would cost, uncontended.
void BM_Reference_MutexAdd(benchmark::State& state) {
  static absl::Mutex mu;
  static uint64_t counter = 0;
  bench::AllocationCounter allocs;
  for (auto _ : state) {
    absl::MutexLock lock(&mu);
    counter += 1460;
    benchmark::DoNotOptimize(counter);
  }
  allocs.Report(state);
}
BENCHMARK(BM_Reference_MutexAdd);

// Two threads, each counting on its own connection: the records are cache-line aligned, so the
// threads share nothing.
void BM_AddBytes_2Threads_DistinctConnections(benchmark::State& state) {
  const ConnectionHandle& h = Shared().handles[state.thread_index()];
  bench::AllocationCounter allocs;
  for (auto _ : state) {
    h.AddReceived(1460);
  }
  allocs.Report(state);
}
BENCHMARK(BM_AddBytes_2Threads_DistinctConnections)->Threads(2);

// Two threads on one connection, one reading (AddReceived) and one writing (AddSent), as a
// proxy's two directions do: the two counters have separate cache lines.
void BM_AddBytes_2Threads_SameConnection_ReceivedAndSent(benchmark::State& state) {
  const ConnectionHandle& h = Shared().handles[0];
  const bool receiver = state.thread_index() == 0;
  bench::AllocationCounter allocs;
  for (auto _ : state) {
    if (receiver) {
      h.AddReceived(1460);
    } else {
      h.AddSent(1460);
    }
  }
  allocs.Report(state);
}
BENCHMARK(BM_AddBytes_2Threads_SameConnection_ReceivedAndSent)->Threads(2);

// Two threads adding to the very same counter: true sharing, the worst case (not how a proxy
// counts, shown for scale).
void BM_AddBytes_2Threads_SameCounter(benchmark::State& state) {
  const ConnectionHandle& h = Shared().handles[0];
  bench::AllocationCounter allocs;
  for (auto _ : state) h.AddReceived(1460);
  allocs.Report(state);
}
BENCHMARK(BM_AddBytes_2Threads_SameCounter)->Threads(2);

// Reference: two threads adding to two atomics that share a cache line (what the alignment of
// the record avoids).
void BM_Reference_2Threads_FalseSharing(benchmark::State& state) {
  static std::atomic<uint64_t> counters[2];
  std::atomic<uint64_t>& c = counters[state.thread_index()];
  bench::AllocationCounter allocs;
  for (auto _ : state) c.fetch_add(1460, std::memory_order_relaxed);
  allocs.Report(state);
}
BENCHMARK(BM_Reference_2Threads_FalseSharing)->Threads(2);

// --- Off the data path: one periodic report. ---

// Builds one `continue` report of a typical connection per iteration (Poll with the clock one
// interval on), into a sink that only counts.
void BM_BuildContinueReport(benchmark::State& state) {
  NullSink sink;
  std::unique_ptr<TcpReporter> reporter = NewReporter(&sink);
  ConnectionHandle h = std::move(*reporter->Open(OutboundAttributes(), At(0)));
  int64_t t = 0;
  (void)reporter->Poll(At(t));
  (void)reporter->Poll(At(++t));  // warm
  bench::AllocationCounter allocs;
  for (auto _ : state) {
    h.AddReceived(1200);
    h.AddSent(3400);
    benchmark::DoNotOptimize(reporter->Poll(At(++t)));
  }
  allocs.Report(state);
  if (sink.count != static_cast<uint64_t>(state.iterations()) + 2) {
    state.SkipWithError("one report per poll expected");
  }
}
BENCHMARK(BM_BuildContinueReport);

// A transport that answers every request at once, as a server on localhost would look from
// here: measures our side only.
class InstantTransport : public ReportTransport {
 public:
  void Send(absl::string_view request, size_t reports,
            std::function<void(absl::Status)> done) override {
    benchmark::DoNotOptimize(request.data());
    benchmark::DoNotOptimize(reports);
    ++sends;
    done(absl::OkStatus());
  }
  uint64_t sends = 0;
};

// Builds one `continue` report per iteration and compresses it into the batcher's current
// request (100 reports per request, so one flush to the transport every 100 iterations is
// included, amortized).
void BM_BuildAndEncodeContinueReport(benchmark::State& state) {
  InstantTransport transport;
  ReportBatcherOptions batcher_options;
  batcher_options.max_batch_time = absl::Hours(1);  // flushes by entry count only
  std::unique_ptr<ReportBatcher> batcher =
      std::move(*ReportBatcher::Create(batcher_options, &transport));
  std::unique_ptr<TcpReporter> reporter = NewReporter(batcher.get());
  ConnectionHandle h = std::move(*reporter->Open(OutboundAttributes(), At(0)));
  int64_t t = 0;
  for (int i = 0; i < 300; ++i) (void)reporter->Poll(At(t++));  // warm the request pool
  bench::AllocationCounter allocs;
  for (auto _ : state) {
    h.AddReceived(1200);
    h.AddSent(3400);
    benchmark::DoNotOptimize(reporter->Poll(At(t++)));
  }
  allocs.Report(state);
  if (batcher->stats().drops != 0) state.SkipWithError("reports dropped");
}
BENCHMARK(BM_BuildAndEncodeContinueReport);

// Keeps a copy of the last report, for the reference below.
class CopySink : public ReportSink {
 public:
  CopySink() : bag(Vocabulary::Standard()) {}
  void OnReport(const Bag& report, absl::Time now) override {
    bag.Reset();
    report.ForEach([this](absl::string_view name, const Value& v) { (void)bag.Set(name, v); });
  }
  MutableBag bag;
};

// Reference: the wire layer encoding the same report bag on its own into a reused
// CompressedAttributes (what one element of a request costs, without the batch's shared
// dictionary).
void BM_Reference_WireCodecEncodeReport(benchmark::State& state) {
  CopySink sink;
  std::unique_ptr<TcpReporter> reporter = NewReporter(&sink);
  ConnectionHandle h = std::move(*reporter->Open(OutboundAttributes(), At(0)));
  h.AddReceived(1200);
  (void)reporter->Poll(At(0));
  (void)reporter->Poll(At(1));
  std::shared_ptr<const WireCodec> codec = WireCodec::Create(Vocabulary::Standard());
  istio::mixer::v1::CompressedAttributes message;
  (void)codec->Encode(sink.bag, &message);
  bench::AllocationCounter allocs;
  for (auto _ : state) {
    benchmark::DoNotOptimize(codec->Encode(sink.bag, &message));
  }
  allocs.Report(state);
  state.counters["attributes"] = static_cast<double>(sink.bag.size());
}
BENCHMARK(BM_Reference_WireCodecEncodeReport);

}  // namespace
}  // namespace mixlet
