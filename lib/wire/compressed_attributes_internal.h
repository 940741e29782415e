// The machinery behind WireCodec, shared with the report batch code. Not installed.
//
// Decoding is split in two: a reader (protobuf bytes or a generated message) finds the map
// entries, and an `ElementDecoder` turns each entry into a bag attribute, resolving word indices
// and enforcing every rule, so both readers refuse and accept exactly the same things.
// Encoding goes the other way through an `AttributeEncoder` that writes into a
// `MessageDictionary` shared by every bag of one message (or of one ReportRequest).
#ifndef MIXLET_LIB_WIRE_COMPRESSED_ATTRIBUTES_INTERNAL_H_
#define MIXLET_LIB_WIRE_COMPRESSED_ATTRIBUTES_INTERNAL_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/attributes.h"
#include "absl/base/optimization.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "google/protobuf/wire_format_lite.h"
#include "internal/keyed_hash.h"
#include "istio/mixer/v1/attributes.pb.h"
#include "mixlet/attribute/mutable_bag.h"
#include "mixlet/attribute/vocabulary.h"
#include "mixlet/value/value.h"
#include "mixlet/wire/compressed_attributes.h"
#include "mixlet/wire/global_dictionary.h"

namespace mixlet::wire_internal {

// The value maps of CompressedAttributes, by field number.
// ORDER: field numbers 2..9; SlotName() and SlotAccepts() follow it.
enum class Slot : uint8_t {
  kStrings = 2,
  kInt64s = 3,
  kDoubles = 4,
  kBools = 5,
  kTimestamps = 6,
  kDurations = 7,
  kBytes = 8,
  kStringMaps = 9,
};

// The proto field name: "strings", "int64s", ...
absl::string_view SlotName(Slot slot);
// The slot a value of `type` travels in (`type` must not be kUnspecified).
inline Slot SlotFor(ValueType type) {
  switch (type) {
    case ValueType::kInt64:
      return Slot::kInt64s;
    case ValueType::kDouble:
      return Slot::kDoubles;
    case ValueType::kBool:
      return Slot::kBools;
    case ValueType::kTimestamp:
      return Slot::kTimestamps;
    case ValueType::kDuration:
      return Slot::kDurations;
    case ValueType::kIpAddress:
      return Slot::kBytes;
    case ValueType::kStringMap:
      return Slot::kStringMaps;
    case ValueType::kUnspecified:
    case ValueType::kString:
    case ValueType::kEmailAddress:
    case ValueType::kUri:
    case ValueType::kDnsName:
      break;
  }
  return Slot::kStrings;
}
// True when an attribute of `type` travels in `slot`.
inline bool SlotAccepts(Slot slot, ValueType type) {
  return type != ValueType::kUnspecified && SlotFor(type) == slot;
}

// What WireCodec::Create precomputes for one vocabulary.
struct CodecTables {
  std::shared_ptr<const Vocabulary> vocabulary;
  // Global word index -> id + 1 of the attribute it names; 0 when the vocabulary lacks it.
  std::array<uint32_t, kGlobalDictionarySize> global_word_attribute{};
  // Attribute id -> its global word index, or -1 when its name is not a global word.
  std::vector<int32_t> attribute_global_word;
};

// ---------------------------------------------------------------------------------------------
// Reading protobuf wire format.

// Reads protobuf wire format from a buffer with an inline reader (the same acceptance rules as
// protobuf's CodedInputStream: varints of at most 10 bytes, tags truncated to 32 bits), handing
// out views of length-delimited payloads. Errors are InvalidArgument naming the message being
// read and the byte offset, counted from `base` (the payload's offset in the outermost buffer).
// `bytes` must be at most INT_MAX long.
class WireReader {
 public:
  WireReader(absl::string_view bytes, absl::string_view message, size_t base)
      : begin_(reinterpret_cast<const uint8_t*>(bytes.data())),
        p_(begin_),
        end_(begin_ + bytes.size()),
        message_(message),
        base_(base) {}

