#include "mixlet/config/resources.h"

#include <catch2/catch.hpp>

#include "config/testing/param_builders.h"

namespace mixlet {
namespace {

using testing::B;
using testing::Doc;
using testing::L;
using testing::M;
using testing::N;
using testing::Null;
using testing::S;

SourceLocation Where() { return SourceLocation{"f.yaml", 5, 2}; }

TEST_CASE("ConfigResources: new-style documents are decoded", "[config]") {
  ConfigResources r;
  r.AddDocument(Doc("instance", "i", "default",
                    M({{"compiledTemplate", S("metric")}, {"params", M({{"value", S("1")}})}})),
                Where());
  r.AddDocument(
      Doc("handler", "h", "default",
          M({{"compiled_adapter", S("prometheus")}, {"params", M({{"metrics", L({})}})}})),
      Where());
  r.AddDocument(Doc("rule", "r", "",
                    M({{"match", S("context.protocol == \"tcp\"")},
                       {"actions", L({M({{"handler", S("h")},
                                         {"instances", L({S("i"), S("j")})},
                                         {"name", S("a")}})})}})),
                Where());
  r.AddDocument(Doc("attributemanifest", "m", "istio-system",
                    M({{"name", S("m")},
                       {"attributes", M({{"my.attr", M({{"valueType", S("INT64")}})},
                                         {"my.other", M({{"value_type", N(1)}})}})}})),
                Where());
  INFO((r.issues.empty() ? "" : r.issues[0].ToString()));
  REQUIRE(r.issues.empty());
  REQUIRE(r.instances.size() == 1);
  CHECK(r.instances[0].Fqn() == "i.instance.default");
  CHECK(r.instances[0].template_name == "metric");
  CHECK(r.instances[0].params.Find("value")->string() == "1");
  CHECK(r.instances[0].meta.location.file == "f.yaml");
  REQUIRE(r.handlers.size() == 1);
  CHECK(r.handlers[0].Fqn() == "h.handler.default");
  CHECK(r.handlers[0].adapter_name == "prometheus");
  CHECK_FALSE(r.handlers[0].is_legacy());
  REQUIRE(r.rules.size() == 1);
  CHECK(r.rules[0].Fqn() == "r.rule.default");  // No namespace: "default".
  CHECK(r.rules[0].match == "context.protocol == \"tcp\"");
  REQUIRE(r.rules[0].actions.size() == 1);
  CHECK(r.rules[0].actions[0].handler == "h");
  CHECK(r.rules[0].actions[0].instances == std::vector<std::string>{"i", "j"});
  CHECK(r.rules[0].actions[0].name == "a");
  REQUIRE(r.manifests.size() == 1);
  REQUIRE(r.manifests[0].attributes.size() == 2);
  CHECK(r.manifests[0].attributes[0].type == ValueType::kInt64);
  CHECK(r.manifests[0].attributes[1].type == ValueType::kString);
}

TEST_CASE("ConfigResources: legacy kinds file an instance or a handler", "[config]") {
  ConfigResources r;
  r.AddDocument(Doc("metric", "m", "default", M({{"value", S("1")}})), Where());
  r.AddDocument(Doc("prometheus", "p", "default", M({{"metrics", L({})}})), Where());
  REQUIRE(r.issues.empty());
  REQUIRE(r.instances.size() == 1);
  CHECK(r.instances[0].Fqn() == "m.metric.default");
  CHECK(r.instances[0].template_name == "metric");
  CHECK(r.instances[0].params.Find("value") != nullptr);
  REQUIRE(r.handlers.size() == 1);
  CHECK(r.handlers[0].Fqn() == "p.prometheus.default");
  CHECK(r.handlers[0].adapter_name == "prometheus");
  CHECK(r.handlers[0].is_legacy());
}

TEST_CASE("ConfigResources: a null document is ignored", "[config]") {
  ConfigResources r;
  r.AddDocument(Null(), Where());
  CHECK(r.issues.empty());
  CHECK(r.instances.empty());
}

TEST_CASE("ConfigResources: documents Mixer would not load are skipped with an issue", "[config]") {
  struct Case {
    const char* what;
    ParamValue doc;
    const char* document;
    const char* field;
    const char* message;
  } cases[] = {
      {"not a map", S("hello"), "", "", "a document must be a map"},
      {"wrong apiVersion",
       M({{"apiVersion", S("v1")}, {"kind", S("rule")}, {"metadata", M({{"name", S("r")}})}}),
       "rule/r", "apiVersion", "unsupported apiVersion 'v1'"},
      {"no kind",
       M({{"apiVersion", S("config.istio.io/v1alpha2")}, {"metadata", M({{"name", S("r")}})}}),
       "?/r", "kind", "missing"},
      {"no name",
       M({{"apiVersion", S("config.istio.io/v1alpha2")},
          {"kind", S("rule")},
          {"metadata", M({{"namespace", S("x")}})}}),
       "rule/?", "metadata.name", "missing"},
      {"spec not a map", Doc("rule", "r", "x", S("y")), "rule/r", "spec", "expected a map"},
      {"unknown rule key", Doc("rule", "r", "x", M({{"matches", S("true")}})), "rule/r",
       "spec.matches", "unknown field 'matches'"},
      {"match not a string", Doc("rule", "r", "x", M({{"match", B(true)}})), "rule/r", "spec.match",
       "expected a string, got a bool"},
      {"actions not a list", Doc("rule", "r", "x", M({{"actions", M({})}})), "rule/r",
       "spec.actions", "expected a list"},
      {"unknown action key",
       Doc("rule", "r", "x", M({{"actions", L({M({{"handler", S("h")}, {"instance", S("i")}})})}})),
       "rule/r", "spec.actions[0].instance", "unknown field 'instance'"},
      {"instance reference not a string",
       Doc("rule", "r", "x",
           M({{"actions", L({M({{"handler", S("h")}, {"instances", L({N(3)})}})})}})),
       "rule/r", "spec.actions[0].instances[0]", "expected a string"},
      {"field given twice",
       Doc("instance", "i", "x",
           M({{"compiledTemplate", S("metric")}, {"compiled_template", S("metric")}})),
       "instance/i", "spec.compiled_template", "given more than once"},
      {"unknown instance key",
       Doc("instance", "i", "x", M({{"compiledTemplate", S("metric")}, {"param", M({})}})),
       "instance/i", "spec.param", "unknown field 'param'"},
      {"params not a map",
       Doc("instance", "i", "x", M({{"compiledTemplate", S("metric")}, {"params", L({})}})),
       "instance/i", "spec.params", "expected a map"},
      {"no template", Doc("instance", "i", "x", M({{"params", M({})}})), "instance/i",
       "spec.compiled_template", "missing"},
      {"out-of-process template", Doc("instance", "i", "x", M({{"template", S("t")}})),
       "instance/i", "spec.template", "not supported"},
      {"attribute bindings",
       Doc("instance", "i", "x",
           M({{"compiledTemplate", S("metric")}, {"attributeBindings", M({{"a", S("$out.b")}})}})),
       "instance/i", "spec.attribute_bindings", "attribute-generator"},
      {"no adapter", Doc("handler", "h", "x", M({{"params", M({})}})), "handler/h",
       "spec.compiled_adapter", "missing"},
      {"out-of-process adapter", Doc("handler", "h", "x", M({{"adapter", S("a")}})), "handler/h",
       "spec.adapter", "not supported"},
      {"adapter kind", Doc("adapter", "a", "x", M({})), "adapter/a", "kind", "out-of-process"},
      {"bad value type",
       Doc("attributemanifest", "m", "x",
           M({{"attributes", M({{"a", M({{"valueType", S("STRNG")}})}})}})),
       "attributemanifest/m", "spec.attributes.a.value_type", "unknown value type 'STRNG'"},
      {"bad header operation",
       Doc("rule", "r", "x",
           M({{"actions", L({})},
              {"requestHeaderOperations", L({M({{"name", S("h")}, {"operation", S("SET")}})})}})),
       "rule/r", "spec.request_header_operations[0].operation", "unknown value 'SET'"},
      {"bad sampling", Doc("rule", "r", "x", M({{"sampling", M({{"random", M({{"x", N(1)}})}})}})),
       "rule/r", "spec.sampling.random.x", "unknown field 'x'"},
  };
  for (const Case& c : cases) {
    SECTION(c.what) {
      ConfigResources r;
      r.AddDocument(c.doc, Where());
      CHECK(r.instances.empty());
      CHECK(r.handlers.empty());
      CHECK(r.rules.empty());
      CHECK(r.manifests.empty());
      REQUIRE(r.issues.size() >= 1);
      const ConfigIssue& issue = r.issues[0];
      CHECK(issue.document == c.document);
      CHECK(issue.field == c.field);
      CHECK_THAT(issue.message, Catch::Contains(c.message));
      CHECK(issue.location.file == "f.yaml");
      CHECK(issue.location.document == 2);
      CHECK(issue.effect == ConfigIssue::Effect::kDocumentSkipped);
    }
  }
}

TEST_CASE("ConfigResources: CEL and COMPAT expression runtimes are refused", "[config]") {
  ParamValue doc =
      M({{"apiVersion", S("config.istio.io/v1alpha2")},
         {"kind", S("rule")},
         {"metadata",
          M({{"name", S("r")}, {"annotations", M({{"policy.istio.io/lang", S("cel")}})}})},
         {"spec", M({})}});
  ConfigResources r;
  r.AddDocument(doc, Where());
  CHECK(r.rules.empty());
  REQUIRE(r.issues.size() == 1);
  CHECK_THAT(r.issues[0].message, Catch::Contains("not supported"));
}

TEST_CASE("ConfigResources: Append moves everything", "[config]") {
  ConfigResources a, b;
  a.AddDocument(Doc("metric", "m", "default", M({})), Where());
  b.AddDocument(Doc("rule", "r", "default", M({})), Where());
  b.AddDocument(S("x"), Where());
  a.Append(std::move(b));
  CHECK(a.instances.size() == 1);
  CHECK(a.rules.size() == 1);
  CHECK(a.issues.size() == 1);
}

}  // namespace
}  // namespace mixlet
