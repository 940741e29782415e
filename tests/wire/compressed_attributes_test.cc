#include "mixlet/wire/compressed_attributes.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "google/protobuf/stubs/logging.h"
#include "google/protobuf/util/field_comparator.h"
#include "google/protobuf/util/message_differencer.h"
#include "testing/count_allocations.h"
#include "wire/wire_testing.h"

namespace mixlet {
namespace {

using istio::mixer::v1::CompressedAttributes;
using wire_testing::BagDiff;
using wire_testing::Int64sEntry;
using wire_testing::MessageEntry;
using wire_testing::ProtoWriter;
using wire_testing::SecondsNanos;
using wire_testing::SetStringMap;
using wire_testing::StringMapMessage;
using wire_testing::StringsEntry;

std::shared_ptr<const WireCodec> StandardCodec() {
  static const std::shared_ptr<const WireCodec>* const kCodec =
      new std::shared_ptr<const WireCodec>(WireCodec::Create(Vocabulary::Standard()));
  return *kCodec;
}

std::shared_ptr<const WireCodec> TestCodec() {
  static const std::shared_ptr<const WireCodec>* const kCodec =
      new std::shared_ptr<const WireCodec>(WireCodec::Create(wire_testing::TestVocabulary()));
  return *kCodec;
}

// Field by field, maps as maps, NaN equal to NaN.
bool SameMessage(const google::protobuf::Message& a, const google::protobuf::Message& b) {
  google::protobuf::util::DefaultFieldComparator comparator;
  comparator.set_treat_nan_as_equal(true);
  google::protobuf::util::MessageDifferencer differencer;
  differencer.set_field_comparator(&comparator);
  return differencer.Compare(a, b);
}

// Encodes `bag`, then decodes it three ways (bytes, the encoded message, the message parsed back
// from the bytes); every result must hold exactly the bag's attributes.
void CheckRoundTrip(const WireCodec& codec, const Bag& bag) {
  CompressedAttributes message;
  const absl::Status encoded = codec.Encode(bag, &message);
  INFO(encoded.ToString());
  REQUIRE(encoded.ok());
  const std::string bytes = message.SerializeAsString();

  MutableBag from_bytes(codec.shared_vocabulary());
  const absl::Status b = codec.DecodeBytes(bytes, &from_bytes);
  INFO("DecodeBytes: " << b.ToString());
  REQUIRE(b.ok());
  CHECK(BagDiff(bag, from_bytes) == "");

  MutableBag from_message(codec.shared_vocabulary());
  const absl::Status m = codec.Decode(message, &from_message);
  INFO("Decode: " << m.ToString());
  REQUIRE(m.ok());
  CHECK(BagDiff(bag, from_message) == "");

  CompressedAttributes parsed;
  REQUIRE(parsed.ParseFromString(bytes));
  MutableBag from_parsed(codec.shared_vocabulary());
  REQUIRE(codec.Decode(parsed, &from_parsed).ok());
  CHECK(BagDiff(bag, from_parsed) == "");

  // The direct byte encoder writes the same message.
  std::string direct;
  REQUIRE(codec.EncodeBytes(bag, &direct).ok());
  CompressedAttributes direct_parsed;
  REQUIRE(direct_parsed.ParseFromString(direct));
  CHECK(SameMessage(direct_parsed, message));
  MutableBag from_direct(codec.shared_vocabulary());
  REQUIRE(codec.DecodeBytes(direct, &from_direct).ok());
  CHECK(BagDiff(bag, from_direct) == "");
}

std::string Ipv4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return std::string(
      {static_cast<char>(a), static_cast<char>(b), static_cast<char>(c), static_cast<char>(d)});
}

std::string Ipv6Documentation() {  // 2001:db8::1
  std::string ip(16, '\0');
  ip[0] = 0x20;
  ip[1] = 0x01;
  ip[2] = 0x0d;
  ip[3] = static_cast<char>(0xb8);
  ip[15] = 1;
  return ip;
}

TEST_CASE("WireCodec: every value type round trips", "[wire]") {
  const std::shared_ptr<const WireCodec> codec = TestCodec();
  const std::string v4 = Ipv4(10, 44, 0, 17);
  const std::string v6 = Ipv6Documentation();
  const std::string mapped = std::string(10, '\0') + "\xff\xff" + Ipv4(10, 44, 0, 17);
  const std::string odd_ip = "\x01\x02\x03\x04\x05";
  struct Case {
    absl::string_view name;
    Value value;
  };
  const Case cases[] = {
      {"context.protocol", Value::String("tcp")},  // A global word.
      {"source.workload.name", Value::String("ratings-v2")},
      {"source.namespace", Value::String("")},
      {"source.uid", Value::String("'200'")},  // Global word 94, quotes included.
      {"test.dns", Value::DnsName("mongodb.default.svc.cluster.local")},
      {"test.email", Value::EmailAddress("admin@example.com")},
      {"test.uri", Value::Uri("https://example.com/a?b=c")},
      {"destination.port", Value::Int64(27017)},
      {"destination.port", Value::Int64(-1)},
      {"destination.port", Value::Int64(std::numeric_limits<int64_t>::min())},
      {"destination.port", Value::Int64(std::numeric_limits<int64_t>::max())},
      {"test.double", Value::Double(0.5)},
      {"test.double", Value::Double(-0.0)},
      {"test.double", Value::Double(std::numeric_limits<double>::quiet_NaN())},
      {"test.double", Value::Double(-std::numeric_limits<double>::infinity())},
      {"connection.mtls", Value::Bool(true)},
      {"connection.mtls", Value::Bool(false)},
      {"context.time", Value::TimestampValue(Timestamp{1700000000, 123456789})},
      {"context.time", Value::TimestampValue(Timestamp{-1, 999999999})},  // Before 1970.
      {"context.time", Value::TimestampValue(Timestamp{-62135596800, 0})},
      {"context.time", Value::TimestampValue(Timestamp{253402300799, 999999999})},
      {"response.duration", Value::Duration(-1500000000)},  // -1.5s
      {"response.duration", Value::Duration(0)},
      {"response.duration", Value::Duration(1)},
      {"response.duration", Value::Duration(std::numeric_limits<int64_t>::min())},
      {"response.duration", Value::Duration(std::numeric_limits<int64_t>::max())},
      {"source.ip", Value::IpAddress(v4)},
      {"source.ip", Value::IpAddress(v6)},
      {"source.ip", Value::IpAddress(mapped)},
      {"source.ip", Value::IpAddress(odd_ip)},  // Carried as sent.
  };
  MutableBag all(codec->shared_vocabulary());
  for (const Case& c : cases) {
    INFO(std::string(c.name) << " = " << c.value.DebugString());
    MutableBag bag(codec->shared_vocabulary());
    REQUIRE(bag.Set(c.name, c.value).ok());
    CheckRoundTrip(*codec, bag);
    REQUIRE(all.Set(c.name, c.value).ok());
  }
  SetStringMap(&all, "source.labels", {{"app", "ratings"}, {"version", "v2"}});
  SetStringMap(&all, "destination.labels", {});
  // Keys and values that are global words, and a value shared with a key.
  SetStringMap(&all, "request.headers", {{"content-type", "application/json"}, {"v2", "tcp"}});
  CheckRoundTrip(*codec, all);
}

TEST_CASE("WireCodec: unknown attributes take the type of their wire slot", "[wire]") {
  const std::shared_ptr<const WireCodec> codec = StandardCodec();
  const std::string ip = Ipv6Documentation();
  struct Case {
    absl::string_view name;
    Value sent;
    ValueType received_type;
  };
  const Case cases[] = {
      {"x-mongo.collection", Value::String("ratings"), ValueType::kString},
      {"x-mongo.dns", Value::DnsName("a.b"), ValueType::kString},  // strings -> STRING
      {"source.port", Value::Int64(43120), ValueType::kInt64},     // Global word, not in manifest.
      {"x.ratio", Value::Double(0.25), ValueType::kDouble},
      {"x.flag", Value::Bool(true), ValueType::kBool},
      {"x.when", Value::TimestampValue(Timestamp{5, 6}), ValueType::kTimestamp},
      {"x.took", Value::Duration(-7), ValueType::kDuration},
      {"x.peer", Value::IpAddress(ip), ValueType::kIpAddress},
      {"destination.mesh.id", Value::String("mesh1"), ValueType::kString},
  };
  MutableBag sent(codec->shared_vocabulary());
  for (const Case& c : cases) REQUIRE(sent.Set(c.name, c.sent).ok());
  SetStringMap(&sent, "x.meta", {{"k", "v"}});
  CompressedAttributes message;
  REQUIRE(codec->Encode(sent, &message).ok());
  MutableBag received(codec->shared_vocabulary());
  REQUIRE(codec->DecodeBytes(message.SerializeAsString(), &received).ok());
  for (const Case& c : cases) {
    INFO(std::string(c.name));
    const Value* v = received.Find(c.name);
    REQUIRE(v != nullptr);
    CHECK(v->type() == c.received_type);
    if (c.received_type == c.sent.type()) CHECK(*v == c.sent);
  }
  CHECK(received.Find("x-mongo.dns")->string() == "a.b");
  REQUIRE(received.Find("x.meta") != nullptr);
  CHECK(received.Find("x.meta")->type() == ValueType::kStringMap);
  CHECK(received.size() == sent.size());
}

template <typename K, typename V, typename M>
std::map<K, V> ToStdMap(const M& m) {
  std::map<K, V> out;
  for (const auto& e : m) out[e.first] = e.second;
  return out;
}

TEST_CASE("WireCodec: encodes the wire.md 2.2 worked example", "[wire]") {
  const std::shared_ptr<const WireCodec> codec = StandardCodec();
  MutableBag bag(codec->shared_vocabulary());
  REQUIRE(bag.Set("context.protocol", Value::String("tcp")).ok());
  REQUIRE(bag.Set("connection.received.bytes", Value::Int64(1024)).ok());
  REQUIRE(
      bag.Set("destination.service.host", Value::String("mongodb.default.svc.cluster.local")).ok());
  SetStringMap(&bag, "source.labels", {{"version", "v2"}});
  REQUIRE(bag.Set("connection.event", Value::String("continue")).ok());

  CompressedAttributes m;
  REQUIRE(codec->Encode(bag, &m).ok());
  CHECK(std::vector<std::string>(m.words().begin(), m.words().end()) ==
        std::vector<std::string>{"mongodb.default.svc.cluster.local", "version", "v2", "continue"});
  CHECK(ToStdMap<int32_t, int32_t>(m.strings()) ==
        std::map<int32_t, int32_t>{{131, 124}, {193, -1}, {171, -4}});
  CHECK(ToStdMap<int32_t, int64_t>(m.int64s()) == std::map<int32_t, int64_t>{{126, 1024}});
  REQUIRE(m.string_maps().size() == 1);
  REQUIRE(m.string_maps().count(5) == 1);
  CHECK(ToStdMap<int32_t, int32_t>(m.string_maps().at(5).entries()) ==
        std::map<int32_t, int32_t>{{-2, -3}});
  CHECK(m.doubles().empty());
  CHECK(m.bools().empty());
  CHECK(m.timestamps().empty());
  CHECK(m.durations().empty());
  CHECK(m.bytes().empty());
  CheckRoundTrip(*codec, bag);
}

TEST_CASE("WireCodec: encodes the EXPECTED.md 3 sample bag", "[wire]") {
  const std::shared_ptr<const WireCodec> codec = StandardCodec();
  MutableBag bag(codec->shared_vocabulary());
  wire_testing::FillSampleReport(&bag);
  CompressedAttributes m;
  REQUIRE(codec->Encode(bag, &m).ok());
  CHECK(std::vector<std::string>(m.words().begin(), m.words().end()) ==
        std::vector<std::string>{"default", "mongodb.default.svc.cluster.local", "continue",
                                 "ratings-v2", "version", "v2", "v1"});
  CHECK(
      ToStdMap<int32_t, int32_t>(m.strings()) ==
      std::map<int32_t, int32_t>{{201, 220}, {4, -1}, {131, 124}, {193, -2}, {171, -3}, {182, -4}});
  CHECK(ToStdMap<int32_t, int64_t>(m.int64s()) ==
        std::map<int32_t, int64_t>{{126, 1200}, {127, 1200}, {128, 3400}});
  REQUIRE(m.string_maps().size() == 2);
  CHECK(ToStdMap<int32_t, int32_t>(m.string_maps().at(5).entries()) ==
        std::map<int32_t, int32_t>{{-5, -6}});
  CHECK(ToStdMap<int32_t, int32_t>(m.string_maps().at(156).entries()) ==
        std::map<int32_t, int32_t>{{-5, -7}});
  CheckRoundTrip(*codec, bag);
}

TEST_CASE("WireCodec: decodes bytes written by hand from field numbers", "[wire]") {
  const std::shared_ptr<const WireCodec> codec = StandardCodec();
  const std::string ip = Ipv4(10, 44, 0, 17);
  ProtoWriter w;
  // Maps before the words they use, and fields protobuf must skip: order is free on the wire.
  w.MessageField(wire_testing::kStrings, StringsEntry(131, 124))  // context.protocol = tcp
      .MessageField(wire_testing::kStrings, StringsEntry(193, -1))
      .VarintField(20, 99)  // Unknown field: skipped.
      .MessageField(wire_testing::kInt64s, Int64sEntry(126, 1024))
      .MessageField(wire_testing::kInt64s, Int64sEntry(1, -5))  // source.port: unknown, INT64.
      .BytesField(wire_testing::kWords, "mongodb.default.svc.cluster.local")
      .BytesField(wire_testing::kWords, "version")
      .BytesField(wire_testing::kWords, "v2")
      .BytesField(wire_testing::kWords, "continue")
      .BytesField(wire_testing::kWords, "x-custom.ratio")
      .MessageField(wire_testing::kStrings, StringsEntry(171, -4))
      .MessageField(wire_testing::kStringMaps, MessageEntry(5, StringMapMessage({{-2, -3}})))
      .MessageField(wire_testing::kTimestamps, MessageEntry(133, SecondsNanos(1700000000, 5)))
      .MessageField(wire_testing::kDurations, MessageEntry(130, SecondsNanos(-2, -500000000)))
      .MessageField(wire_testing::kBools,
                    ProtoWriter().Sint32Field(1, 177).VarintField(2, 1))  // connection.mtls
      .MessageField(wire_testing::kBytes, ProtoWriter().Sint32Field(1, 0).BytesField(2, ip))
      .MessageField(wire_testing::kDoubles, ProtoWriter().Sint32Field(1, -5).DoubleField(2, 2.5))
      .BytesField(21, "ignored");  // Unknown length-delimited field: skipped.

  MutableBag expected(codec->shared_vocabulary());
  REQUIRE(expected.Set("context.protocol", Value::String("tcp")).ok());
  REQUIRE(
      expected.Set("destination.service.host", Value::String("mongodb.default.svc.cluster.local"))
          .ok());
  REQUIRE(expected.Set("connection.event", Value::String("continue")).ok());
  REQUIRE(expected.Set("connection.received.bytes", Value::Int64(1024)).ok());
  REQUIRE(expected.Set("source.port", Value::Int64(-5)).ok());
  SetStringMap(&expected, "source.labels", {{"version", "v2"}});
  REQUIRE(expected.Set("context.time", Value::TimestampValue(Timestamp{1700000000, 5})).ok());
  REQUIRE(expected.Set("connection.duration", Value::Duration(-2500000000)).ok());
  REQUIRE(expected.Set("connection.mtls", Value::Bool(true)).ok());
  REQUIRE(expected.Set("source.ip", Value::IpAddress(ip)).ok());
  REQUIRE(expected.Set("x-custom.ratio", Value::Double(2.5)).ok());

  MutableBag decoded(codec->shared_vocabulary());
  const absl::Status s = codec->DecodeBytes(w.bytes(), &decoded);
  INFO(s.ToString());
  REQUIRE(s.ok());
  CHECK(BagDiff(expected, decoded) == "");

  // protobuf's own parser reads the same bytes into the same bag.
  CompressedAttributes parsed;
  REQUIRE(parsed.ParseFromString(w.bytes()));
  MutableBag from_parsed(codec->shared_vocabulary());
  REQUIRE(codec->Decode(parsed, &from_parsed).ok());
  CHECK(BagDiff(expected, from_parsed) == "");
}

TEST_CASE("WireCodec: empty input is an empty bag", "[wire]") {
  const std::shared_ptr<const WireCodec> codec = StandardCodec();
  MutableBag bag(codec->shared_vocabulary());
  REQUIRE(codec->DecodeBytes("", &bag).ok());
  CHECK(bag.size() == 0);
  REQUIRE(codec->Decode(CompressedAttributes(), &bag).ok());
  CHECK(bag.size() == 0);
}

TEST_CASE("WireCodec: a map key repeated on the wire keeps the last entry, as protobuf", "[wire]") {
  const std::shared_ptr<const WireCodec> codec = StandardCodec();
  ProtoWriter w;
  w.MessageField(wire_testing::kStrings, StringsEntry(131, 124))
      .MessageField(wire_testing::kStrings, StringsEntry(131, 92))  // http
      .MessageField(wire_testing::kStringMaps,
                    MessageEntry(5, StringMapMessage({{124, 92}, {124, 93}})));  // tcp: envoy
  MutableBag decoded(codec->shared_vocabulary());
  REQUIRE(codec->DecodeBytes(w.bytes(), &decoded).ok());
  CHECK(decoded.Find("context.protocol")->string() == "http");
  CHECK(decoded.Find("source.labels")->string_map().size() == 1);
  CHECK(*decoded.Find("source.labels")->string_map().Find("tcp") == "envoy");

  CompressedAttributes parsed;
  REQUIRE(parsed.ParseFromString(w.bytes()));
  MutableBag from_parsed(codec->shared_vocabulary());
  REQUIRE(codec->Decode(parsed, &from_parsed).ok());
  CHECK(BagDiff(decoded, from_parsed) == "");
}

TEST_CASE("WireCodec: decoding sets attributes over what the bag holds", "[wire]") {
  const std::shared_ptr<const WireCodec> codec = StandardCodec();
  MutableBag bag(codec->shared_vocabulary());
  REQUIRE(bag.Set("connection.event", Value::String("open")).ok());
  REQUIRE(bag.Set("source.namespace", Value::String("default")).ok());
  ProtoWriter w;
  w.BytesField(wire_testing::kWords, "close")
      .MessageField(wire_testing::kStrings, StringsEntry(171, -1));
  REQUIRE(codec->DecodeBytes(w.bytes(), &bag).ok());
  CHECK(bag.Find("connection.event")->string() == "close");
  CHECK(bag.Find("source.namespace")->string() == "default");
}

struct BadCase {
  const char* what;
  std::string bytes;
  absl::StatusCode code;
  const char* message;
  // True when protobuf's parser accepts the bytes, so that Decode must refuse the same way.
  bool parses;
};

std::vector<BadCase> BadCases() {
  auto entry = [](uint32_t field, const ProtoWriter& e) {
    return ProtoWriter().MessageField(field, e).bytes();
  };
  const absl::StatusCode kInvalid = absl::StatusCode::kInvalidArgument;
  std::vector<BadCase> cases = {
      {"global name index at the end of the list",
       entry(wire_testing::kStrings, StringsEntry(222, 124)), kInvalid,
       "attribute name index 222 in strings is out of range: the global dictionary has 222 words",
       true},
      {"message name index beyond the words",
       ProtoWriter()
           .BytesField(wire_testing::kWords, "a")
           .BytesField(wire_testing::kWords, "b")
           .MessageField(wire_testing::kInt64s, Int64sEntry(-3, 1))
           .bytes(),
       kInvalid, "attribute name index -3 in int64s is out of range: the message has 2 words",
       true},
      {"string value index beyond the global list",
       entry(wire_testing::kStrings, StringsEntry(131, 500)), kInvalid,
       "value index 500 of attribute 'context.protocol' (in strings) is out of range: the global "
       "dictionary has 222 words",
       true},
      {"string value index with no message words",
       entry(wire_testing::kStrings, StringsEntry(131, -1)), kInvalid,
       "value index -1 of attribute 'context.protocol' (in strings) is out of range: the message "
       "has 0 words",
       true},
      {"most negative index", entry(wire_testing::kStrings, StringsEntry(131, INT32_MIN)), kInvalid,
       "value index -2147483648 of attribute 'context.protocol'", true},
      {"string map key index out of range",
       entry(wire_testing::kStringMaps, MessageEntry(5, StringMapMessage({{300, 1}}))), kInvalid,
       "key index 300 in string map 'source.labels' is out of range", true},
      {"string map value index out of range",
       entry(wire_testing::kStringMaps, MessageEntry(5, StringMapMessage({{124, -9}}))), kInvalid,
       "value index -9 of key 'tcp' in string map 'source.labels' is out of range: the message "
       "has 0 words",
       true},
      {"STRING attribute in int64s", entry(wire_testing::kInt64s, Int64sEntry(131, 5)), kInvalid,
       "attribute 'context.protocol' is STRING but was sent in int64s", true},
      {"INT64 attribute in strings", entry(wire_testing::kStrings, StringsEntry(126, 124)),
       kInvalid, "attribute 'connection.received.bytes' is INT64 but was sent in strings", true},
      {"STRING_MAP attribute in bytes",
       entry(wire_testing::kBytes, ProtoWriter().Sint32Field(1, 5).BytesField(2, "x")), kInvalid,
       "attribute 'source.labels' is STRING_MAP but was sent in bytes", true},
      {"IP_ADDRESS attribute in strings", entry(wire_testing::kStrings, StringsEntry(0, 124)),
       kInvalid, "attribute 'source.ip' is IP_ADDRESS but was sent in strings", true},
      {"unknown attribute in two slots",
       ProtoWriter()
           .MessageField(wire_testing::kStrings, StringsEntry(1, 124))
           .MessageField(wire_testing::kInt64s, Int64sEntry(1, 5))
           .bytes(),
       kInvalid, "duplicate attribute source.port (in strings and int64s)", true},
      {"known attribute under a global and a message index",
       ProtoWriter()
           .BytesField(wire_testing::kWords, "context.protocol")
           .MessageField(wire_testing::kStrings, StringsEntry(131, 124))
           .MessageField(wire_testing::kStrings, StringsEntry(-1, 124))
           .bytes(),
       kInvalid, "duplicate attribute context.protocol (twice in strings)", true},
      {"timestamp nanos of a whole second",
       entry(wire_testing::kTimestamps, MessageEntry(133, SecondsNanos(1, 1000000000))), kInvalid,
       "attribute 'context.time': timestamp nanos 1000000000 outside [0, 999999999]", true},
      {"negative timestamp nanos",
       entry(wire_testing::kTimestamps, MessageEntry(133, SecondsNanos(1, -1))), kInvalid,
       "attribute 'context.time': timestamp nanos -1 outside [0, 999999999]", true},
      {"timestamp after year 9999",
       entry(wire_testing::kTimestamps, MessageEntry(133, SecondsNanos(253402300800, 0))), kInvalid,
       "attribute 'context.time': timestamp seconds 253402300800 outside the years", true},
      {"duration beyond int64 nanoseconds",
       entry(wire_testing::kDurations, MessageEntry(130, SecondsNanos(9223372037, 0))), kInvalid,
       "attribute 'connection.duration': duration of 9223372037s and 0ns does not fit in int64 "
       "nanoseconds",
       true},
      {"duration just beyond int64 nanoseconds",
       entry(wire_testing::kDurations, MessageEntry(130, SecondsNanos(9223372036, 854775808))),
       kInvalid, "does not fit in int64 nanoseconds", true},
      {"duration with mixed signs",
       entry(wire_testing::kDurations, MessageEntry(130, SecondsNanos(1, -1))), kInvalid,
       "attribute 'connection.duration': duration seconds 1 and nanos -1 have different signs",
       true},
      {"duration nanos of a whole second",
       entry(wire_testing::kDurations, MessageEntry(130, SecondsNanos(0, 1000000000))), kInvalid,
       "duration nanos 1000000000 outside [-999999999, 999999999]", true},
      {"string map key under two indices",
       ProtoWriter()
           .BytesField(wire_testing::kWords, "tcp")
           .MessageField(wire_testing::kStringMaps,
                         MessageEntry(5, StringMapMessage({{124, 1}, {-1, 2}})))
           .bytes(),
       kInvalid, "string map 'source.labels' has the key 'tcp' twice (indices -1 and 124)", true},
      {"entry shorter than its length", std::string("\x12\x04\x08\xff", 4), kInvalid,
       "malformed CompressedAttributes at byte 1: length 4 runs past the end (2 bytes left)",
       false},
      {"truncated inside an entry", std::string("\x12\x02\x08\xff", 4), kInvalid,
       "malformed CompressedAttributes at byte 3: truncated or overlong varint", false},
      {"length past the end", std::string("\x12\x32\x08\x01\x10", 5), kInvalid,
       "length 50 runs past the end (3 bytes left)", false},
      {"field number zero", std::string("\x00\x01", 2), kInvalid,
       "malformed CompressedAttributes at byte 0: invalid field tag", false},
      {"wire type 7", std::string("\x1f\x01", 2), kInvalid,
       "malformed CompressedAttributes at byte 0: cannot read field 3 with wire type 7", false},
      {"end group at the top", std::string("\x2c", 1), kInvalid,
       "cannot read field 5 with wire type 4", false},
      {"varint longer than ten bytes",
       std::string("\x12\x0c\x08") + std::string(10, '\xff') + std::string("\x01"), kInvalid,
       "malformed CompressedAttributes at byte 3: truncated or overlong varint", false},
  };
  // More unknown attributes than a bag accepts.
  ProtoWriter many;
  for (uint32_t i = 0; i <= kMaxUnknownAttributesPerBag; ++i) {
    many.BytesField(wire_testing::kWords, absl::StrCat("x.", i));
  }
  for (uint32_t i = 0; i <= kMaxUnknownAttributesPerBag; ++i) {
    many.MessageField(wire_testing::kInt64s, Int64sEntry(-static_cast<int32_t>(i) - 1, 1));
  }
  cases.push_back({"too many unknown attributes", many.bytes(), kInvalid,
                   "too many attributes unknown to the vocabulary (more than 4096 in one bag)",
                   true});
  return cases;
}

TEST_CASE("WireCodec: bad input is refused with what and where", "[wire]") {
  const std::shared_ptr<const WireCodec> codec = StandardCodec();
  for (const BadCase& c : BadCases()) {
    INFO(c.what);
    MutableBag bag(codec->shared_vocabulary());
    const absl::Status s = codec->DecodeBytes(c.bytes, &bag);
    INFO(s.ToString());
    CHECK(s.code() == c.code);
    CHECK_THAT(std::string(s.message()), Catch::Contains(c.message));

    CompressedAttributes parsed;
    const bool parses = parsed.ParseFromString(c.bytes);
    CHECK(parses == c.parses);
    if (parses) {
      MutableBag from_message(codec->shared_vocabulary());
      const absl::Status m = codec->Decode(parsed, &from_message);
      INFO("Decode: " << m.ToString());
      CHECK(m.code() == c.code);
      CHECK_THAT(std::string(m.message()), Catch::Contains(c.message));
    }
  }
}

TEST_CASE("WireCodec: every prefix of a valid encoding decodes or fails cleanly", "[wire]") {
  const std::shared_ptr<const WireCodec> codec = StandardCodec();
  MutableBag bag(codec->shared_vocabulary());
  wire_testing::FillOutboundTcpReport(&bag);
  CompressedAttributes m;
  REQUIRE(codec->Encode(bag, &m).ok());
  const std::string bytes = m.SerializeAsString();
  int failures = 0;
  for (size_t n = 0; n < bytes.size(); ++n) {
    MutableBag decoded(codec->shared_vocabulary());
    const absl::Status s = codec->DecodeBytes(absl::string_view(bytes).substr(0, n), &decoded);
    if (!s.ok()) {
      ++failures;
      INFO(s.ToString());
      CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    }
  }
  CHECK(failures > 0);
}

TEST_CASE("WireCodec: many words and large maps take the hashed paths", "[wire]") {
  const std::shared_ptr<const WireCodec> codec = StandardCodec();
  MutableBag bag(codec->shared_vocabulary());
  std::vector<std::pair<std::string, std::string>> headers;
  for (int i = 0; i < 100; ++i) {
    REQUIRE(
        bag.Set(absl::StrCat("x-attribute.", i), Value::String(absl::StrCat("value ", i))).ok());
    headers.emplace_back(absl::StrCat("x-header-", i), i % 2 == 0 ? "tcp" : absl::StrCat(i));
  }
  SetStringMap(&bag, "request.headers", headers);
  CheckRoundTrip(*codec, bag);

  // A large map whose key comes twice under two indices, and once repeated as is.
  std::vector<std::pair<int32_t, int32_t>> entries;
  ProtoWriter w;
  for (int i = 0; i < 60; ++i) w.BytesField(wire_testing::kWords, absl::StrCat("k", i));
  for (int i = 0; i < 60; ++i) entries.emplace_back(-(i + 1), 124);
  entries.emplace_back(-1, 92);  // Same key index again: the later value wins.
  ProtoWriter good = w;
  good.MessageField(wire_testing::kStringMaps,
                    MessageEntry(15, wire_testing::StringMapMessage(entries)));
  MutableBag decoded(codec->shared_vocabulary());
  REQUIRE(codec->DecodeBytes(good.bytes(), &decoded).ok());
  const StringMapView map = decoded.Find("request.headers")->string_map();
  CHECK(map.size() == 60);
  CHECK(*map.Find("k0") == "http");
  CHECK(*map.Find("k59") == "tcp");

  w.BytesField(wire_testing::kWords, "k40");  // Word -61 repeats word -41.
  entries.emplace_back(-61, 124);
  w.MessageField(wire_testing::kStringMaps,
                 MessageEntry(15, wire_testing::StringMapMessage(entries)));
  const absl::Status s = codec->DecodeBytes(w.bytes(), &decoded);
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK(s.message() ==
        "string map 'request.headers' has the key 'k40' twice (indices -61 and -41)");
}

TEST_CASE("WireCodec: a bag of another vocabulary is refused for decoding", "[wire]") {
  const std::shared_ptr<const WireCodec> codec = StandardCodec();
  MutableBag bag(wire_testing::TestVocabulary());
  const absl::Status s = codec->DecodeBytes("", &bag);
  CHECK(s.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(codec->Decode(CompressedAttributes(), &bag).code() ==
        absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("WireCodec: byte and message decoders agree on random bags", "[wire]") {
  const std::shared_ptr<const WireCodec> codec = TestCodec();
  for (uint32_t seed = 1; seed <= 300; ++seed) {
    INFO("seed " << seed);
    wire_testing::RandomBagGenerator generator(seed);
    MutableBag bag(codec->shared_vocabulary());
    generator.Fill(&bag);
    CheckRoundTrip(*codec, bag);
  }
}

TEST_CASE("WireCodec: corrupted bytes never crash, and both decoders agree", "[wire]") {
  const std::shared_ptr<const WireCodec> codec = TestCodec();
  // protobuf logs every word that is not UTF-8 (its parser then fails, ours accepts it).
  google::protobuf::LogSilencer quiet;
  std::mt19937 rng(7);
  int parsed_count = 0;
  for (uint32_t seed = 1; seed <= 300; ++seed) {
    wire_testing::RandomBagGenerator generator(seed);
    MutableBag bag(codec->shared_vocabulary());
    generator.Fill(&bag);
    CompressedAttributes m;
    REQUIRE(codec->Encode(bag, &m).ok());
    std::string bytes = m.SerializeAsString();
    if (bytes.empty()) continue;
    const size_t at = std::uniform_int_distribution<size_t>(0, bytes.size() - 1)(rng);
    bytes[at] = static_cast<char>(std::uniform_int_distribution<int>(0, 255)(rng));
    INFO("seed " << seed << ", byte " << at);

    MutableBag from_bytes(codec->shared_vocabulary());
    const absl::Status b = codec->DecodeBytes(bytes, &from_bytes);
    INFO("DecodeBytes: " << b.ToString());
    CHECK((b.ok() || b.code() == absl::StatusCode::kInvalidArgument));
    CompressedAttributes parsed;
    if (!parsed.ParseFromString(bytes)) continue;
    ++parsed_count;
    MutableBag from_message(codec->shared_vocabulary());
    const absl::Status p = codec->Decode(parsed, &from_message);
    INFO("Decode: " << p.ToString());
    CHECK(b.ok() == p.ok());
    if (b.ok() && p.ok()) CHECK(BagDiff(from_message, from_bytes) == "");
  }
  CHECK(parsed_count > 0);
}

TEST_CASE("WireCodec: decoding into a warm bag allocates nothing", "[wire]") {
  const std::shared_ptr<const WireCodec> codec = StandardCodec();
  MutableBag source(codec->shared_vocabulary());
  wire_testing::FillOutboundTcpReport(&source);
  REQUIRE(source.Set("x-mongo.collection", Value::String("ratings")).ok());  // Unknown.
  CompressedAttributes message;
  REQUIRE(codec->Encode(source, &message).ok());
  const std::string bytes = message.SerializeAsString();

  MutableBag bag(codec->shared_vocabulary());
  REQUIRE(codec->DecodeBytes(bytes, &bag).ok());  // Warms the bag and the thread's scratch.
  bag.Reset();
  REQUIRE(codec->Decode(message, &bag).ok());
  {
    testing::CountAllocations allocations;
    for (int i = 0; i < 10; ++i) {
      bag.Reset();
      REQUIRE(codec->DecodeBytes(bytes, &bag).ok());
    }
    CHECK(allocations.count() == 0);
  }
  {
    testing::CountAllocations allocations;
    for (int i = 0; i < 10; ++i) {
      bag.Reset();
      REQUIRE(codec->Decode(message, &bag).ok());
    }
    CHECK(allocations.count() == 0);
  }
  CHECK(BagDiff(source, bag) == "");
}

TEST_CASE("WireCodec: global_word_count limits the global words used", "[wire]") {
  const std::shared_ptr<const WireCodec> codec = StandardCodec();
  MutableBag bag(codec->shared_vocabulary());
  REQUIRE(bag.Set("context.protocol", Value::String("tcp")).ok());  // 131 = 124
  SetStringMap(&bag, "source.labels", {{"host", "tcp"}});           // 5: {65: 124}

  CompressedAttributes base;
  REQUIRE(codec->Encode(bag, &base, kGlobalDictionaryBaseSize).ok());
  CHECK(std::vector<std::string>(base.words().begin(), base.words().end()) ==
        std::vector<std::string>{"context.protocol", "tcp"});
  CHECK(ToStdMap<int32_t, int32_t>(base.strings()) == std::map<int32_t, int32_t>{{-1, -2}});
  CHECK(ToStdMap<int32_t, int32_t>(base.string_maps().at(5).entries()) ==
        std::map<int32_t, int32_t>{{65, -2}});

  CompressedAttributes none;
  REQUIRE(codec->Encode(bag, &none, 0).ok());
  CHECK(none.words_size() == 4);
  MutableBag decoded(codec->shared_vocabulary());
  REQUIRE(codec->DecodeBytes(none.SerializeAsString(), &decoded).ok());
  CHECK(BagDiff(bag, decoded) == "");

  CompressedAttributes too_many;
  const absl::Status s = codec->Encode(bag, &too_many, kGlobalDictionarySize + 1);
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(s.message()), Catch::Contains("global_word_count 223 exceeds"));
}

TEST_CASE("WireCodec: EncodeBytes writes the words first, as protobuf does", "[wire]") {
  const std::shared_ptr<const WireCodec> codec = StandardCodec();
  MutableBag bag(codec->shared_vocabulary());
  wire_testing::FillSampleReport(&bag);
  CompressedAttributes message;
  REQUIRE(codec->Encode(bag, &message).ok());
  std::string direct;
  REQUIRE(codec->EncodeBytes(bag, &direct).ok());
  CHECK(direct.size() == message.ByteSizeLong());
  // Field 1 (tag 0x0a), "default".
  CHECK(direct.substr(0, 9) == std::string("\x0a\x07"
                                           "default"));

  std::string base;
  REQUIRE(codec->EncodeBytes(bag, &base, kGlobalDictionaryBaseSize).ok());
  CompressedAttributes base_message;
  REQUIRE(codec->Encode(bag, &base_message, kGlobalDictionaryBaseSize).ok());
  CompressedAttributes parsed;
  REQUIRE(parsed.ParseFromString(base));
  CHECK(SameMessage(parsed, base_message));
  CHECK(codec->EncodeBytes(bag, &base, 223).code() == absl::StatusCode::kInvalidArgument);
  CHECK(base.empty());
}

TEST_CASE("WireCodec: EncodeBytes into a warm string allocates nothing", "[wire]") {
  const std::shared_ptr<const WireCodec> codec = StandardCodec();
  MutableBag bag(codec->shared_vocabulary());
  wire_testing::FillOutboundTcpReport(&bag);
  std::string out;
  REQUIRE(codec->EncodeBytes(bag, &out).ok());
  testing::CountAllocations allocations;
  for (int i = 0; i < 10; ++i) REQUIRE(codec->EncodeBytes(bag, &out).ok());
  CHECK(allocations.count() == 0);
}

TEST_CASE("WireCodec: a timestamp protobuf cannot carry is refused by the encoder", "[wire]") {
  const std::shared_ptr<const WireCodec> codec = StandardCodec();
  MutableBag bag(codec->shared_vocabulary());
  REQUIRE(bag.Set("context.protocol", Value::String("tcp")).ok());
  REQUIRE(bag.Set("context.time", Value::TimestampValue(Timestamp{1, 1000000000})).ok());
  CompressedAttributes m;
  const absl::Status s = codec->Encode(bag, &m);
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(s.message()),
             Catch::Contains("attribute 'context.time': timestamp nanos 1000000000"));
  CHECK(m.ByteSizeLong() == 0);
  std::string bytes = "stale";
  CHECK(codec->EncodeBytes(bag, &bytes).code() == absl::StatusCode::kInvalidArgument);
  CHECK(bytes.empty());
}

TEST_CASE("WireCodec: encodes parents' attributes and other vocabularies' bags", "[wire]") {
  const std::shared_ptr<const WireCodec> codec = StandardCodec();
  MutableBag parent(codec->shared_vocabulary());
  REQUIRE(parent.Set("context.protocol", Value::String("tcp")).ok());
  REQUIRE(parent.Set("source.namespace", Value::String("default")).ok());
  MutableBag child(codec->shared_vocabulary(), &parent);
  REQUIRE(child.Set("source.namespace", Value::String("prod")).ok());
  CheckRoundTrip(*codec, child);

  MutableBag other(wire_testing::TestVocabulary());
  REQUIRE(other.Set("connection.event", Value::String("open")).ok());
  REQUIRE(other.Set("test.double", Value::Double(1.5)).ok());  // Unknown to the codec.
  CompressedAttributes m;
  REQUIRE(codec->Encode(other, &m).ok());
  CHECK(ToStdMap<int32_t, int32_t>(m.strings()) == std::map<int32_t, int32_t>{{171, -1}});
  MutableBag decoded(codec->shared_vocabulary());
  REQUIRE(codec->DecodeBytes(m.SerializeAsString(), &decoded).ok());
  CHECK(decoded.Find("connection.event")->string() == "open");
  CHECK(decoded.Find("test.double")->double_value() == 1.5);
}

}  // namespace
}  // namespace mixlet
