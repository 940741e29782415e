// libFuzzer target for the wire decoders. Feeds the input to:
//   * WireCodec::DecodeBytes, as one CompressedAttributes; a bag it accepts must survive
//     EncodeBytes + DecodeBytes unchanged;
//   * WireCodec::Decode, when protobuf's own parser accepts the bytes; whenever the byte decoder
//     accepts them too, both bags must be equal (the byte decoder may only be stricter);
//   * ReportBatchDecoder::DecodeBytes and, when protobuf parses it, ReportBatchDecoder::Decode,
//     as one ReportRequest; delivered counts and refusals must add up.
// Every failure must be InvalidArgument; anything else, a crash, a leak or an ASan report is a
// bug.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "google/protobuf/stubs/logging.h"
#include "mixlet/attribute/mutable_bag.h"
#include "mixlet/attribute/vocabulary.h"
#include "mixlet/wire/compressed_attributes.h"
#include "mixlet/wire/report_batch.h"
#include "wire/wire_testing.h"

namespace {

using mixlet::Bag;
using mixlet::MutableBag;

void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "wire_decode_fuzzer: %s\n%s\n", what, detail.c_str());
  std::abort();
}

void CheckInvalidArgument(const char* what, const absl::Status& status) {
  if (!status.ok() && status.code() != absl::StatusCode::kInvalidArgument) {
    Fail(what, status.ToString());
  }
}

struct State {
  State()
      : codec(mixlet::WireCodec::Create(mixlet::Vocabulary::Standard())),
        bag(codec->shared_vocabulary()),
        again(codec->shared_vocabulary()),
        from_message(codec->shared_vocabulary()),
        batch(codec) {}
  std::shared_ptr<const mixlet::WireCodec> codec;
  MutableBag bag;
  MutableBag again;
  MutableBag from_message;
  mixlet::ReportBatchDecoder batch;
  std::string encoded;
  istio::mixer::v1::CompressedAttributes message;
  istio::mixer::v1::ReportRequest request;
};

void CheckBatch(const char* what, const absl::StatusOr<mixlet::ReportBatchResult>& result,
                size_t delivered) {
  CheckInvalidArgument(what, result.status());
  if (!result.ok()) return;
  if (result->delivered != delivered ||
      result->delivered + result->refused.size() != result->total) {
    Fail(what, "delivered and refused reports do not add up");
  }
  for (const mixlet::RefusedReport& r : result->refused) CheckInvalidArgument(what, r.status);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // protobuf logs each string field that is not UTF-8; the fuzzer makes many.
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static State* const state = new State();
  State& s = *state;
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);

  // One CompressedAttributes, straight from bytes.
  s.bag.Reset();
  const absl::Status decoded = s.codec->DecodeBytes(bytes, &s.bag);
  CheckInvalidArgument("DecodeBytes", decoded);
  if (decoded.ok()) {
    (void)s.bag.DebugString();
    const absl::Status encoded = s.codec->EncodeBytes(s.bag, &s.encoded);
    if (!encoded.ok()) Fail("EncodeBytes refused a decoded bag", encoded.ToString());
    s.again.Reset();
    const absl::Status again = s.codec->DecodeBytes(s.encoded, &s.again);
    if (!again.ok()) Fail("re-encoded bag does not decode", again.ToString());
    const std::string diff = mixlet::wire_testing::BagDiff(s.bag, s.again);
    if (!diff.empty()) Fail("re-encoded bag differs", diff);
  }

  // The same bytes through protobuf's parser and the message decoder.
  if (s.message.ParseFromString(std::string(bytes))) {
    s.from_message.Reset();
    const absl::Status from_message = s.codec->Decode(s.message, &s.from_message);
    CheckInvalidArgument("Decode", from_message);
    if (decoded.ok()) {
      if (!from_message.ok())
        Fail("Decode refused what DecodeBytes accepted", from_message.ToString());
      const std::string diff = mixlet::wire_testing::BagDiff(s.bag, s.from_message);
      if (!diff.empty()) Fail("Decode and DecodeBytes disagree", diff);
    }
  }

  // One ReportRequest.
  size_t delivered = 0;
  auto count = [&delivered](const Bag& bag) {
    ++delivered;
    (void)bag.size();
  };
  CheckBatch("ReportBatchDecoder::DecodeBytes", s.batch.DecodeBytes(bytes, count), delivered);
  if (s.request.ParseFromString(std::string(bytes))) {
    delivered = 0;
    CheckBatch("ReportBatchDecoder::Decode", s.batch.Decode(s.request, count), delivered);
  }
  return 0;
}
