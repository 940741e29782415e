#include "mixlet/wire/compressed_attributes.h"

#include <algorithm>
#include <climits>
#include <cstring>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"
#include "internal/status_macros.h"
#include "wire/compressed_attributes_internal.h"

namespace mixlet {
namespace wire_internal {
namespace {

using google::protobuf::internal::WireFormatLite;

// The valid range of google.protobuf.Timestamp: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z.
constexpr int64_t kMinTimestampSeconds = -62135596800;
constexpr int64_t kMaxTimestampSeconds = 253402300799;
constexpr int32_t kNanosPerSecond = 1000000000;

// String maps up to this size find repeated keys by scanning; larger ones through a hash map,
// so that a hostile map costs linear time.
constexpr size_t kMapScanLimit = 32;

// The message-dictionary position of the negative word index `index`: -1 -> 0, -2 -> 1, ...
uint32_t MessagePosition(int32_t index) {
  return static_cast<uint32_t>(-(static_cast<int64_t>(index) + 1));
}

// "the global dictionary has 222 words" / "the message has 4 words": why `index` is out of range.
std::string OutOfRangeReason(int32_t index, size_t message_words) {
  if (index >= 0) {
    return absl::StrCat("the global dictionary has ", kGlobalDictionarySize, " words");
  }
  return absl::StrCat("the message has ", message_words, message_words == 1 ? " word" : " words");
}

absl::Status CheckTimestamp(absl::string_view attribute, int64_t seconds, int32_t nanos) {
  if (nanos < 0 || nanos >= kNanosPerSecond) {
    return absl::InvalidArgumentError(absl::StrCat("attribute '", attribute, "': timestamp nanos ",
                                                   nanos, " outside [0, 999999999]"));
  }
  if (seconds < kMinTimestampSeconds || seconds > kMaxTimestampSeconds) {
    return absl::InvalidArgumentError(
        absl::StrCat("attribute '", attribute, "': timestamp seconds ", seconds,
                     " outside the years 1..9999 that google.protobuf.Timestamp allows"));
  }
  return absl::OkStatus();
}

// google.protobuf.Duration -> nanoseconds, with the checks of Go's types.DurationFromProto.
absl::Status DurationNanos(absl::string_view attribute, int64_t seconds, int32_t nanos,
                           int64_t* out) {
  if (nanos <= -kNanosPerSecond || nanos >= kNanosPerSecond) {
    return absl::InvalidArgumentError(absl::StrCat("attribute '", attribute, "': duration nanos ",
                                                   nanos, " outside [-999999999, 999999999]"));
  }
  if ((seconds > 0 && nanos < 0) || (seconds < 0 && nanos > 0)) {
    return absl::InvalidArgumentError(absl::StrCat("attribute '", attribute, "': duration seconds ",
                                                   seconds, " and nanos ", nanos,
                                                   " have different signs"));
  }
  int64_t total;
  if (__builtin_mul_overflow(seconds, int64_t{kNanosPerSecond}, &total) ||
      __builtin_add_overflow(total, int64_t{nanos}, &total)) {
    return absl::InvalidArgumentError(
        absl::StrCat("attribute '", attribute, "': duration of ", seconds, "s and ", nanos,
                     "ns does not fit in int64 nanoseconds (about 292 years)"));
  }
  *out = total;
  return absl::OkStatus();
}

ABSL_ATTRIBUTE_NOINLINE absl::Status DuplicateAttribute(absl::string_view name, Slot first,
                                                     Slot second) {
  if (first == second) {
    return absl::InvalidArgumentError(
        absl::StrCat("duplicate attribute ", name, " (twice in ", SlotName(first), ")"));
  }
  return absl::InvalidArgumentError(absl::StrCat("duplicate attribute ", name, " (in ",
                                                 SlotName(first), " and ", SlotName(second), ")"));
}

constexpr absl::string_view kCompressedAttributes = "CompressedAttributes";

// google.protobuf.Timestamp / Duration: {int64 seconds = 1; int32 nanos = 2}. Several occurrences
// of the value merge, as protobuf merges repeated embedded messages, so fields overwrite.
absl::Status ReadSecondsNanos(absl::string_view bytes, size_t base, int64_t* seconds,
                              int32_t* nanos) {
  WireReader r(bytes, kCompressedAttributes, base);
  while (!r.AtEnd()) {
    uint32_t tag = 0;
    MIXLET_RETURN_IF_ERROR(r.ReadTag(&tag));
    const uint32_t field = WireFormatLite::GetTagFieldNumber(tag);
    if ((field == 1 || field == 2) && (tag & 7) == kVarint) {
      uint64_t v = 0;
      MIXLET_RETURN_IF_ERROR(r.ReadVarint(&v));
      if (field == 1) {
        *seconds = static_cast<int64_t>(v);
      } else {
        *nanos = static_cast<int32_t>(static_cast<uint32_t>(v));  // int32 truncates, as protobuf.
      }
      continue;
    }
    MIXLET_RETURN_IF_ERROR(r.Skip(tag));
  }
  return absl::OkStatus();
}

// istio.mixer.v1.StringMap {map<sint32, sint32> entries = 1}: appends the raw index pairs.
absl::Status ReadStringMapPairs(absl::string_view bytes, size_t base,
                                std::vector<std::pair<int32_t, int32_t>>* pairs) {
  WireReader r(bytes, kCompressedAttributes, base);
  while (!r.AtEnd()) {
    uint32_t tag = 0;
    MIXLET_RETURN_IF_ERROR(r.ReadTag(&tag));
    if (WireFormatLite::GetTagFieldNumber(tag) != 1 || (tag & 7) != kLengthDelimited) {
      MIXLET_RETURN_IF_ERROR(r.Skip(tag));
      continue;
    }
    absl::string_view entry;
    size_t entry_base = 0;
    MIXLET_RETURN_IF_ERROR(r.ReadLengthDelimited(&entry, &entry_base));
    WireReader e(entry, kCompressedAttributes, entry_base);
    int32_t key = 0;
    int32_t value = 0;
    while (!e.AtEnd()) {
      uint32_t entry_tag = 0;
      MIXLET_RETURN_IF_ERROR(e.ReadTag(&entry_tag));
      const uint32_t field = WireFormatLite::GetTagFieldNumber(entry_tag);
      if ((field == 1 || field == 2) && (entry_tag & 7) == kVarint) {
        uint64_t v = 0;
        MIXLET_RETURN_IF_ERROR(e.ReadVarint(&v));
        (field == 1 ? key : value) = WireFormatLite::ZigZagDecode32(static_cast<uint32_t>(v));
        continue;
      }
      MIXLET_RETURN_IF_ERROR(e.Skip(entry_tag));
    }
    pairs->emplace_back(key, value);
  }
  return absl::OkStatus();
}

// One map entry of CompressedAttributes: {key = 1 (sint32 name index); value = 2}. Reads the
// whole entry first (protobuf allows its fields in any order, repeated: the last wins), then
// hands it to the decoder.
absl::Status DecodeEntry(Slot slot, absl::string_view entry, size_t base, ElementDecoder& decoder,
                         DecodeScratch& scratch) {
  WireReader r(entry, kCompressedAttributes, base);
  int32_t key = 0;
  uint64_t scalar = 0;
  absl::string_view bytes_value;
  int64_t seconds = 0;
  int32_t nanos = 0;
  if (slot == Slot::kStringMaps) scratch.map_pairs.clear();

  while (!r.AtEnd()) {
    uint32_t tag = 0;
    MIXLET_RETURN_IF_ERROR(r.ReadTag(&tag));
    const uint32_t field = WireFormatLite::GetTagFieldNumber(tag);
    const uint32_t wire_type = tag & 7;
    if (field == 1 && wire_type == kVarint) {
      uint64_t v = 0;
      MIXLET_RETURN_IF_ERROR(r.ReadVarint(&v));
      key = WireFormatLite::ZigZagDecode32(static_cast<uint32_t>(v));
      continue;
    }
    if (field == 2) {
      switch (slot) {
        case Slot::kStrings:
        case Slot::kInt64s:
        case Slot::kBools:
          if (wire_type == kVarint) {
            MIXLET_RETURN_IF_ERROR(r.ReadVarint(&scalar));
            continue;
          }
          break;
        case Slot::kDoubles:
          if (wire_type == kFixed64) {
            MIXLET_RETURN_IF_ERROR(r.ReadFixed64(&scalar));
            continue;
          }
          break;
        case Slot::kTimestamps:
        case Slot::kDurations:
        case Slot::kBytes:
        case Slot::kStringMaps:
          if (wire_type == kLengthDelimited) {
            absl::string_view payload;
            size_t payload_base = 0;
            MIXLET_RETURN_IF_ERROR(r.ReadLengthDelimited(&payload, &payload_base));
            if (slot == Slot::kBytes) {
              bytes_value = payload;
            } else if (slot == Slot::kStringMaps) {
              MIXLET_RETURN_IF_ERROR(ReadStringMapPairs(payload, payload_base, &scratch.map_pairs));
            } else {
              MIXLET_RETURN_IF_ERROR(ReadSecondsNanos(payload, payload_base, &seconds, &nanos));
            }
            continue;
          }
          break;
      }
    }
    // Unknown field, or a known one with another wire type: protobuf skips both.
    MIXLET_RETURN_IF_ERROR(r.Skip(tag));
  }

  switch (slot) {
    case Slot::kStrings:
      return decoder.String(key, WireFormatLite::ZigZagDecode32(static_cast<uint32_t>(scalar)));
    case Slot::kInt64s:
      return decoder.Int64(key, static_cast<int64_t>(scalar));
    case Slot::kDoubles: {
      double d;
      std::memcpy(&d, &scalar, sizeof(d));
      return decoder.Double(key, d);
    }
    case Slot::kBools:
      return decoder.Bool(key, scalar != 0);
    case Slot::kTimestamps:
      return decoder.Timestamp(key, seconds, nanos);
    case Slot::kDurations:
      return decoder.Duration(key, seconds, nanos);
    case Slot::kBytes:
      return decoder.Bytes(key, bytes_value);
    case Slot::kStringMaps:
      MIXLET_RETURN_IF_ERROR(decoder.BeginStringMap(key));
      for (const auto& [k, v] : scratch.map_pairs) {
        MIXLET_RETURN_IF_ERROR(decoder.StringMapEntry(k, v));
      }
      return decoder.EndStringMap();
  }
  return absl::InternalError("unreachable slot");
}

}  // namespace

absl::string_view SlotName(Slot slot) {
  switch (slot) {
    case Slot::kStrings:
      return "strings";
    case Slot::kInt64s:
      return "int64s";
    case Slot::kDoubles:
      return "doubles";
    case Slot::kBools:
      return "bools";
    case Slot::kTimestamps:
      return "timestamps";
    case Slot::kDurations:
      return "durations";
    case Slot::kBytes:
      return "bytes";
    case Slot::kStringMaps:
      return "string_maps";
  }
  return "?";
}

absl::Status CheckGlobalWordCount(uint32_t global_word_count) {
  if (global_word_count > kGlobalDictionarySize) {
    return absl::InvalidArgumentError(absl::StrCat("global_word_count ", global_word_count,
                                                   " exceeds the ", kGlobalDictionarySize,
                                                   " words of the global dictionary"));
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------------------------
// Decoding.

int32_t MessageWords::Attribute(size_t i, const Vocabulary& vocabulary) {
  int32_t& attribute = attributes_[i];
  if (attribute == kUnresolved) {
    absl::optional<AttributeInfo> info = vocabulary.Find(words_[i]);
    attribute = info ? static_cast<int32_t>(info->id.value) : -1;
  }
  return attribute;
}

ElementDecoder::ElementDecoder(const CodecTables& tables, MessageWords* words,
                               DecodeScratch* scratch, MutableBag* bag)
    : tables_(tables),
      vocabulary_(*tables.vocabulary),
      global_words_(GlobalDictionary().data()),
      words_(*words),
      scratch_(*scratch),
      bag_(*bag) {
  if (scratch_.seen.size() < vocabulary_.size()) scratch_.seen.resize(vocabulary_.size());
  if (++scratch_.stamp == 0) {
    // Wrapped after 2^32 decodes: clear the stamps so that none looks current.
    for (DecodeScratch::Seen& s : scratch_.seen) s.stamp = 0;
    scratch_.stamp = 1;
  }
  scratch_.seen_unknown.clear();
}

ABSL_ATTRIBUTE_NOINLINE absl::Status ElementDecoder::NameOutOfRange(int32_t index,
                                                                    Slot slot) const {
  return absl::InvalidArgumentError(absl::StrCat("attribute name index ", index, " in ",
                                                 SlotName(slot), " is out of range: ",
                                                 OutOfRangeReason(index, words_.size())));
}

ABSL_ATTRIBUTE_NOINLINE absl::Status ElementDecoder::WrongSlot(const Target& target,
                                                               Slot slot) const {
  const ValueType type = vocabulary_.type(AttributeId{static_cast<uint32_t>(target.id)});
  return absl::InvalidArgumentError(absl::StrCat("attribute '", target.name, "' is ",
                                                 ValueTypeName(type), " but was sent in ",
                                                 SlotName(slot)));
}

ABSL_ATTRIBUTE_ALWAYS_INLINE inline absl::Status ElementDecoder::ResolveName(int32_t index,
                                                                            Slot slot,
                                                                            Target* target) {
  if (index >= 0) {
    if (ABSL_PREDICT_FALSE(static_cast<uint32_t>(index) >= kGlobalDictionarySize)) {
      return NameOutOfRange(index, slot);
    }
    target->name = global_words_[index];
    target->id = static_cast<int32_t>(tables_.global_word_attribute[index]) - 1;
  } else {
    const uint32_t position = MessagePosition(index);
    if (ABSL_PREDICT_FALSE(position >= words_.size())) return NameOutOfRange(index, slot);
    target->name = words_.word(position);
    target->id = words_.Attribute(position, vocabulary_);
  }

  if (ABSL_PREDICT_TRUE(target->id >= 0)) {
    const ValueType type = vocabulary_.type(AttributeId{static_cast<uint32_t>(target->id)});
    if (ABSL_PREDICT_FALSE(!SlotAccepts(slot, type))) return WrongSlot(*target, slot);
    DecodeScratch::Seen& seen = scratch_.seen[target->id];
    if (ABSL_PREDICT_FALSE(seen.stamp == scratch_.stamp &&
                           (seen.slot != slot || seen.key != index))) {
      return DuplicateAttribute(target->name, seen.slot, slot);
    }
    // Same slot and key again: a map key repeated on the wire; the later entry replaces.
    seen.stamp = scratch_.stamp;
    seen.slot = slot;
    seen.key = index;
    return absl::OkStatus();
  }
  return ResolveUnknown(index, slot, *target);
}

absl::Status ElementDecoder::ResolveUnknown(int32_t index, Slot slot, const Target& target) {
  for (const DecodeScratch::SeenUnknown& u : scratch_.seen_unknown) {
    if (u.name == target.name) {
      if (u.slot != slot || u.key != index) return DuplicateAttribute(target.name, u.slot, slot);
      return absl::OkStatus();
    }
  }
  if (++scratch_.unknown_count > kMaxUnknownAttributesPerBag) {
    return absl::InvalidArgumentError(
        absl::StrCat("too many attributes unknown to the vocabulary (more than ",
                     kMaxUnknownAttributesPerBag, " in one bag), at attribute ", target.name));
  }
  scratch_.seen_unknown.push_back({target.name, slot, index});
  return absl::OkStatus();
}

ABSL_ATTRIBUTE_ALWAYS_INLINE inline absl::Status ElementDecoder::ResolveWord(
    int32_t index, const Target& target, Slot slot, bool is_key, absl::string_view key,
    absl::string_view* word, bool* global) {
  if (index >= 0) {
    if (ABSL_PREDICT_TRUE(static_cast<uint32_t>(index) < kGlobalDictionarySize)) {
      *word = global_words_[index];
      *global = true;
      return absl::OkStatus();
    }
  } else {
    const uint32_t position = MessagePosition(index);
    if (ABSL_PREDICT_TRUE(position < words_.size())) {
      *word = words_.word(position);
      *global = false;
      return absl::OkStatus();
    }
  }
  return WordOutOfRange(index, target, slot, is_key, key);
}

ABSL_ATTRIBUTE_NOINLINE absl::Status ElementDecoder::WordOutOfRange(int32_t index,
                                                                    const Target& target,
                                                                    Slot slot, bool is_key,
                                                                    absl::string_view key) const {
  // Say which word it was meant to be.
  std::string what;
  if (slot != Slot::kStringMaps) {
    what = absl::StrCat("value index ", index, " of attribute '", target.name, "' (in ",
                        SlotName(slot), ")");
  } else if (is_key) {
    what = absl::StrCat("key index ", index, " in string map '", target.name, "'");
  } else {
    what = absl::StrCat("value index ", index, " of key '", key, "' in string map '", target.name,
                        "'");
  }
  return absl::InvalidArgumentError(
      absl::StrCat(what, " is out of range: ", OutOfRangeReason(index, words_.size())));
}

ABSL_ATTRIBUTE_ALWAYS_INLINE inline absl::Status ElementDecoder::Put(const Target& target,
                                                                    const Value& value,
                                                                    bool borrow) {
  if (target.id >= 0) {
    const AttributeId id{static_cast<uint32_t>(target.id)};
    return borrow ? bag_.SetBorrowedInline(id, value) : bag_.SetInline(id, value);
  }
  return bag_.Set(target.name, value);
}

absl::Status ElementDecoder::String(int32_t name, int32_t value) {
  Target target;
  MIXLET_RETURN_IF_ERROR(ResolveName(name, Slot::kStrings, &target));
  absl::string_view word;
  bool global = false;
  MIXLET_RETURN_IF_ERROR(ResolveWord(value, target, Slot::kStrings, false, {}, &word, &global));
  const ValueType type = target.id >= 0
                             ? vocabulary_.type(AttributeId{static_cast<uint32_t>(target.id)})
                             : ValueType::kString;
  return Put(target, Value::StringOfType(type, word), global);
}

absl::Status ElementDecoder::Int64(int32_t name, int64_t value) {
  Target target;
  MIXLET_RETURN_IF_ERROR(ResolveName(name, Slot::kInt64s, &target));
  return Put(target, Value::Int64(value), true);
}

absl::Status ElementDecoder::Double(int32_t name, double value) {
  Target target;
  MIXLET_RETURN_IF_ERROR(ResolveName(name, Slot::kDoubles, &target));
  return Put(target, Value::Double(value), true);
}

absl::Status ElementDecoder::Bool(int32_t name, bool value) {
  Target target;
  MIXLET_RETURN_IF_ERROR(ResolveName(name, Slot::kBools, &target));
  return Put(target, Value::Bool(value), true);
}

absl::Status ElementDecoder::Timestamp(int32_t name, int64_t seconds, int32_t nanos) {
  Target target;
  MIXLET_RETURN_IF_ERROR(ResolveName(name, Slot::kTimestamps, &target));
  MIXLET_RETURN_IF_ERROR(CheckTimestamp(target.name, seconds, nanos));
  return Put(target, Value::TimestampValue(mixlet::Timestamp{seconds, nanos}), true);
}

absl::Status ElementDecoder::Duration(int32_t name, int64_t seconds, int32_t nanos) {
  Target target;
  MIXLET_RETURN_IF_ERROR(ResolveName(name, Slot::kDurations, &target));
  int64_t total;
  MIXLET_RETURN_IF_ERROR(DurationNanos(target.name, seconds, nanos, &total));
  return Put(target, Value::Duration(total), true);
}

absl::Status ElementDecoder::Bytes(int32_t name, absl::string_view value) {
  Target target;
  MIXLET_RETURN_IF_ERROR(ResolveName(name, Slot::kBytes, &target));
  return Put(target, Value::IpAddress(value), false);
}

absl::Status ElementDecoder::BeginStringMap(int32_t name) {
  MIXLET_RETURN_IF_ERROR(ResolveName(name, Slot::kStringMaps, &map_target_));
  scratch_.map_entries.clear();
  scratch_.map_key_indices.clear();
  if (!scratch_.map_index.empty()) scratch_.map_index.clear();
  return absl::OkStatus();
}

absl::Status ElementDecoder::StringMapEntry(int32_t key, int32_t value) {
  absl::string_view key_word;
  absl::string_view value_word;
  bool global = false;
  MIXLET_RETURN_IF_ERROR(
      ResolveWord(key, map_target_, Slot::kStringMaps, true, {}, &key_word, &global));
  MIXLET_RETURN_IF_ERROR(
      ResolveWord(value, map_target_, Slot::kStringMaps, false, key_word, &value_word, &global));

  std::vector<mixlet::StringMapEntry>& entries = scratch_.map_entries;
  size_t found = entries.size();
  if (scratch_.map_index.empty() && entries.size() < kMapScanLimit) {
    for (size_t i = 0; i < entries.size(); ++i) {
      if (entries[i].key == key_word) {
        found = i;
        break;
      }
    }
  } else {
    if (scratch_.map_index.empty()) {
      for (size_t i = 0; i < entries.size(); ++i) {
        scratch_.map_index.emplace(entries[i].key, static_cast<uint32_t>(i));
      }
    }
    auto it = scratch_.map_index.find(key_word);
    if (it != scratch_.map_index.end()) {
      found = it->second;
    } else {
      scratch_.map_index.emplace(key_word, static_cast<uint32_t>(entries.size()));
    }
  }
  if (found < entries.size()) {
    const int32_t other = scratch_.map_key_indices[found];
    if (other != key) {
      // Indices in ascending order: a parsed message's map order is unspecified.
      return absl::InvalidArgumentError(absl::StrCat(
          "string map '", map_target_.name, "' has the key '", key_word, "' twice (indices ",
          std::min(other, key), " and ", std::max(other, key), ")"));
    }
    entries[found].value = value_word;  // The same key index again: the later entry wins.
    return absl::OkStatus();
  }
  entries.push_back({key_word, value_word});
  scratch_.map_key_indices.push_back(key);
  return absl::OkStatus();
}

absl::Status ElementDecoder::EndStringMap() {
  const std::vector<mixlet::StringMapEntry>& entries = scratch_.map_entries;
  return Put(map_target_, Value::StringMap(StringMapView(entries.data(), entries.size())), false);
}

absl::Status DecodeCompressedBytes(const CodecTables& tables, absl::string_view bytes,
                                   MessageWords* default_words, DecodeScratch* scratch,
                                   MutableBag* bag) {
  if (bytes.size() > static_cast<size_t>(INT_MAX)) {
    return absl::InvalidArgumentError(
        absl::StrCat("CompressedAttributes of ", bytes.size(), " bytes is larger than 2 GiB"));
  }
  // Pass 1: the words (protobuf lets them come after the maps that use them) and where each
  // map entry is; this checks the framing of every field.
  MessageWords& own_words = scratch->element_words;
  own_words.Clear();
  scratch->entries.clear();
  WireReader r(bytes, kCompressedAttributes, 0);
  while (!r.AtEnd()) {
    uint32_t tag = 0;
    MIXLET_RETURN_IF_ERROR(r.ReadTag(&tag));
    const uint32_t field = WireFormatLite::GetTagFieldNumber(tag);
    if (field <= 9 && (tag & 7) == kLengthDelimited) {
      absl::string_view payload;
      size_t offset = 0;
      MIXLET_RETURN_IF_ERROR(r.ReadLengthDelimited(&payload, &offset));
      if (field == 1) {
        own_words.Add(payload);
      } else {
        // Built in place: copying the view through the stack stalls store forwarding here.
        scratch->entries.emplace_back(static_cast<Slot>(field), payload.data(), payload.size(),
                                      offset);
      }
    } else {
      MIXLET_RETURN_IF_ERROR(r.Skip(tag));  // Unknown field, or a known one mistyped.
    }
  }
  MessageWords* words =
      own_words.size() > 0 || default_words == nullptr ? &own_words : default_words;

  // Pass 2: the map entries.
  ElementDecoder decoder(tables, words, scratch, bag);
  for (const DecodeScratch::Entry& entry : scratch->entries) {
    MIXLET_RETURN_IF_ERROR(DecodeEntry(entry.slot, entry.bytes, entry.offset, decoder, *scratch));
  }
  return absl::OkStatus();
}

absl::Status DecodeCompressedMessage(const CodecTables& tables,
                                     const istio::mixer::v1::CompressedAttributes& message,
                                     MessageWords* default_words, DecodeScratch* scratch,
                                     MutableBag* bag) {
  MessageWords* words = default_words;
  if (message.words_size() > 0 || default_words == nullptr) {
    words = &scratch->element_words;
    words->Clear();
    for (const std::string& word : message.words()) words->Add(word);
  }
  ElementDecoder decoder(tables, words, scratch, bag);
  for (const auto& entry : message.strings()) {
    MIXLET_RETURN_IF_ERROR(decoder.String(entry.first, entry.second));
  }
  for (const auto& entry : message.int64s()) {
    MIXLET_RETURN_IF_ERROR(decoder.Int64(entry.first, entry.second));
  }
  for (const auto& entry : message.doubles()) {
    MIXLET_RETURN_IF_ERROR(decoder.Double(entry.first, entry.second));
  }
  for (const auto& entry : message.bools()) {
    MIXLET_RETURN_IF_ERROR(decoder.Bool(entry.first, entry.second));
  }
  for (const auto& entry : message.timestamps()) {
    MIXLET_RETURN_IF_ERROR(
        decoder.Timestamp(entry.first, entry.second.seconds(), entry.second.nanos()));
  }
  for (const auto& entry : message.durations()) {
    MIXLET_RETURN_IF_ERROR(
        decoder.Duration(entry.first, entry.second.seconds(), entry.second.nanos()));
  }
  for (const auto& entry : message.bytes()) {
    MIXLET_RETURN_IF_ERROR(decoder.Bytes(entry.first, entry.second));
  }
  for (const auto& entry : message.string_maps()) {
    MIXLET_RETURN_IF_ERROR(decoder.BeginStringMap(entry.first));
    for (const auto& pair : entry.second.entries()) {
      MIXLET_RETURN_IF_ERROR(decoder.StringMapEntry(pair.first, pair.second));
    }
    MIXLET_RETURN_IF_ERROR(decoder.EndStringMap());
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------------------------
// Encoding.

int32_t MessageDictionary::Add(absl::string_view word, size_t slot) {
  const absl::string_view stored = Store(word);
  views_.push_back(stored);
  const auto position = static_cast<uint32_t>(views_.size());
  if (2 * views_.size() > slots_.size()) {
    Rehash(2 * slots_.size());
  } else {
    slots_[slot] = position;
  }
  return -static_cast<int32_t>(position);
}

absl::string_view MessageDictionary::Store(absl::string_view word) {
  if (words_ != nullptr) {
    std::string* added = words_->Add();
    added->assign(word.data(), word.size());
    return *added;  // Protobuf keeps the string at a stable address.
  }
  if (!own_copies_ || word.empty()) return word;
  while (block_ < blocks_.size() && blocks_[block_].size - block_used_ < word.size()) {
    ++block_;
    block_used_ = 0;
  }
  if (block_ == blocks_.size()) {
    const size_t size = std::max(kMinBlock, word.size());
    blocks_.push_back(Block{std::make_unique<char[]>(size), size});
    block_used_ = 0;
  }
  char* p = blocks_[block_].bytes.get() + block_used_;
  std::memcpy(p, word.data(), word.size());
  block_used_ += word.size();
  return absl::string_view(p, word.size());
}

void MessageDictionary::Rehash(size_t capacity) {
  slots_.assign(capacity, 0);
  const size_t mask = capacity - 1;
  for (size_t k = 0; k < views_.size(); ++k) {
    size_t i = WordHash(views_[k]) & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = static_cast<uint32_t>(k + 1);
  }
}

void MessageDictionary::Truncate(size_t n) {
  if (n >= views_.size()) return;
  // The error path only: the table is rebuilt rather than unpicked.
  while (views_.size() > n) {
    views_.pop_back();
    if (words_ != nullptr) words_->RemoveLast();
  }
  // Copies of the dropped words stay in the blocks until Clear().
  Rehash(slots_.size());
}

void MessageDictionary::Clear() {
  std::fill(slots_.begin(), slots_.end(), 0);
  views_.erase(views_.begin(), views_.end());  // clear() would free the heap storage.
  if (words_ != nullptr) words_->Clear();
  block_ = 0;
  block_used_ = 0;
}

int32_t WordIndexer::Word(absl::string_view word) {
  absl::optional<uint32_t> global = GlobalDictionaryIndex(word);
  if (global && *global < global_word_count_) return static_cast<int32_t>(*global);
  return dictionary_.Index(word);
}

int32_t WordIndexer::Name(absl::optional<AttributeId> id, absl::string_view name) {
  if (id && id->value < tables_.attribute_global_word.size()) {
    const int32_t global = tables_.attribute_global_word[id->value];
    return global >= 0 && static_cast<uint32_t>(global) < global_word_count_
               ? global
               : dictionary_.Index(name);
  }
  return Word(name);
}

absl::Status CheckEncodableSlow(absl::string_view name, const Value& value) {
  if (value.type() == ValueType::kTimestamp) {
    return CheckTimestamp(name, value.timestamp().seconds, value.timestamp().nanos);
  }
  if (value.type() == ValueType::kUnspecified) {
    return absl::InvalidArgumentError(absl::StrCat("attribute '", name, "' has no value"));
  }
  return absl::OkStatus();
}

absl::Status AttributeEncoder::Add(absl::optional<AttributeId> id, absl::string_view name,
                                   const Value& value) {
  MIXLET_RETURN_IF_ERROR(CheckEncodable(name, value));
  const int32_t key = indexer_.Name(id, name);
  switch (SlotFor(value.type())) {
    case Slot::kStrings:
      (*out_.mutable_strings())[key] = indexer_.Word(value.string());
      break;
    case Slot::kInt64s:
      (*out_.mutable_int64s())[key] = value.int64();
      break;
    case Slot::kDoubles:
      (*out_.mutable_doubles())[key] = value.double_value();
      break;
    case Slot::kBools:
      (*out_.mutable_bools())[key] = value.bool_value();
      break;
    case Slot::kTimestamps: {
      google::protobuf::Timestamp& t = (*out_.mutable_timestamps())[key];
      t.set_seconds(value.timestamp().seconds);
      t.set_nanos(value.timestamp().nanos);
      break;
    }
    case Slot::kDurations: {
      // Truncating division keeps seconds and nanos of the same sign, as protobuf requires.
      const int64_t nanos = value.duration_nanos();
      google::protobuf::Duration& d = (*out_.mutable_durations())[key];
      d.set_seconds(nanos / kNanosPerSecond);
      d.set_nanos(static_cast<int32_t>(nanos % kNanosPerSecond));
      break;
    }
    case Slot::kBytes: {
      const absl::string_view bytes = value.ip_bytes();
      (*out_.mutable_bytes())[key].assign(bytes.data(), bytes.size());
      break;
    }
    case Slot::kStringMaps: {
      google::protobuf::Map<int32_t, int32_t>& entries =
          *(*out_.mutable_string_maps())[key].mutable_entries();
      for (const mixlet::StringMapEntry& e : value.string_map()) {
        const int32_t k = indexer_.Word(e.key);
        entries[k] = indexer_.Word(e.value);
      }
      break;
    }
  }
  return absl::OkStatus();
}

namespace {

// {int64 seconds = 1; int32 nanos = 2} with zero fields left out, as protobuf writes them.
size_t SecondsNanosSize(int64_t seconds, int32_t nanos) {
  return (seconds != 0 ? 1 + VarintSize(static_cast<uint64_t>(seconds)) : 0) +
         (nanos != 0 ? 1 + VarintSize(static_cast<uint64_t>(static_cast<int64_t>(nanos))) : 0);
}

void WriteSecondsNanos(ByteWriter& w, Slot slot, int32_t key, int64_t seconds, int32_t nanos) {
  const size_t size = SecondsNanosSize(seconds, nanos);
  w.BeginEntry(slot, key, VarintSize(size) + size);
  w.Tag(2, kLengthDelimited);
  w.Varint(size);
  if (seconds != 0) {
    w.Tag(1, kVarint);
    w.Varint(static_cast<uint64_t>(seconds));
  }
  if (nanos != 0) {
    w.Tag(2, kVarint);
    w.Varint(static_cast<uint64_t>(static_cast<int64_t>(nanos)));  // int32: sign-extended.
  }
}

void WriteAttribute(WordIndexer& indexer, ByteWriter& w, absl::optional<AttributeId> id,
                    absl::string_view name, const Value& value) {
  const int32_t key = indexer.Name(id, name);
  const Slot slot = SlotFor(value.type());
  switch (slot) {
    case Slot::kStrings: {
      const uint64_t word = ZigZag(indexer.Word(value.string()));
      w.BeginEntry(slot, key, VarintSize(word));
      w.Tag(2, kVarint);
      w.Varint(word);
      return;
    }
    case Slot::kInt64s: {
      const uint64_t v = static_cast<uint64_t>(value.int64());
      w.BeginEntry(slot, key, VarintSize(v));
      w.Tag(2, kVarint);
      w.Varint(v);
      return;
    }
    case Slot::kDoubles: {
      uint64_t bits;
      const double d = value.double_value();
      std::memcpy(&bits, &d, sizeof(bits));
      w.BeginEntry(slot, key, 8);
      w.Tag(2, kFixed64);
      w.Fixed64(bits);
      return;
    }
    case Slot::kBools:
      w.BeginEntry(slot, key, 1);
      w.Tag(2, kVarint);
      w.Varint(value.bool_value() ? 1 : 0);
      return;
    case Slot::kTimestamps:
      WriteSecondsNanos(w, slot, key, value.timestamp().seconds, value.timestamp().nanos);
      return;
    case Slot::kDurations: {
      const int64_t nanos = value.duration_nanos();
      WriteSecondsNanos(w, slot, key, nanos / kNanosPerSecond,
                        static_cast<int32_t>(nanos % kNanosPerSecond));
      return;
    }
    case Slot::kBytes: {
      const absl::string_view bytes = value.ip_bytes();
      w.BeginEntry(slot, key, VarintSize(bytes.size()) + bytes.size());
      w.Tag(2, kLengthDelimited);
      w.Varint(bytes.size());
      w.Raw(bytes);
      return;
    }
    case Slot::kStringMaps: {
      // The indices first: they decide the sizes, which come before the entries.
      absl::InlinedVector<std::pair<uint64_t, uint64_t>, 16> entries;
      size_t size = 0;
      for (const mixlet::StringMapEntry& e : value.string_map()) {
        const uint64_t k = ZigZag(indexer.Word(e.key));
        const uint64_t v = ZigZag(indexer.Word(e.value));
        entries.emplace_back(k, v);
        const size_t entry_size = 2 + VarintSize(k) + VarintSize(v);
        size += 1 + VarintSize(entry_size) + entry_size;
      }
      w.BeginEntry(slot, key, VarintSize(size) + size);
      w.Tag(2, kLengthDelimited);
      w.Varint(size);
      for (const auto& [k, v] : entries) {
        w.Tag(1, kLengthDelimited);
        w.Varint(2 + VarintSize(k) + VarintSize(v));
        w.Tag(1, kVarint);
        w.Varint(k);
        w.Tag(2, kVarint);
        w.Varint(v);
      }
      return;
    }
  }
}

}  // namespace

absl::Status EncodeBagBytes(const CodecTables& tables, const Bag& bag, uint32_t global_word_count,
                            std::string* out) {
  out->resize(out->capacity());  // Exposed once: growing it piecemeal would zero it piecemeal.
  MessageDictionary dictionary(nullptr);  // Views of the bag's own strings.
  WordIndexer indexer(tables, global_word_count, &dictionary);
  ByteWriter writer(out, 0);
  absl::Status status;
  VisitBag(tables, bag,
           [&](absl::optional<AttributeId> id, absl::string_view name, const Value& value) {
             if (!status.ok()) return;
             status = CheckEncodable(name, value);
             if (status.ok()) WriteAttribute(indexer, writer, id, name, value);
           });
  writer.Finish();
  if (!status.ok()) {
    out->clear();
    return status;
  }
  // The words go first, where protobuf's serializer puts field 1; their indices are known only
  // now, so make room in front of the entries.
  size_t words_size = 0;
  for (size_t i = 0; i < dictionary.size(); ++i) {
    words_size += 1 + VarintSize(dictionary.word(i).size()) + dictionary.word(i).size();
  }
  out->insert(0, words_size, '\0');
  char* p = &(*out)[0];
  for (size_t i = 0; i < dictionary.size(); ++i) {
    const absl::string_view word = dictionary.word(i);
    *p++ = static_cast<char>(WireFormatLite::MakeTag(1, WireFormatLite::WIRETYPE_LENGTH_DELIMITED));
    p = WriteVarint(p, word.size());
    if (!word.empty()) std::memcpy(p, word.data(), word.size());
    p += word.size();
  }
  return absl::OkStatus();
}

absl::Status WriteElement(const CodecTables& tables, const Bag& bag, const Bag* unchanged,
                          uint32_t field, WordIndexer& indexer, ByteWriter& writer) {
  // Hot path: no allocation, no string hashing but the message words'.
  const size_t start = writer.position();
  const size_t payload = writer.BeginNested(field);
  absl::Status status;
  VisitBag(tables, bag,
           [&](absl::optional<AttributeId> id, absl::string_view name, const Value& value) {
             if (!status.ok()) return;
             if (unchanged != nullptr) {
               const Value* before = id ? unchanged->Get(*id) : unchanged->Find(name);
               if (before != nullptr && *before == value) return;  // The receiver has it.
             }
             status = CheckEncodable(name, value);
             if (status.ok()) WriteAttribute(indexer, writer, id, name, value);
           });
  if (!status.ok()) {
    writer.Rewind(start);
    return status;
  }
  writer.EndNested(payload);
  return absl::OkStatus();
}

void VisitBag(
    const CodecTables& tables, const Bag& bag,
    absl::FunctionRef<void(absl::optional<AttributeId>, absl::string_view, const Value&)> fn) {
  if (bag.parent() == nullptr) {
    // Ids are only meaningful for the codec's own vocabulary.
    const bool same_vocabulary = &bag.vocabulary() == tables.vocabulary.get();
    bag.ForEachOwn([&](absl::optional<AttributeId> id, absl::string_view name, const Value& value) {
      fn(same_vocabulary ? id : absl::nullopt, name, value);
    });
  } else {
    bag.ForEach(
        [&](absl::string_view name, const Value& value) { fn(absl::nullopt, name, value); });
  }
}

absl::Status AttributeEncoder::AddBag(const Bag& bag) {
  absl::Status status;
  VisitBag(tables_, bag,
           [&](absl::optional<AttributeId> id, absl::string_view name, const Value& value) {
             if (status.ok()) status = Add(id, name, value);
           });
  return status;
}

const CodecTables& TablesOf(const WireCodec& codec) { return *codec.tables_; }

}  // namespace wire_internal

namespace {

// Scratch space of the decodes run on this thread. A decode never calls out to other code, so
// it cannot be re-entered while the scratch is in use.
wire_internal::DecodeScratch& ThreadScratch() {
  thread_local wire_internal::DecodeScratch scratch;
  return scratch;
}

absl::Status CheckBagVocabulary(const wire_internal::CodecTables& tables, const MutableBag& bag) {
  if (&bag.vocabulary() != tables.vocabulary.get()) {
    return absl::FailedPreconditionError(
        "the bag to decode into uses another Vocabulary than the WireCodec");
  }
  return absl::OkStatus();
}

}  // namespace

WireCodec::WireCodec(std::unique_ptr<const wire_internal::CodecTables> tables)
    : tables_(std::move(tables)) {}

WireCodec::~WireCodec() = default;

std::shared_ptr<const WireCodec> WireCodec::Create(std::shared_ptr<const Vocabulary> vocabulary) {
  auto tables = std::make_unique<wire_internal::CodecTables>();
  tables->attribute_global_word.assign(vocabulary->size(), -1);
  absl::Span<const absl::string_view> words = GlobalDictionary();
  for (uint32_t i = 0; i < words.size(); ++i) {
    if (absl::optional<AttributeInfo> info = vocabulary->Find(words[i])) {
      tables->global_word_attribute[i] = info->id.value + 1;
      tables->attribute_global_word[info->id.value] = static_cast<int32_t>(i);
    }
  }
  tables->vocabulary = std::move(vocabulary);
  return std::shared_ptr<const WireCodec>(new WireCodec(std::move(tables)));
}

const Vocabulary& WireCodec::vocabulary() const { return *tables_->vocabulary; }

const std::shared_ptr<const Vocabulary>& WireCodec::shared_vocabulary() const {
  return tables_->vocabulary;
}

absl::Status WireCodec::Encode(const Bag& bag, istio::mixer::v1::CompressedAttributes* out,
                               uint32_t global_word_count) const {
  out->Clear();
  MIXLET_RETURN_IF_ERROR(wire_internal::CheckGlobalWordCount(global_word_count));
  wire_internal::MessageDictionary dictionary(out->mutable_words());
  wire_internal::AttributeEncoder encoder(*tables_, global_word_count, &dictionary, out);
  absl::Status status = encoder.AddBag(bag);
  if (!status.ok()) out->Clear();
  return status;
}

absl::Status WireCodec::EncodeBytes(const Bag& bag, std::string* out,
                                    uint32_t global_word_count) const {
  // Hot path: no allocation, no string hashing.
  out->clear();
  MIXLET_RETURN_IF_ERROR(wire_internal::CheckGlobalWordCount(global_word_count));
  return wire_internal::EncodeBagBytes(*tables_, bag, global_word_count, out);
}

absl::Status WireCodec::DecodeBytes(absl::string_view bytes, MutableBag* bag) const {
  // Hot path: no allocation, no string hashing.
  MIXLET_RETURN_IF_ERROR(CheckBagVocabulary(*tables_, *bag));
  wire_internal::DecodeScratch& scratch = ThreadScratch();
  scratch.unknown_count = 0;
  return wire_internal::DecodeCompressedBytes(*tables_, bytes, nullptr, &scratch, bag);
}

absl::Status WireCodec::Decode(const istio::mixer::v1::CompressedAttributes& message,
                               MutableBag* bag) const {
  // Hot path: no allocation, no string hashing.
  MIXLET_RETURN_IF_ERROR(CheckBagVocabulary(*tables_, *bag));
  wire_internal::DecodeScratch& scratch = ThreadScratch();
  scratch.unknown_count = 0;
  return wire_internal::DecodeCompressedMessage(*tables_, message, nullptr, &scratch, bag);
}

}  // namespace mixlet
