// The Report server's throughput: decode + dispatch of batches of 100 TCP reports through the
// Bookinfo TCP sample (tcp-metrics.yaml: two COUNTER metrics, Prometheus adapter), over loopback
// gRPC, in reports per second (`items_per_second`).
//
//   BM_LoopbackReports/<window>   ReportClient::Send of the serialized request (the bytes a
//                                 ReportBatcher hands it) -> ReportServer over 127.0.0.1,
//                                 `window` requests in flight (1: one at a time, latency bound).
//                                 Client and server share the machine's cores.
//   BM_LoopbackReportsPreserialized/<window>   the same bytes sent by gRPC's generic stub
//                                 directly, without ReportClient's report ids and retry
//                                 bookkeeping: the server's side with the least client cost in
//                                 the way.
//   BM_InProcessReports           reference: the same request bytes decoded and dispatched in
//                                 this thread (ReportBatchDecoder + Router), no gRPC.
//
// allocs/iter counts the benchmark thread only: for the loopback rows that is the client side
// (the server runs on gRPC's threads).
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench_util.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "mixlet/attribute/mutable_bag.h"
#include "mixlet/config/adapter_registry.h"
#include "mixlet/config/config_loader.h"
#include "mixlet/grpc/report_client.h"
#include "mixlet/grpc/report_server.h"
#include "mixlet/handler/prometheus_handler.h"
#include "mixlet/router/runtime.h"
#include "mixlet/value/owned_value.h"
#include "mixlet/wire/report_batch.h"

namespace mixlet {
namespace {

constexpr int kBatch = 100;

struct Fixture {
  Fixture() {
    auto registry = std::make_shared<MetricsRegistry>();
    AdapterRegistry adapters;
    adapters.Register(std::make_shared<PrometheusAdapter>(registry)).IgnoreError();
    runtime = std::make_unique<Runtime>(std::move(adapters));
    const std::string config = MIXLET_SOURCE_DIR "/tests/config/testdata/tcp-metrics.yaml";
    ApplyResult applied = runtime->Apply(LoadConfigResources({config}));
    if (!applied.applied) std::abort();

    // 100 inbound TCP reports to mongodb from 10 client workloads (EXPECTED.md §3's shape).
    auto encoder = ReportBatchEncoder::Create(WireCodec::Create(Vocabulary::Standard())).value();
    OwnedValue destination_labels = OwnedValue::StringMapOf({{"app", "mongodb"}, {"version", "v1"}});
    for (int i = 0; i < kBatch; ++i) {
      MutableBag bag(Vocabulary::Standard());
      const std::string workload = absl::StrCat("ratings-v", i % 10);
      OwnedValue source_labels =
          OwnedValue::StringMapOf({{"app", "ratings"}, {"version", absl::StrCat("v", i % 10)}});
      bag.Set("context.reporter.kind", Value::String("inbound")).IgnoreError();
      bag.Set("context.protocol", Value::String("tcp")).IgnoreError();
      bag.Set("destination.namespace", Value::String("default")).IgnoreError();
      bag.Set("destination.service.host", Value::String("mongodb.default.svc.cluster.local"))
          .IgnoreError();
      bag.Set("destination.workload.name", Value::String("mongodb-v1")).IgnoreError();
      bag.Set("destination.labels", destination_labels.value()).IgnoreError();
      bag.Set("source.workload.name", Value::String(workload)).IgnoreError();
      bag.Set("source.namespace", Value::String("default")).IgnoreError();
      bag.Set("source.labels", source_labels.value()).IgnoreError();
      bag.Set("connection.event", Value::String("continue")).IgnoreError();
      bag.Set("connection.id", Value::String(absl::StrCat("proxy-1-", i))).IgnoreError();
      bag.Set("connection.received.bytes", Value::Int64(1200 + i)).IgnoreError();
      bag.Set("connection.received.bytes_total", Value::Int64(12000 + i)).IgnoreError();
      bag.Set("connection.sent.bytes", Value::Int64(3400 + i)).IgnoreError();
      bag.Set("connection.sent.bytes_total", Value::Int64(34000 + i)).IgnoreError();
      encoder->Add(bag).IgnoreError();
    }
    bytes = std::string(encoder->bytes());
    if (!request.ParseFromString(bytes)) std::abort();
  }

