// Tests of `mixlet report`, run as a program (MIXLET_CLI is the built binary), with the samples
// of the spec (tests/config/testdata/: verbatim copies of Istio 1.7's files).
#include <catch2/catch.hpp>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "tools/run_process.h"

namespace mixlet {
namespace {

using testing::ProcessResult;
using testing::RunProcess;

std::string Testdata(const std::string& name) {
  return absl::StrCat(MIXLET_SOURCE_DIR, "/tests/config/testdata/", name);
}

// A temporary directory for bag files; removed at the end.
class TempDir {
 public:
  TempDir() {
    const char* tmp = getenv("TMPDIR");
    std::string pattern = std::string(tmp != nullptr && *tmp ? tmp : "/tmp") +
                          "/mixlet_report_test.XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    REQUIRE(mkdtemp(buf.data()) != nullptr);
    path_ = buf.data();
  }
  ~TempDir() {
    for (const std::string& f : files_) unlink(f.c_str());
    rmdir(path_.c_str());
  }
  std::string Write(const std::string& name, const std::string& content) {
    const std::string file = path_ + "/" + name;
    std::ofstream(file, std::ios::binary) << content;
    files_.push_back(file);
    return file;
  }

 private:
  std::string path_;
  std::vector<std::string> files_;
};

// One TCP report of the sample (EXPECTED.md §3): outbound from ratings-v2 in `default` to
// mongodb, with `extra` JSON members appended (e.g. the byte deltas).
std::string MongoBag(const std::string& event, const std::string& extra = "") {
  return absl::StrCat(
      R"({"context.reporter.kind": "outbound", "source.namespace": "default", )",
      R"("context.protocol": "tcp", "destination.service.host": )",
      R"("mongodb.default.svc.cluster.local", "connection.event": ")", event, R"(", )",
      R"("source.workload.name": "ratings-v2", "source.labels": {"version": "v2"}, )",
      R"("destination.labels": {"version": "v1"})", extra, "}");
}

std::string Lines(std::vector<std::string> lines) { return absl::StrJoin(lines, "\n") + "\n"; }

ProcessResult Report(std::vector<std::string> configs, const std::string& bags,
                     bool explain = false) {
  std::vector<std::string> argv{MIXLET_CLI, "report"};
  for (const std::string& c : configs) {
    argv.push_back("--config");
    argv.push_back(c);
  }
  argv.push_back("--bags");
  argv.push_back(bags);
  if (explain) argv.push_back("--explain");
  return RunProcess(argv);
}

// Every stderr line starts with "error:" (and there is at least one).
void CheckErrorLines(const std::string& err) {
  const std::vector<std::string> lines = absl::StrSplit(err, '\n', absl::SkipEmpty());
  REQUIRE_FALSE(lines.empty());
  for (const std::string& line : lines) {
    INFO(line);
    CHECK(absl::StartsWith(line, "error:"));
  }
}

const char kSampleExposition[] =
    "# HELP istio_mongo_received_bytes mongo_received_bytes\n"
    "# TYPE istio_mongo_received_bytes counter\n"
    "istio_mongo_received_bytes{destination_version=\"v1\",source_service=\"ratings-v2\","
    "source_version=\"v2\"} 2317\n"
    "# HELP istio_mongo_sent_bytes mongo_sent_bytes\n"
    "# TYPE istio_mongo_sent_bytes counter\n"
    "istio_mongo_sent_bytes{destination_version=\"v1\",source_service=\"ratings-v2\","
    "source_version=\"v2\"} 4521\n";

TEST_CASE("mixlet report: open, continue, close from ratings-v2 sum the deltas", "[tools]") {
  TempDir dir;
  const std::string bags = dir.Write(
      "bags.jsonl",
      Lines({MongoBag("open"),
             MongoBag("continue",
                      R"(, "connection.received.bytes": 1200, "connection.sent.bytes": 3400, )"
                      R"("connection.received.bytes_total": 1200)"),
             "",
             MongoBag("close",
                      R"(, "connection.received.bytes": 1117, "connection.sent.bytes": 1121)")}));
  for (const char* config : {"tcp-metrics.yaml", "tcp-metrics-crd.yaml"}) {
    INFO(config);
    const ProcessResult r = Report({Testdata(config)}, bags);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out == kSampleExposition);
    CHECK(r.err.empty());
  }
}

TEST_CASE("mixlet report: missing labels fall back to \"unknown\", missing bytes to 0",
          "[tools]") {
  TempDir dir;
  const std::string bags = dir.Write(
      "bags.jsonl",
      Lines({R"({"context.reporter.kind": "outbound", "source.namespace": "default", )"
             R"("context.protocol": "tcp", "destination.service.host": )"
             R"("mongodb.default.svc.cluster.local", "connection.received.bytes": 10, )"
             R"("source.labels": {"app": "ratings"}})"}));
  const ProcessResult r = Report({Testdata("tcp-metrics.yaml")}, bags);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out ==
        "# HELP istio_mongo_received_bytes mongo_received_bytes\n"
        "# TYPE istio_mongo_received_bytes counter\n"
        "istio_mongo_received_bytes{destination_version=\"unknown\",source_service=\"unknown\","
        "source_version=\"unknown\"} 10\n"
        "# HELP istio_mongo_sent_bytes mongo_sent_bytes\n"
        "# TYPE istio_mongo_sent_bytes counter\n"
        "istio_mongo_sent_bytes{destination_version=\"unknown\",source_service=\"unknown\","
        "source_version=\"unknown\"} 0\n");
}

