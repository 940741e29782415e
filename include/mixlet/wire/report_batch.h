// ReportBatchEncoder / ReportBatchDecoder: many attribute bags in one
// `istio.mixer.v1.ReportRequest`, the message a proxy sends to Mixer's Report method.
//
// A request carries one CompressedAttributes per report plus a message dictionary
// (`default_words`) shared by every element whose own `words` is empty, the number of global
// words the client knows, and how its elements relate (wire.md §3):
//   * INDEPENDENT_ENCODING: every element is a complete bag (istio/proxy 1.1 and later, the
//     default here);
//   * DELTA_ENCODING: element 0 is a complete bag and each later element holds only what changed
//     since the previous one, applied on top of it. A delta can set but never delete, so a bag
//     that lacks an attribute the previous one had must start a new request (istio/proxy 1.0).
//
// Decoding follows Mixer's semantics with mixlet's stricter rules: a `global_word_count` above
// the server's dictionary fails the whole request with a message istio/proxy recognizes (it
// then falls back to the 111-word base dictionary); a bad element is refused and reported by
// position while the others are delivered (in a delta request, every element after a refused
// one is refused too, since it builds on it).
//
// Example:
//   auto codec = WireCodec::Create(Vocabulary::Standard());
//   auto encoder = ReportBatchEncoder::Create(codec).value();
//   for (const MutableBag& bag : reports) encoder->Add(bag).IgnoreError();
//   Send(encoder->bytes());                           // then encoder->Clear()
//
//   ReportBatchDecoder decoder(codec);                // server side, one per thread
//   absl::StatusOr<ReportBatchResult> r =
//       decoder.DecodeBytes(wire_bytes, [&](const Bag& bag) { router.Dispatch(bag); });
#ifndef MIXLET_WIRE_REPORT_BATCH_H_
#define MIXLET_WIRE_REPORT_BATCH_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "istio/mixer/v1/report.pb.h"
#include "mixlet/attribute/bag.h"
#include "mixlet/attribute/mutable_bag.h"
#include "mixlet/wire/compressed_attributes.h"
#include "mixlet/wire/global_dictionary.h"

namespace mixlet {

namespace wire_internal {
struct BatchDecodeState;
class MessageDictionary;
}  // namespace wire_internal

using ReportSemantics = istio::mixer::v1::ReportRequest::RepeatedAttributesSemantics;

struct ReportBatchOptions {
  // INDEPENDENT_ENCODING (default, as istio/proxy 1.1+) or DELTA_ENCODING (istio/proxy 1.0).
  ReportSemantics semantics = istio::mixer::v1::ReportRequest::INDEPENDENT_ENCODING;
  // How many global dictionary words to use, at most kGlobalDictionarySize (the default).
  // istio/proxy drops to kGlobalDictionaryBaseSize after an invalid-dictionary reply.
  uint32_t global_word_count = kGlobalDictionarySize;
};

// Builds one ReportRequest at a time, straight in its serialized form (no generated message is
// built), reusing its memory across requests. All elements share `default_words` and have empty
// `words`. Not thread-safe.
class ReportBatchEncoder {
 public:
  // InvalidArgument when `options.global_word_count` exceeds kGlobalDictionarySize or
  // `options.semantics` is neither encoding.
  static absl::StatusOr<std::unique_ptr<ReportBatchEncoder>> Create(
      std::shared_ptr<const WireCodec> codec, ReportBatchOptions options = {});

  // Not copyable: owns the buffers of the request it builds.
  ReportBatchEncoder(const ReportBatchEncoder&) = delete;
  ReportBatchEncoder& operator=(const ReportBatchEncoder&) = delete;
  ~ReportBatchEncoder();

  // Appends `bag` to the pending request and returns true. In DELTA_ENCODING the first element
  // is the whole bag and each later one only the attributes whose value changed; when `bag`
  // lacks an attribute that the previous bag had, nothing is added and Add returns false: send
  // the pending request, Clear(), and Add again (Add never returns false on an empty request).
  // InvalidArgument when a value cannot be encoded (see WireCodec::Encode); the pending request
  // is then unchanged.
  // Hot path: no allocation once warm (the buffers and word storage have grown to the largest
  // request seen), no string hashing but of the message words (istio/proxy hashed them too).
  absl::StatusOr<bool> Add(const Bag& bag);

  // Number of elements in the pending request.
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // The pending request, serialized: a complete `istio.mixer.v1.ReportRequest` ready to send
  // (its fields in number order, as protobuf writes them: the elements, `default_words`, then
  // `global_word_count` and `repeated_attributes_semantics` unless zero). The view is valid until
  // the next Add, Clear, set_global_word_count or bytes() call; completing the request costs a
  // copy of its words.
  absl::string_view bytes();