  bool AtEnd() const { return p_ >= end_; }

  ABSL_ATTRIBUTE_ALWAYS_INLINE absl::Status ReadTag(uint32_t* tag) {
    tag_position_ = position();
    uint64_t v;
    // Below 8: tag 0 (also what a malformed tag reads as) or field number 0.
    if (ABSL_PREDICT_FALSE(!Varint(&v) || static_cast<uint32_t>(v) < 8)) {
      return Error(kBadTag, tag_position_, 0);
    }
    *tag = static_cast<uint32_t>(v);
    return absl::OkStatus();
  }

  ABSL_ATTRIBUTE_ALWAYS_INLINE absl::Status ReadVarint(uint64_t* value) {
    const size_t at = position();
    if (ABSL_PREDICT_FALSE(!Varint(value))) return Error(kBadVarint, at, 0);
    return absl::OkStatus();
  }

  ABSL_ATTRIBUTE_ALWAYS_INLINE absl::Status ReadFixed64(uint64_t* value) {
    const size_t at = position();
    if (ABSL_PREDICT_FALSE(end_ - p_ < 8)) {
      p_ = end_;
      return Error(kBadFixed64, at, 0);
    }
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | p_[i];
    p_ += 8;
    *value = v;
    return absl::OkStatus();
  }

  // A length-delimited field's payload; `*payload_offset` is its offset for nested readers.
  ABSL_ATTRIBUTE_ALWAYS_INLINE absl::Status ReadLengthDelimited(absl::string_view* payload,
                                                              size_t* payload_offset) {
    const size_t at = position();
    uint64_t length;
    if (ABSL_PREDICT_FALSE(!Varint(&length))) return Error(kBadLength, at, 0);
    const size_t start = position();
    if (ABSL_PREDICT_FALSE(length > static_cast<size_t>(end_ - p_))) {
      return Error(kPastEnd, at, length);
    }
    *payload = absl::string_view(reinterpret_cast<const char*>(p_), static_cast<size_t>(length));
    *payload_offset = base_ + start;
    p_ += length;
    return absl::OkStatus();
  }

  // Skips the field whose tag was just read. Errors point at that tag.
  absl::Status Skip(uint32_t tag) {
    // The common wire types get the precise messages of the readers above.
    switch (tag & 7) {
      case google::protobuf::internal::WireFormatLite::WIRETYPE_VARINT: {
        uint64_t unused;
        return ReadVarint(&unused);
      }
      case google::protobuf::internal::WireFormatLite::WIRETYPE_FIXED64: {
        uint64_t unused;
        return ReadFixed64(&unused);
      }
      case google::protobuf::internal::WireFormatLite::WIRETYPE_LENGTH_DELIMITED: {
        absl::string_view unused;
        size_t unused_offset;
        return ReadLengthDelimited(&unused, &unused_offset);
      }
      default:
        break;
    }
    return SkipRare(tag);
  }

 private:
  enum ErrorKind { kBadTag, kBadVarint, kBadFixed64, kBadLength, kPastEnd, kCannotSkip };

  size_t position() const { return static_cast<size_t>(p_ - begin_); }

  // Reads a varint of at most 10 bytes; bits past the 64th are dropped, as protobuf does.
  // False (and the reader at the end) when it is truncated or longer.
  ABSL_ATTRIBUTE_ALWAYS_INLINE bool Varint(uint64_t* value) {
    if (ABSL_PREDICT_TRUE(p_ < end_ && *p_ < 0x80)) {
      *value = *p_++;
      return true;
    }
    uint64_t v = 0;
    for (int i = 0; i < 10; ++i) {
      if (ABSL_PREDICT_FALSE(p_ >= end_)) return false;
      const uint8_t b = *p_++;
      v |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
      if (b < 0x80) {
        *value = v;
        return true;
      }
    }
    p_ = end_;
    return false;
  }