TEST_CASE("mixlet report: reports the sample rule does not take leave no metric", "[tools]") {
  TempDir dir;
  const std::string bags = dir.Write(
      "bags.jsonl",
      Lines({// HTTP, not TCP.
             R"({"context.reporter.kind": "outbound", "source.namespace": "default", )"
             R"("context.protocol": "http", "destination.service.host": )"
             R"("mongodb.default.svc.cluster.local", "connection.sent.bytes": 1})",
             // Another host.
             R"({"context.reporter.kind": "outbound", "source.namespace": "default", )"
             R"("context.protocol": "tcp", "destination.service.host": "redis", )"
             R"("connection.sent.bytes": 1})",
             // Identity namespace is not `default`: inbound uses destination.namespace.
             R"({"context.reporter.kind": "inbound", "source.namespace": "default", )"
             R"("destination.namespace": "db", "context.protocol": "tcp", )"
             R"("destination.service.host": "mongodb.default.svc.cluster.local", )"
             R"("connection.sent.bytes": 1})",
             // No protocol at all: the match fails to evaluate, which counts as false.
             R"({"context.reporter.kind": "outbound", "source.namespace": "default", )"
             R"("destination.service.host": "mongodb.default.svc.cluster.local"})"}));
  const ProcessResult r = Report({Testdata("tcp-metrics.yaml")}, bags);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.empty());
}

TEST_CASE("mixlet report: --explain says per report which rules matched and why not",
          "[tools]") {
  TempDir dir;
  const std::string bags = dir.Write(
      "bags.jsonl",
      Lines({MongoBag("continue", R"(, "connection.sent.bytes": 3400)"),
             R"({"context.reporter.kind": "outbound", "source.namespace": "default", )"
             R"("context.protocol": "tcp", "destination.service.host": "redis"})"}));
  const ProcessResult r = Report({Testdata("tcp-metrics.yaml")}, bags, /*explain=*/true);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("istio_mongo_sent_bytes{destination_version=\"v1\","
                                    "source_service=\"ratings-v2\",source_version=\"v2\"} 3400"));
  CHECK_THAT(r.err, Catch::Contains("report 1 (" + bags + ":1):"));
  CHECK_THAT(r.err, Catch::Contains("report 2 (" + bags + ":2):"));
  CHECK_THAT(r.err, Catch::Contains("mongoprom.rule.default"));
  CHECK_THAT(r.err, Catch::Contains("matched"));
  CHECK_THAT(r.err, Catch::Contains("value = 3400"));
  // The second report's match is false; the explanation says so, and nothing on stderr is an
  // error.
  const std::string second = r.err.substr(r.err.find("report 2"));
  CHECK_THAT(second, Catch::Contains("mongoprom.rule.default"));
  CHECK_FALSE(absl::StrContains(second, "value = "));
  CHECK_FALSE(absl::StrContains(r.err, "error:"));
}

