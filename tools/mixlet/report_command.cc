// `mixlet report --config CONFIG.yaml [--config MORE.yaml ...] --bags BAGS.jsonl [--explain]`:
// loads Istio configuration, dispatches every bag of BAGS.jsonl (one report per line) through
// the rules into the Prometheus adapter, and prints the text exposition of every prometheus
// handler's metrics.
#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "command.h"
#include "mixlet/attribute/bag_json.h"
#include "mixlet/attribute/mutable_bag.h"
#include "mixlet/config/adapter_registry.h"
#include "mixlet/config/config.h"
#include "mixlet/config/config_loader.h"
#include "mixlet/handler/prometheus_handler.h"
#include "mixlet/router/router.h"

namespace mixlet::cli {
namespace {

constexpr char kReportUsage[] =
    "usage: mixlet report --config CONFIG.yaml [--config MORE.yaml ...] --bags BAGS.jsonl "
    "[--explain]";

void PrintReportHelp() {
  std::cout << kReportUsage << R"(

Loads the Istio configuration of every CONFIG.yaml (instances, handlers, rules and attribute
manifests, new style or legacy kinds), then treats each line of BAGS.jsonl as one report: its
attribute bag goes through the rules exactly as Mixer 1.4-1.7 selected them (identity
namespace, match, instances) into the Prometheus adapter. After the last report, the text
exposition (format 0.0.4) of every prometheus handler's metrics is printed on stdout: what
GET /metrics on Mixer's port 42422 would have served.

Each line of BAGS.jsonl is one JSON object mapping attribute names to values, with the same
conventions as `mixlet eval --attrs`: a string for STRING, DNS_NAME, EMAIL_ADDRESS and URI; an
integer for INT64; a number for DOUBLE; true/false for BOOL; an RFC 3339 string for TIMESTAMP;
a Go duration string ("1.5s") for DURATION; address text for IP_ADDRESS; an object of strings
for STRING_MAP. Blank lines are skipped. Example line:
  {"context.protocol": "tcp", "connection.sent.bytes": 3400, "source.labels": {"version": "v2"}}

Options:
  --config FILE   a YAML configuration file; repeat for more (also --config=FILE)
  --bags FILE     the reports, one JSON bag per line (also --bags=FILE)
  --explain       print on stderr, for each report, the rules considered and why each matched
                  or did not (namespace, protocol, match false or failed), with the
                  instances built
  -h, --help      this help

Exit status:
  0  the exposition is on stdout
  2  a usage error, an unreadable file, an invalid configuration (every problem is printed,
     one per line) or a bad line in BAGS.jsonl (its line number and the attribute are named)
Errors are printed on stderr, each line starting with "error:". Instances the Prometheus
adapter has to drop (a value that is not a number, a negative counter increment) are counted
in the exposition and reported on stderr as warnings.
)";
}

struct ReportArgs {
  std::vector<std::string> configs;
  std::string bags;
  bool explain = false;
  bool help = false;
};

absl::StatusOr<ReportArgs> ParseReportArgs(absl::Span<const char* const> args) {
  ReportArgs parsed;
  bool have_bags = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const absl::string_view a = args[i];
    auto value = [&](absl::string_view option, std::string* out) -> absl::Status {
      if (a == option) {
        if (i + 1 == args.size()) {
          return absl::InvalidArgumentError(absl::StrCat(option, " needs a file name"));
        }
        *out = std::string(args[++i]);
      } else {
        *out = std::string(a.substr(option.size() + 1));
      }
      if (out->empty()) {
        return absl::InvalidArgumentError(absl::StrCat(option, " needs a file name"));
      }
      return absl::OkStatus();
    };
    if (a == "-h" || a == "--help") {
      parsed.help = true;
      return parsed;
    }
    if (a == "--explain") {
      parsed.explain = true;
    } else if (a == "--config" || absl::StartsWith(a, "--config=")) {
      std::string path;
      if (absl::Status s = value("--config", &path); !s.ok()) return s;
      parsed.configs.push_back(std::move(path));
    } else if (a == "--bags" || absl::StartsWith(a, "--bags=")) {
      if (have_bags) return absl::InvalidArgumentError("--bags is given twice");
      if (absl::Status s = value("--bags", &parsed.bags); !s.ok()) return s;
      have_bags = true;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("unexpected argument '", a, "'; ", kReportUsage));
    }
  }
  if (parsed.configs.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("missing --config; ", kReportUsage));
  }
  if (!have_bags) {
    return absl::InvalidArgumentError(absl::StrCat("missing --bags; ", kReportUsage));
  }
  return parsed;
}

struct NumberedBag {
  int line = 0;
  std::unique_ptr<MutableBag> bag;
};

}  // namespace

int RunReport(absl::Span<const char* const> args) {
  absl::StatusOr<ReportArgs> parsed = ParseReportArgs(args);
  if (!parsed.ok()) return Fail(kExitInputError, parsed.status().message());
  if (parsed->help) {
    PrintReportHelp();
    return kExitOk;
  }

  // One registry for every prometheus handler, as Mixer's handlers shared one endpoint. A batch
  // run needs no expiry thread.
  auto registry = std::make_shared<MetricsRegistry>();
  PrometheusOptions options;
  options.expiry_thread = false;
  AdapterRegistry adapters;
  if (absl::Status s = adapters.Register(std::make_shared<PrometheusAdapter>(registry, options));
      !s.ok()) {
    return Fail(kExitInputError, s.message());
  }

  ConfigBuildResult config = LoadConfig(parsed->configs, adapters);
  if (!config.ok()) {
    for (const ConfigIssue& issue : config.issues) std::cerr << "error: " << issue << "\n";
    if (config.issues.empty()) std::cerr << "error: the configuration was refused\n";
    return kExitInputError;
  }
  RouterBuildResult router = Router::Build(config.config);
  if (!router.ok()) {
    for (const ConfigIssue& issue : router.issues) std::cerr << "error: " << issue << "\n";
    if (router.issues.empty()) std::cerr << "error: the handlers could not be built\n";
    return kExitInputError;
  }

  // Every line is read before any report is dispatched, so a bad file prints no exposition.
  absl::StatusOr<std::string> text = ReadFile(parsed->bags);
  if (!text.ok()) {
    return Fail(kExitInputError, absl::StrCat("bad bags file: ", text.status().message()));
  }
  std::vector<NumberedBag> bags;
  bool bad = false;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    ++line_number;
    absl::ConsumeSuffix(&line, "\r");
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    auto bag = std::make_unique<MutableBag>(config.config->vocabulary());
    if (absl::Status s = ParseBagJson(line, bag.get()); !s.ok()) {
      std::cerr << "error: " << parsed->bags << ":" << line_number << ": " << s.message() << "\n";
      bad = true;
      continue;
    }
    bags.push_back(NumberedBag{line_number, std::move(bag)});
  }
  if (bad) return kExitInputError;

  for (size_t i = 0; i < bags.size(); ++i) {
    if (parsed->explain) {
      std::cerr << "report " << (i + 1) << " (" << parsed->bags << ":" << bags[i].line << "):\n"
                << router.router->Explain(*bags[i].bag).ToString();
    }
    router.router->Dispatch(*bags[i].bag);
  }

  std::cout << registry->TextExposition();
  std::cout.flush();
  return std::cout ? kExitOk : Fail(kExitEvalError, "cannot write the exposition to stdout");
}

}  // namespace mixlet::cli
