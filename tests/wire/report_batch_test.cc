#include "mixlet/wire/report_batch.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "testing/count_allocations.h"
#include "wire/wire_testing.h"

namespace mixlet {
namespace {

using istio::mixer::v1::CompressedAttributes;
using istio::mixer::v1::ReportRequest;
using wire_testing::BagDiff;
using wire_testing::Int64sEntry;
using wire_testing::ProtoWriter;
using wire_testing::SetStringMap;
using wire_testing::StringsEntry;

std::shared_ptr<const WireCodec> Codec() {
  static const std::shared_ptr<const WireCodec>* const kCodec =
      new std::shared_ptr<const WireCodec>(WireCodec::Create(Vocabulary::Standard()));
  return *kCodec;
}

std::unique_ptr<ReportBatchEncoder> NewEncoder(ReportSemantics semantics) {
  ReportBatchOptions options;
  options.semantics = semantics;
  absl::StatusOr<std::unique_ptr<ReportBatchEncoder>> encoder =
      ReportBatchEncoder::Create(Codec(), options);
  REQUIRE(encoder.ok());
  return *std::move(encoder);
}

// The encoder's pending request, parsed from the bytes it wrote. Protobuf's parser accepts
// non-minimal encodings, so the size check makes sure every length and varint is minimal, as
// protobuf writes them.
ReportRequest Parsed(ReportBatchEncoder& encoder) {
  const absl::string_view bytes = encoder.bytes();
  ReportRequest request;
  REQUIRE(request.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())));
  CHECK(request.ByteSizeLong() == bytes.size());
  return request;
}

// Owns copies of the bags a decoder delivers.
struct Collected {
  std::vector<std::unique_ptr<MutableBag>> bags;
  void operator()(const Bag& bag) {
    bags.push_back(std::make_unique<MutableBag>(Codec()->shared_vocabulary()));
    REQUIRE(bags.back()->Merge(bag).ok());
  }
};

// Three TCP reports of one connection: open, continue, close.
std::vector<std::unique_ptr<MutableBag>> ConnectionReports() {
  std::vector<std::unique_ptr<MutableBag>> bags;
  const char* events[] = {"open", "continue", "close"};
  for (int i = 0; i < 3; ++i) {
    auto bag = std::make_unique<MutableBag>(Codec()->shared_vocabulary());
    wire_testing::FillOutboundTcpReport(bag.get(), 100 * i, 300 * i);
    REQUIRE(bag->Set("connection.event", Value::String(events[i])).ok());
    if (i == 2) REQUIRE(bag->Set("connection.duration", Value::Duration(2500000000)).ok());
    bags.push_back(std::move(bag));
  }
  return bags;
}

// Decodes `request` both ways (message and bytes); both must give the same result and bags.
ReportBatchResult DecodeBothWays(const ReportRequest& request, Collected* collected) {
  ReportBatchDecoder decoder(Codec());
  Collected from_message;
  absl::StatusOr<ReportBatchResult> m =
      decoder.Decode(request, [&](const Bag& bag) { from_message(bag); });
  REQUIRE(m.ok());
  absl::StatusOr<ReportBatchResult> b =
      decoder.DecodeBytes(request.SerializeAsString(), [&](const Bag& bag) { (*collected)(bag); });
  REQUIRE(b.ok());
  CHECK(m->delivered == b->delivered);
  CHECK(m->total == b->total);
  REQUIRE(m->refused.size() == b->refused.size());
  for (size_t i = 0; i < m->refused.size(); ++i) {
    CHECK(m->refused[i].index == b->refused[i].index);
    CHECK(m->refused[i].status == b->refused[i].status);
  }
  REQUIRE(from_message.bags.size() == collected->bags.size());
  for (size_t i = 0; i < from_message.bags.size(); ++i) {
    CHECK(BagDiff(*from_message.bags[i], *collected->bags[i]) == "");
  }
  return *b;
}

// The field numbers present at the top level of a serialized message, in order.
std::vector<uint32_t> TopLevelFields(const std::string& bytes) {
  std::vector<uint32_t> fields;
  size_t i = 0;
  auto varint = [&]() {
    uint64_t v = 0;
    for (int shift = 0; i < bytes.size(); shift += 7) {
      const uint8_t byte = static_cast<uint8_t>(bytes[i++]);
      v |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) break;
    }
    return v;
  };
  while (i < bytes.size()) {
    const uint64_t tag = varint();
    fields.push_back(static_cast<uint32_t>(tag >> 3));
    if ((tag & 7) == 0) {
      varint();
    } else if ((tag & 7) == 2) {
      i += varint();
    } else {
      FAIL("unexpected wire type");
    }
  }
  return fields;
}