  // Starts a new request, keeping the memory of the previous one.
  void Clear();

  // Uses the first `global_word_count` global words from the next element on. Only on an empty
  // request (FailedPrecondition otherwise); InvalidArgument above kGlobalDictionarySize.
  absl::Status set_global_word_count(uint32_t global_word_count);
  uint32_t global_word_count() const { return options_.global_word_count; }

 private:
  ReportBatchEncoder(std::shared_ptr<const WireCodec> codec, ReportBatchOptions options);
  // DELTA_ENCODING: true when every attribute of `previous_` is in `bag`.
  bool CoversPrevious(const Bag& bag) const;

  std::shared_ptr<const WireCodec> codec_;
  ReportBatchOptions options_;
  // The request's `default_words`, with copies of the words.
  std::unique_ptr<wire_internal::MessageDictionary> dictionary_;
  // The serialized elements in [0, elements_end_); bytes() writes the rest of the request after
  // them. Never shrunk, so a warm encoder neither allocates nor zeroes it again.
  std::string buffer_;
  size_t elements_end_ = 0;
  size_t size_ = 0;
  // DELTA_ENCODING: the bag the last element brings the receiver to, and the one being built
  // for the next (they swap once the element is written).
  std::unique_ptr<MutableBag> previous_;
  std::unique_ptr<MutableBag> next_;
};

// One element of a request that was not delivered.
struct RefusedReport {
  // Position in `ReportRequest.attributes`.
  size_t index = 0;
  // InvalidArgument naming the attribute, index or bytes at fault.
  absl::Status status;
};

// What decoding a request did.
struct ReportBatchResult {
  // Elements in the request.
  size_t total = 0;
  // Bags handed to the callback.
  size_t delivered = 0;
  // The elements refused, in position order.
  std::vector<RefusedReport> refused;

  bool ok() const { return refused.empty(); }
  // OK when nothing was refused; otherwise InvalidArgument listing each refused element, e.g.
  // `1 of 3 reports refused: report 2: attribute 'context.protocol' is STRING but was sent in
  // int64s` (what the gRPC server replies).
  absl::Status ToStatus() const;
};

// Decodes ReportRequests into bags, reusing its bags and scratch space from request to request
// so that, once warm, decoding allocates nothing per element. One per thread: not thread-safe.
class ReportBatchDecoder {
 public:
  explicit ReportBatchDecoder(std::shared_ptr<const WireCodec> codec);
  ~ReportBatchDecoder();
  ReportBatchDecoder(const ReportBatchDecoder&) = delete;
  ReportBatchDecoder& operator=(const ReportBatchDecoder&) = delete;

  // Calls `deliver` once per element that decodes, in order, with the element's bag (for
  // DELTA_ENCODING, the bag accumulated up to it). The bag is valid only during the call.
  // Returns the whole request's failure, with nothing delivered, as InvalidArgument when
  // `global_word_count` exceeds kGlobalDictionarySize (message: `Request could not be processed
  // due to invalid global dictionary: server knows 222 words, client 223`) or
  // `repeated_attributes_semantics` is neither encoding; otherwise the result, listing each
  // refused element. `deliver` must not call back into this decoder.
  absl::StatusOr<ReportBatchResult> Decode(const istio::mixer::v1::ReportRequest& request,
                                           absl::FunctionRef<void(const Bag&)> deliver);

  // Like Decode, straight from the serialized request, without a generated-message parse.
  // Also fails as a whole (InvalidArgument `malformed ReportRequest at byte N: ...`) when the
  // request's own framing does not parse; an element whose bytes do not parse is refused.
  // Hot path: no allocation, no string hashing.
  absl::StatusOr<ReportBatchResult> DecodeBytes(absl::string_view request_bytes,
                                                absl::FunctionRef<void(const Bag&)> deliver);

 private:
  std::shared_ptr<const WireCodec> codec_;
  std::unique_ptr<wire_internal::BatchDecodeState> state_;
};

// One-shot forms of ReportBatchDecoder::Decode / DecodeBytes (bags are reused within the
// request, not across calls).
absl::StatusOr<ReportBatchResult> DecodeReportBatch(const istio::mixer::v1::ReportRequest& request,
                                                    std::shared_ptr<const WireCodec> codec,
                                                    absl::FunctionRef<void(const Bag&)> deliver);
absl::StatusOr<ReportBatchResult> DecodeReportBatch(absl::string_view request_bytes,
                                                    std::shared_ptr<const WireCodec> codec,
                                                    absl::FunctionRef<void(const Bag&)> deliver);

}  // namespace mixlet

#endif  // MIXLET_WIRE_REPORT_BATCH_H_
