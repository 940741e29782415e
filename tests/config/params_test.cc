#include "mixlet/config/params.h"

#include <catch2/catch.hpp>
#include <cmath>

namespace mixlet {
namespace {

ParamValue S(const char* s) { return ParamValue::String(s); }

TEST_CASE("ParamValue: factories set kind and value", "[config]") {
  CHECK(ParamValue().kind() == ParamValue::Kind::kNull);
  CHECK(ParamValue::Bool(true).bool_value());
  CHECK(ParamValue::Number(2.5).number() == 2.5);
  CHECK(S("x").string() == "x");
  CHECK(ParamValue::List({S("a"), S("b")}).list().size() == 2);
  CHECK(ParamValue::Map({{"k", S("v")}}).map().size() == 1);
  // Accessors of another kind return empty values.
  CHECK_FALSE(S("true").bool_value());
  CHECK(S("1").number() == 0.0);
}

TEST_CASE("ParamValue: Find looks up map keys only", "[config]") {
  ParamValue m = ParamValue::Map({{"a", S("1")}, {"b", ParamValue::Number(2)}});
  REQUIRE(m.Find("b") != nullptr);
  CHECK(m.Find("b")->number() == 2);
  CHECK(m.Find("c") == nullptr);
  CHECK(S("a").Find("a") == nullptr);
  CHECK(ParamValue::List({S("a")}).Find("a") == nullptr);
}

TEST_CASE("ParamValue: equality is deep and ignores positions", "[config]") {
  ParamValue a = ParamValue::Map({{"metrics", ParamValue::List({S("x"), ParamValue::Bool(true)})}});
  ParamValue b = a;
  b.set_position(3, 4);
  CHECK(a == b);
  struct Case {
    ParamValue left, right;
    bool equal;
  } cases[] = {
      {ParamValue(), ParamValue(), true},
      {ParamValue::Number(1), ParamValue::Number(1), true},
      {ParamValue::Number(1), ParamValue::Number(2), false},
      {ParamValue::Number(std::nan("")), ParamValue::Number(std::nan("")), true},
      {S("1"), ParamValue::Number(1), false},
      {ParamValue::Bool(false), ParamValue(), false},
      {ParamValue::List({S("a")}), ParamValue::List({S("a"), S("b")}), false},
      {ParamValue::Map({{"a", S("1")}}), ParamValue::Map({{"a", S("2")}}), false},
      {ParamValue::Map({{"a", S("1")}}), ParamValue::Map({{"b", S("1")}}), false},
  };
  for (const Case& c : cases) {
    CHECK((c.left == c.right) == c.equal);
    CHECK((c.left != c.right) == !c.equal);
  }
}

TEST_CASE("ParamValue: KindName names every kind", "[config]") {
  CHECK(ParamValue::KindName(ParamValue::Kind::kNull) == "null");
  CHECK(ParamValue::KindName(ParamValue::Kind::kBool) == "bool");
  CHECK(ParamValue::KindName(ParamValue::Kind::kNumber) == "number");
  CHECK(ParamValue::KindName(ParamValue::Kind::kString) == "string");
  CHECK(ParamValue::KindName(ParamValue::Kind::kList) == "list");
  CHECK(ParamValue::KindName(ParamValue::Kind::kMap) == "map");
}

}  // namespace
}  // namespace mixlet