template <typename K, typename V, typename M>
std::map<K, V> ToStdMap(const M& m) {
  std::map<K, V> out;
  for (const auto& e : m) out[e.first] = e.second;
  return out;
}

TEST_CASE("ReportBatchEncoder: the EXPECTED.md 3 request", "[wire]") {
  auto encoder = NewEncoder(ReportRequest::INDEPENDENT_ENCODING);
  MutableBag bag(Codec()->shared_vocabulary());
  wire_testing::FillSampleReport(&bag);
  REQUIRE(*encoder->Add(bag));
  const ReportRequest& r = Parsed(*encoder);
  CHECK(r.global_word_count() == 222);
  CHECK(r.repeated_attributes_semantics() == ReportRequest::INDEPENDENT_ENCODING);
  CHECK(std::vector<std::string>(r.default_words().begin(), r.default_words().end()) ==
        std::vector<std::string>{"default", "mongodb.default.svc.cluster.local", "continue",
                                 "ratings-v2", "version", "v2", "v1"});
  REQUIRE(r.attributes_size() == 1);
  const CompressedAttributes& a = r.attributes(0);
  CHECK(a.words_size() == 0);
  CHECK(
      ToStdMap<int32_t, int32_t>(a.strings()) ==
      std::map<int32_t, int32_t>{{201, 220}, {4, -1}, {131, 124}, {193, -2}, {171, -3}, {182, -4}});
  CHECK(ToStdMap<int32_t, int64_t>(a.int64s()) ==
        std::map<int32_t, int64_t>{{126, 1200}, {127, 1200}, {128, 3400}});
  CHECK(ToStdMap<int32_t, int32_t>(a.string_maps().at(5).entries()) ==
        std::map<int32_t, int32_t>{{-5, -6}});
  CHECK(ToStdMap<int32_t, int32_t>(a.string_maps().at(156).entries()) ==
        std::map<int32_t, int32_t>{{-5, -7}});

  Collected collected;
  const ReportBatchResult result = DecodeBothWays(r, &collected);
  CHECK(result.ok());
  CHECK(result.delivered == 1);
  REQUIRE(collected.bags.size() == 1);
  CHECK(BagDiff(bag, *collected.bags[0]) == "");
}

TEST_CASE("ReportBatchEncoder: independent batches share default_words and round trip", "[wire]") {
  auto encoder = NewEncoder(ReportRequest::INDEPENDENT_ENCODING);
  const auto bags = ConnectionReports();
  for (const auto& bag : bags) REQUIRE(*encoder->Add(*bag));
  const ReportRequest& r = Parsed(*encoder);
  REQUIRE(r.attributes_size() == 3);
  for (const CompressedAttributes& a : r.attributes()) CHECK(a.words_size() == 0);
  // Each word once, for all three bags.
  std::vector<std::string> words(r.default_words().begin(), r.default_words().end());
  std::sort(words.begin(), words.end());
  CHECK(std::adjacent_find(words.begin(), words.end()) == words.end());

  Collected collected;
  const ReportBatchResult result = DecodeBothWays(r, &collected);
  CHECK(result.ok());
  CHECK(result.total == 3);
  CHECK(result.delivered == 3);
  REQUIRE(collected.bags.size() == 3);
  for (size_t i = 0; i < 3; ++i) CHECK(BagDiff(*bags[i], *collected.bags[i]) == "");
}

TEST_CASE("ReportBatchEncoder: delta batches send only changes and round trip", "[wire]") {
  auto encoder = NewEncoder(ReportRequest::DELTA_ENCODING);
  const auto bags = ConnectionReports();
  for (const auto& bag : bags) REQUIRE(*encoder->Add(*bag));
  REQUIRE(*encoder->Add(*bags[2]));  // Unchanged: an empty element repeats the bag.
  const ReportRequest& r = Parsed(*encoder);
  REQUIRE(r.attributes_size() == 4);
  CHECK(r.repeated_attributes_semantics() == ReportRequest::DELTA_ENCODING);
  // DELTA_ENCODING is the proto default, so field 4 is absent on the wire.
  const std::vector<uint32_t> fields = TopLevelFields(std::string(encoder->bytes()));
  CHECK(std::count(fields.begin(), fields.end(), 1u) == 4);
  CHECK(std::count(fields.begin(), fields.end(), 3u) == 1);
  CHECK(std::count(fields.begin(), fields.end(), 4u) == 0);
  CHECK(r.attributes(0).strings_size() + r.attributes(0).int64s_size() > 15);
  // open -> continue: the four byte counters and the event changed.
  CHECK(r.attributes(1).int64s_size() == 4);
  CHECK(ToStdMap<int32_t, int32_t>(r.attributes(1).strings()).size() == 1);
  CHECK(r.attributes(1).string_maps_size() == 0);
  // continue -> close: counters, event and the new connection.duration.
  CHECK(r.attributes(2).durations_size() == 1);
  CHECK(r.attributes(3).ByteSizeLong() == 0);

  Collected collected;
  const ReportBatchResult result = DecodeBothWays(r, &collected);
  CHECK(result.ok());
  CHECK(result.delivered == 4);
  REQUIRE(collected.bags.size() == 4);
  for (size_t i = 0; i < 3; ++i) CHECK(BagDiff(*bags[i], *collected.bags[i]) == "");
  CHECK(BagDiff(*bags[2], *collected.bags[3]) == "");
}

