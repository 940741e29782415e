#include "mixlet/attribute/mutable_bag.h"

#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "mixlet/attribute/bag.h"
#include "mixlet/attribute/vocabulary.h"
#include "mixlet/value/value.h"
#include "testing/count_allocations.h"

namespace mixlet {
namespace {

using testing::CountAllocations;

static_assert(!std::is_copy_constructible_v<MutableBag>, "a bag owns the bytes its values view");
static_assert(!std::is_copy_assignable_v<MutableBag>, "a bag owns the bytes its values view");

AttributeId Id(absl::string_view name) {
  const absl::optional<AttributeInfo> info = Vocabulary::Standard()->Find(name);
  REQUIRE(info.has_value());
  return info->id;
}

// Every attribute of `bag` as name -> DebugString, through ForEach.
std::map<std::string, std::string> Contents(const Bag& bag) {
  std::map<std::string, std::string> out;
  bag.ForEach([&out](absl::string_view name, const Value& v) {
    const bool inserted = out.emplace(std::string(name), v.DebugString()).second;
    CHECK(inserted);  // ForEach visits each name once.
  });
  return out;
}

TEST_CASE("MutableBag: Get, Find, ForEach and size", "[attribute]") {
  MutableBag bag(Vocabulary::Standard());
  CHECK(bag.size() == 0);
  CHECK(bag.Get(Id("request.size")) == nullptr);
  CHECK(bag.Find("request.size") == nullptr);
  CHECK(bag.Get(AttributeId{100000}) == nullptr);

  REQUIRE(bag.Set(Id("request.size"), Value::Int64(12)).ok());
  REQUIRE(bag.Set("context.protocol", Value::String("tcp")).ok());
  REQUIRE(bag.Set("origin.ip", Value::IpAddress(std::string("\x0a\x00\x00\x01", 4))).ok());
  REQUIRE(bag.Set("request.size", Value::Int64(13)).ok());  // Overwrite.

  REQUIRE(bag.Get(Id("request.size")) != nullptr);
  CHECK(*bag.Get(Id("request.size")) == Value::Int64(13));
  CHECK(bag.Find("context.protocol")->string() == "tcp");
  CHECK(bag.Find("origin.ip")->ToText() == "10.0.0.1");
  CHECK(bag.Find("no.such.attribute") == nullptr);
  CHECK(bag.size() == 3);
  CHECK(&bag.vocabulary() == Vocabulary::Standard().get());
  CHECK(bag.shared_vocabulary() == Vocabulary::Standard());
  CHECK(bag.parent() == nullptr);

  // ForEach: known attributes in id order.
  std::vector<std::string> names;
  bag.ForEach([&names](absl::string_view name, const Value&) { names.emplace_back(name); });
  REQUIRE(names.size() == 3);
  CHECK(names[0] == "origin.ip");  // id 0
  CHECK(Id(names[1]) < Id(names[2]));
}

TEST_CASE("MutableBag: refuses values of the wrong type and ids out of range", "[attribute]") {
  MutableBag bag(Vocabulary::Standard());
  struct Row {
    absl::Status status;
    const char* message;
  };
  const Row rows[] = {
      {bag.Set(Id("request.size"), Value::String("12")),
       "attribute 'request.size' has type INT64, got a value of type STRING"},
      {bag.Set("source.ip", Value::String("10.0.0.1")),
       "attribute 'source.ip' has type IP_ADDRESS, got a value of type STRING"},
      {bag.Set("request.time", Value()),
       "attribute 'request.time' has type TIMESTAMP, got a value of type VALUE_TYPE_UNSPECIFIED"},
      {bag.SetBorrowed(Id("response.code"), Value::Double(200)),
       "attribute 'response.code' has type INT64, got a value of type DOUBLE"},
      {bag.Set(AttributeId{90}, Value::Int64(1)),
       "attribute id 90 is outside the vocabulary (size 90)"},
      {bag.SetBorrowed(AttributeId{1000}, Value::Int64(1)),
       "attribute id 1000 is outside the vocabulary (size 90)"},
      {bag.Set("my.unknown", Value()), "attribute 'my.unknown': value has no type"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.message);
    CHECK(row.status.code() == absl::StatusCode::kInvalidArgument);
    CHECK(row.status.message() == row.message);
  }
  CHECK(bag.size() == 0);  // Nothing refused was stored.
}

TEST_CASE("MutableBag: attributes the vocabulary does not know are carried by name",
          "[attribute]") {
  MutableBag bag(Vocabulary::Standard());
  REQUIRE(bag.Set("x.custom", Value::Double(1.5)).ok());
  REQUIRE(bag.Set("y.custom", Value::String("y")).ok());
  REQUIRE(bag.Set("request.size", Value::Int64(1)).ok());
  REQUIRE(bag.Set("x.custom", Value::Bool(true)).ok());  // Any type; overwrites.
  CHECK(*bag.Find("x.custom") == Value::Bool(true));
  CHECK(bag.Find("y.custom")->string() == "y");
  CHECK(bag.size() == 3);

  // Known first, then unknown in insertion order.
  std::vector<std::string> names;
  bag.ForEach([&names](absl::string_view name, const Value&) { names.emplace_back(name); });
  CHECK(names == std::vector<std::string>{"request.size", "x.custom", "y.custom"});

  CHECK(bag.Delete("x.custom"));
  CHECK_FALSE(bag.Delete("x.custom"));
  CHECK(bag.Find("x.custom") == nullptr);
  CHECK(bag.size() == 2);
}

TEST_CASE("MutableBag: a child's values shadow its parent's", "[attribute]") {
  MutableBag parent(Vocabulary::Standard());
  REQUIRE(parent.Set("request.size", Value::Int64(1)).ok());
  REQUIRE(parent.Set("context.protocol", Value::String("http")).ok());
  REQUIRE(parent.Set("p.unknown", Value::String("parent")).ok());
  REQUIRE(parent.Set("shared.unknown", Value::String("parent")).ok());

  MutableBag child(Vocabulary::Standard(), &parent);
  CHECK(child.parent() == &parent);
  REQUIRE(child.Set("request.size", Value::Int64(2)).ok());
  REQUIRE(child.Set("response.code", Value::Int64(200)).ok());
  REQUIRE(child.Set("shared.unknown", Value::String("child")).ok());

  CHECK(child.Get(Id("request.size"))->int64() == 2);
  CHECK(parent.Get(Id("request.size"))->int64() == 1);
  CHECK(child.Get(Id("context.protocol"))->string() == "http");
  CHECK(parent.Get(Id("response.code")) == nullptr);
  CHECK(child.Find("p.unknown")->string() == "parent");
  CHECK(child.Find("shared.unknown")->string() == "child");
  CHECK(parent.Find("shared.unknown")->string() == "parent");

  CHECK(child.size() == 5);  // Shadowed names counted once.
  CHECK(Contents(child) == std::map<std::string, std::string>{
                               {"context.protocol", "STRING(http)"},
                               {"p.unknown", "STRING(parent)"},
                               {"request.size", "INT64(2)"},
                               {"response.code", "INT64(200)"},
                               {"shared.unknown", "STRING(child)"},
                           });

  // Three levels.
  MutableBag grandchild(Vocabulary::Standard(), &child);
  REQUIRE(grandchild.Set("context.protocol", Value::String("grpc")).ok());
  CHECK(grandchild.Get(Id("request.size"))->int64() == 2);
  CHECK(grandchild.Get(Id("context.protocol"))->string() == "grpc");
  CHECK(grandchild.size() == 5);
}

TEST_CASE("MutableBag: Delete reveals the parent's value", "[attribute]") {
  MutableBag parent(Vocabulary::Standard());
  REQUIRE(parent.Set("request.size", Value::Int64(1)).ok());
  MutableBag child(Vocabulary::Standard(), &parent);
  REQUIRE(child.Set("request.size", Value::Int64(2)).ok());
  REQUIRE(child.Set("response.size", Value::Int64(3)).ok());

  CHECK(child.Delete(Id("request.size")));
  CHECK(child.Get(Id("request.size"))->int64() == 1);
  CHECK_FALSE(child.Delete(Id("request.size")));  // The child no longer holds it.
  CHECK(parent.Get(Id("request.size"))->int64() == 1);
  CHECK(child.Delete("response.size"));
  CHECK(child.Get(Id("response.size")) == nullptr);
  CHECK_FALSE(child.Delete("response.size"));
  CHECK_FALSE(child.Delete(AttributeId{5000}));
  CHECK_FALSE(child.Delete("never.set"));
  CHECK(child.size() == 1);

  // Set again after Delete.
  REQUIRE(child.Set("response.size", Value::Int64(4)).ok());
  CHECK(child.Get(Id("response.size"))->int64() == 4);
  CHECK(child.size() == 2);
}

TEST_CASE("MutableBag: Reset empties the bag, not its parent", "[attribute]") {
  MutableBag parent(Vocabulary::Standard());
  REQUIRE(parent.Set("request.size", Value::Int64(1)).ok());
  MutableBag bag(Vocabulary::Standard(), &parent);
  REQUIRE(bag.Set("request.size", Value::Int64(2)).ok());
  REQUIRE(bag.Set("context.protocol", Value::String("tcp")).ok());
  REQUIRE(bag.Set("z.unknown", Value::String("z")).ok());
  bag.Reset();
  CHECK(bag.Get(Id("request.size"))->int64() == 1);  // The parent's, again.
  CHECK(bag.Get(Id("context.protocol")) == nullptr);
  CHECK(bag.Find("z.unknown") == nullptr);
  CHECK(bag.size() == 1);
  REQUIRE(bag.Set("context.protocol", Value::String("http")).ok());
  CHECK(bag.Get(Id("context.protocol"))->string() == "http");
  CHECK(bag.size() == 2);
}

// One TCP-report-shaped fill: strings, ints, an IP, a map, a duration and an unknown name.
void FillReport(MutableBag* bag, int i) {
  static const StringMapEntry kLabels[] = {{"app", "ratings"}, {"version", "v2"}};
  static const std::string kIp("\x0a\x00\x00\x07", 4);
  const std::shared_ptr<const Vocabulary>& v = Vocabulary::Standard();
  REQUIRE(bag->Set(v->Find("context.protocol")->id, Value::String("tcp")).ok());
  REQUIRE(bag->Set(v->Find("connection.event")->id, Value::String("continue")).ok());
  REQUIRE(bag->Set(v->Find("connection.id")->id,
                   Value::String("5f8e3c1a-2b4d-4e6f-8a9b-0c1d2e3f4a5b-17"))
              .ok());
  REQUIRE(bag->Set(v->Find("connection.received.bytes")->id, Value::Int64(i)).ok());
  REQUIRE(bag->Set(v->Find("connection.sent.bytes")->id, Value::Int64(2 * i)).ok());
  REQUIRE(bag->Set(v->Find("source.ip")->id, Value::IpAddress(kIp)).ok());
  REQUIRE(bag->Set(v->Find("source.labels")->id, Value::StringMap({kLabels, 2})).ok());
  REQUIRE(bag->Set(v->Find("connection.duration")->id, Value::Duration(int64_t{i})).ok());
  REQUIRE(bag->Set(v->Find("destination.service.host")->id,
                   Value::String("mongodb.default.svc.cluster.local"))
              .ok());
  REQUIRE(bag->Set("mongo.collection", Value::String("ratings")).ok());
}

TEST_CASE("MutableBag: a reused bag allocates nothing once warm", "[attribute]") {
  MutableBag bag(Vocabulary::Standard());
  FillReport(&bag, 1);
  bag.Reset();
  FillReport(&bag, 2);  // May still grow the arena's single chunk.
  bag.Reset();
  for (int i = 3; i < 10; ++i) {
    CountAllocations allocs;
    FillReport(&bag, i);
    bag.Reset();
    CHECK(allocs.count() == 0);
  }
  FillReport(&bag, 10);
  CHECK(bag.Find("connection.received.bytes")->int64() == 10);
  CHECK(bag.Find("source.labels")->string_map().Find("version") == "v2");
  CHECK(bag.Find("mongo.collection")->string() == "ratings");
  CHECK(bag.size() == 10);
}

TEST_CASE("MutableBag: a bag much larger than the last is handled after Reset", "[attribute]") {
  MutableBag bag(Vocabulary::Standard());
  const std::string big(100000, 'b');
  REQUIRE(bag.Set("request.path", Value::String("/small")).ok());
  bag.Reset();
  REQUIRE(bag.Set("request.path", Value::String(big)).ok());
  REQUIRE(bag.Set("request.id", Value::String(big)).ok());
  CHECK(bag.Find("request.path")->string() == big);
  bag.Reset();
  CountAllocations allocs;
  REQUIRE(bag.Set("request.path", Value::String(big)).ok());
  REQUIRE(bag.Set("request.id", Value::String(big)).ok());
  CHECK(allocs.count() == 0);
}

TEST_CASE("MutableBag: Get by id allocates nothing", "[attribute]") {
  MutableBag parent(Vocabulary::Standard());
  FillReport(&parent, 5);
  MutableBag child(Vocabulary::Standard(), &parent);
  REQUIRE(child.Set("request.size", Value::Int64(7)).ok());
  const AttributeId ids[] = {Id("request.size"), Id("connection.received.bytes"),
                             Id("source.labels"), Id("response.code"), AttributeId{99999}};
  int64_t sum = 0;
  int present = 0;
  CountAllocations allocs;
  for (int round = 0; round < 100; ++round) {
    for (AttributeId id : ids) {
      if (const Value* v = child.Get(id)) {
        sum += v->int64();
        ++present;
      }
    }
  }
  CHECK(allocs.count() == 0);
  CHECK(present == 300);
  CHECK(sum == 100 * (7 + 5));
}

TEST_CASE("MutableBag: Set copies strings and maps; the source may be freed", "[attribute]") {
  MutableBag bag(Vocabulary::Standard());
  {
    std::string host = "reviews.default.svc.cluster.local";
    std::string k1 = "app", v1 = "reviews", k2 = "version", v2 = "v3";
    const StringMapEntry entries[] = {{k1, v1}, {k2, v2}};
    std::string ip("\x0a\x00\x00\x02", 4);
    REQUIRE(bag.Set("destination.service.host", Value::String(host)).ok());
    REQUIRE(bag.Set("destination.labels", Value::StringMap({entries, 2})).ok());
    REQUIRE(bag.Set("destination.ip", Value::IpAddress(ip)).ok());
    REQUIRE(bag.Set("free.unknown", Value::Uri(host)).ok());
    host.assign(host.size(), 'X');
    k1.assign("XXX");
    v2.assign("XX");
    ip.assign(4, 'X');
  }
  // Grow the arena well past its first chunk; earlier copies must not move.
  for (int i = 0; i < 200; ++i) {
    REQUIRE(bag.Set("request.path", Value::String(std::string(500, 'p'))).ok());
  }
  CHECK(bag.Find("destination.service.host")->string() == "reviews.default.svc.cluster.local");
  const StringMapView labels = bag.Find("destination.labels")->string_map();
  REQUIRE(labels.size() == 2);
  CHECK(labels.Find("app") == "reviews");
  CHECK(labels.Find("version") == "v3");
  CHECK(bag.Find("destination.ip")->ToText() == "10.0.0.2");
  CHECK(bag.Find("free.unknown")->string() == "reviews.default.svc.cluster.local");
  CHECK(bag.Find("free.unknown")->type() == ValueType::kUri);

  // Empty strings and maps.
  REQUIRE(bag.Set("request.id", Value::String("")).ok());
  REQUIRE(bag.Set("request.headers", Value::StringMap({})).ok());
  CHECK(bag.Find("request.id")->string().empty());
  CHECK(bag.Find("request.headers")->type() == ValueType::kStringMap);
  CHECK(bag.Find("request.headers")->string_map().empty());
}

TEST_CASE("MutableBag: SetBorrowed keeps the caller's bytes", "[attribute]") {
  MutableBag bag(Vocabulary::Standard());
  const std::string host = "borrowed.example";
  REQUIRE(bag.SetBorrowed(Id("request.host"), Value::String(host)).ok());
  CHECK(bag.Get(Id("request.host"))->string().data() == host.data());
  REQUIRE(bag.Set(Id("request.host"), Value::String(host)).ok());
  CHECK(bag.Get(Id("request.host"))->string().data() != host.data());
  CHECK(bag.Get(Id("request.host"))->string() == host);
}

TEST_CASE("MutableBag: SetInline and SetBorrowedInline act as Set and SetBorrowed", "[attribute]") {
  MutableBag bag(Vocabulary::Standard());
  const std::string host = "inline.example";
  REQUIRE(bag.SetBorrowedInline(Id("request.host"), Value::String(host)).ok());
  CHECK(bag.Get(Id("request.host"))->string().data() == host.data());
  REQUIRE(bag.SetInline(Id("request.host"), Value::String(host)).ok());
  CHECK(bag.Get(Id("request.host"))->string().data() != host.data());
  CHECK(bag.Get(Id("request.host"))->string() == host);
  REQUIRE(bag.SetInline(Id("request.size"), Value::Int64(7)).ok());
  CHECK(bag.size() == 2);
  CHECK(bag.Get(Id("request.size"))->int64() == 7);

  // The refusals are Set's and SetBorrowed's, and store nothing.
  const absl::Status refused[] = {
      bag.SetInline(Id("response.code"), Value::Double(200)),
      bag.SetBorrowedInline(Id("response.code"), Value::Double(200)),
      bag.SetInline(AttributeId{1000}, Value::Int64(1)),
      bag.SetBorrowedInline(AttributeId{1000}, Value::Int64(1)),
  };
  const absl::Status expected[] = {
      bag.Set(Id("response.code"), Value::Double(200)),
      bag.SetBorrowed(Id("response.code"), Value::Double(200)),
      bag.Set(AttributeId{1000}, Value::Int64(1)),
      bag.SetBorrowed(AttributeId{1000}, Value::Int64(1)),
  };
  for (size_t i = 0; i < 4; ++i) {
    CAPTURE(i);
    CHECK(refused[i].code() == absl::StatusCode::kInvalidArgument);
    CHECK(refused[i] == expected[i]);
  }
  CHECK(bag.size() == 2);

  // Once warm, neither allocates.
  bag.Reset();
  REQUIRE(bag.SetInline(Id("request.host"), Value::String(host)).ok());
  bag.Reset();
  CountAllocations allocations;
  REQUIRE(bag.SetInline(Id("request.host"), Value::String(host)).ok());
  REQUIRE(bag.SetBorrowedInline(Id("request.size"), Value::Int64(8)).ok());
  CHECK(allocations.count() == 0);
}

TEST_CASE("MutableBag: CopyToArena copies into the bag", "[attribute]") {
  MutableBag bag(Vocabulary::Standard());
  std::string key = "k", value = "v";
  const StringMapEntry entry = {bag.CopyToArena(key), bag.CopyToArena(value)};
  key = "X";
  value = "Y";
  REQUIRE(bag.SetBorrowed(Id("request.headers"), Value::StringMap({&entry, 1})).ok());
  CHECK(bag.Get(Id("request.headers"))->string_map().Find("k") == "v");
  CHECK(bag.CopyToArena("").empty());
}

TEST_CASE("MutableBag: Merge copies another bag's attributes, parents included", "[attribute]") {
  MutableBag base(Vocabulary::Standard());
  REQUIRE(base.Set("request.size", Value::Int64(1)).ok());
  REQUIRE(base.Set("request.host", Value::String("base")).ok());
  MutableBag delta(Vocabulary::Standard(), &base);
  REQUIRE(delta.Set("request.host", Value::String("delta")).ok());
  REQUIRE(delta.Set("delta.unknown", Value::Int64(9)).ok());

  MutableBag target(Vocabulary::Standard());
  REQUIRE(target.Set("request.size", Value::Int64(100)).ok());
  REQUIRE(target.Set("response.code", Value::Int64(404)).ok());
  {
    MutableBag temporary(Vocabulary::Standard());
    REQUIRE(temporary.Set("request.path", Value::String("/copied")).ok());
    REQUIRE(target.Merge(temporary).ok());
  }
  REQUIRE(target.Merge(delta).ok());
  CHECK(Contents(target) == std::map<std::string, std::string>{
                                {"delta.unknown", "INT64(9)"},
                                {"request.host", "STRING(delta)"},
                                {"request.path", "STRING(/copied)"},  // Outlives its source.
                                {"request.size", "INT64(1)"},
                                {"response.code", "INT64(404)"},
                            });

  // A bag over another vocabulary whose types disagree cannot be merged.
  VocabularyBuilder b = VocabularyBuilder::Standard();
  REQUIRE(b.Add("request.size", ValueType::kString).ok());
  MutableBag other(std::move(b).Build());
  REQUIRE(other.Set("request.size", Value::String("big")).ok());
  const absl::Status s = target.Merge(other);
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK(s.message() == "attribute 'request.size' has type INT64, got a value of type STRING");
}

TEST_CASE("MutableBag: ForEachOwn visits this bag only, in first-set order", "[attribute]") {
  MutableBag parent(Vocabulary::Standard());
  REQUIRE(parent.Set("request.size", Value::Int64(1)).ok());
  MutableBag bag(Vocabulary::Standard(), &parent);
  REQUIRE(bag.Set("response.code", Value::Int64(200)).ok());
  REQUIRE(bag.Set("b.unknown", Value::Int64(1)).ok());
  REQUIRE(bag.Set("origin.ip", Value::IpAddress("")).ok());
  REQUIRE(bag.Set("a.unknown", Value::Int64(2)).ok());
  int visits = 0;
  CountAllocations allocs;
  bag.ForEachOwn(
      [&visits](absl::optional<AttributeId>, absl::string_view, const Value&) { ++visits; });
  CHECK(allocs.count() == 0);
  CHECK(visits == 4);
  std::vector<std::string> seen;
  bag.ForEachOwn([&seen](absl::optional<AttributeId> id, absl::string_view name, const Value&) {
    seen.push_back(std::string(name) + (id ? "#" + std::to_string(id->value) : ""));
  });
  CHECK(seen ==
        std::vector<std::string>{"response.code#" + std::to_string(Id("response.code").value),
                                 "origin.ip#0", "b.unknown", "a.unknown"});
}

TEST_CASE("MutableBag: DebugString lists name: TYPE(value), sorted", "[attribute]") {
  MutableBag parent(Vocabulary::Standard());
  REQUIRE(parent.Set("request.size", Value::Int64(1)).ok());
  MutableBag bag(Vocabulary::Standard(), &parent);
  REQUIRE(bag.Set("context.protocol", Value::String("tcp")).ok());
  REQUIRE(bag.Set("a.unknown", Value::Bool(true)).ok());
  REQUIRE(bag.Set("response.duration", Value::Duration(int64_t{1500000})).ok());
  CHECK(bag.DebugString() ==
        "a.unknown: BOOL(true)\n"
        "context.protocol: STRING(tcp)\n"
        "request.size: INT64(1)\n"
        "response.duration: DURATION(1.5ms)\n");
  CHECK(MutableBag(Vocabulary::Standard()).DebugString().empty());
}

}  // namespace
}  // namespace mixlet
