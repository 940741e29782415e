// Tests of `mixlet eval`, run as a program (MIXLET_CLI is the built binary). The expected
// stdout lines were produced by Mixer's own engine (mixer-eval) for the same bag and expression.
#include <catch2/catch.hpp>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "tools/run_process.h"

namespace mixlet {
namespace {

using testing::ProcessResult;
using testing::RunProcess;

// A temporary directory with helpers to write bag files into it; removed at the end.
class TempDir {
 public:
  TempDir() {
    std::string pattern = testing_tmpdir() + "/mixlet_eval_test.XXXXXX";
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
  const std::string& path() const { return path_; }

 private:
  static std::string testing_tmpdir();
  std::string path_;
  std::vector<std::string> files_;
};

ProcessResult Mixlet(std::vector<std::string> args) {
  args.insert(args.begin(), MIXLET_CLI);
  return RunProcess(args);
}

constexpr char kBag[] = R"({
  "request.path": "/api/v1", "request.size": 120,
  "request.time": "2015-01-02T15:04:35.123456789+01:00", "response.duration": "1.5s",
  "destination.ip": "::1", "source.ip": "10.0.0.1",
  "request.headers": {"user-agent": "curl/7", "x-user": "jason", ":path": "/"},
  "connection.mtls": true, "context.protocol": "tcp", "response.code": 200
})";

TEST_CASE("mixlet eval: prints the type and JSON value of each result type", "[tools]") {
  TempDir dir;
  const std::string bag = dir.Write("bag.json", kBag);
  struct Row {
    const char* expr;
    const char* out;
  };
  const Row rows[] = {
      {"request.path", R"({"type": "STRING", "value": "/api/v1"})"},
      {"request.size + 1", R"({"type": "INT64", "value": 121})"},
      {"9223372036854775807 + 1", R"({"type": "INT64", "value": -9223372036854775808})"},
      {"2.5 + 0.25", R"({"type": "DOUBLE", "value": 2.75})"},
      {"1e300 + 1e300", R"({"type": "DOUBLE", "value": 2e+300})"},
      {"connection.mtls", R"({"type": "BOOL", "value": true})"},
      {"request.time", R"({"type": "TIMESTAMP", "value": "2015-01-02T14:04:35.123456789Z"})"},
      {"destination.ip", R"({"type": "IP_ADDRESS", "value": "::1"})"},
      {"source.ip", R"({"type": "IP_ADDRESS", "value": "10.0.0.1"})"},
      {R"(email("\"istio\"@istio.io"))",
       R"({"type": "EMAIL_ADDRESS", "value": "\"istio\"@istio.io"})"},
      {R"(uri("http://istio.io:80/x"))", R"({"type": "URI", "value": "http://istio.io:80/x"})"},
      {R"(dnsName("Foo.Bar."))", R"({"type": "DNS_NAME", "value": "Foo.Bar."})"},
      {"response.duration", R"({"type": "DURATION", "value": "1.5s"})"},
      {"request.headers",
       R"({"type": "STRING_MAP", "value": {":path":"/","user-agent":"curl/7","x-user":"jason"}})"},
      {R"(request.headers["x-user"] == "jason")", R"({"type": "BOOL", "value": true})"},
      {R"(context.protocol == "tcp" && response.code == 200)",
       R"({"type": "BOOL", "value": true})"},
      {R"("tab\there \"q\" \\ ü")", R"({"type": "STRING", "value": "tab\there \"q\" \\ ü"})"},
      {R"(source.labels["version"] | "unknown")", R"({"type": "STRING", "value": "unknown"})"},
      {R"("Mobile.*".matches(request.headers["user-agent"]))",
       R"({"type": "BOOL", "value": false})"},
  };
  for (const Row& row : rows) {
    INFO("mixlet eval --attrs " << bag << " '" << row.expr << "'");
    ProcessResult r = Mixlet({"eval", "--attrs", bag, row.expr});
    CHECK(r.exit_code == 0);
    CHECK(r.out == std::string(row.out) + "\n");
    CHECK(r.err.empty());
  }
}