TEST_CASE("ReportBatchEncoder: a delta cannot delete, so such a bag needs a new request",
          "[wire]") {
  auto encoder = NewEncoder(ReportRequest::DELTA_ENCODING);
  const auto bags = ConnectionReports();
  REQUIRE(*encoder->Add(*bags[2]));  // Has connection.duration.
  const ReportRequest before = Parsed(*encoder);
  absl::StatusOr<bool> added = encoder->Add(*bags[1]);  // Lacks it.
  REQUIRE(added.ok());
  CHECK_FALSE(*added);
  CHECK(encoder->size() == 1);
  CHECK(google::protobuf::util::MessageDifferencer::Equals(Parsed(*encoder), before));

  encoder->Clear();
  CHECK(encoder->empty());
  REQUIRE(*encoder->Add(*bags[1]));
  Collected collected;
  DecodeBothWays(Parsed(*encoder), &collected);
  REQUIRE(collected.bags.size() == 1);
  CHECK(BagDiff(*bags[1], *collected.bags[0]) == "");

  // Maps are replaced whole: a label removed from a map is a change, not a deletion.
  MutableBag fewer_labels(Codec()->shared_vocabulary());
  wire_testing::FillOutboundTcpReport(&fewer_labels, 100, 300);
  REQUIRE(fewer_labels.Set("connection.event", Value::String("continue")).ok());
  SetStringMap(&fewer_labels, "source.labels", {{"app", "ratings"}});
  REQUIRE(*encoder->Add(fewer_labels));
  collected.bags.clear();
  DecodeBothWays(Parsed(*encoder), &collected);
  REQUIRE(collected.bags.size() == 2);
  CHECK(BagDiff(fewer_labels, *collected.bags[1]) == "");
}

TEST_CASE("ReportBatchEncoder: Clear reuses the request and starts afresh", "[wire]") {
  auto reused = NewEncoder(ReportRequest::INDEPENDENT_ENCODING);
  const auto bags = ConnectionReports();
  for (const auto& bag : bags) REQUIRE(*reused->Add(*bag));
  reused->Clear();
  MutableBag sample(Codec()->shared_vocabulary());
  wire_testing::FillSampleReport(&sample);
  REQUIRE(*reused->Add(sample));
  auto fresh = NewEncoder(ReportRequest::INDEPENDENT_ENCODING);
  REQUIRE(*fresh->Add(sample));
  // Map order on the wire depends on each map's history, so compare as messages.
  CHECK(google::protobuf::util::MessageDifferencer::Equals(Parsed(*reused), Parsed(*fresh)));
}

