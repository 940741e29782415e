#include "mixlet/wire/report_batch.h"

#include <algorithm>
#include <climits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "internal/status_macros.h"
#include "wire/compressed_attributes_internal.h"

namespace mixlet {

using istio::mixer::v1::CompressedAttributes;
using istio::mixer::v1::ReportRequest;

namespace wire_internal {

// What a ReportBatchDecoder keeps from request to request.
struct BatchDecodeState {
  explicit BatchDecodeState(std::shared_ptr<const Vocabulary> vocabulary)
      : bag(std::move(vocabulary)) {}

  // The bag handed to the callback: reset per element (INDEPENDENT) or accumulated (DELTA).
  MutableBag bag;
  DecodeScratch scratch;
  // The request's `default_words`, resolved to attributes once per request.
  MessageWords default_words;
  // DecodeBytes: the serialized elements.
  std::vector<absl::string_view> elements;
};

}  // namespace wire_internal

namespace {

// ReportRequest's field numbers.
constexpr uint32_t kAttributesField = 1;
constexpr uint32_t kDefaultWordsField = 2;
constexpr uint32_t kGlobalWordCountField = 3;
constexpr uint32_t kSemanticsField = 4;

using wire_internal::BatchDecodeState;
using wire_internal::CodecTables;
using wire_internal::TablesOf;

absl::Status CheckSemantics(int semantics) {
  if (semantics != ReportRequest::DELTA_ENCODING &&
      semantics != ReportRequest::INDEPENDENT_ENCODING) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid ReportRequest: repeated_attributes_semantics ", semantics,
                     " is neither DELTA_ENCODING (0) nor INDEPENDENT_ENCODING (1)"));
  }
  return absl::OkStatus();
}

// The checks that fail a whole request before any element is applied.
absl::Status CheckRequest(uint32_t global_word_count, int semantics) {
  if (global_word_count > kGlobalDictionarySize) {
    // istio/proxy's InvalidDictionaryStatus() looks for this prefix, then falls back to the
    // 111-word base dictionary.
    return absl::InvalidArgumentError(absl::StrCat(
        "Request could not be processed due to invalid global dictionary: server knows ",
        kGlobalDictionarySize, " words, client ", global_word_count));
  }
  return CheckSemantics(semantics);
}

// Decodes `total` elements with `decode_element(k, bag)` and delivers the good ones, with the
// semantics of wire.md §3 and mixlet's refusal rules.
template <typename DecodeElement>
ReportBatchResult RunBatch(size_t total, bool delta, BatchDecodeState& state,
                           DecodeElement decode_element,
                           absl::FunctionRef<void(const Bag&)> deliver) {
  ReportBatchResult result;
  result.total = total;
  MutableBag& bag = state.bag;
  bag.Reset();
  state.scratch.unknown_count = 0;
  for (size_t k = 0; k < total; ++k) {
    if (delta && !result.refused.empty()) {
      result.refused.push_back({k, absl::InvalidArgumentError(absl::StrCat(
                                       "not applied: delta-encoded on top of report ",
                                       result.refused.front().index, ", which was refused"))});
      continue;
    }
    if (!delta) {
      bag.Reset();
      state.scratch.unknown_count = 0;
    }
    absl::Status status = decode_element(k, &bag);
    if (!status.ok()) {
      result.refused.push_back({k, std::move(status)});
      continue;
    }
    deliver(bag);
    ++result.delivered;
  }
  bag.Reset();
  return result;
}

}  // namespace

absl::Status ReportBatchResult::ToStatus() const {
  if (refused.empty()) return absl::OkStatus();
  std::string message = absl::StrCat(refused.size(), " of ", total, " reports refused");
  const char* separator = ": ";
  for (const RefusedReport& r : refused) {
    absl::StrAppend(&message, separator, "report ", r.index, ": ", r.status.message());
    separator = "; ";
  }
  return absl::InvalidArgumentError(message);
}

// ---------------------------------------------------------------------------------------------
// ReportBatchEncoder.

absl::StatusOr<std::unique_ptr<ReportBatchEncoder>> ReportBatchEncoder::Create(
    std::shared_ptr<const WireCodec> codec, ReportBatchOptions options) {
  MIXLET_RETURN_IF_ERROR(wire_internal::CheckGlobalWordCount(options.global_word_count));
  MIXLET_RETURN_IF_ERROR(CheckSemantics(options.semantics));
  return std::unique_ptr<ReportBatchEncoder>(new ReportBatchEncoder(std::move(codec), options));
}