TEST_CASE("mixlet eval: --attrs=FILE and no bag at all", "[tools]") {
  TempDir dir;
  const std::string bag = dir.Write("bag.json", R"({"request.size": 7})");
  ProcessResult r = Mixlet({"eval", "--attrs=" + bag, "request.size | 0"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "{\"type\": \"INT64\", \"value\": 7}\n");
  r = Mixlet({"eval", "request.size | 0"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "{\"type\": \"INT64\", \"value\": 0}\n");
}

TEST_CASE("mixlet eval: compile-time errors exit 2", "[tools]") {
  struct Row {
    const char* expr;
    const char* message;  // expected in stderr after "error: "
  };
  const Row rows[] = {
      {"a = 2", "expected '==', found '='"},                          // syntax
      {"nosuch == 1", "unknown attribute 'nosuch'"},                  // unknown attribute
      {"foo(1)", "unknown function: foo"},                            // unknown function
      {R"(request.size == "a")",                                      // type mismatch
       R"(EQ($request.size, "a") arg 2 ("a") typeError got STRING, expected INT64)"},
      {R"("(".matches("a"))", "error parsing regexp: missing closing ): `(`"},  // regex literal
      {"-1", "unknown function: SUB"},  // an expression may start with '-'
  };
  for (const Row& row : rows) {
    INFO("mixlet eval '" << row.expr << "'");
    ProcessResult r = Mixlet({"eval", row.expr});
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK(absl::StartsWith(r.err, "error: "));
    CHECK(absl::StrContains(r.err, row.message));
  }
}

TEST_CASE("mixlet eval: evaluation-time errors exit 1", "[tools]") {
  TempDir dir;
  const std::string bag = dir.Write("bag.json", R"({"request.path": "/x", "request.host": "("})");
  struct Row {
    const char* expr;
    const char* err;
  };
  const Row rows[] = {
      {"request.method", "error: lookup failed: 'request.method'\n"},
      {R"(ip("x"))", "error: could not convert x to IP_ADDRESS\n"},
      {R"(request.host.matches("x"))", "error: error parsing regexp: missing closing ): `(`\n"},
      {R"(dnsName("a..b"))",
       "error: error converting 'a..b' to dns name: 'idna: invalid label \"a..b\"'\n"},
  };
  for (const Row& row : rows) {
    INFO("mixlet eval '" << row.expr << "'");
    ProcessResult r = Mixlet({"eval", "--attrs", bag, row.expr});
    CHECK(r.exit_code == 1);
    CHECK(r.out.empty());
    CHECK(r.err == row.err);
  }
}

TEST_CASE("mixlet eval: bad bag files exit 2 and name the problem", "[tools]") {
  TempDir dir;
  struct Row {
    const char* content;
    const char* message;
  };
  const Row rows[] = {
      {R"({"request.size": )", "invalid JSON"},
      {R"([1, 2])", "expected a JSON object"},
      {R"({"request.size": "x"})", "attribute 'request.size': expected a JSON integer"},
      {R"({"nosuch": 1})", "unknown attribute 'nosuch'"},
      {R"({"source.ip": "10.0.0"})", "attribute 'source.ip'"},
  };
  int i = 0;
  for (const Row& row : rows) {
    const std::string bag = dir.Write("bag" + std::to_string(i++) + ".json", row.content);
    INFO("bag " << row.content);
    ProcessResult r = Mixlet({"eval", "--attrs", bag, "true"});
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK(absl::StartsWith(r.err, "error: bad bag file"));
    CHECK(absl::StrContains(r.err, row.message));
  }
  ProcessResult r = Mixlet({"eval", "--attrs", dir.path() + "/missing.json", "true"});
  CHECK(r.exit_code == 2);
  CHECK(absl::StartsWith(r.err, "error: bad bag file"));
  CHECK(absl::StrContains(r.err, "missing.json"));
}

TEST_CASE("mixlet eval: usage errors exit 2", "[tools]") {
  const std::vector<std::vector<std::string>> calls = {
      {"eval"},
      {"eval", "--attrs"},
      {"eval", "true", "false"},
      {"evaluate", "true"},
      {},
  };
  for (const auto& args : calls) {
    ProcessResult r = Mixlet(args);
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK(absl::StartsWith(r.err, "error: "));
  }
}

TEST_CASE("mixlet eval: '--' ends the options", "[tools]") {
  ProcessResult r = Mixlet({"eval", "--", "--explain"});
  CHECK(r.exit_code == 2);  // "--explain" is now the expression
  CHECK(absl::StrContains(r.err, "error: "));
  r = Mixlet({"eval", "--", "1 + 1"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "{\"type\": \"INT64\", \"value\": 2}\n");
}

TEST_CASE("mixlet eval: --explain prints the program on stderr", "[tools]") {
  ProcessResult r = Mixlet({"eval", "--explain", R"(request.path | "/")"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "{\"type\": \"STRING\", \"value\": \"/\"}\n");
  CHECK(absl::StrContains(r.err, "request.path"));
  CHECK_FALSE(absl::StrContains(r.err, "error"));
}

TEST_CASE("mixlet --help and mixlet eval --help describe the contract", "[tools]") {
  ProcessResult r = Mixlet({"--help"});
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
  for (const char* needle : {"eval", "Exit status", "error:", "differs from Mixer",
                             "always present", "lookup failed", "compile error"}) {
    INFO(needle);
    CHECK(absl::StrContains(r.out, needle));
  }
  r = Mixlet({"eval", "--help"});
  CHECK(r.exit_code == 0);
  for (const char* needle :
       {"--attrs BAG.json", "--explain", "{\"type\": \"<TYPE>\", \"value\": <VALUE>}", "STRING_MAP",
        "RFC 3339", "DURATION as Go", "  1  evaluation-time error", "  2  compile-time error",
        "unknown attribute", "may start with '-'", "differs from Mixer", "<= and >=",
        "size(\"ab\", \"c\")", "16 KiB"}) {
    INFO(needle);
    CHECK(absl::StrContains(r.out, needle));
  }
  CHECK(Mixlet({"eval", "-h"}).out == r.out);
}

std::string TempDir::testing_tmpdir() {
  const char* dir = getenv("TMPDIR");
  return dir != nullptr && *dir != '\0' ? dir : "/tmp";
}

}  // namespace
}  // namespace mixlet