TEST_CASE("mixlet report: several configs, Istio's default telemetry included", "[tools]") {
  TempDir dir;
  const std::string bags = dir.Write(
      "bags.jsonl",
      Lines({R"({"context.reporter.kind": "inbound", "destination.namespace": "default", )"
             R"("context.protocol": "http", "destination.service.host": )"
             R"("reviews.default.svc.cluster.local", "destination.service.name": "reviews", )"
             R"("destination.service.namespace": "default", "destination.workload.name": )"
             R"("reviews-v1", "source.workload.name": "productpage-v1", "response.code": 200, )"
             R"("response.duration": "35ms", "request.size": 120, "response.size": 4500})",
             MongoBag("continue", R"(, "connection.sent.bytes": 3400)")}));
  const ProcessResult r = Report({Testdata("istio-default-telemetry.yaml"),
                                  Testdata("metrics.yaml"), Testdata("tcp-metrics.yaml")},
                                 bags);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  // metrics.yaml's rule has no match: it fires for the HTTP and the TCP report.
  CHECK_THAT(r.out, Catch::Contains(
                        "istio_double_request_count{destination=\"reviews-v1\",message=\"twice "
                        "the fun!\",reporter=\"server\",source=\"productpage-v1\"} 2\n"));
  CHECK_THAT(r.out, Catch::Contains("istio_double_request_count{destination=\"unknown\","
                                    "message=\"twice the fun!\",reporter=\"client\",source="
                                    "\"ratings-v2\"} 2\n"));
  CHECK_THAT(r.out, Catch::Contains("# TYPE istio_request_duration_seconds histogram\n"));
  CHECK_THAT(r.out, Catch::Contains(",le=\"0.05\"} 1\n"));  // 35ms
  CHECK_THAT(r.out, Catch::Contains(",le=\"0.025\"} 0\n"));
  CHECK_THAT(r.out, Catch::Contains("# TYPE istio_requests_total counter\n"));
  CHECK_THAT(r.out, Catch::Contains("# TYPE istio_tcp_sent_bytes_total counter\n"));
  CHECK_THAT(r.out, Catch::Contains("istio_mongo_sent_bytes{destination_version=\"v1\","
                                    "source_service=\"ratings-v2\",source_version=\"v2\"} 3400\n"));
  // Families come out sorted by name.
  CHECK(r.out.find("istio_double_request_count") < r.out.find("istio_mongo_received_bytes"));
  CHECK(r.out.find("istio_request_duration_seconds") < r.out.find("istio_requests_total"));
  CHECK(r.out.find("istio_requests_total") < r.out.find("istio_tcp_sent_bytes_total"));

  if (std::system("command -v promtool > /dev/null 2>&1") == 0) {
    const std::string file = dir.Write("exposition.txt", r.out);
    const ProcessResult check =
        RunProcess({"/bin/sh", "-c", "promtool check metrics < '" + file + "' 2>&1"});
    INFO(check.out);
    // Status 3 is promtool's naming advice about the sample's names (no `_total` suffix);
    // status 1 would be a text that does not parse.
    CHECK((check.exit_code == 0 || check.exit_code == 3));
    CHECK_FALSE(absl::StrContains(check.out, "error"));
  } else {
    WARN("promtool is not on PATH: exposition not checked by promtool");
  }
}