ReportBatchEncoder::ReportBatchEncoder(std::shared_ptr<const WireCodec> codec,
                                       ReportBatchOptions options)
    : codec_(std::move(codec)),
      options_(options),
      dictionary_(std::make_unique<wire_internal::MessageDictionary>(
          wire_internal::MessageDictionary::kOwnCopies)),
      previous_(std::make_unique<MutableBag>(codec_->shared_vocabulary())),
      next_(std::make_unique<MutableBag>(codec_->shared_vocabulary())) {}

ReportBatchEncoder::~ReportBatchEncoder() = default;

void ReportBatchEncoder::Clear() {
  dictionary_->Clear();
  elements_end_ = 0;
  size_ = 0;
  previous_->Reset();
}

absl::Status ReportBatchEncoder::set_global_word_count(uint32_t global_word_count) {
  if (!empty()) {
    return absl::FailedPreconditionError(
        "set_global_word_count needs an empty request: send and Clear() the pending one first");
  }
  MIXLET_RETURN_IF_ERROR(wire_internal::CheckGlobalWordCount(global_word_count));
  options_.global_word_count = global_word_count;
  return absl::OkStatus();
}

bool ReportBatchEncoder::CoversPrevious(const Bag& bag) const {
  const bool same_vocabulary = &bag.vocabulary() == &codec_->vocabulary();
  bool covered = true;
  previous_->ForEachOwn([&](absl::optional<AttributeId> id, absl::string_view name, const Value&) {
    if (covered) covered = (same_vocabulary && id ? bag.Get(*id) : bag.Find(name)) != nullptr;
  });
  return covered;
}

absl::StatusOr<bool> ReportBatchEncoder::Add(const Bag& bag) {
  // Hot path: no allocation once warm; only message words are hashed.
  const bool delta = options_.semantics == ReportRequest::DELTA_ENCODING;
  if (delta && !empty() && !CoversPrevious(bag)) return false;
  if (delta) {
    // What the receiver will hold after this element: exactly `bag`, since it covers the
    // previous one. Copied first, because a bag of another vocabulary may type a name
    // differently from the codec's, and then its deltas cannot be tracked.
    next_->Reset();
    absl::Status status;
    wire_internal::VisitBag(
        TablesOf(*codec_), bag,
        [&](absl::optional<AttributeId> id, absl::string_view name, const Value& value) {
          if (status.ok()) status = id ? next_->Set(*id, value) : next_->Set(name, value);
        });
    if (!status.ok()) return status;
  }

  const size_t words_before = dictionary_->size();
  wire_internal::WordIndexer indexer(TablesOf(*codec_), options_.global_word_count,
                                     dictionary_.get());
  wire_internal::ByteWriter writer(&buffer_, elements_end_);
  absl::Status status = wire_internal::WriteElement(TablesOf(*codec_), bag,
                                                    delta && !empty() ? previous_.get() : nullptr,
                                                    kAttributesField, indexer, writer);
  if (!status.ok()) {
    dictionary_->Truncate(words_before);
    return status;
  }
  elements_end_ = writer.position();
  ++size_;
  if (delta) std::swap(previous_, next_);
  return true;
}

absl::string_view ReportBatchEncoder::bytes() {
  wire_internal::ByteWriter writer(&buffer_, elements_end_);
  for (size_t i = 0; i < dictionary_->size(); ++i) {
    writer.BytesField(kDefaultWordsField, dictionary_->word(i));
  }
  // Protobuf leaves out scalars equal to their default, zero.
  if (options_.global_word_count != 0) {
    writer.Tag(kGlobalWordCountField, wire_internal::kVarint);
    writer.Varint(options_.global_word_count);
  }
  if (options_.semantics != 0) {
    writer.Tag(kSemanticsField, wire_internal::kVarint);
    writer.Varint(static_cast<uint32_t>(options_.semantics));
  }
  return absl::string_view(buffer_.data(), writer.position());
}

// ---------------------------------------------------------------------------------------------
// ReportBatchDecoder.

ReportBatchDecoder::ReportBatchDecoder(std::shared_ptr<const WireCodec> codec)
    : codec_(std::move(codec)),
      state_(std::make_unique<BatchDecodeState>(codec_->shared_vocabulary())) {}