  // Wire types 3..5 (groups, fixed32), rare: through protobuf's own skipper.
  ABSL_ATTRIBUTE_NOINLINE absl::Status SkipRare(uint32_t tag) {
    google::protobuf::io::CodedInputStream in(p_, static_cast<int>(end_ - p_));
    if (!google::protobuf::internal::WireFormatLite::SkipField(&in, tag)) {
      p_ = end_;
      return Error(kCannotSkip, tag_position_, tag);
    }
    p_ += in.CurrentPosition();
    return absl::OkStatus();
  }

  // Builds the error message, off the hot path. `at` is a position in the bytes.
  ABSL_ATTRIBUTE_NOINLINE absl::Status Error(ErrorKind kind, size_t at, uint64_t detail) const {
    std::string what;
    switch (kind) {
      case kBadTag:
        what = "invalid field tag";
        break;
      case kBadVarint:
        what = "truncated or overlong varint";
        break;
      case kBadFixed64:
        what = "truncated fixed64";
        break;
      case kBadLength:
        what = "truncated or overlong length";
        break;
      case kPastEnd: {
        const size_t left = static_cast<size_t>(end_ - p_);
        what = absl::StrCat("length ", detail, " runs past the end (", left,
                            left == 1 ? " byte left)" : " bytes left)");
        break;
      }
      case kCannotSkip:
        what = absl::StrCat("cannot read field ", detail >> 3, " with wire type ", detail & 7);
        break;
    }
    return absl::InvalidArgumentError(
        absl::StrCat("malformed ", message_, " at byte ", base_ + at, ": ", what));
  }

  const uint8_t* begin_;
  const uint8_t* p_;
  const uint8_t* end_;
  absl::string_view message_;
  size_t base_;
  size_t tag_position_ = 0;
};

inline constexpr uint32_t kVarint = google::protobuf::internal::WireFormatLite::WIRETYPE_VARINT;
inline constexpr uint32_t kFixed64 = google::protobuf::internal::WireFormatLite::WIRETYPE_FIXED64;
inline constexpr uint32_t kLengthDelimited =
    google::protobuf::internal::WireFormatLite::WIRETYPE_LENGTH_DELIMITED;

// ---------------------------------------------------------------------------------------------
// Decoding.

// A message dictionary being decoded: views of its words (into the message or its bytes) and,
// resolved on first use, the attribute each word names.
class MessageWords {
 public:
  void Clear() {
    words_.clear();
    attributes_.clear();
  }
  void Add(absl::string_view word) {
    // Built in place: copying a string_view through the stack stalls store forwarding here.
    words_.emplace_back(word.data(), word.size());
    attributes_.push_back(kUnresolved);
  }
  size_t size() const { return words_.size(); }
  absl::string_view word(size_t i) const { return words_[i]; }
  // The id of the attribute `word(i)` names in `vocabulary`, or -1. Hashes the word once.
  int32_t Attribute(size_t i, const Vocabulary& vocabulary);

 private:
  static constexpr int32_t kUnresolved = -2;
  std::vector<absl::string_view> words_;
  std::vector<int32_t> attributes_;
};

// Scratch space an ElementDecoder reuses, so that a warm decode allocates nothing. One per
// thread (WireCodec) or per batch decoder.
struct DecodeScratch {
  // Attributes already set by the current element, to refuse duplicates: `seen[id]` is current
  // when its stamp equals `stamp`. The slot and raw key let a repeated map key (protobuf's
  // "last one wins") be told apart from a real duplicate.
  struct Seen {
    uint32_t stamp = 0;
    Slot slot = Slot::kStrings;
    int32_t key = 0;
  };
  struct SeenUnknown {
    absl::string_view name;
    Slot slot;
    int32_t key;
  };
  std::vector<Seen> seen;
  uint32_t stamp = 0;
  std::vector<SeenUnknown> seen_unknown;
  // Unknown attributes set on the target bag since the caller last reset the count (a delta
  // batch counts over the accumulated bag).
  uint32_t unknown_count = 0;

