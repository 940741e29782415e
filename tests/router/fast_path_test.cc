#include "router/fast_path.h"

#include <catch2/catch.hpp>

#include "mixlet/expr/compiler.h"
#include "router/testing/bags.h"

namespace mixlet {
namespace {

using router_internal::FastExpression;
using router_internal::RecognizeField;
using router_internal::RecognizeMatch;
using Kind = FastExpression::Kind;

Expression Compile(const char* text) {
  ExpressionCompiler compiler(Vocabulary::Standard());
  absl::StatusOr<Expression> e = compiler.Compile(text);
  INFO(text);
  REQUIRE(e.ok());
  return *e;
}

// Bags that exercise presence, absence and map keys of the attributes used below.
std::vector<std::unique_ptr<MutableBag>> Bags() {
  std::vector<std::unique_ptr<MutableBag>> bags;
  for (int i = 0; i < 6; ++i) bags.push_back(std::make_unique<MutableBag>(Vocabulary::Standard()));
  testing::SetString(*bags[1], "source.workload.name", "ratings-v2");
  testing::SetString(*bags[1], "context.reporter.kind", "outbound");
  testing::SetString(*bags[2], "context.reporter.kind", "inbound");
  testing::SetString(*bags[4], "context.reporter.kind", "gateway");
  testing::SetString(*bags[1], "connection.event", "open");
  testing::SetString(*bags[1], "destination.service.host", "a.b.svc");
  testing::SetInt(*bags[1], "connection.sent.bytes", 12);
  testing::SetMap(*bags[1], "source.labels", {{"version", "v2"}, {"app", "r"}});
  testing::SetString(*bags[2], "source.workload.name", "");
  testing::SetString(*bags[2], "connection.event", "close");
  testing::SetString(*bags[2], "destination.service.host", "x");
  testing::SetMap(*bags[2], "source.labels", {{"app", "r"}});
  testing::SetMap(*bags[3], "source.labels", {});
  testing::SetInt(*bags[3], "connection.sent.bytes", 0);
  testing::SetString(*bags[4], "connection.event", "na");
  testing::SetString(*bags[5], "destination.service.host", "");
  return bags;
}

TEST_CASE("FastExpression: recognised shapes", "[router]") {
  struct Case {
    const char* text;
    bool match;
    Kind kind;
  } cases[] = {
      {"source.workload.name", false, Kind::kAttribute},
      {"source.workload.name | \"unknown\"", false, Kind::kAttributeOr},
      {"(source.workload.name | \"unknown\")", false, Kind::kAttributeOr},
      {"connection.sent.bytes | 0", false, Kind::kAttributeOr},
      {"connection.mtls | false", false, Kind::kAttributeOr},
      {"response.duration | \"0ms\"", false, Kind::kAttributeOr},
      {"source.labels[\"version\"] | \"unknown\"", false, Kind::kMapKeyOr},
      {"request.headers | emptyStringMap()", false, Kind::kNone},
      {"source.labels[\"version\"]", false, Kind::kNone},
      {"source.workload.name | source.uid | \"x\"", false, Kind::kNone},
      {"\"unknown\"", false, Kind::kNone},
      {"source.workload.name | \"a\\\"b\"", false, Kind::kNone},
      {"request.size | response.size", false, Kind::kNone},
      {"conditional((context.reporter.kind | \"inbound\") == \"outbound\", \"source\", "
       "\"destination\")",
       false, Kind::kChoose},
      {"conditional((context.reporter.kind | \"outbound\") == \"outbound\", 1, 2)", false,
       Kind::kChoose},
      {"conditional((context.reporter.kind | \"inbound\") == \"outbound\", \"unknown\", "
       "conditional(connection.mtls | false, \"mutual_tls\", \"none\"))",
       false, Kind::kNone},
      {"destination.service.host == \"a.b.svc\"", true, Kind::kEquals},
      {"\"a.b.svc\" == destination.service.host", true, Kind::kEquals},
      {"destination.service.host != \"a.b.svc\"", true, Kind::kNotEquals},
      {"(connection.event | \"na\") == \"open\"", true, Kind::kOrEquals},
      {"((connection.event | \"na\") == \"na\")", true, Kind::kOrEquals},
      {"connection.event == \"open\" && connection.event == \"close\"", true, Kind::kNone},
      {"destination.ip == ip(\"1.2.3.4\")", true, Kind::kNone},
      {"connection.sent.bytes == 12", true, Kind::kNone},
      {"destination.service.host == \"a.b.svc\" || true", true, Kind::kNone},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    Expression e = Compile(c.text);
    FastExpression f = c.match ? RecognizeMatch(e, Vocabulary::Standard())
                               : RecognizeField(e, Vocabulary::Standard());
    CHECK(f.kind == c.kind);
    if (f.kind == Kind::kNone) continue;
    // Whenever a shape is recognised, the shortcut and the evaluator agree on every bag.
    for (const auto& bag : Bags()) {
      Value fast;
      const bool fast_ok = f.Evaluate(*bag, &fast);
      absl::StatusOr<OwnedValue> slow = e.Evaluate(*bag);
      INFO(bag->DebugString());
      REQUIRE(fast_ok == slow.ok());
      if (fast_ok) {
        CHECK(fast == slow->value());
        CHECK(fast.type() == slow->value().type());
      }
    }
  }
}

}  // namespace
}  // namespace mixlet
