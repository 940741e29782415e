#include "config/config_builder.h"

#include <catch2/catch.hpp>

#include "config/testing/param_builders.h"
#include "config/testing/recording_adapter.h"
#include "mixlet/config/config.h"

namespace mixlet {
namespace {

using testing::L;
using testing::M;
using testing::MetricInstance;
using testing::N;
using testing::RecordingAdapter;
using testing::S;
using testing::TestHandler;
using testing::TestRule;
using Effect = ConfigIssue::Effect;

AdapterRegistry Adapters() {
  AdapterRegistry r;
  REQUIRE(r.Register(std::make_shared<RecordingAdapter>()).ok());
  return r;
}

ParamValue MetricsFor(std::vector<std::string> instance_names) {
  std::vector<ParamValue> metrics;
  for (const std::string& n : instance_names) {
    metrics.push_back(M({{"name", S("m")},
                         {"instance_name", S(n)},
                         {"kind", S("COUNTER")},
                         {"label_names", L({})}}));
  }
  return M({{"metrics", L(std::move(metrics))}});
}

// A valid configuration: one instance, one handler, one rule in namespace `default`.
ConfigResources Valid() {
  ConfigResources r;
  r.instances.push_back(MetricInstance("bytes", "default", "connection.sent.bytes | 0"));
  r.handlers.push_back(TestHandler("h", "default", MetricsFor({"bytes.instance.default"})));
  r.rules.push_back(TestRule("r", "default", "context.protocol == \"tcp\"", {{"h", {"bytes"}}}));
  return r;
}

std::string Issues(const std::vector<ConfigIssue>& issues) {
  std::string out;
  for (const ConfigIssue& i : issues) out += i.ToString() + "\n";
  return out;
}

TEST_CASE("ReferenceCandidates: short and qualified names resolve as in Mixer", "[config]") {
  using config_internal::ReferenceCandidates;
  struct Case {
    const char* ref;
    const char* kind;
    std::vector<std::string> expected;
  } cases[] = {
      {"mongohandler", "handler", {"mongohandler.handler.default"}},
      {"mongoreceivedbytes", "instance", {"mongoreceivedbytes.instance.default"}},
      {"mongohandler.prometheus",
       "handler",
       {"mongohandler.prometheus.default", "mongohandler.handler.prometheus"}},
      {"prometheus.istio-system",
       "handler",
       {"prometheus.istio-system.default", "prometheus.handler.istio-system"}},
      {"a.instance.ns", "instance", {"a.instance.ns"}},
      {"a.b.c.d", "instance", {"a.b.c.d"}},
  };
  for (const Case& c : cases) {
    CHECK(ReferenceCandidates(c.ref, c.kind, "default") == c.expected);
  }
}

TEST_CASE("BuildConfig: a valid configuration compiles into a snapshot", "[config]") {
  AdapterRegistry adapters = Adapters();
  ConfigResources r = Valid();
  r.instances[0] = MetricInstance("bytes", "default", "connection.sent.bytes | 0",
                                  {{"source_service", "source.workload.name | \"unknown\""},
                                   {"source_version", "source.labels[\"version\"] | \"unknown\""}});
  r.instances[0].params = M({{"value", S("connection.sent.bytes | 0")},
                             {"dimensions", r.instances[0].params.Find("dimensions")[0]},
                             {"monitoredResourceType", S("\"UNSPECIFIED\"")}});
  r.handlers[0].params =
      M({{"metrics", L({M({{"name", S("m")},
                           {"instance_name", S("bytes.instance.default")},
                           {"kind", S("COUNTER")},
                           {"label_names", L({S("source_service"), S("source_version")})}})})}});
  ConfigBuildResult result = BuildConfig(r, adapters);
  INFO(Issues(result.issues));
  REQUIRE(result.ok());
  CHECK(result.issues.empty());
  const Config& c = *result.config;
  CHECK(c.vocabulary() == Vocabulary::Standard());  // No manifest: the same vocabulary.
  CHECK(c.Summary() == "1 instance, 1 handler, 1 rule");
  REQUIRE(c.instances().size() == 1);
  const ConfiguredInstance& inst = c.instances()[0];
  CHECK(inst.descriptor->name == "bytes.instance.default");
  CHECK(inst.descriptor->template_name == "metric");
  CHECK(inst.descriptor->field_names ==
        std::vector<std::string>{"value", "dimensions.source_service", "dimensions.source_version",
                                 "monitored_resource_type"});
  CHECK(inst.descriptor->field_types ==
        std::vector<ValueType>{ValueType::kInt64, ValueType::kString, ValueType::kString,
                               ValueType::kString});
  REQUIRE(inst.fields.size() == 4);
  CHECK(inst.fields[0]->text() == "connection.sent.bytes | 0");
  REQUIRE(c.handlers().size() == 1);
  CHECK(c.handlers()[0].fqn == "h.handler.default");
  CHECK(c.handlers()[0].instances == std::vector<int>{0});
  REQUIRE(c.rules().size() == 1);
  CHECK(c.rules()[0].fqn == "r.rule.default");
  REQUIRE(c.rules()[0].match.has_value());
  REQUIRE(c.rules()[0].actions.size() == 1);
  CHECK(c.rules()[0].actions[0].handler == 0);
  CHECK(c.rules()[0].actions[0].instances == std::vector<int>{0});
  CHECK(c.FindInstance("bytes.instance.default") == 0);
  CHECK(c.FindHandler("h.handler.default") == 0);
  CHECK(c.FindHandler("nope") == -1);
}

TEST_CASE("BuildConfig: empty, whitespace and `true` matches always match", "[config]") {
  AdapterRegistry adapters = Adapters();
  for (const char* match : {"", "   ", "true"}) {
    ConfigResources r = Valid();
    r.rules[0].match = match;
    ConfigBuildResult result = BuildConfig(r, adapters);
    REQUIRE(result.ok());
    CHECK_FALSE(result.config->rules()[0].match.has_value());
  }
}

TEST_CASE("BuildConfig: references resolve across kinds and namespaces", "[config]") {
  AdapterRegistry adapters = Adapters();
  ConfigResources r;
  // A legacy instance and handler in `default`, a new-style handler in istio-system.
  InstanceResource legacy = MetricInstance("legacy", "default", "1");
  legacy.kind = "metric";
  r.instances.push_back(legacy);
  r.instances.push_back(MetricInstance("shared", "istio-system", "2"));
  HandlerResource legacy_handler = TestHandler("lh", "default", MetricsFor({}));
  legacy_handler.kind = "prometheus";
  r.handlers.push_back(legacy_handler);
  r.handlers.push_back(TestHandler("prometheus", "istio-system", MetricsFor({})));
  r.rules.push_back(TestRule("r", "default", "",
                             {{"lh.prometheus", {"legacy.metric"}},
                              {"prometheus.istio-system", {"shared.instance.istio-system"}}}));
  ConfigBuildResult result = BuildConfig(r, adapters, ConfigOptions{/*lenient=*/true});
  REQUIRE(result.ok());
  const Config& c = *result.config;
  REQUIRE(c.rules().size() == 1);
  REQUIRE(c.rules()[0].actions.size() == 2);
  CHECK(c.handlers()[c.rules()[0].actions[0].handler].fqn == "lh.prometheus.default");
  CHECK(c.instances()[c.rules()[0].actions[0].instances[0]].descriptor->name ==
        "legacy.metric.default");
  CHECK(c.handlers()[c.rules()[0].actions[1].handler].fqn == "prometheus.handler.istio-system");
  CHECK(c.instances()[c.rules()[0].actions[1].instances[0]].descriptor->name ==
        "shared.instance.istio-system");
}

TEST_CASE("BuildConfig: a bare name never finds a legacy-kind resource", "[config]") {
  AdapterRegistry adapters = Adapters();
  ConfigResources r = Valid();
  r.instances[0].kind = "metric";
  ConfigBuildResult result = BuildConfig(r, adapters);
  REQUIRE_FALSE(result.ok());
  REQUIRE(result.issues.size() >= 1);
  CHECK(result.issues[0].field == "spec.actions[0].instances[0]");
  CHECK_THAT(result.issues[0].message,
             Catch::Contains("instance 'bytes' not found (looked for bytes.instance.default)"));
}

// One validation problem per case: the issue it raises (first one) and what lenient mode drops.
struct ProblemCase {
  const char* what;
  void (*mutate)(ConfigResources*);
  const char* document;
  const char* field;
  const char* message;
  Effect effect;
  int column;
  // In lenient mode: how many instances / handlers with instances / rules survive.
  size_t instances, used_handlers, rules;
};

const ProblemCase kProblems[] = {
    {"unknown template", [](ConfigResources* r) { r->instances[0].template_name = "metrics"; },
     "instance/bytes", "spec.compiled_template", "unknown template 'metrics'",
     Effect::kInstanceInvalid, 0, 0, 0, 0},
    {"unknown template param",
     [](ConfigResources* r) {
       r->instances[0].params = M({{"value", S("1")}, {"dimension", M({})}});
     },
     "instance/bytes", "spec.params.dimension", "unknown field 'dimension' of template 'metric'",
     Effect::kInstanceInvalid, 0, 0, 0, 0},
    {"a number where an expression belongs",
     [](ConfigResources* r) {
       r->instances[0].params = M({{"value", N(1)}});
     },
     "instance/bytes", "spec.params.value",
     "expected an expression written as a string, got a number", Effect::kInstanceInvalid, 0, 0, 0,
     0},
    {"dimensions not a map",
     [](ConfigResources* r) {
       r->instances[0].params = M({{"dimensions", L({})}});
     },
     "instance/bytes", "spec.params.dimensions", "expected a map of expressions",
     Effect::kInstanceInvalid, 0, 0, 0, 0},
    {"bad expression",
     [](ConfigResources* r) {
       r->instances[0].params = M({{"value", S("connection.sent.byts | 0")}});
     },
     "instance/bytes", "spec.params.value", "connection.sent.byts", Effect::kInstanceInvalid, 1, 0,
     0, 0},
    {"type mismatch",
     [](ConfigResources* r) {
       r->instances[0].params = M({{"value", S("1")}, {"monitored_resource_type", S("2")}});
     },
     "instance/bytes", "spec.params.monitored_resource_type",
     "expression '2' has type INT64; field 'monitored_resource_type' must be STRING",
     Effect::kInstanceInvalid, 0, 0, 0, 0},
    {"unknown adapter", [](ConfigResources* r) { r->handlers[0].adapter_name = "stdio"; },
     "handler/h", "spec.compiled_adapter",
     "unknown adapter 'stdio'; registered adapters: prometheus", Effect::kHandlerDropped, 0, 1, 0,
     0},
    {"unknown legacy kind",
     [](ConfigResources* r) {
       r->handlers[0].kind = "stdio";
       r->handlers[0].adapter_name = "stdio";
       r->rules[0].actions[0].handler = "h.stdio";
     },
     "stdio/h", "kind", "unknown kind 'stdio'", Effect::kDocumentSkipped, 0, 1, 0, 0},
    {"handler param the adapter does not know",
     [](ConfigResources* r) {
       r->handlers[0].params = M({{"metrics", L({M({{"instance_name", S("bytes.instance.default")},
                                                    {"kind", S("COUNTER")},
                                                    {"label_names", L({})},
                                                    {"labels", L({})}})})}});
     },
     "handler/h", "spec.params.metrics[0].labels", "unknown field 'labels'",
     Effect::kHandlerDropped, 0, 1, 0, 0},
    {"handler param Mixer ignored",
     [](ConfigResources* r) {
       r->handlers[0].params = MetricsFor({"bytes.instance.default"});
       r->handlers[0].params =
           M({{"metrics", r->handlers[0].params.Find("metrics")[0]}, {"metric", L({})}});
     },
     "handler/h", "spec.params.metric", "unknown field 'metric'", Effect::kNone, 0, 1, 1, 1},
    {"instance the adapter cannot take",
     [](ConfigResources* r) { r->handlers[0].params = MetricsFor({"other.instance.default"}); },
     "handler/h", "spec.params.metrics",
     "instance 'bytes.instance.default': no metric is configured", Effect::kNone, 0, 1, 1, 1},
    {"rule naming a missing handler",
     [](ConfigResources* r) { r->rules[0].actions[0].handler = "nohandler"; }, "rule/r",
     "spec.actions[0].handler",
     "handler 'nohandler' not found (looked for nohandler.handler.default)", Effect::kActionDropped,
     0, 1, 0, 0},
    {"rule naming a missing instance",
     [](ConfigResources* r) {
       r->rules[0].actions[0].instances = {"bytes", "nobytes"};
     },
     "rule/r", "spec.actions[0].instances[1]",
     "instance 'nobytes' not found (looked for nobytes.instance.default)",
     Effect::kInstanceDroppedFromAction, 0, 1, 1, 1},
    {"instance listed twice",
     [](ConfigResources* r) {
       r->rules[0].actions[0].instances = {"bytes", "bytes.instance.default"};
     },
     "rule/r", "spec.actions[0].instances[1]", "listed twice", Effect::kInstanceDroppedFromAction,
     0, 1, 1, 1},
    {"action without instances",
     [](ConfigResources* r) { r->rules[0].actions[0].instances.clear(); }, "rule/r",
     "spec.actions[0].instances", "at least one instance", Effect::kActionDropped, 0, 1, 0, 0},
    {"rule without actions", [](ConfigResources* r) { r->rules[0].actions.clear(); }, "rule/r",
     "spec.actions", "at least one action", Effect::kRuleDropped, 0, 1, 0, 0},
    {"match that does not compile",
     [](ConfigResources* r) { r->rules[0].match = "context.protocol == \"tcp\" && nosuch.attr"; },
     "rule/r", "spec.match", "nosuch.attr", Effect::kRuleDropped, 30, 1, 0, 0},
    {"match that is not BOOL", [](ConfigResources* r) { r->rules[0].match = "context.protocol"; },
     "rule/r", "spec.match",
     "expression 'context.protocol' evaluated to type STRING, expected type BOOL",
     Effect::kRuleDropped, 0, 1, 0, 0},
    {"duplicate instance name",
     [](ConfigResources* r) {
       r->instances.push_back(r->instances[0]);
       r->instances[1].meta.location = {"later.yaml", 9, 1};
     },
     "instance/bytes", "metadata.name",
     "duplicate instance name 'bytes.instance.default': defined again at later.yaml:9",
     Effect::kDocumentSkipped, 0, 1, 1, 1},
};

TEST_CASE("BuildConfig: every validation problem is reported with its location", "[config]") {
  AdapterRegistry adapters = Adapters();
  for (const ProblemCase& p : kProblems) {
    SECTION(p.what) {
      ConfigResources r = Valid();
      p.mutate(&r);
      ConfigBuildResult strict = BuildConfig(r, adapters);
      INFO(Issues(strict.issues));
      CHECK_FALSE(strict.ok());  // Strict: refused as a whole.
      CHECK_FALSE(strict.status().ok());
      REQUIRE(strict.issues.size() >= 1);
      const ConfigIssue& issue = strict.issues[0];
      CHECK(issue.document == p.document);
      CHECK(issue.field == p.field);
      CHECK_THAT(issue.message, Catch::Contains(p.message));
      CHECK(issue.effect == p.effect);
      if (p.column > 0) CHECK(issue.column == p.column);

      ConfigBuildResult lenient = BuildConfig(r, adapters, ConfigOptions{/*lenient=*/true});
      REQUIRE(lenient.ok());
      CHECK(lenient.status().ok());
      const Config& c = *lenient.config;
      CHECK(c.issues().size() >= strict.issues.size());
      size_t used_handlers = 0;
      for (const ConfiguredHandler& h : c.handlers()) used_handlers += h.instances.empty() ? 0 : 1;
      CHECK(c.instances().size() == p.instances);
      CHECK(used_handlers == p.used_handlers);
      CHECK(c.rules().size() == p.rules);
    }
  }
}

TEST_CASE("BuildConfig: every problem is listed at once", "[config]") {
  AdapterRegistry adapters = Adapters();
  ConfigResources r = Valid();
  r.instances[0].params = M({{"value", S("nosuch | 0")}, {"dimensions", M({{"a", S("1 +")}})}});
  r.handlers[0].adapter_name = "stdio";
  r.rules[0].match = "context.protocol";
  r.rules[0].actions.push_back({"h", {"missing"}});
  ConfigBuildResult result = BuildConfig(r, adapters);
  INFO(Issues(result.issues));
  CHECK_FALSE(result.ok());
  // Two expressions, the adapter, the match, the missing instance. Consequences (the action
  // dropped because its handler is invalid) are not repeated in strict mode.
  CHECK(result.issues.size() == 5);
  std::string status(result.status().message());
  CHECK_THAT(status, Catch::StartsWith("configuration refused: 5 problems"));
}

TEST_CASE("BuildConfig: lenient mode reports each dropped piece", "[config]") {
  AdapterRegistry adapters = Adapters();
  ConfigResources r = Valid();
  r.instances.push_back(MetricInstance("broken", "default", "nosuch"));
  r.rules[0].actions[0].instances.push_back("broken");
  ConfigBuildResult result = BuildConfig(r, adapters, ConfigOptions{/*lenient=*/true});
  INFO(Issues(result.issues));
  REQUIRE(result.ok());
  // The invalid instance, then its removal from the action (a consequence).
  REQUIRE(result.issues.size() == 2);
  CHECK(result.issues[0].effect == Effect::kInstanceInvalid);
  CHECK(result.issues[1].effect == Effect::kInstanceDroppedFromAction);
  CHECK(result.issues[1].field == "spec.actions[0].instances[1]");
  CHECK_THAT(result.issues[1].message, Catch::Contains("'broken.instance.default' is invalid"));
  REQUIRE(result.config->rules().size() == 1);
  CHECK(result.config->rules()[0].actions[0].instances.size() == 1);
  CHECK(result.config->issues().size() == 2);
}

TEST_CASE("BuildConfig: attribute manifests extend the vocabulary", "[config]") {
  AdapterRegistry adapters = Adapters();
  ConfigResources r = Valid();
  r.instances[0].params = M({{"value", S("my.bytes | 0")}});
  ConfigBuildResult without = BuildConfig(r, adapters);
  CHECK_FALSE(without.ok());

  AttributeManifestResource m;
  m.meta.name = "mine";
  m.meta.namespace_name = "istio-system";
  m.attributes.push_back({"my.bytes", ValueType::kInt64, 0});
  r.manifests.push_back(m);
  ConfigBuildResult with = BuildConfig(r, adapters);
  INFO(Issues(with.issues));
  REQUIRE(with.ok());
  const Vocabulary& v = *with.config->vocabulary();
  CHECK(v.Find("my.bytes").has_value());
  // Standard attributes keep their ids.
  CHECK(v.Find("context.protocol")->id == Vocabulary::Standard()->Find("context.protocol")->id);

  // A manifest that only repeats standard attributes keeps the standard vocabulary object.
  ConfigResources same = Valid();
  AttributeManifestResource repeat;
  repeat.meta.name = "istioproxy";
  repeat.attributes.push_back({"context.protocol", ValueType::kString, 0});
  same.manifests.push_back(repeat);
  ConfigBuildResult reused = BuildConfig(same, adapters);
  REQUIRE(reused.ok());
  CHECK(reused.config->vocabulary() == Vocabulary::Standard());
}

TEST_CASE("BuildConfig: equal descriptors are shared with the previous config", "[config]") {
  AdapterRegistry adapters = Adapters();
  ConfigResources r = Valid();
  r.instances.push_back(MetricInstance("other", "default", "1"));
  ConfigBuildResult first = BuildConfig(r, adapters);
  REQUIRE(first.ok());
  // Change `other` only.
  r.instances[1] = MetricInstance("other", "default", "1", {{"d", "\"x\""}});
  ConfigBuildResult second = BuildConfig(r, adapters, ConfigOptions(), first.config.get());
  REQUIRE(second.ok());
  CHECK(second.config->instances()[0].descriptor == first.config->instances()[0].descriptor);
  CHECK(second.config->instances()[1].descriptor != first.config->instances()[1].descriptor);
  // Without `previous`, new objects.
  ConfigBuildResult third = BuildConfig(r, adapters);
  CHECK(third.config->instances()[0].descriptor != first.config->instances()[0].descriptor);
}

TEST_CASE("BuildConfig: an empty field gives an empty value", "[config]") {
  AdapterRegistry adapters = Adapters();
  ConfigResources r = Valid();
  r.instances[0].params = M({{"value", S("")}, {"monitoredResourceType", testing::Null()}});
  ConfigBuildResult result = BuildConfig(r, adapters);
  REQUIRE(result.ok());
  const ConfiguredInstance& i = result.config->instances()[0];
  CHECK(i.descriptor->field_names == std::vector<std::string>{"value", "monitored_resource_type"});
  CHECK(i.descriptor->field_types ==
        std::vector<ValueType>{ValueType::kUnspecified, ValueType::kUnspecified});
  CHECK_FALSE(i.fields[0].has_value());
  CHECK_FALSE(i.fields[1].has_value());
}

TEST_CASE("AdapterRegistry: rejects null, unnamed and duplicate adapters", "[config]") {
  AdapterRegistry r;
  CHECK(r.Register(nullptr).code() == absl::StatusCode::kInvalidArgument);
  CHECK(r.Register(std::make_shared<RecordingAdapter>("")).code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(r.Register(std::make_shared<RecordingAdapter>("a")).ok());
  CHECK(r.Register(std::make_shared<RecordingAdapter>("a")).code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(r.Find("a") != nullptr);
  CHECK(r.Find("b") == nullptr);
}

}  // namespace
}  // namespace mixlet