  // The string map being built: entries, and the raw key index of each.
  std::vector<StringMapEntry> map_entries;
  std::vector<int32_t> map_key_indices;
  // Key -> position in map_entries, used only for maps too large to scan.
  absl::flat_hash_map<absl::string_view, uint32_t> map_index;
  // Raw (key, value) index pairs of a string map read from bytes, before its name is known.
  std::vector<std::pair<int32_t, int32_t>> map_pairs;

  // The words of the element being decoded when it carries its own.
  MessageWords element_words;

  // The map entries of the element being decoded from bytes, found by the first pass.
  struct Entry {
    Entry(Slot s, const char* data, size_t size, size_t o)
        : slot(s), bytes(data, size), offset(o) {}
    Slot slot;
    absl::string_view bytes;
    size_t offset;
  };
  std::vector<Entry> entries;
};

// Turns the entries of one CompressedAttributes into attributes of a bag. Every method returns
// InvalidArgument naming the attribute, index or value at fault.
class ElementDecoder {
 public:
  // `words` is the element's message dictionary. All pointers must outlive the decoder.
  ElementDecoder(const CodecTables& tables, MessageWords* words, DecodeScratch* scratch,
                 MutableBag* bag);

  absl::Status String(int32_t name, int32_t value);
  absl::Status Int64(int32_t name, int64_t value);
  absl::Status Double(int32_t name, double value);
  absl::Status Bool(int32_t name, bool value);
  absl::Status Timestamp(int32_t name, int64_t seconds, int32_t nanos);
  absl::Status Duration(int32_t name, int64_t seconds, int32_t nanos);
  absl::Status Bytes(int32_t name, absl::string_view value);
  // A string map: BeginStringMap, then StringMapEntry for each entry, then EndStringMap.
  absl::Status BeginStringMap(int32_t name);
  absl::Status StringMapEntry(int32_t key, int32_t value);
  absl::Status EndStringMap();

 private:
  // An attribute name resolved from its index.
  struct Target {
    absl::string_view name;
    int32_t id = -1;  // -1: not in the vocabulary.
  };

  absl::Status ResolveName(int32_t index, Slot slot, Target* target);
  // ResolveName for an attribute the vocabulary lacks.
  absl::Status ResolveUnknown(int32_t index, Slot slot, const Target& target);
  // The errors of ResolveName and ResolveWord, off the hot path.
  absl::Status NameOutOfRange(int32_t index, Slot slot) const;
  absl::Status WrongSlot(const Target& target, Slot slot) const;
  absl::Status WordOutOfRange(int32_t index, const Target& target, Slot slot, bool is_key,
                              absl::string_view key) const;
  // Resolves a word used as a value. `global` tells whether it has static storage.
  // `key` is the map key when the word is a string-map value, `is_key` when it is a key.
  absl::Status ResolveWord(int32_t index, const Target& target, Slot slot, bool is_key,
                           absl::string_view key, absl::string_view* word, bool* global);
  // Sets the value; `borrow` when its bytes have static storage.
  absl::Status Put(const Target& target, const Value& value, bool borrow);

