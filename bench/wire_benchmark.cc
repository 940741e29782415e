// Benchmarks of the wire layer (DESIGN.md "The hot path"): decoding and encoding a typical
// 25-attribute outbound TCP report (attributes.md §4), each next to protobuf's own work on the
// same bytes or message as the reference.
#include <memory>
#include <string>

#include "bench_util.h"
#include "mixlet/wire/compressed_attributes.h"
#include "mixlet/wire/report_batch.h"
#include "wire/wire_testing.h"

namespace mixlet {
namespace {

using istio::mixer::v1::CompressedAttributes;
using istio::mixer::v1::ReportRequest;

struct Fixture {
  Fixture() : codec(WireCodec::Create(Vocabulary::Standard())), bag(codec->shared_vocabulary()) {
    wire_testing::FillOutboundTcpReport(&bag);
    if (!codec->Encode(bag, &message).ok()) std::abort();
    bytes = message.SerializeAsString();
  }
  std::shared_ptr<const WireCodec> codec;
  MutableBag bag;
  CompressedAttributes message;
  std::string bytes;
};

const Fixture& TheFixture() {
  static const Fixture* const kFixture = new Fixture();
  return *kFixture;
}

// Ours: the serialized CompressedAttributes straight into a reused bag.
void BM_DecodeBytes(benchmark::State& state) {
  const Fixture& f = TheFixture();
  MutableBag bag(f.codec->shared_vocabulary());
  if (!f.codec->DecodeBytes(f.bytes, &bag).ok()) std::abort();
  bench::AllocationCounter allocations;
  for (auto _ : state) {
    bag.Reset();
    absl::Status s = f.codec->DecodeBytes(f.bytes, &bag);
    benchmark::DoNotOptimize(s);
  }
  allocations.Report(state);
  state.counters["attributes"] = static_cast<double>(bag.size());
  state.counters["bytes"] = static_cast<double>(f.bytes.size());
}
BENCHMARK(BM_DecodeBytes);

// Reference: protobuf's generated parser on the same bytes, into a reused message (it only
// parses; the strings are still indices).
void BM_ProtobufParseFromString(benchmark::State& state) {
  const Fixture& f = TheFixture();
  CompressedAttributes message;
  bench::AllocationCounter allocations;
  for (auto _ : state) {
    bool ok = message.ParseFromString(f.bytes);
    benchmark::DoNotOptimize(ok);
  }
  allocations.Report(state);
}
BENCHMARK(BM_ProtobufParseFromString);

// Ours, the generated-message path: a parsed message into a reused bag.
void BM_DecodeMessage(benchmark::State& state) {
  const Fixture& f = TheFixture();
  CompressedAttributes message;
  message.ParseFromString(f.bytes);
  MutableBag bag(f.codec->shared_vocabulary());
  if (!f.codec->Decode(message, &bag).ok()) std::abort();
  bench::AllocationCounter allocations;
  for (auto _ : state) {
    bag.Reset();
    absl::Status s = f.codec->Decode(message, &bag);
    benchmark::DoNotOptimize(s);
  }
  allocations.Report(state);
}
BENCHMARK(BM_DecodeMessage);

// The whole generated-message path: parse, then decode (what DecodeBytes replaces).
void BM_ParseThenDecodeMessage(benchmark::State& state) {
  const Fixture& f = TheFixture();
  CompressedAttributes message;
  MutableBag bag(f.codec->shared_vocabulary());
  bench::AllocationCounter allocations;
  for (auto _ : state) {
    message.ParseFromString(f.bytes);
    bag.Reset();
    absl::Status s = f.codec->Decode(message, &bag);
    benchmark::DoNotOptimize(s);
  }
  allocations.Report(state);
}
BENCHMARK(BM_ParseThenDecodeMessage);

// Ours: the bag into a reused CompressedAttributes.
void BM_Encode(benchmark::State& state) {
  const Fixture& f = TheFixture();
  CompressedAttributes message;
  bench::AllocationCounter allocations;
  for (auto _ : state) {
    absl::Status s = f.codec->Encode(f.bag, &message);
    benchmark::DoNotOptimize(s);
  }
  allocations.Report(state);
}
BENCHMARK(BM_Encode);

// Ours: the bag straight to serialized bytes, into a reused string (no message built).
void BM_EncodeBytes(benchmark::State& state) {
  const Fixture& f = TheFixture();
  std::string out;
  bench::AllocationCounter allocations;
  for (auto _ : state) {
    absl::Status s = f.codec->EncodeBytes(f.bag, &out);
    benchmark::DoNotOptimize(s);
  }
  allocations.Report(state);
}
BENCHMARK(BM_EncodeBytes);

// Reference: protobuf serializing the encoded message into a reused string.
void BM_ProtobufSerializeToString(benchmark::State& state) {
  const Fixture& f = TheFixture();
  std::string out;
  bench::AllocationCounter allocations;
  for (auto _ : state) {
    bool ok = f.message.SerializeToString(&out);
    benchmark::DoNotOptimize(ok);
  }
  allocations.Report(state);
}
BENCHMARK(BM_ProtobufSerializeToString);

// A 100-report INDEPENDENT_ENCODING request (istio/proxy's max_batch_entries), per request.
std::string BatchBytes(ReportRequest* request) {
  const Fixture& f = TheFixture();
  auto encoder = ReportBatchEncoder::Create(f.codec).value();
  for (int i = 0; i < 100; ++i) {
    MutableBag bag(f.codec->shared_vocabulary());
    wire_testing::FillOutboundTcpReport(&bag, 100 + i, 300 + i);
    if (!encoder->Add(bag).ok()) std::abort();
  }
  std::string bytes(encoder->bytes());
  if (!request->ParseFromString(bytes)) std::abort();
  return bytes;
}

// Ours: the serialized 100-report request, each report delivered as a bag.
void BM_DecodeReportBatchBytes(benchmark::State& state) {
  ReportRequest request;
  const std::string bytes = BatchBytes(&request);
  ReportBatchDecoder decoder(TheFixture().codec);
  int64_t sum = 0;
  auto deliver = [&sum](const Bag& bag) { sum += bag.size() > 0 ? 1 : 0; };
  if (!decoder.DecodeBytes(bytes, deliver).ok()) std::abort();
  bench::AllocationCounter allocations;
  for (auto _ : state) {
    auto r = decoder.DecodeBytes(bytes, [](const Bag& bag) { benchmark::DoNotOptimize(&bag); });
    benchmark::DoNotOptimize(r);
  }
  allocations.Report(state);
  state.SetItemsProcessed(state.iterations() * 100);
}
BENCHMARK(BM_DecodeReportBatchBytes);

// Reference: protobuf parsing the same request into a reused message.
void BM_ProtobufParseReportRequest(benchmark::State& state) {
  ReportRequest request;
  const std::string bytes = BatchBytes(&request);
  ReportRequest parsed;
  bench::AllocationCounter allocations;
  for (auto _ : state) {
    bool ok = parsed.ParseFromString(bytes);
    benchmark::DoNotOptimize(ok);
  }
  allocations.Report(state);
  state.SetItemsProcessed(state.iterations() * 100);
}
BENCHMARK(BM_ProtobufParseReportRequest);

// Ours: 100 bags into a reused ReportRequest.
void BM_EncodeReportBatch(benchmark::State& state) {
  const Fixture& f = TheFixture();
  auto encoder = ReportBatchEncoder::Create(f.codec).value();
  bench::AllocationCounter allocations;
  for (auto _ : state) {
    encoder->Clear();
    for (int i = 0; i < 100; ++i) {
      absl::StatusOr<bool> added = encoder->Add(f.bag);
      benchmark::DoNotOptimize(added);
    }
  }
  allocations.Report(state);
  state.SetItemsProcessed(state.iterations() * 100);
}
BENCHMARK(BM_EncodeReportBatch);

}  // namespace
}  // namespace mixlet
