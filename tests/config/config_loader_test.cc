#include "mixlet/config/config_loader.h"

#include <catch2/catch.hpp>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "config/testing/recording_adapter.h"
#include "config/yaml/yaml_reader.h"

namespace mixlet {
namespace {

using testing::RecordingAdapter;

std::string Testdata(const std::string& name) {
  return absl::StrCat(MIXLET_SOURCE_DIR, "/tests/config/testdata/", name);
}

AdapterRegistry Adapters() {
  AdapterRegistry r;
  REQUIRE(r.Register(std::make_shared<RecordingAdapter>()).ok());
  return r;
}

std::string Issues(const std::vector<ConfigIssue>& issues) {
  std::string out;
  for (const ConfigIssue& i : issues) out += i.ToString() + "\n";
  return out;
}

ConfigBuildResult Load(std::vector<std::string> names, bool lenient = false) {
  std::vector<std::string> paths;
  for (const std::string& n : names) paths.push_back(Testdata(n));
  ConfigOptions options;
  options.lenient = lenient;
  return LoadConfig(paths, Adapters(), options);
}

TEST_CASE("LoadConfig: the new-style TCP sample loads", "[config][yaml]") {
  ConfigBuildResult r = Load({"tcp-metrics.yaml"});
  INFO(Issues(r.issues));
  REQUIRE(r.ok());
  const Config& c = *r.config;
  CHECK(c.Summary() == "2 instances, 1 handler, 1 rule");
  REQUIRE(c.instances().size() == 2);
  for (const ConfiguredInstance& i : c.instances()) {
    CHECK(i.descriptor->field_names ==
          std::vector<std::string>{"value", "dimensions.source_service",
                                   "dimensions.source_version", "dimensions.destination_version",
                                   "monitored_resource_type"});
    CHECK(i.descriptor->field_types ==
          std::vector<ValueType>{ValueType::kInt64, ValueType::kString, ValueType::kString,
                                 ValueType::kString, ValueType::kString});
    CHECK(i.fields[1]->text() == "source.workload.name | \"unknown\"");
    CHECK(i.fields[2]->text() == "source.labels[\"version\"] | \"unknown\"");
    CHECK(i.fields[4]->text() == "\"UNSPECIFIED\"");
    CHECK(i.location.file == Testdata("tcp-metrics.yaml"));
  }
  CHECK(c.instances()[0].descriptor->name == "mongosentbytes.instance.default");
  CHECK(c.instances()[0].fields[0]->text() == "connection.sent.bytes | 0");
  CHECK(c.instances()[0].location.line == 3);
  CHECK(c.instances()[1].descriptor->name == "mongoreceivedbytes.instance.default");
  CHECK(c.handlers()[0].fqn == "mongohandler.handler.default");
  CHECK(c.handlers()[0].instances == std::vector<int>{0, 1});
  REQUIRE(c.rules().size() == 1);
  CHECK(c.rules()[0].fqn == "mongoprom.rule.default");
  // A plain multi-line scalar folds its line break into a space.
  CHECK(c.rules()[0].match_text ==
        "context.protocol == \"tcp\" && destination.service.host == "
        "\"mongodb.default.svc.cluster.local\"");
  CHECK(c.rules()[0].actions[0].instances == std::vector<int>{1, 0});
}

TEST_CASE("LoadConfig: both TCP samples give the same model", "[config][yaml]") {
  ConfigBuildResult a = Load({"tcp-metrics.yaml"});
  ConfigBuildResult b = Load({"tcp-metrics-crd.yaml"});
  INFO(Issues(a.issues) + Issues(b.issues));
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  const Config& x = *a.config;
  const Config& y = *b.config;
  REQUIRE(x.instances().size() == y.instances().size());
  for (size_t i = 0; i < x.instances().size(); ++i) {
    const ConfiguredInstance& p = x.instances()[i];
    const ConfiguredInstance& q = y.instances()[i];
    CHECK(p.name == q.name);
    CHECK(p.namespace_name == q.namespace_name);
    CHECK(p.kind == "instance");
    CHECK(q.kind == "metric");
    CHECK(q.descriptor->name == absl::StrCat(q.name, ".metric.default"));
    CHECK(p.descriptor->template_name == q.descriptor->template_name);
    CHECK(p.descriptor->field_names == q.descriptor->field_names);
    CHECK(p.descriptor->field_types == q.descriptor->field_types);
    for (size_t f = 0; f < p.fields.size(); ++f) CHECK(p.fields[f]->text() == q.fields[f]->text());
  }
  REQUIRE(x.handlers().size() == 1);
  REQUIRE(y.handlers().size() == 1);
  CHECK(y.handlers()[0].fqn == "mongohandler.prometheus.default");
  CHECK(x.handlers()[0].adapter->name() == y.handlers()[0].adapter->name());
  CHECK(x.handlers()[0].instances == y.handlers()[0].instances);
  // The params differ only in the instance names they refer to.
  const ParamValue& px = *x.handlers()[0].params.Find("metrics");
  const ParamValue& py = *y.handlers()[0].params.Find("metrics");
  REQUIRE(px.list().size() == py.list().size());
  for (size_t m = 0; m < px.list().size(); ++m) {
    for (const char* key : {"name", "kind", "label_names"}) {
      CHECK(*px.list()[m].Find(key) == *py.list()[m].Find(key));
    }
    CHECK(absl::StrReplaceAll(py.list()[m].Find("instance_name")->string(),
                              {{".metric.", ".instance."}}) ==
          px.list()[m].Find("instance_name")->string());
  }
  REQUIRE(x.rules().size() == 1);
  REQUIRE(y.rules().size() == 1);
  CHECK(x.rules()[0].fqn == y.rules()[0].fqn);
  CHECK(x.rules()[0].match_text == y.rules()[0].match_text);
  REQUIRE(x.rules()[0].actions.size() == 1);
  REQUIRE(y.rules()[0].actions.size() == 1);
  CHECK(x.rules()[0].actions[0].handler == y.rules()[0].actions[0].handler);
  CHECK(x.rules()[0].actions[0].instances == y.rules()[0].actions[0].instances);
}

TEST_CASE("LoadConfig: Istio's default telemetry config and the HTTP sample load",
          "[config][yaml]") {
  ConfigBuildResult r = Load({"istio-default-telemetry.yaml"});
  INFO(Issues(r.issues));
  REQUIRE(r.ok());
  CHECK(r.config->Summary() == "8 instances, 1 handler, 4 rules");
  CHECK(r.config->handlers()[0].fqn == "prometheus.handler.istio-system");
  CHECK(r.config->handlers()[0].instances.size() == 8);
  CHECK(r.config->instances()[1].descriptor->field_types[0] == ValueType::kDuration);

  ConfigBuildResult all =
      Load({"istio-default-telemetry.yaml", "metrics.yaml", "tcp-metrics.yaml"});
  INFO(Issues(all.issues));
  REQUIRE(all.ok());
  CHECK(all.config->Summary() == "11 instances, 3 handlers, 6 rules");
  CHECK_FALSE(all.config->rules()[4].match.has_value());  // doubleprom has no match.
}

// Each bad file raises exactly one issue (strict mode), printed exactly like this.
TEST_CASE("LoadConfig: every validation error is reported with file, line, document and field",
          "[config][yaml]") {
  struct Case {
    const char* file;
    const char* prefix;  // After "<path>:".
    const char* message;
  } cases[] = {
      {"bad_unknown_attribute.yaml",
       "11: instance/sentbytes: spec.params.dimensions.source_service: ", "source.workload.nme"},
      {"bad_unknown_template.yaml", "7: instance/sentbytes: spec.compiled_template: ",
       "unknown template 'metrics'; compiled-in templates: metric"},
      {"bad_unknown_adapter.yaml", "19: handler/h: spec.compiled_adapter: ",
       "unknown adapter 'prometheus2'; registered adapters: prometheus"},
      {"bad_missing_handler.yaml", "35: rule/r: spec.actions[0].handler: ",
       "handler 'hh' not found (looked for hh.handler.default)"},
      {"bad_missing_instance.yaml", "36: rule/r: spec.actions[0].instances[1]: ",
       "instance 'receivedbytes' not found (looked for receivedbytes.instance.default)"},
      {"bad_match_not_bool.yaml", "33: rule/r: spec.match: ",
       "expression 'context.protocol' evaluated to type STRING, expected type BOOL"},
      {"bad_match_syntax.yaml",
       "33: rule/r: spec.match: ", "expected '==', found '=' at column 18"},
      {"bad_number_expression.yaml", "9: instance/sentbytes: spec.params.value: ",
       "expected an expression written as a string, got a number"},
      {"bad_type_mismatch.yaml", "10: instance/sentbytes: spec.params.monitored_resource_type: ",
       "expression '1' has type INT64; field 'monitored_resource_type' must be STRING"},
      {"bad_handler_param.yaml",
       "25: handler/h: spec.params.metrics[0].buckts: ", "unknown field 'buckts'"},
      {"bad_unknown_field.yaml", "8: instance/sentbytes: spec.paramz: ", "unknown field 'paramz'"},
      {"bad_duplicate_name.yaml", "1: instance/sentbytes: metadata.name: ",
       "duplicate instance name 'sentbytes.instance.default': defined again at "},
      {"bad_yaml_syntax.yaml", "35: ", "invalid YAML: illegal block entry (column 3)"},
  };
  for (const Case& c : cases) {
    SECTION(c.file) {
      ConfigBuildResult r = Load({c.file});
      INFO(Issues(r.issues));
      CHECK_FALSE(r.ok());
      REQUIRE(r.issues.size() == 1);
      const std::string text = r.issues[0].ToString();
      CHECK_THAT(text, Catch::StartsWith(absl::StrCat(Testdata(c.file), ":", c.prefix)));
      CHECK_THAT(text, Catch::Contains(c.message));
    }
  }
  ConfigBuildResult good = Load({"good_tcp_bytes.yaml"});
  INFO(Issues(good.issues));
  CHECK(good.ok());
}

TEST_CASE("LoadConfig: expression errors carry their column", "[config][yaml]") {
  ConfigBuildResult r = Load({"bad_unknown_attribute.yaml"});
  REQUIRE(r.issues.size() == 1);
  CHECK(r.issues[0].column == 1);
  CHECK(r.issues[0].effect == ConfigIssue::Effect::kInstanceInvalid);
  CHECK_THAT(r.issues[0].ToString(), Catch::EndsWith(" at column 1"));
}

TEST_CASE("LoadConfig: lenient mode applies what Mixer applied", "[config][yaml]") {
  // The instance is invalid: the rule loses its only instance, so the action and the rule go.
  ConfigBuildResult r = Load({"bad_unknown_attribute.yaml"}, /*lenient=*/true);
  INFO(Issues(r.issues));
  REQUIRE(r.ok());
  CHECK(r.config->Summary() == "0 instances, 1 handler, 0 rules");
  REQUIRE(r.issues.size() == 4);
  CHECK(r.issues[0].effect == ConfigIssue::Effect::kInstanceInvalid);
  CHECK(r.issues[1].effect == ConfigIssue::Effect::kInstanceDroppedFromAction);
  CHECK(r.issues[2].effect == ConfigIssue::Effect::kActionDropped);
  CHECK(r.issues[3].effect == ConfigIssue::Effect::kRuleDropped);

  // A YAML syntax error skips the rest of the file; the documents before it are kept.
  ConfigBuildResult s = Load({"bad_yaml_syntax.yaml"}, /*lenient=*/true);
  REQUIRE(s.ok());
  CHECK(s.config->instances().size() == 1);
  CHECK(s.config->handlers().empty());
  CHECK(s.config->rules().empty());
}

TEST_CASE("LoadConfigResources: a missing file is an issue", "[config][yaml]") {
  std::vector<std::string> paths = {Testdata("does-not-exist.yaml"), Testdata("metrics.yaml")};
  ConfigResources r = LoadConfigResources(paths);
  REQUIRE(r.issues.size() == 1);
  CHECK_THAT(r.issues[0].ToString(),
             Catch::StartsWith(Testdata("does-not-exist.yaml") + ": cannot read file"));
  CHECK(r.instances.size() == 1);
}

TEST_CASE("ParseConfigYaml: expression leaves must be YAML strings", "[config][yaml]") {
  struct Case {
    const char* value;
    bool ok;
  } cases[] = {
      {"\"1\"", true}, {"'1'", true},     {"1", false},         {"true", false},
      {"1.5", false},  {"~", true},  // null: an empty field
      {"", true},      {"!!str 1", true}, {"|\n      1", true}, {"[a]", false},
  };
  for (const Case& c : cases) {
    const std::string text = absl::StrCat(
        "apiVersion: config.istio.io/v1alpha2\nkind: metric\nmetadata:\n  name: m\n"
        "spec:\n  value: ",
        c.value, "\n");
    ConfigResources r = ParseConfigYaml(text, "t.yaml");
    REQUIRE(r.issues.empty());
    ConfigBuildResult b = BuildConfig(r, Adapters());
    INFO(c.value << "\n" << Issues(b.issues));
    CHECK(b.issues.empty() == c.ok);
  }
}

TEST_CASE("ReadYamlDocuments: plain scalars follow the YAML core schema", "[config][yaml]") {
  using Kind = ParamValue::Kind;
  struct Case {
    const char* scalar;
    Kind kind;
    double number;
    const char* string;
  } cases[] = {
      {"1", Kind::kNumber, 1, ""},
      {"-12", Kind::kNumber, -12, ""},
      {"+5", Kind::kNumber, 5, ""},
      {"012", Kind::kNumber, 12, ""},
      {"0x1F", Kind::kNumber, 31, ""},
      {"0o17", Kind::kNumber, 15, ""},
      {"1.5e3", Kind::kNumber, 1500, ""},
      {".5", Kind::kNumber, 0.5, ""},
      {"true", Kind::kBool, 1, ""},
      {"False", Kind::kBool, 0, ""},
      {"TRUE", Kind::kBool, 1, ""},
      {"yes", Kind::kString, 0, "yes"},
      {"~", Kind::kNull, 0, ""},
      {"null", Kind::kNull, 0, ""},
      {"NULL", Kind::kNull, 0, ""},
      {"", Kind::kNull, 0, ""},
      {"'true'", Kind::kString, 0, "true"},
      {"\"1\"", Kind::kString, 0, "1"},
      {"!!str 5", Kind::kString, 0, "5"},
      {"!!int 7", Kind::kNumber, 7, ""},
      {"1_000", Kind::kString, 0, "1_000"},
      {"0x", Kind::kString, 0, "0x"},
      {"10ms", Kind::kString, 0, "10ms"},
      {"a b", Kind::kString, 0, "a b"},
  };
  for (const Case& c : cases) {
    std::vector<ConfigIssue> issues;
    auto docs =
        config_internal::ReadYamlDocuments(absl::StrCat("k: ", c.scalar, "\n"), "t.yaml", &issues);
    INFO(c.scalar);
    REQUIRE(issues.empty());
    REQUIRE(docs.size() == 1);
    const ParamValue* v = docs[0].root.Find("k");
    REQUIRE(v != nullptr);
    CHECK(v->kind() == c.kind);
    if (c.kind == Kind::kNumber) CHECK(v->number() == c.number);
    if (c.kind == Kind::kBool) CHECK(v->bool_value() == (c.number != 0));
    if (c.kind == Kind::kString) CHECK(v->string() == c.string);
    if (c.kind != Kind::kNull) CHECK(v->line() == 1);
  }
  std::vector<ConfigIssue> issues;
  auto docs = config_internal::ReadYamlDocuments("k: .inf\nn: .NaN\nm: -.Inf\n", "t", &issues);
  REQUIRE(docs.size() == 1);
  CHECK(std::isinf(docs[0].root.Find("k")->number()));
  CHECK(std::isnan(docs[0].root.Find("n")->number()));
  CHECK(docs[0].root.Find("m")->number() < 0);
}

TEST_CASE("ReadYamlDocuments: documents, positions and structural problems", "[config][yaml]") {
  std::vector<ConfigIssue> issues;
  auto docs = config_internal::ReadYamlDocuments(
      "# comment\n---\na: 1\n---\n---\nb:\n  - x\n  - {c: d}\n", "t.yaml", &issues);
  REQUIRE(issues.empty());
  REQUIRE(docs.size() == 3);
  CHECK(docs[0].index == 1);
  CHECK(docs[0].line == 3);
  CHECK(docs[0].root.Find("a")->column() == 4);
  CHECK(docs[1].root.kind() == ParamValue::Kind::kNull);
  CHECK(docs[2].index == 3);
  const ParamValue* b = docs[2].root.Find("b");
  REQUIRE(b != nullptr);
  REQUIRE(b->list().size() == 2);
  CHECK(b->list()[1].Find("c")->string() == "d");
  CHECK(b->list()[1].line() == 8);

  struct Case {
    const char* text;
    int line;
    const char* message;
  } bad[] = {
      {"a: 1\na: 2\n", 2, "duplicate key 'a'"},
      {"[a]: 1\n", 1, "a map key must be a plain value"},
      {"a: !!int x\n", 1, "is not a valid int"},
      {"a: [1,\n", 0, "invalid YAML"},
      {"a: *nope\n", 1, "invalid YAML"},
      // yaml-cpp 0.7 would report empty documents at one position forever.
      {",\n", 1, "stopped making progress"},
      {", x]\n", 1, "stopped making progress"},
  };
  for (const auto& c : bad) {
    std::vector<ConfigIssue> found;
    auto d = config_internal::ReadYamlDocuments(c.text, "t.yaml", &found);
    INFO(c.text);
    for (const auto& doc : d) CHECK(doc.root.kind() == ParamValue::Kind::kNull);
    REQUIRE(found.size() == 1);
    if (c.line > 0) CHECK(found[0].location.line == c.line);
    CHECK_THAT(found[0].message, Catch::Contains(c.message));
    CHECK(found[0].location.file == "t.yaml");
  }
}

TEST_CASE("ReadYamlDocuments: aliases are expanded within limits", "[config][yaml]") {
  std::vector<ConfigIssue> issues;
  auto docs = config_internal::ReadYamlDocuments("a: &x {k: v}\nb: *x\n", "t", &issues);
  REQUIRE(docs.size() == 1);
  CHECK(*docs[0].root.Find("a") == *docs[0].root.Find("b"));

  // A "billion laughs" document stops at the node limit instead of exhausting memory.
  std::string bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 9; ++i) {
    absl::StrAppend(&bomb, "a", i, ": &a", i, " [");
    for (int j = 0; j < 10; ++j) absl::StrAppend(&bomb, j ? ", " : "", "*a", i - 1);
    absl::StrAppend(&bomb, "]\n");
  }
  std::vector<ConfigIssue> found;
  auto d = config_internal::ReadYamlDocuments(bomb, "t", &found);
  CHECK(d.empty());
  REQUIRE(found.size() == 1);
  CHECK_THAT(found[0].message, Catch::Contains("nodes"));

  std::string deep(300, '[');
  std::vector<ConfigIssue> deep_issues;
  auto dd = config_internal::ReadYamlDocuments(deep + std::string(300, ']'), "t", &deep_issues);
  CHECK(dd.empty());
  REQUIRE(deep_issues.size() == 1);
  CHECK_THAT(deep_issues[0].message, Catch::Contains("nested deeper than 200"));

  // A stray comma after a good document: the good one is kept, the rest reported.
  std::vector<ConfigIssue> comma_issues;
  auto kept = config_internal::ReadYamlDocuments("a: 1\n---\n,\n", "t", &comma_issues);
  REQUIRE(kept.size() >= 1);
  CHECK(kept[0].root.Find("a") != nullptr);
  for (size_t i = 1; i < kept.size(); ++i) CHECK(kept[i].root.kind() == ParamValue::Kind::kNull);
  REQUIRE(comma_issues.size() == 1);
  CHECK(comma_issues[0].location.line == 3);
}

}  // namespace
}  // namespace mixlet
