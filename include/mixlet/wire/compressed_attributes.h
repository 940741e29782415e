// WireCodec: converts attribute bags to and from `istio.mixer.v1.CompressedAttributes`, the form
// one bag takes inside a Mixer Check or Report request.
//
// On the wire every attribute name, every string value and every string-map key and value is a
// word index: `i >= 0` is word `i` of the global dictionary (`GlobalDictionary()`), `i < 0` is
// `words[-i - 1]` of the message's own dictionary. Values sit in one map per wire slot: `strings`
// (STRING, DNS_NAME, EMAIL_ADDRESS, URI), `int64s`, `doubles`, `bools`, `timestamps`,
// `durations`, `bytes` (IP_ADDRESS) and `string_maps` (wire.md §2).
//
// A `WireCodec` is built once per `Vocabulary` and precomputes, for every global word, the
// attribute it names, and for every attribute, its global word; so decoding never hashes a
// global-word name and encoding never hashes a known attribute's name. A message word that names
// an attribute is hashed once per word. The codec is immutable and safe to use from any number of
// threads; share it as `std::shared_ptr<const WireCodec>`.
//
// Two encoders give the same message: `Encode` builds the generated message, `EncodeBytes`
// writes its serialized bytes directly (the fast path). Two decoders give the same bag:
// `DecodeBytes` reads serialized bytes with a hand-written inline wire reader (the fast path,
// no generated-message parse), `Decode` reads a parsed
// generated message, and both validate alike: an index outside either dictionary, a value
// in the wrong map for the vocabulary's type, an attribute sent twice, a malformed timestamp or
// duration, or bytes that do not parse are `InvalidArgument` naming the attribute or index at
// fault. Attributes the vocabulary does not know are carried, typed by their wire slot (strings
// -> STRING, int64s -> INT64, doubles -> DOUBLE, bools -> BOOL, timestamps -> TIMESTAMP,
// durations -> DURATION, bytes -> IP_ADDRESS, string_maps -> STRING_MAP).
//
// Example:
//   std::shared_ptr<const WireCodec> codec = WireCodec::Create(Vocabulary::Standard());
//   std::string bytes;
//   absl::Status s = codec->EncodeBytes(bag, &bytes);     // or Encode(bag, &message)
//   MutableBag decoded(codec->shared_vocabulary());       // reuse it: Reset() per message
//   if (s.ok()) s = codec->DecodeBytes(bytes, &decoded);  // or Decode(message, &decoded)
#ifndef MIXLET_WIRE_COMPRESSED_ATTRIBUTES_H_
#define MIXLET_WIRE_COMPRESSED_ATTRIBUTES_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "istio/mixer/v1/attributes.pb.h"
#include "mixlet/attribute/bag.h"
#include "mixlet/attribute/mutable_bag.h"
#include "mixlet/attribute/vocabulary.h"
#include "mixlet/wire/global_dictionary.h"

namespace mixlet {

class WireCodec;

namespace wire_internal {
struct CodecTables;
const CodecTables& TablesOf(const WireCodec& codec);
}  // namespace wire_internal

// At most this many attributes unknown to the vocabulary are accepted in one decoded bag (in a
// delta-encoded batch, counting every one that each element sets since element 0); beyond it
// decoding fails with InvalidArgument. A bag finds unknown attributes by scanning them, so the bound keeps hostile
// input from costing quadratic time; real proxies send a handful.
inline constexpr uint32_t kMaxUnknownAttributesPerBag = 4096;

class WireCodec {
 public:
  // Builds the tables for `vocabulary` (one hash lookup per global word and per attribute).
  static std::shared_ptr<const WireCodec> Create(std::shared_ptr<const Vocabulary> vocabulary);

  // Not copyable: share it through std::shared_ptr<const WireCodec>.
  WireCodec(const WireCodec&) = delete;
  WireCodec& operator=(const WireCodec&) = delete;
  ~WireCodec();

  const Vocabulary& vocabulary() const;
  const std::shared_ptr<const Vocabulary>& shared_vocabulary() const;

  // Encodes `bag` (its parents' attributes included) into `out`, which is cleared first and
  // carries its own message dictionary in `words`. A string is sent as its global index when it
  // is among the first `global_word_count` global words (at most kGlobalDictionarySize), else
  // as a message word, added once, in first-use order. Attributes are visited in the order they
  // were set when the bag has no parent (so the words come out as in wire.md §2.2), otherwise in
  // `Bag::ForEach` order. DNS_NAME, EMAIL_ADDRESS and URI values travel in `strings`.
  // InvalidArgument for a TIMESTAMP value that protobuf cannot carry (nanos outside
  // [0, 999999999] or seconds outside years 1..9999) or a `global_word_count` above
  // kGlobalDictionarySize; `out` is then cleared.
  absl::Status Encode(const Bag& bag, istio::mixer::v1::CompressedAttributes* out,
                      uint32_t global_word_count = kGlobalDictionarySize) const;

  // Like Encode, but writes the serialized CompressedAttributes straight into `out` (cleared
  // first) without building a message: the bytes parse into the message Encode builds (words
  // first, then one map entry per attribute). Same errors; `out` is then empty.
  // Hot path: no allocation, no string hashing.
  // (Once `out` has the capacity, and while the bag has at most 32 distinct message words.)
  absl::Status EncodeBytes(const Bag& bag, std::string* out,
                           uint32_t global_word_count = kGlobalDictionarySize) const;

  // Sets every attribute of the serialized CompressedAttributes `bytes` on `bag`, over what it
  // already holds (pass a Reset bag to decode a standalone bag; pass an accumulated one to apply
  // a delta). Strings that are not global words are copied into the bag, so `bytes` need not
  // outlive the call; global words are borrowed (static storage). `bag` must use this codec's
  // vocabulary (FailedPrecondition otherwise).
  // InvalidArgument, naming what is at fault, when the bytes do not parse as protobuf, an index
  // is outside its dictionary, a known attribute arrives in the wrong map, an attribute appears
  // twice (`duplicate attribute <name>`), a string map repeats a key, a timestamp's nanos are
  // outside [0, 999999999] or its seconds outside years 1..9999, a duration is malformed or does
  // not fit int64 nanoseconds, or there are more than kMaxUnknownAttributesPerBag unknown
  // attributes. On error `bag` holds an unspecified subset of the message: Reset it.
  // Stricter than protobuf's own parser in one corner: when one map repeats a key (which no
  // serializer emits), both entries are validated before the later one wins. Laxer in another:
  // words are not checked to be UTF-8 (as in Mixer).
  // Hot path: no allocation, no string hashing.
  // (Once warm: the thread's scratch space and the bag's arena are reused. Global-word names are
  // resolved by table; a message word that names an attribute is hashed once per decode.)
  absl::Status DecodeBytes(absl::string_view bytes, MutableBag* bag) const;

  // Like DecodeBytes, from a parsed message. Same validation and errors, except those about
  // bytes that do not parse. Strings that are not global words are copied into the bag.
  absl::Status Decode(const istio::mixer::v1::CompressedAttributes& message, MutableBag* bag) const;

 private:
  friend const wire_internal::CodecTables& wire_internal::TablesOf(const WireCodec& codec);
  explicit WireCodec(std::unique_ptr<const wire_internal::CodecTables> tables);

  std::unique_ptr<const wire_internal::CodecTables> tables_;
};

}  // namespace mixlet

#endif  // MIXLET_WIRE_COMPRESSED_ATTRIBUTES_H_