ReportBatchDecoder::~ReportBatchDecoder() = default;

absl::StatusOr<ReportBatchResult> ReportBatchDecoder::Decode(
    const ReportRequest& request, absl::FunctionRef<void(const Bag&)> deliver) {
  // Hot path: no allocation, no string hashing.
  MIXLET_RETURN_IF_ERROR(
      CheckRequest(request.global_word_count(), request.repeated_attributes_semantics()));
  BatchDecodeState& state = *state_;
  state.default_words.Clear();
  for (const std::string& word : request.default_words()) state.default_words.Add(word);
  const CodecTables& tables = TablesOf(*codec_);
  return RunBatch(
      static_cast<size_t>(request.attributes_size()),
      request.repeated_attributes_semantics() == ReportRequest::DELTA_ENCODING, state,
      [&](size_t k, MutableBag* bag) {
        return wire_internal::DecodeCompressedMessage(tables,
                                                      request.attributes(static_cast<int>(k)),
                                                      &state.default_words, &state.scratch, bag);
      },
      deliver);
}

absl::StatusOr<ReportBatchResult> ReportBatchDecoder::DecodeBytes(
    absl::string_view request_bytes, absl::FunctionRef<void(const Bag&)> deliver) {
  // Hot path: no allocation, no string hashing.
  if (request_bytes.size() > static_cast<size_t>(INT_MAX)) {
    return absl::InvalidArgumentError(
        absl::StrCat("ReportRequest of ", request_bytes.size(), " bytes is larger than 2 GiB"));
  }
  BatchDecodeState& state = *state_;
  state.default_words.Clear();
  state.elements.clear();
  uint32_t global_word_count = 0;
  int32_t semantics = ReportRequest::DELTA_ENCODING;
  wire_internal::WireReader r(request_bytes, "ReportRequest", 0);
  while (!r.AtEnd()) {
    uint32_t tag = 0;
    MIXLET_RETURN_IF_ERROR(r.ReadTag(&tag));
    const uint32_t field = tag >> 3;
    const uint32_t wire_type = tag & 7;
    if ((field == kAttributesField || field == kDefaultWordsField) &&
        wire_type == wire_internal::kLengthDelimited) {
      absl::string_view payload;
      size_t unused_offset;
      MIXLET_RETURN_IF_ERROR(r.ReadLengthDelimited(&payload, &unused_offset));
      if (field == kAttributesField) {
        state.elements.push_back(payload);
      } else {
        state.default_words.Add(payload);
      }
    } else if ((field == kGlobalWordCountField || field == kSemanticsField) &&
               wire_type == wire_internal::kVarint) {
      uint64_t v = 0;
      MIXLET_RETURN_IF_ERROR(r.ReadVarint(&v));
      // uint32 and enum (int32) fields keep the low 32 bits, as protobuf does.
      if (field == kGlobalWordCountField) {
        global_word_count = static_cast<uint32_t>(v);
      } else {
        semantics = static_cast<int32_t>(static_cast<uint32_t>(v));
      }
    } else {
      MIXLET_RETURN_IF_ERROR(r.Skip(tag));
    }
  }
  MIXLET_RETURN_IF_ERROR(CheckRequest(global_word_count, semantics));
  const CodecTables& tables = TablesOf(*codec_);
  return RunBatch(
      state.elements.size(), semantics == ReportRequest::DELTA_ENCODING, state,
      [&](size_t k, MutableBag* bag) {
        return wire_internal::DecodeCompressedBytes(tables, state.elements[k], &state.default_words,
                                                    &state.scratch, bag);
      },
      deliver);
}

absl::StatusOr<ReportBatchResult> DecodeReportBatch(const ReportRequest& request,
                                                    std::shared_ptr<const WireCodec> codec,
                                                    absl::FunctionRef<void(const Bag&)> deliver) {
  ReportBatchDecoder decoder(std::move(codec));
  return decoder.Decode(request, deliver);
}

absl::StatusOr<ReportBatchResult> DecodeReportBatch(absl::string_view request_bytes,
                                                    std::shared_ptr<const WireCodec> codec,
                                                    absl::FunctionRef<void(const Bag&)> deliver) {
  ReportBatchDecoder decoder(std::move(codec));
  return decoder.DecodeBytes(request_bytes, deliver);
}

}  // namespace mixlet