  const CodecTables& tables_;
  const Vocabulary& vocabulary_;
  const absl::string_view* global_words_;  // GlobalDictionary().data()
  MessageWords& words_;
  DecodeScratch& scratch_;
  MutableBag& bag_;
  Target map_target_;
};

// Decodes the serialized CompressedAttributes `bytes` onto `bag`. The element's own words are
// used when it has any, else `default_words` (nullptr: none).
absl::Status DecodeCompressedBytes(const CodecTables& tables, absl::string_view bytes,
                                   MessageWords* default_words, DecodeScratch* scratch,
                                   MutableBag* bag);

// Decodes the parsed `message` onto `bag`, with the same rule for words.
absl::Status DecodeCompressedMessage(const CodecTables& tables,
                                     const istio::mixer::v1::CompressedAttributes& message,
                                     MessageWords* default_words, DecodeScratch* scratch,
                                     MutableBag* bag);

// ---------------------------------------------------------------------------------------------
// Encoding.

// The hash a MessageDictionary probes with: the keyed hash of lib/internal/keyed_hash.h, so
// that words a client sends cannot be chosen to collide. Hot path: no allocation.
inline uint64_t WordHash(absl::string_view word) {
  return internal::HashBytes(word, internal::kKeyedHashKeys.position);
}

// The message dictionary being written: the words, in first-use order, and an index from word
// to position. Where the words live is chosen at construction:
//   * `MessageDictionary(&message.words())`: copied into a message's repeated `words` field;
//   * `MessageDictionary(nullptr)`: only viewed (the caller keeps them alive meanwhile);
//   * `MessageDictionary(MessageDictionary::kOwnCopies)`: copied into blocks the dictionary owns
//     and reuses after Clear(), so that a warm dictionary allocates nothing (request batches).
// The index is an open-addressing table of positions probed by `WordHash` of the word (seeded
// per process, so words a client sends cannot be chosen to collide); up to 32 words it lives
// inline, with no allocation.
class MessageDictionary {
 public:
  enum OwnCopies { kOwnCopies };

  // Appends to `words`, which must be empty, stay alive and not be modified by others meanwhile;
  // nullptr: keep views only.
  explicit MessageDictionary(google::protobuf::RepeatedPtrField<std::string>* words)
      : words_(words) {
    slots_.resize(kInlineSlots, 0);
  }
  explicit MessageDictionary(OwnCopies) : own_copies_(true) { slots_.resize(kInlineSlots, 0); }

  // Views into the dictionary's own storage: not copyable.
  MessageDictionary(const MessageDictionary&) = delete;
  MessageDictionary& operator=(const MessageDictionary&) = delete;

  // The wire index of `word` as a message word, `-(position + 1)`; adds it when new.
  // Hot path: no allocation while the table has room (32 words inline; after Clear(), as many
  // as the dictionary ever held) and, with kOwnCopies, while the blocks have room.
  int32_t Index(absl::string_view word) {
    const size_t hash = WordHash(word);
    const size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      const uint32_t slot = slots_[i];
      if (slot == 0) return Add(word, i);
      if (internal::BytesEqual(views_[slot - 1], word)) return -static_cast<int32_t>(slot);
    }
  }
  size_t size() const { return views_.size(); }
  absl::string_view word(size_t i) const { return views_[i]; }
  // Drops the words added after the first `n` (to undo a failed encode).
  void Truncate(size_t n);
  // Drops every word; keeps the memory.
  void Clear();

 private:
  // Table slots hold position + 1 (0: empty); the table is at most half full.
  static constexpr size_t kInlineSlots = 64;
  static constexpr size_t kMinBlock = 4096;

  // Adds `word` (known absent; `slot` is where its probe ended) and returns its index.
  int32_t Add(absl::string_view word, size_t slot);
  // The word's bytes in storage of the chosen kind.
  absl::string_view Store(absl::string_view word);
  // Rebuilds the table for `capacity` slots from views_.
  void Rehash(size_t capacity);

  google::protobuf::RepeatedPtrField<std::string>* words_ = nullptr;
  const bool own_copies_ = false;
  absl::InlinedVector<absl::string_view, kInlineSlots / 2> views_;
  absl::InlinedVector<uint32_t, kInlineSlots> slots_;
  // kOwnCopies: blocks of word bytes; `block_` is the one being filled, `block_used_` its fill.
  struct Block {
    std::unique_ptr<char[]> bytes;
    size_t size;
  };
  std::vector<Block> blocks_;
  size_t block_ = 0;
  size_t block_used_ = 0;
};