  std::unique_ptr<Runtime> runtime;
  istio::mixer::v1::ReportRequest request;
  std::string bytes;
};

Fixture& Shared() {
  static Fixture* fixture = new Fixture();
  return *fixture;
}

void BM_LoopbackReports(benchmark::State& state) {
  Fixture& f = Shared();
  ReportServerOptions server_options;
  server_options.address = "127.0.0.1:0";
  auto server = ReportServer::Start(server_options, f.runtime.get()).value();
  ReportClientOptions client_options;
  client_options.target = server->address();
  auto client = ReportClient::Create(client_options).value();

  const int window = static_cast<int>(state.range(0));
  std::mutex mu;
  std::condition_variable changed;
  int in_flight = 0;
  int failed = 0;
  auto done = [&](absl::Status status) {
    std::lock_guard<std::mutex> lock(mu);
    --in_flight;
    if (!status.ok()) ++failed;
    changed.notify_one();
  };
  auto send = [&] {
    {
      std::unique_lock<std::mutex> lock(mu);
      changed.wait(lock, [&] { return in_flight < window; });
      ++in_flight;
    }
    client->Send(f.bytes, kBatch, done);
  };
  auto drain = [&] {
    std::unique_lock<std::mutex> lock(mu);
    changed.wait(lock, [&] { return in_flight == 0; });
  };
  // Warm up the connection and the server's per-thread decoders.
  for (int i = 0; i < 20; ++i) send();
  drain();

  bench::AllocationCounter allocations;
  for (auto _ : state) send();
  drain();
  allocations.Report(state);
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.counters["failed_requests"] = failed;
  client.reset();
  server->Shutdown(absl::Seconds(5));
}
BENCHMARK(BM_LoopbackReports)->Arg(1)->Arg(8)->Arg(32)->UseRealTime();

// The server alone, as far as a loopback client allows: the request is serialized once and each
// call sends the same bytes (gRPC's generic stub), so the client's per-call cost is gRPC's only.
void BM_LoopbackReportsPreserialized(benchmark::State& state) {
  Fixture& f = Shared();
  ReportServerOptions server_options;
  server_options.address = "127.0.0.1:0";
  auto server = ReportServer::Start(server_options, f.runtime.get()).value();
  auto channel = ::grpc::CreateChannel(server->address(), ::grpc::InsecureChannelCredentials());
  ::grpc::GenericStub stub(channel);
  ::grpc::Slice slice(f.bytes);
  const ::grpc::ByteBuffer request(&slice, 1);

  struct Call {
    ::grpc::ClientContext context;
    ::grpc::ByteBuffer request;
    ::grpc::ByteBuffer response;
  };
  const int window = static_cast<int>(state.range(0));
  std::mutex mu;
  std::condition_variable changed;
  int in_flight = 0;
  int failed = 0;
  auto send = [&] {
    {
      std::unique_lock<std::mutex> lock(mu);
      changed.wait(lock, [&] { return in_flight < window; });
      ++in_flight;
    }
    auto call = std::make_shared<Call>();
    call->request = request;  // shares the slice, no copy
    stub.UnaryCall(&call->context, "/istio.mixer.v1.Mixer/Report", ::grpc::StubOptions(),
                   &call->request, &call->response, [&, call](::grpc::Status status) mutable {
                     call.reset();
                     std::lock_guard<std::mutex> lock(mu);
                     --in_flight;
                     if (!status.ok()) ++failed;
                     changed.notify_one();
                   });
  };
  auto drain = [&] {
    std::unique_lock<std::mutex> lock(mu);
    changed.wait(lock, [&] { return in_flight == 0; });
  };
  for (int i = 0; i < 20; ++i) send();
  drain();

  bench::AllocationCounter allocations;
  for (auto _ : state) send();
  drain();
  allocations.Report(state);
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.counters["failed_requests"] = failed;
  server->Shutdown(absl::Seconds(5));
}
BENCHMARK(BM_LoopbackReportsPreserialized)->Arg(1)->Arg(8)->Arg(32)->UseRealTime();

void BM_InProcessReports(benchmark::State& state) {
  Fixture& f = Shared();
  std::shared_ptr<const Router> router = f.runtime->router();
  ReportBatchDecoder decoder(WireCodec::Create(router->config().vocabulary()));
  const Router& r = *router;
  auto deliver = [&r](const Bag& bag) { r.Dispatch(bag); };
  decoder.DecodeBytes(f.bytes, deliver).IgnoreError();  // warm

  bench::AllocationCounter allocations;
  for (auto _ : state) {
    absl::StatusOr<ReportBatchResult> result = decoder.DecodeBytes(f.bytes, deliver);
    benchmark::DoNotOptimize(result);
  }
  allocations.Report(state);
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_InProcessReports);

}  // namespace
}  // namespace mixlet
