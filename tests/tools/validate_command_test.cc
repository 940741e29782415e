// Tests of `mixlet validate`: exit codes, the one-line summary and the error lines.
#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tools/run_process.h"

namespace mixlet {
namespace {

using testing::ProcessResult;
using testing::RunProcess;

std::string Testdata(const std::string& name) {
  return absl::StrCat(MIXLET_SOURCE_DIR, "/tests/config/testdata/", name);
}

ProcessResult Validate(std::vector<std::string> args) {
  args.insert(args.begin(), {MIXLET_CLI, "validate"});
  return RunProcess(args);
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines = absl::StrSplit(text, '\n', absl::SkipEmpty());
  return lines;
}

TEST_CASE("mixlet validate: a valid configuration prints one summary line", "[tools]") {
  struct Case {
    std::vector<std::string> files;
    const char* out;
  } cases[] = {
      {{"tcp-metrics.yaml"},
       "valid: 2 instances, 1 handler, 1 rule (mongoprom.rule.default: tcp)\n"},
      {{"tcp-metrics-crd.yaml"},
       "valid: 2 instances, 1 handler, 1 rule (mongoprom.rule.default: tcp)\n"},
      {{"istio-default-telemetry.yaml", "metrics.yaml"},
       "valid: 9 instances, 2 handlers, 5 rules (promhttp.rule.istio-system: http|grpc, "
       "promtcp.rule.istio-system: tcp, promtcpconnectionopen.rule.istio-system: tcp, "
       "promtcpconnectionclosed.rule.istio-system: tcp, doubleprom.rule.istio-system: any)\n"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args;
    for (const std::string& f : c.files) {
      args.push_back("--config");
      args.push_back(Testdata(f));
    }
    ProcessResult r = Validate(args);
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out == c.out);
    CHECK(r.err.empty());
  }
  // --config=FILE works too.
  ProcessResult r = Validate({"--config=" + Testdata("tcp-metrics.yaml")});
  CHECK(r.exit_code == 0);
}

TEST_CASE("mixlet validate: an invalid configuration prints every error and exits 2", "[tools]") {
  ProcessResult r = Validate(
      {"--config", Testdata("tcp-metrics.yaml"), "--config", Testdata("bad_several.yaml")});
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  const std::string file = Testdata("bad_several.yaml");
  std::vector<std::string> lines = Lines(r.err);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == absl::StrCat("error: ", file,
                                 ":12: instance/requests: spec.params.dimensions.code: unknown "
                                 "attribute 'response.cod' at column 1"));
  CHECK(lines[1] == absl::StrCat("error: ", file,
                                 ":20: handler/logs: spec.compiled_adapter: unknown adapter "
                                 "'stdio'; registered adapters: prometheus"));
  CHECK(lines[2] == absl::StrCat("error: ", file,
                                 ":31: rule/everything: spec.actions[0].instances[1]: instance "
                                 "'responses' not found (looked for "
                                 "responses.instance.istio-system)"));
}

TEST_CASE("mixlet validate: Prometheus params are checked", "[tools]") {
  ProcessResult r = Validate({"--config", Testdata("bad_handler_param.yaml")});
  CHECK(r.exit_code == 2);
  std::vector<std::string> lines = Lines(r.err);
  REQUIRE(lines.size() >= 1);
  CHECK_THAT(lines[0], Catch::StartsWith(absl::StrCat("error: ", Testdata("bad_handler_param.yaml"),
                                                      ":25: handler/h: spec.params.metrics[0]")));
}

TEST_CASE("mixlet validate: --lenient applies what Mixer applied, with warnings", "[tools]") {
  ProcessResult r = Validate({"--lenient", "--config", Testdata("bad_unknown_attribute.yaml")});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "applied: 0 instances, 1 handler, 0 rules\n");
  std::vector<std::string> lines = Lines(r.err);
  REQUIRE(lines.size() == 4);
  CHECK_THAT(lines[0], Catch::StartsWith("warning: "));
  CHECK_THAT(lines[0], Catch::EndsWith("[instance invalid]"));
  CHECK_THAT(lines[3], Catch::EndsWith("[rule dropped]"));
}

TEST_CASE("mixlet validate: usage errors exit 2", "[tools]") {
  struct Case {
    std::vector<std::string> args;
    const char* err;
  } cases[] = {
      {{}, "error: missing --config"},
      {{"--config"}, "error: --config needs a value"},
      {{"--config", Testdata("tcp-metrics.yaml"), "extra"}, "error: unexpected argument 'extra'"},
      {{"--config", Testdata("does-not-exist.yaml")}, "cannot read file"},
  };
  for (const Case& c : cases) {
    ProcessResult r = Validate(c.args);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(c.err));
  }
  ProcessResult help = Validate({"--help"});
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::StartsWith("usage: mixlet validate"));
}

TEST_CASE("mixlet validate: the default namespace is an option", "[tools]") {
  ProcessResult r =
      Validate({"--default-namespace", "default", "--config", Testdata("tcp-metrics.yaml")});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "valid: 2 instances, 1 handler, 1 rule (mongoprom.rule.default: tcp)\n");
}

}  // namespace
}  // namespace mixlet
