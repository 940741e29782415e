#include "mixlet/config/config_issue.h"

#include <catch2/catch.hpp>

namespace mixlet {
namespace {

TEST_CASE("ConfigIssue: ToString renders file, line, document, field, message, column",
          "[config]") {
  struct Case {
    SourceLocation where;
    std::string document, field;
    int column;
    std::string expected;
  } cases[] = {
      {{"tcp.yaml", 12, 1},
       "instance/mongosentbytes",
       "spec.params.value",
       1,
       "tcp.yaml:12: instance/mongosentbytes: spec.params.value: bad at column 1"},
      {{"tcp.yaml", 0, 3}, "rule/r", "spec.match", 0, "tcp.yaml:doc 3: rule/r: spec.match: bad"},
      {{"tcp.yaml", 0, 0}, "", "", 0, "tcp.yaml: bad"},
      {{"", 0, 0}, "rule/r", "spec.actions[0].handler", 0, "rule/r: spec.actions[0].handler: bad"},
      {{"", 7, 0}, "", "", 0, "line 7: bad"},
  };
  for (const Case& c : cases) {
    ConfigIssue issue;
    issue.location = c.where;
    issue.document = c.document;
    issue.field = c.field;
    issue.column = c.column;
    issue.message = "bad";
    CHECK(issue.ToString() == c.expected);
  }
}

TEST_CASE("ConfigIssue: every effect has a name", "[config]") {
  using E = ConfigIssue::Effect;
  for (E e : {E::kNone, E::kDocumentSkipped, E::kInstanceInvalid, E::kHandlerDropped,
              E::kRuleDropped, E::kActionDropped, E::kInstanceDroppedFromAction}) {
    CHECK(ConfigIssueEffectName(e) != "unknown effect");
  }
  CHECK(ConfigIssueEffectName(E::kRuleDropped) == "rule dropped");
}

}  // namespace
}  // namespace mixlet
