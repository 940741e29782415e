// Helpers for the wire tests, benchmark and fuzzer: a hand-rolled protobuf writer (so tests can
// build bytes from field numbers alone), reference bags, a random bag generator and a bag
// comparison. Header-only; no test framework.
#ifndef MIXLET_TESTS_WIRE_WIRE_TESTING_H_
#define MIXLET_TESTS_WIRE_WIRE_TESTING_H_

#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "mixlet/attribute/bag.h"
#include "mixlet/attribute/mutable_bag.h"
#include "mixlet/attribute/vocabulary.h"
#include "mixlet/value/value.h"
#include "mixlet/wire/global_dictionary.h"

namespace mixlet::wire_testing {

// Writes protobuf wire format by hand: tags and varints from field numbers, nothing generated.
class ProtoWriter {
 public:
  static constexpr uint32_t kVarint = 0;
  static constexpr uint32_t kFixed64 = 1;
  static constexpr uint32_t kLengthDelimited = 2;

  ProtoWriter& Varint(uint64_t v) {
    while (v >= 0x80) {
      bytes_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    bytes_.push_back(static_cast<char>(v));
    return *this;
  }
  ProtoWriter& Tag(uint32_t field, uint32_t wire_type) {
    return Varint((static_cast<uint64_t>(field) << 3) | wire_type);
  }
  ProtoWriter& VarintField(uint32_t field, uint64_t v) { return Tag(field, kVarint).Varint(v); }
  // sint32: zigzag.
  ProtoWriter& Sint32Field(uint32_t field, int32_t v) {
    const uint32_t zigzag = (static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31);
    return VarintField(field, zigzag);
  }
  ProtoWriter& Fixed64Field(uint32_t field, uint64_t v) {
    Tag(field, kFixed64);
    for (int i = 0; i < 8; ++i) bytes_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    return *this;
  }
  ProtoWriter& DoubleField(uint32_t field, double d) {
    uint64_t bits;
    std::memcpy(&bits, &d, sizeof(bits));
    return Fixed64Field(field, bits);
  }
  ProtoWriter& BytesField(uint32_t field, absl::string_view b) {
    Tag(field, kLengthDelimited).Varint(b.size());
    bytes_.append(b.data(), b.size());
    return *this;
  }
  ProtoWriter& MessageField(uint32_t field, const ProtoWriter& m) {
    return BytesField(field, m.bytes());
  }
  ProtoWriter& Raw(absl::string_view b) {
    bytes_.append(b.data(), b.size());
    return *this;
  }
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

// CompressedAttributes field numbers (wire.md §2).
enum Field : uint32_t {
  kWords = 1,
  kStrings = 2,
  kInt64s = 3,
  kDoubles = 4,
  kBools = 5,
  kTimestamps = 6,
  kDurations = 7,
  kBytes = 8,
  kStringMaps = 9,
};

// One map entry {key = 1 (sint32); value = 2} of a CompressedAttributes map.
inline ProtoWriter StringsEntry(int32_t name, int32_t value) {
  ProtoWriter e;
  e.Sint32Field(1, name).Sint32Field(2, value);
  return e;
}
inline ProtoWriter Int64sEntry(int32_t name, int64_t value) {
  ProtoWriter e;
  e.Sint32Field(1, name).VarintField(2, static_cast<uint64_t>(value));
  return e;
}
// {int64 seconds = 1; int32 nanos = 2}: Timestamp and Duration.
inline ProtoWriter SecondsNanos(int64_t seconds, int32_t nanos) {
  ProtoWriter m;
  if (seconds != 0) m.VarintField(1, static_cast<uint64_t>(seconds));
  // int32 fields are sign-extended to 64 bits on the wire.
  if (nanos != 0) m.VarintField(2, static_cast<uint64_t>(static_cast<int64_t>(nanos)));
  return m;
}
inline ProtoWriter MessageEntry(int32_t name, const ProtoWriter& value) {
  ProtoWriter e;
  e.Sint32Field(1, name).MessageField(2, value);
  return e;
}
// istio.mixer.v1.StringMap {map<sint32, sint32> entries = 1}.
inline ProtoWriter StringMapMessage(const std::vector<std::pair<int32_t, int32_t>>& entries) {
  ProtoWriter m;
  for (const auto& [k, v] : entries) {
    ProtoWriter e;
    e.Sint32Field(1, k).Sint32Field(2, v);
    m.MessageField(1, e);
  }
  return m;
}

// The differences between two bags, or "" when they hold the same attributes and values.
inline std::string BagDiff(const Bag& expected, const Bag& actual) {
  std::string diff;
  expected.ForEach([&](absl::string_view name, const Value& v) {
    const Value* a = actual.Find(name);
    if (a == nullptr) {
      absl::StrAppend(&diff, "missing ", name, " = ", v.DebugString(), "\n");
    } else if (!(*a == v) || a->type() != v.type()) {
      absl::StrAppend(&diff, name, ": expected ", v.DebugString(), ", got ", a->DebugString(),
                      "\n");
    }
  });
  actual.ForEach([&](absl::string_view name, const Value& v) {
    if (expected.Find(name) == nullptr) {
      absl::StrAppend(&diff, "unexpected ", name, " = ", v.DebugString(), "\n");
    }
  });
  return diff;
}

// Sets `name` to the string map `entries` (copied into the bag).
inline void SetStringMap(MutableBag* bag, absl::string_view name,
                         const std::vector<std::pair<std::string, std::string>>& entries) {
  std::vector<StringMapEntry> view;
  for (const auto& [k, v] : entries) view.push_back({k, v});
  bag->Set(name, Value::StringMap(StringMapView(view.data(), view.size()))).IgnoreError();
}

// The bag of EXPECTED.md §3 (outbound `continue` report of the Bookinfo TCP sample), set in the
// order of that table.
inline void FillSampleReport(MutableBag* bag) {
  bag->Set("context.reporter.kind", Value::String("outbound")).IgnoreError();
  bag->Set("source.namespace", Value::String("default")).IgnoreError();
  bag->Set("context.protocol", Value::String("tcp")).IgnoreError();
  bag->Set("destination.service.host", Value::String("mongodb.default.svc.cluster.local"))
      .IgnoreError();
  bag->Set("connection.event", Value::String("continue")).IgnoreError();
  bag->Set("connection.received.bytes", Value::Int64(1200)).IgnoreError();
  bag->Set("connection.received.bytes_total", Value::Int64(1200)).IgnoreError();
  bag->Set("connection.sent.bytes", Value::Int64(3400)).IgnoreError();
  bag->Set("source.workload.name", Value::String("ratings-v2")).IgnoreError();
  SetStringMap(bag, "source.labels", {{"version", "v2"}});
  SetStringMap(bag, "destination.labels", {{"version", "v1"}});
}

// A typical outbound sidecar TCP report with 25 attributes (attributes.md §4): the static
// outbound attributes, the check-time ones, the report-time ones and the workload labels.
inline void FillOutboundTcpReport(MutableBag* bag, int64_t received = 1200, int64_t sent = 3400) {
  static const char kSourceIp[] = {10, 44, 0, 17};
  static const char kDestinationIp[] = {10, 44, 2, 9};
  bag->Set("source.uid", Value::String("kubernetes://ratings-v2-5d8c8d7c8-x2x7p.default"))
      .IgnoreError();
  bag->Set("source.namespace", Value::String("default")).IgnoreError();
  bag->Set("context.reporter.uid", Value::String("kubernetes://ratings-v2-5d8c8d7c8-x2x7p.default"))
      .IgnoreError();
  bag->Set("context.reporter.kind", Value::String("outbound")).IgnoreError();
  bag->Set("context.proxy_version", Value::String("1.7.0")).IgnoreError();
  bag->Set("destination.service.host", Value::String("mongodb.default.svc.cluster.local"))
      .IgnoreError();
  bag->Set("destination.service.name", Value::String("mongodb")).IgnoreError();
  bag->Set("destination.service.namespace", Value::String("default")).IgnoreError();
  bag->Set("destination.service.uid", Value::String("istio://default/services/mongodb"))
      .IgnoreError();
  bag->Set("source.ip", Value::IpAddress(absl::string_view(kSourceIp, 4))).IgnoreError();
  bag->Set("origin.ip", Value::IpAddress(absl::string_view(kSourceIp, 4))).IgnoreError();
  bag->Set("connection.mtls", Value::Bool(true)).IgnoreError();
  bag->Set("context.time", Value::TimestampValue(Timestamp{1700000000, 123456789})).IgnoreError();
  bag->Set("context.protocol", Value::String("tcp")).IgnoreError();
  bag->Set("connection.id", Value::String("7f1c9a52-8d1e-4b0e-9a57-3c1f0e8d2b44-42")).IgnoreError();
  bag->Set("connection.received.bytes", Value::Int64(received)).IgnoreError();
  bag->Set("connection.received.bytes_total", Value::Int64(received * 3)).IgnoreError();
  bag->Set("connection.sent.bytes", Value::Int64(sent)).IgnoreError();
  bag->Set("connection.sent.bytes_total", Value::Int64(sent * 3)).IgnoreError();
  bag->Set("connection.event", Value::String("continue")).IgnoreError();
  bag->Set("destination.ip", Value::IpAddress(absl::string_view(kDestinationIp, 4))).IgnoreError();
  bag->Set("destination.port", Value::Int64(27017)).IgnoreError();
  SetStringMap(bag, "source.labels",
               {{"app", "ratings"}, {"version", "v2"}, {"pod-template-hash", "5d8c8d7c8"}});
  SetStringMap(bag, "destination.labels", {{"app", "mongodb"}, {"version", "v1"}});
  bag->Set("source.workload.name", Value::String("ratings-v2")).IgnoreError();
}

// The standard vocabulary plus one attribute of each type it lacks (DOUBLE, DNS_NAME,
// EMAIL_ADDRESS, URI), so that every value type can travel as a known attribute.
inline std::shared_ptr<const Vocabulary> TestVocabulary() {
  static const std::shared_ptr<const Vocabulary>* const kVocabulary = [] {
    VocabularyBuilder b = VocabularyBuilder::Standard();
    b.Add("test.double", ValueType::kDouble).IgnoreError();
    b.Add("test.dns", ValueType::kDnsName).IgnoreError();
    b.Add("test.email", ValueType::kEmailAddress).IgnoreError();
    b.Add("test.uri", ValueType::kUri).IgnoreError();
    return new std::shared_ptr<const Vocabulary>(std::move(b).Build());
  }();
  return *kVocabulary;
}

// Random bags over a vocabulary: known attributes of every type, unknown attributes in every wire
// slot, strings that are and are not global words, maps, extreme numbers.
class RandomBagGenerator {
 public:
  explicit RandomBagGenerator(uint32_t seed) : rng_(seed) {}

  void Fill(MutableBag* bag) {
    const Vocabulary& vocabulary = bag->vocabulary();
    for (uint32_t i = 0; i < vocabulary.size(); ++i) {
      if (!Chance(0.25)) continue;
      const AttributeId id{i};
      Set(bag, vocabulary.name(id), vocabulary.type(id));
    }
    static constexpr ValueType kWireTypes[] = {
        ValueType::kString,    ValueType::kInt64,    ValueType::kDouble,    ValueType::kBool,
        ValueType::kTimestamp, ValueType::kDuration, ValueType::kIpAddress, ValueType::kStringMap};
    const int unknown = Uniform(0, 4);
    for (int i = 0; i < unknown; ++i) {
      std::string name = absl::StrCat("x-unknown.", Uniform(0, 9));
      if (Chance(0.2)) name = "source.port";  // A global word the standard vocabulary lacks.
      if (bag->Find(name) != nullptr) continue;
      Set(bag, name, kWireTypes[Uniform(0, 7)]);
    }
  }

 private:
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  int64_t Int64() {
    switch (Uniform(0, 4)) {
      case 0:
        return std::numeric_limits<int64_t>::min();
      case 1:
        return std::numeric_limits<int64_t>::max();
      case 2:
        return Uniform(-1000, 1000);
      default:
        return static_cast<int64_t>(std::uniform_int_distribution<uint64_t>()(rng_));
    }
  }
  std::string Word() {
    if (Chance(0.4)) {
      return std::string(GlobalDictionary()[Uniform(0, kGlobalDictionarySize - 1)]);
    }
    static constexpr absl::string_view kWords[] = {
        "default",
        "v1",
        "v2",
        "ratings",
        "mongodb.default.svc.cluster.local",
        "",
        "é ü",
        absl::string_view("with\0nul", 8),
        "a much longer string value that is not a dictionary word at all"};
    std::string w(kWords[Uniform(0, 8)]);
    if (Chance(0.5)) absl::StrAppend(&w, Uniform(0, 20));
    return w;
  }

  void Set(MutableBag* bag, absl::string_view name, ValueType type) {
    switch (type) {
      case ValueType::kString:
      case ValueType::kDnsName:
      case ValueType::kEmailAddress:
      case ValueType::kUri: {
        const std::string w = Word();
        bag->Set(name, Value::StringOfType(type, w)).IgnoreError();
        return;
      }
      case ValueType::kInt64:
        bag->Set(name, Value::Int64(Int64())).IgnoreError();
        return;
      case ValueType::kDouble: {
        static constexpr double kSpecial[] = {0.0,
                                              -0.0,
                                              1.5,
                                              -1e300,
                                              std::numeric_limits<double>::infinity(),
                                              std::numeric_limits<double>::quiet_NaN()};
        const double d = Chance(0.3) ? kSpecial[Uniform(0, 5)]
                                     : std::uniform_real_distribution<double>(-1e6, 1e6)(rng_);
        bag->Set(name, Value::Double(d)).IgnoreError();
        return;
      }
      case ValueType::kBool:
        bag->Set(name, Value::Bool(Chance(0.5))).IgnoreError();
        return;
      case ValueType::kTimestamp: {
        const int64_t seconds =
            std::uniform_int_distribution<int64_t>(-62135596800, 253402300799)(rng_);
        const int32_t nanos = Chance(0.3) ? 0 : Uniform(0, 999999999);
        bag->Set(name, Value::TimestampValue(Timestamp{seconds, nanos})).IgnoreError();
        return;
      }
      case ValueType::kDuration:
        bag->Set(name, Value::Duration(Int64())).IgnoreError();
        return;
      case ValueType::kIpAddress: {
        static constexpr int kLengths[] = {4, 16, 16, 4, 0, 5};
        std::string ip(static_cast<size_t>(kLengths[Uniform(0, 5)]), '\0');
        for (char& c : ip) c = static_cast<char>(Uniform(0, 255));
        bag->Set(name, Value::IpAddress(ip)).IgnoreError();
        return;
      }
      case ValueType::kStringMap: {
        std::vector<std::pair<std::string, std::string>> entries;
        const int n = Uniform(0, 5);
        for (int i = 0; i < n; ++i) {
          std::string key = Word();
          bool repeated = false;
          for (const auto& e : entries) repeated = repeated || e.first == key;
          if (!repeated) entries.emplace_back(std::move(key), Word());
        }
        SetStringMap(bag, name, entries);
        return;
      }
      case ValueType::kUnspecified:
        return;
    }
  }

  std::mt19937 rng_;
};

}  // namespace mixlet::wire_testing

#endif  // MIXLET_TESTS_WIRE_WIRE_TESTING_H_