// Chooses the wire index of each name and string: a global position when the word is among the
// first `global_word_count` global words, else a message word.
class WordIndexer {
 public:
  WordIndexer(const CodecTables& tables, uint32_t global_word_count, MessageDictionary* dictionary)
      : tables_(tables), global_word_count_(global_word_count), dictionary_(*dictionary) {}

  // `id` is the attribute's id in the codec's vocabulary when known (saves a hash).
  int32_t Name(absl::optional<AttributeId> id, absl::string_view name);
  int32_t Word(absl::string_view word);

 private:
  const CodecTables& tables_;
  uint32_t global_word_count_;
  MessageDictionary& dictionary_;
};

// CheckEncodable's checks and messages, off the hot path.
absl::Status CheckEncodableSlow(absl::string_view name, const Value& value);
// InvalidArgument when `value` cannot travel (a TIMESTAMP outside protobuf's range, no value).
// Hot path: no allocation.
inline absl::Status CheckEncodable(absl::string_view name, const Value& value) {
  if (ABSL_PREDICT_TRUE(value.type() != ValueType::kTimestamp &&
                        value.type() != ValueType::kUnspecified)) {
    return absl::OkStatus();
  }
  return CheckEncodableSlow(name, value);
}

// Writes attributes into one CompressedAttributes message.
class AttributeEncoder {
 public:
  // Uses the first `global_word_count` global words (<= kGlobalDictionarySize).
  AttributeEncoder(const CodecTables& tables, uint32_t global_word_count,
                   MessageDictionary* dictionary, istio::mixer::v1::CompressedAttributes* out)
      : indexer_(tables, global_word_count, dictionary), tables_(tables), out_(*out) {}

  // Adds one attribute. `id` is its id in the codec's vocabulary when known (saves a hash).
  // InvalidArgument when CheckEncodable refuses the value.
  absl::Status Add(absl::optional<AttributeId> id, absl::string_view name, const Value& value);

  // Adds every attribute of `bag` (parents included): in the order set when it has no parent.
  absl::Status AddBag(const Bag& bag);

 private:
  WordIndexer indexer_;
  const CodecTables& tables_;
  istio::mixer::v1::CompressedAttributes& out_;
};

// ---------------------------------------------------------------------------------------------
// Writing protobuf wire format.

inline size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

inline char* WriteVarint(char* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}

inline uint64_t ZigZag(int32_t v) {
  return google::protobuf::internal::WireFormatLite::ZigZagEncode32(v);
}

// Writes protobuf wire format into a string from a given position, through a pointer into space
// reserved ahead (std::string::append per varint costs more than the encoding). The string only
// grows (to twice its size when full); bytes past `position()` are unspecified, so the caller
// either keeps the end itself (a buffer reused across requests is never shrunk, so that its
// bytes are not zeroed again on every use) or calls Finish() to trim the string to it.
// Hot path: no allocation once the string is large enough.
class ByteWriter {
 public:
  ByteWriter(std::string* out, size_t position) : out_(*out), position_(position) {}

  size_t position() const { return position_; }
  // Goes back to `position` (at most position()), to drop what was written after it.
  void Rewind(size_t position) { position_ = position; }

  ABSL_ATTRIBUTE_ALWAYS_INLINE void Varint(uint64_t v) {
    position_ = WriteVarint(Reserve(10), v) - out_.data();
  }
  ABSL_ATTRIBUTE_ALWAYS_INLINE void Tag(uint32_t field, uint32_t wire_type) {
    Varint((field << 3) | wire_type);
  }
  void Raw(absl::string_view bytes) {
    if (bytes.empty()) return;
    std::memcpy(Reserve(bytes.size()), bytes.data(), bytes.size());
    position_ += bytes.size();
  }
  void Fixed64(uint64_t v) {
    char* p = Reserve(8);
    for (int i = 0; i < 8; ++i) p[i] = static_cast<char>(v >> (8 * i));
    position_ += 8;
  }
  // A length-delimited field.
  void BytesField(uint32_t field, absl::string_view bytes) {
    Tag(field, kLengthDelimited);
    Varint(bytes.size());
    Raw(bytes);
  }