TEST_CASE("mixlet report: a bad bag line exits 2 naming the line and the attribute",
          "[tools]") {
  TempDir dir;
  const std::string bags = dir.Write(
      "bags.jsonl",
      Lines({MongoBag("open"), R"({"connection.sent.bytes": "x"})", MongoBag("close"),
             R"({"conection.sent.bytes": 1})", R"({"connection.sent.bytes": 1,)",
             R"([1, 2])"}));
  const ProcessResult r = Report({Testdata("tcp-metrics.yaml")}, bags);
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CheckErrorLines(r.err);
  CHECK_THAT(r.err, Catch::Contains(bags + ":2: attribute 'connection.sent.bytes': expected a "
                                           "JSON integer for INT64"));
  CHECK_THAT(r.err, Catch::Contains(bags + ":4: unknown attribute 'conection.sent.bytes'"));
  CHECK_THAT(r.err, Catch::Contains(bags + ":5: invalid JSON"));
  CHECK_THAT(r.err, Catch::Contains(bags + ":6: expected a JSON object"));
  CHECK_FALSE(absl::StrContains(r.err, bags + ":1:"));
  CHECK_FALSE(absl::StrContains(r.err, bags + ":3:"));
}

TEST_CASE("mixlet report: a config error exits 2 with every problem", "[tools]") {
  TempDir dir;
  const std::string config = dir.Write("bad.yaml", R"(apiVersion: config.istio.io/v1alpha2
kind: instance
metadata:
  name: sent
  namespace: default
spec:
  compiledTemplate: metric
  params:
    value: connection.sent.bytez | 0
    dimensions:
      source: source.workload.name | "unknown"
---
apiVersion: config.istio.io/v1alpha2
kind: handler
metadata:
  name: prom
  namespace: default
spec:
  compiledAdapter: prometheus
  params:
    metrics:
    - name: sent_bytes
      instance_name: sent.instance.default
      kind: COUNTR
      label_names: [source]
---
apiVersion: config.istio.io/v1alpha2
kind: rule
metadata:
  name: r
  namespace: default
spec:
  match: context.protocol == "tcp"
  actions:
  - handler: prom
    instances: [sent]
)");
  const std::string bags = dir.Write("bags.jsonl", Lines({MongoBag("open")}));
  const ProcessResult r = Report({config}, bags);
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CheckErrorLines(r.err);
  CHECK_THAT(r.err, Catch::Contains("connection.sent.bytez"));
  CHECK_THAT(r.err, Catch::Contains("COUNTR"));
}

TEST_CASE("mixlet report: usage errors and unreadable files exit 2", "[tools]") {
  TempDir dir;
  const std::string bags = dir.Write("bags.jsonl", Lines({MongoBag("open")}));
  const std::string config = Testdata("tcp-metrics.yaml");
  struct Row {
    std::vector<std::string> args;
    const char* message;
  };
  const Row rows[] = {
      {{"report"}, "missing --config"},
      {{"report", "--config", config}, "missing --bags"},
      {{"report", "--bags", bags}, "missing --config"},
      {{"report", "--config", config, "--bags"}, "--bags needs a file name"},
      {{"report", "--config", config, "--bags", bags, "--bags", bags}, "--bags is given twice"},
      {{"report", "--config", config, "--bags", bags, "--verbose"}, "unexpected argument"},
      {{"report", "--config", config, "--bags", "/nonexistent/bags.jsonl"}, "bad bags file"},
      {{"report", "--config", "/nonexistent/config.yaml", "--bags", bags}, "config.yaml"},
  };
  for (const Row& row : rows) {
    std::vector<std::string> argv{MIXLET_CLI};
    argv.insert(argv.end(), row.args.begin(), row.args.end());
    INFO(absl::StrJoin(argv, " "));
    const ProcessResult r = RunProcess(argv);
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CheckErrorLines(r.err);
    CHECK_THAT(r.err, Catch::Contains(row.message));
  }
  // --config=FILE and --bags=FILE work too; --help prints the usage.
  const ProcessResult ok =
      RunProcess({MIXLET_CLI, "report", "--config=" + config, "--bags=" + bags});
  CHECK(ok.exit_code == 0);
  const ProcessResult help = RunProcess({MIXLET_CLI, "report", "--help"});
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::StartsWith("usage: mixlet report --config"));
}

}  // namespace
}  // namespace mixlet