// `refused` must be refused with InvalidArgument, leaving the request as `before`; then `next`
// must still be added, and the request decode to `before`'s bags followed by `next`.
void CheckRefusedThenAdds(ReportBatchEncoder& encoder, const Bag& refused,
                          const ReportRequest& before, const Bag& next) {
  CHECK(encoder.Add(refused).status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(google::protobuf::util::MessageDifferencer::Equals(Parsed(encoder), before));
  REQUIRE(*encoder.Add(next));
  Collected collected;
  DecodeBothWays(Parsed(encoder), &collected);
  REQUIRE(collected.bags.size() == static_cast<size_t>(before.attributes_size()) + 1);
  CHECK(BagDiff(next, *collected.bags.back()) == "");
}

TEST_CASE("ReportBatchEncoder: a bag that cannot be encoded leaves the request unchanged",
          "[wire]") {
  for (ReportSemantics semantics :
       {ReportRequest::INDEPENDENT_ENCODING, ReportRequest::DELTA_ENCODING}) {
    auto encoder = NewEncoder(semantics);
    const auto bags = ConnectionReports();
    REQUIRE(*encoder->Add(*bags[0]));
    const ReportRequest before = Parsed(*encoder);
    MutableBag bad(Codec()->shared_vocabulary());
    wire_testing::FillOutboundTcpReport(&bad);
    // A word no bag had, set before the bad timestamp: its encoding must be undone too.
    REQUIRE(bad.Set("source.uid", Value::String("a word never seen")).ok());
    REQUIRE(bad.Set("context.time", Value::TimestampValue(Timestamp{1, -5})).ok());
    CheckRefusedThenAdds(*encoder, bad, before, *bags[1]);
  }
}

TEST_CASE("ReportBatchEncoder: rolls back a failed bag past the inline word table", "[wire]") {
  auto encoder = NewEncoder(ReportRequest::INDEPENDENT_ENCODING);
  MutableBag many(Codec()->shared_vocabulary());
  for (int i = 0; i < 40; ++i) {
    REQUIRE(many.Set(absl::StrCat("x.", i), Value::String(absl::StrCat("word ", i))).ok());
  }
  REQUIRE(*encoder->Add(many));  // 80 words: the word table has grown past its inline slots.
  const ReportRequest before = Parsed(*encoder);
  MutableBag bad(Codec()->shared_vocabulary());
  for (int i = 0; i < 40; ++i) {
    REQUIRE(bad.Set(absl::StrCat("y.", i), Value::String(absl::StrCat("new ", i))).ok());
  }
  REQUIRE(bad.Set("x.bad", Value::TimestampValue(Timestamp{0, -1})).ok());
  CHECK(encoder->Add(bad).status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(google::protobuf::util::MessageDifferencer::Equals(Parsed(*encoder), before));
  // The words of the failed bag are gone from the index too: they come back as new words.
  REQUIRE(bad.Set("x.bad", Value::TimestampValue(Timestamp{0, 1})).ok());
  REQUIRE(*encoder->Add(bad));
  CHECK(Parsed(*encoder).default_words_size() == 80 + 80 + 1);
  Collected collected;
  DecodeBothWays(Parsed(*encoder), &collected);
  REQUIRE(collected.bags.size() == 2);
  CHECK(BagDiff(many, *collected.bags[0]) == "");
  CHECK(BagDiff(bad, *collected.bags[1]) == "");
}

TEST_CASE("ReportBatchEncoder: options are validated", "[wire]") {
  ReportBatchOptions too_many;
  too_many.global_word_count = 223;
  CHECK(ReportBatchEncoder::Create(Codec(), too_many).status().code() ==
        absl::StatusCode::kInvalidArgument);
  ReportBatchOptions bad_semantics;
  bad_semantics.semantics = static_cast<ReportSemantics>(7);
  CHECK(ReportBatchEncoder::Create(Codec(), bad_semantics).status().code() ==
        absl::StatusCode::kInvalidArgument);

  auto encoder = NewEncoder(ReportRequest::INDEPENDENT_ENCODING);
  REQUIRE(encoder->set_global_word_count(kGlobalDictionaryBaseSize).ok());
  CHECK(Parsed(*encoder).global_word_count() == 111);
  MutableBag bag(Codec()->shared_vocabulary());
  wire_testing::FillSampleReport(&bag);
  REQUIRE(*encoder->Add(bag));
  // context.reporter.kind (201) is past the base list: a message word now.
  CHECK(Parsed(*encoder).attributes(0).strings().count(201) == 0);
  CHECK(encoder->set_global_word_count(222).code() == absl::StatusCode::kFailedPrecondition);
  encoder->Clear();
  CHECK(encoder->set_global_word_count(223).code() == absl::StatusCode::kInvalidArgument);
  Collected collected;
  REQUIRE(*encoder->Add(bag));
  DecodeBothWays(Parsed(*encoder), &collected);
  CHECK(BagDiff(bag, *collected.bags[0]) == "");
}

// A request built by hand: element 0 and 2 good, element 1 with an index out of range.
ReportRequest RequestWithBadElement(ReportSemantics semantics) {
  ReportRequest r;
  r.set_repeated_attributes_semantics(semantics);
  r.set_global_word_count(222);
  r.add_default_words("continue");
  CompressedAttributes* good = r.add_attributes();
  (*good->mutable_strings())[131] = 124;  // context.protocol = tcp
  (*good->mutable_strings())[171] = -1;   // connection.event = continue
  CompressedAttributes* bad = r.add_attributes();
  (*bad->mutable_int64s())[126] = 7;
  (*bad->mutable_strings())[193] = -2;  // Only one default word.
  CompressedAttributes* later = r.add_attributes();
  (*later->mutable_int64s())[128] = 9;
  return r;
}

TEST_CASE("DecodeReportBatch: independent elements are refused one by one", "[wire]") {
  const ReportRequest r = RequestWithBadElement(ReportRequest::INDEPENDENT_ENCODING);
  Collected collected;
  const ReportBatchResult result = DecodeBothWays(r, &collected);
  CHECK(result.total == 3);
  CHECK(result.delivered == 2);
  REQUIRE(result.refused.size() == 1);
  CHECK(result.refused[0].index == 1);
  CHECK(result.refused[0].status.message() ==
        "value index -2 of attribute 'destination.service.host' (in strings) is out of range: "
        "the message has 1 word");
  CHECK(result.ToStatus() ==
        absl::InvalidArgumentError(
            "1 of 3 reports refused: report 1: value index -2 of attribute "
            "'destination.service.host' (in strings) is out of range: the message has 1 word"));
  REQUIRE(collected.bags.size() == 2);
  CHECK(collected.bags[0]->size() == 2);
  CHECK(collected.bags[1]->size() == 1);  // Independent: nothing inherited.
  CHECK(collected.bags[1]->Find("connection.sent.bytes")->int64() == 9);
}

TEST_CASE("DecodeReportBatch: in a delta request a refusal refuses every later element", "[wire]") {
  const ReportRequest r = RequestWithBadElement(ReportRequest::DELTA_ENCODING);
  Collected collected;
  const ReportBatchResult result = DecodeBothWays(r, &collected);
  CHECK(result.delivered == 1);
  REQUIRE(result.refused.size() == 2);
  CHECK(result.refused[0].index == 1);
  CHECK(result.refused[1].index == 2);
  CHECK(result.refused[1].status.message() ==
        "not applied: delta-encoded on top of report 1, which was refused");
  CHECK_THAT(std::string(result.ToStatus().message()),
             Catch::StartsWith("2 of 3 reports refused: report 1: value index -2"));
  REQUIRE(collected.bags.size() == 1);
  CHECK(collected.bags[0]->Find("connection.event")->string() == "continue");
}

TEST_CASE("DecodeReportBatch: delta elements apply on top, maps replaced whole", "[wire]") {
  ReportRequest r;  // DELTA_ENCODING by default.
  r.add_default_words("v1");
  r.add_default_words("v2");
  r.add_default_words("version");
  r.add_default_words("app");
  CompressedAttributes* a0 = r.add_attributes();
  (*a0->mutable_strings())[131] = 124;
  (*a0->mutable_int64s())[126] = 10;
  auto& labels0 = *(*a0->mutable_string_maps())[5].mutable_entries();
  labels0[-3] = -1;  // version: v1
  labels0[-4] = -4;  // app: app
  CompressedAttributes* a1 = r.add_attributes();
  (*a1->mutable_int64s())[126] = 20;
  (*(*a1->mutable_string_maps())[5].mutable_entries())[-3] = -2;  // version: v2, app gone
  r.add_attributes();                                             // Empty: a repeat.

  Collected collected;
  const ReportBatchResult result = DecodeBothWays(r, &collected);
  CHECK(result.ok());
  REQUIRE(collected.bags.size() == 3);
  CHECK(collected.bags[0]->Find("connection.received.bytes")->int64() == 10);
  CHECK(collected.bags[1]->Find("connection.received.bytes")->int64() == 20);
  CHECK(collected.bags[1]->Find("context.protocol")->string() == "tcp");
  const StringMapView labels = collected.bags[1]->Find("source.labels")->string_map();
  CHECK(labels.size() == 1);
  CHECK(*labels.Find("version") == "v2");
  CHECK(BagDiff(*collected.bags[1], *collected.bags[2]) == "");
}

TEST_CASE("DecodeReportBatch: an element's own words replace default_words", "[wire]") {
  ReportRequest r;
  r.set_repeated_attributes_semantics(ReportRequest::INDEPENDENT_ENCODING);
  r.add_default_words("from-default");
  CompressedAttributes* uses_default = r.add_attributes();
  (*uses_default->mutable_strings())[182] = -1;
  CompressedAttributes* own = r.add_attributes();
  own->add_words("from-own");
  (*own->mutable_strings())[182] = -1;
  CompressedAttributes* own_too_short = r.add_attributes();
  own_too_short->add_words("only-one");
  (*own_too_short->mutable_strings())[182] = -2;  // Would be valid... with neither list.

  Collected collected;
  const ReportBatchResult result = DecodeBothWays(r, &collected);
  REQUIRE(collected.bags.size() == 2);
  CHECK(collected.bags[0]->Find("source.workload.name")->string() == "from-default");
  CHECK(collected.bags[1]->Find("source.workload.name")->string() == "from-own");
  REQUIRE(result.refused.size() == 1);
  CHECK(result.refused[0].index == 2);
}

TEST_CASE("DecodeReportBatch: the global word count rule", "[wire]") {
  struct Case {
    uint32_t global_word_count;
    bool accepted;
  };
  const Case cases[] = {{0, true}, {111, true}, {222, true}, {223, false}, {100000, false}};
  for (const Case& c : cases) {
    INFO("global_word_count " << c.global_word_count);
    ReportRequest r = RequestWithBadElement(ReportRequest::INDEPENDENT_ENCODING);
    r.set_global_word_count(c.global_word_count);
    int delivered = 0;
    absl::StatusOr<ReportBatchResult> m =
        DecodeReportBatch(r, Codec(), [&](const Bag&) { ++delivered; });
    absl::StatusOr<ReportBatchResult> b =
        DecodeReportBatch(r.SerializeAsString(), Codec(), [&](const Bag&) { ++delivered; });
    CHECK(m.ok() == c.accepted);
    CHECK(b.ok() == c.accepted);
    if (c.accepted) {
      CHECK(delivered == 4);
      continue;
    }
    CHECK(delivered == 0);  // Nothing of the request is applied.
    const std::string expected = absl::StrCat(
        "Request could not be processed due to invalid global dictionary: server "
        "knows 222 words, client ",
        c.global_word_count);
    CHECK(m.status() == absl::InvalidArgumentError(expected));
    CHECK(b.status() == absl::InvalidArgumentError(expected));
  }
}

TEST_CASE("DecodeReportBatch: whole-request failures", "[wire]") {
  ReportRequest unknown_semantics = RequestWithBadElement(ReportRequest::INDEPENDENT_ENCODING);
  unknown_semantics.set_repeated_attributes_semantics(static_cast<ReportSemantics>(7));
  int delivered = 0;
  auto count = [&](const Bag&) { ++delivered; };
  absl::StatusOr<ReportBatchResult> m = DecodeReportBatch(unknown_semantics, Codec(), count);
  CHECK(m.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(m.status().message()),
             Catch::Contains("repeated_attributes_semantics 7 is neither"));
  absl::StatusOr<ReportBatchResult> b =
      DecodeReportBatch(unknown_semantics.SerializeAsString(), Codec(), count);
  CHECK(b.status() == m.status());

  // The request's own framing is broken: nothing is delivered.
  std::string truncated =
      RequestWithBadElement(ReportRequest::INDEPENDENT_ENCODING).SerializeAsString();
  truncated.resize(truncated.size() - 1);
  absl::StatusOr<ReportBatchResult> t = DecodeReportBatch(truncated, Codec(), count);
  CHECK(t.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(t.status().message()),
             Catch::StartsWith("malformed ReportRequest at byte"));
  CHECK(delivered == 0);

  // No elements: success, nothing delivered.
  absl::StatusOr<ReportBatchResult> empty = DecodeReportBatch(ReportRequest(), Codec(), count);
  REQUIRE(empty.ok());
  CHECK(empty->total == 0);
  CHECK(empty->ToStatus().ok());
  absl::StatusOr<ReportBatchResult> empty_bytes = DecodeReportBatch("", Codec(), count);
  REQUIRE(empty_bytes.ok());
  CHECK(empty_bytes->total == 0);
}

TEST_CASE("DecodeReportBatch: an element whose bytes do not parse is refused", "[wire]") {
  ProtoWriter request;
  request
      .VarintField(4, 1)  // INDEPENDENT_ENCODING
      .MessageField(1, ProtoWriter().MessageField(wire_testing::kInt64s, Int64sEntry(126, 5)))
      .BytesField(1, std::string("\x12\x05\x08", 3))  // Entry runs past the element.
      .MessageField(1, ProtoWriter().MessageField(wire_testing::kStrings, StringsEntry(131, 124)))
      .VarintField(3, 222);
  int delivered = 0;
  absl::StatusOr<ReportBatchResult> r =
      DecodeReportBatch(request.bytes(), Codec(), [&](const Bag&) { ++delivered; });
  REQUIRE(r.ok());
  CHECK(delivered == 2);
  REQUIRE(r->refused.size() == 1);
  CHECK(r->refused[0].index == 1);
  CHECK(r->refused[0].status.message() ==
        "malformed CompressedAttributes at byte 1: length 5 runs past the end (1 byte left)");
}

TEST_CASE("ReportBatchDecoder: a warm decoder allocates nothing per request", "[wire]") {
  for (ReportSemantics semantics :
       {ReportRequest::INDEPENDENT_ENCODING, ReportRequest::DELTA_ENCODING}) {
    auto encoder = NewEncoder(semantics);
    for (int i = 0; i < 10; ++i) {
      MutableBag bag(Codec()->shared_vocabulary());
      wire_testing::FillOutboundTcpReport(&bag, 100 * i, 200 * i);
      REQUIRE(bag.Set("x-unknown.attribute", Value::Int64(i)).ok());
      REQUIRE(*encoder->Add(bag));
    }
    const std::string bytes(encoder->bytes());
    const ReportRequest request = Parsed(*encoder);
    ReportBatchDecoder decoder(Codec());
    int64_t sum = 0;
    auto deliver = [&](const Bag& bag) { sum += bag.Find("connection.received.bytes")->int64(); };
    REQUIRE(decoder.DecodeBytes(bytes, deliver).ok());  // Warm up.
    REQUIRE(decoder.Decode(request, deliver).ok());
    sum = 0;
    {
      testing::CountAllocations allocations;
      absl::StatusOr<ReportBatchResult> b = decoder.DecodeBytes(bytes, deliver);
      absl::StatusOr<ReportBatchResult> m = decoder.Decode(request, deliver);
      CHECK(allocations.count() == 0);
      REQUIRE(b.ok());
      REQUIRE(m.ok());
      CHECK(b->delivered == 10);
      CHECK(m->delivered == 10);
    }
    CHECK(sum == 2 * 100 * 45);
  }
}

TEST_CASE("ReportBatchEncoder: a warm encoder allocates nothing and reuses its memory", "[wire]") {
  for (ReportSemantics semantics :
       {ReportRequest::INDEPENDENT_ENCODING, ReportRequest::DELTA_ENCODING}) {
    INFO("semantics " << semantics);
    auto encoder = NewEncoder(semantics);
    std::vector<std::unique_ptr<MutableBag>> bags;
    for (int i = 0; i < 50; ++i) {
      bags.push_back(std::make_unique<MutableBag>(Codec()->shared_vocabulary()));
      wire_testing::FillOutboundTcpReport(bags.back().get(), 100 * i, 200 * i);
      // A long message word (no small-string storage) and an unknown attribute.
      REQUIRE(bags.back()->Set("x-unknown.attribute", Value::String(std::string(40, 'a' + i % 26)))
                  .ok());
    }
    // Rounds 0 and 1 warm up (round 0 with twice the elements, so the arena block grows).
    for (int round = 0; round < 4; ++round) {
      const size_t count = round == 0 ? bags.size() : bags.size() / 2;
      encoder->Clear();
      testing::CountAllocations allocations;
      for (size_t i = 0; i < count; ++i) REQUIRE(*encoder->Add(*bags[i]));
      if (round >= 2) CHECK(allocations.count() == 0);
      REQUIRE(encoder->size() == count);
      // Every request decodes back to its bags, words and all.
      Collected collected;
      absl::StatusOr<ReportBatchResult> result =
          ReportBatchDecoder(Codec()).DecodeBytes(encoder->bytes(),
                                                  [&](const Bag& bag) { collected(bag); });
      REQUIRE(result.ok());
      REQUIRE(result->delivered == count);
      for (size_t i = 0; i < count; ++i) CHECK(BagDiff(*bags[i], *collected.bags[i]).empty());
    }
  }
}

TEST_CASE("ReportBatchEncoder: writes the request in protobuf's field order", "[wire]") {
  auto encoder = NewEncoder(ReportRequest::INDEPENDENT_ENCODING);
  // An empty request: only global_word_count and the (non-default) semantics.
  CHECK(TopLevelFields(std::string(encoder->bytes())) == std::vector<uint32_t>{3, 4});
  const auto bags = ConnectionReports();
  for (const auto& bag : bags) REQUIRE(*encoder->Add(*bag));
  const std::string first(encoder->bytes());
  std::vector<uint32_t> fields = TopLevelFields(first);
  CHECK(std::is_sorted(fields.begin(), fields.end()));
  CHECK(std::count(fields.begin(), fields.end(), 1u) == 3);
  CHECK(static_cast<int>(std::count(fields.begin(), fields.end(), 2u)) ==
        Parsed(*encoder).default_words_size());
  // bytes() is repeatable, and Add after it writes over the completed tail.
  CHECK(encoder->bytes() == first);
  REQUIRE(*encoder->Add(*bags[0]));
  fields = TopLevelFields(std::string(encoder->bytes()));
  CHECK(std::is_sorted(fields.begin(), fields.end()));
  CHECK(std::count(fields.begin(), fields.end(), 1u) == 4);
  Collected collected;
  DecodeBothWays(Parsed(*encoder), &collected);
  REQUIRE(collected.bags.size() == 4);
  CHECK(BagDiff(*bags[0], *collected.bags[3]) == "");

  // global_word_count 0 is the proto default and left out too.
  REQUIRE(encoder->set_global_word_count(0).code() == absl::StatusCode::kFailedPrecondition);
  encoder->Clear();
  REQUIRE(encoder->set_global_word_count(0).ok());
  CHECK(TopLevelFields(std::string(encoder->bytes())) == std::vector<uint32_t>{4});
}

TEST_CASE("ReportBatchEncoder: elements of every length size round trip", "[wire]") {
  // Element lengths with 1, 2 and 3 length bytes: the encoder guesses 2 and moves the rest.
  for (size_t word_size : {size_t{0}, size_t{1}, size_t{100}, size_t{126}, size_t{200},
                           size_t{16000}, size_t{16400}, size_t{70000}}) {
    INFO("word size " << word_size);
    for (ReportSemantics semantics :
         {ReportRequest::INDEPENDENT_ENCODING, ReportRequest::DELTA_ENCODING}) {
      auto encoder = NewEncoder(semantics);
      MutableBag bag(Codec()->shared_vocabulary());
      REQUIRE(bag.Set("request.path", Value::String(std::string(word_size, 'p'))).ok());
      REQUIRE(bag.Set("context.protocol", Value::String("tcp")).ok());
      MutableBag small(Codec()->shared_vocabulary());
      REQUIRE(small.Set("context.protocol", Value::String("http")).ok());
      REQUIRE(small.Set("request.path", Value::String("/")).ok());
      REQUIRE(*encoder->Add(bag));
      REQUIRE(*encoder->Add(small));
      REQUIRE(*encoder->Add(bag));
      REQUIRE(*encoder->Add(bag));  // DELTA_ENCODING: an empty element.
      Collected collected;
      const ReportBatchResult result = DecodeBothWays(Parsed(*encoder), &collected);
      CHECK(result.ok());
      REQUIRE(collected.bags.size() == 4);
      CHECK(BagDiff(bag, *collected.bags[0]) == "");
      CHECK(BagDiff(small, *collected.bags[1]) == "");
      CHECK(BagDiff(bag, *collected.bags[2]) == "");
      CHECK(BagDiff(bag, *collected.bags[3]) == "");
    }
  }
}

TEST_CASE("ReportBatchEncoder: thousands of message words, each once", "[wire]") {
  auto encoder = NewEncoder(ReportRequest::INDEPENDENT_ENCODING);
  std::vector<std::unique_ptr<MutableBag>> bags;
  for (int i = 0; i < 300; ++i) {
    bags.push_back(std::make_unique<MutableBag>(Codec()->shared_vocabulary()));
    wire_testing::FillOutboundTcpReport(bags.back().get(), i, 2 * i);
    // Each bag: a word of its own, and words shared with the bags before it.
    REQUIRE(bags.back()->Set("connection.id", Value::String(absl::StrCat("conn-", i))).ok());
    REQUIRE(bags.back()->Set("source.uid", Value::String(absl::StrCat("pod-", i % 40))).ok());
    SetStringMap(bags.back().get(), "source.labels",
                 {{absl::StrCat("k", i % 7), absl::StrCat("v", i % 13)}, {"app", "ratings"}});
    REQUIRE(*encoder->Add(*bags.back()));
  }
  const ReportRequest r = Parsed(*encoder);
  std::vector<std::string> words(r.default_words().begin(), r.default_words().end());
  std::sort(words.begin(), words.end());
  CHECK(std::adjacent_find(words.begin(), words.end()) == words.end());
  CHECK(std::count_if(words.begin(), words.end(), [](const std::string& w) {
          return absl::StartsWith(w, "conn-");
        }) == 300);
  Collected collected;
  CHECK(DecodeBothWays(r, &collected).ok());
  REQUIRE(collected.bags.size() == bags.size());
  for (size_t i = 0; i < bags.size(); ++i) CHECK(BagDiff(*bags[i], *collected.bags[i]) == "");
}

TEST_CASE("ReportBatchEncoder: a delta bag whose vocabulary types a name otherwise is refused",
          "[wire]") {
  auto encoder = NewEncoder(ReportRequest::DELTA_ENCODING);
  const auto bags = ConnectionReports();
  REQUIRE(*encoder->Add(*bags[0]));
  const ReportRequest before = Parsed(*encoder);
  // The same bag, in a vocabulary in which connection.id is an INT64.
  REQUIRE(bags[0]->Find("connection.id") != nullptr);
  VocabularyBuilder builder = VocabularyBuilder::Standard();
  REQUIRE(builder.Add("connection.id", ValueType::kInt64).ok());
  std::shared_ptr<const Vocabulary> other = std::move(builder).Build();
  MutableBag odd(other);
  bags[0]->ForEach([&](absl::string_view name, const Value& value) {
    if (name != "connection.id") REQUIRE(odd.Set(name, value).ok());
  });
  REQUIRE(odd.Set("connection.id", Value::Int64(7)).ok());
  // The deltas still build on bags[0].
  CheckRefusedThenAdds(*encoder, odd, before, *bags[1]);
}

}  // namespace
}  // namespace mixlet