  // Starts the entry {key = 1 (sint32): key; value = 2: ...} of map field `slot`, whose value
  // takes `value_size` bytes after its tag.
  ABSL_ATTRIBUTE_ALWAYS_INLINE void BeginEntry(Slot slot, int32_t key, size_t value_size) {
    Tag(static_cast<uint32_t>(slot), kLengthDelimited);
    Varint(1 + VarintSize(ZigZag(key)) + 1 + value_size);
    Tag(1, kVarint);
    Varint(ZigZag(key));
  }

  // A length-delimited field whose length is known only once it is written: BeginNested writes
  // the tag and room for a 2-byte length and returns where the payload starts; EndNested writes
  // the length, moving the payload when it needs another length size (under 128 or over 16383
  // bytes).
  size_t BeginNested(uint32_t field) {
    Tag(field, kLengthDelimited);
    Reserve(2);
    position_ += 2;
    return position_;
  }
  void EndNested(size_t payload_start) {
    const size_t length = position_ - payload_start;
    const size_t length_size = VarintSize(length);
    if (ABSL_PREDICT_FALSE(length_size != 2)) {
      Reserve(length_size);  // May move the string: take pointers after it.
      char* payload = &out_[payload_start];
      std::memmove(payload + length_size - 2, payload, length);
      position_ = position_ + length_size - 2;
    }
    WriteVarint(&out_[payload_start - 2], length);
  }

  void Finish() { out_.resize(position_); }

 private:
  // Room for `n` more bytes at position_.
  ABSL_ATTRIBUTE_ALWAYS_INLINE char* Reserve(size_t n) {
    if (ABSL_PREDICT_FALSE(position_ + n > out_.size())) {
      out_.resize(std::max<size_t>({2 * out_.size(), position_ + n, 256}));
    }
    return &out_[position_];
  }

  std::string& out_;
  size_t position_;
};

// Writes one bag as serialized CompressedAttributes, without building a message: the words
// first, then one map entry per attribute, in the order AttributeEncoder adds them, so that the
// bytes parse into the message AttributeEncoder builds.
absl::Status EncodeBagBytes(const CodecTables& tables, const Bag& bag, uint32_t global_word_count,
                            std::string* out);

// Writes `bag` as one element of a request: field `field` (length-delimited) holding a
// CompressedAttributes without `words`, its names and strings indexed by `indexer` (so in the
// request's `default_words`), its entries in the order AttributeEncoder adds them. With
// `unchanged` (DELTA_ENCODING: the bag the receiver holds), attributes with the same value
// there are left out. InvalidArgument when CheckEncodable refuses a value: the writer's
// position is then back where it was (words the element added to the dictionary stay: Truncate
// it). Hot path: no allocation once the writer's string and the dictionary have room.
absl::Status WriteElement(const CodecTables& tables, const Bag& bag, const Bag* unchanged,
                          uint32_t field, WordIndexer& indexer, ByteWriter& writer);

// Calls `fn` for every attribute of `bag`, parents included: in the order set when the bag has no
// parent, else in Bag::ForEach order. `id` is the attribute's id in `tables.vocabulary`, given
// only when the bag uses that vocabulary (and has no parent).
void VisitBag(const CodecTables& tables, const Bag& bag,
              absl::FunctionRef<void(absl::optional<AttributeId> id, absl::string_view name,
                                     const Value& value)>
                  fn);

// InvalidArgument unless `global_word_count` <= kGlobalDictionarySize.
absl::Status CheckGlobalWordCount(uint32_t global_word_count);

}  // namespace mixlet::wire_internal

#endif  // MIXLET_LIB_WIRE_COMPRESSED_ATTRIBUTES_INTERNAL_H_
