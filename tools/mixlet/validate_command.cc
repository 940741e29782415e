// `mixlet validate --config FILE.yaml [--config MORE.yaml ...] [--lenient]`: loads Istio
// configuration, runs every check (decoding, templates, expressions, references, adapter
// params, handler builds) and prints a one-line summary, or every problem.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "command.h"
#include "mixlet/config/adapter_registry.h"
#include "mixlet/config/config.h"
#include "mixlet/config/config_loader.h"
#include "mixlet/handler/prometheus_handler.h"
#include "mixlet/router/router.h"

namespace mixlet::cli {
namespace {

constexpr char kValidateUsage[] =
    "usage: mixlet validate --config CONFIG.yaml [--config MORE.yaml ...] [--lenient] "
    "[--default-namespace NS]";

void PrintValidateHelp() {
  std::cout << kValidateUsage << R"(

Loads the Istio configuration of every CONFIG.yaml (instances, handlers, rules and attribute
manifests, new style or legacy kinds) and checks all of it: YAML syntax, the fields of every
resource, templates and adapters, every expression (compiled and type-checked against the
attribute vocabulary, standard attributes plus the files' attribute manifests), the handlers
and instances each rule names, the Prometheus params of every handler, and that every handler
builds.

A valid configuration prints one line on stdout: the number of instances, handlers and rules,
and for each rule the protocols it applies to (decided from its match: e.g. `tcp`,
`http|grpc`, or `any`). An invalid one prints every problem on stderr, one per line:
  error: FILE:LINE: KIND/NAME: FIELD: PROBLEM[ at column N]
where the column is inside the expression for expression problems.

Options:
  --config FILE            a YAML configuration file; repeat for more (also --config=FILE)
  --lenient                accept what Mixer 1.4-1.7 would have applied: the offending pieces
                           are left out as Mixer left them out, each reported on stderr as
                           "warning: ... [what was dropped]", and the summary describes what
                           remains
  --default-namespace NS   the namespace whose rules apply to every report (Mixer's
                           --configDefaultNamespace; default istio-system)
  -h, --help               this help

Exit status:
  0  valid (or, with --lenient, loadable)
  2  a usage error, an unreadable file or an invalid configuration
)";
}

struct ValidateArgs {
  std::vector<std::string> configs;
  bool lenient = false;
  bool help = false;
  std::string default_namespace = "istio-system";
};

absl::StatusOr<ValidateArgs> ParseValidateArgs(absl::Span<const char* const> args) {
  ValidateArgs parsed;
  for (size_t i = 0; i < args.size(); ++i) {
    const absl::string_view a = args[i];
    auto value = [&](absl::string_view option, std::string* out) -> absl::Status {
      if (a == option) {
        if (i + 1 == args.size()) {
          return absl::InvalidArgumentError(absl::StrCat(option, " needs a value"));
        }
        *out = std::string(args[++i]);
      } else {
        *out = std::string(a.substr(option.size() + 1));
      }
      if (out->empty()) return absl::InvalidArgumentError(absl::StrCat(option, " needs a value"));
      return absl::OkStatus();
    };
    if (a == "-h" || a == "--help") {
      parsed.help = true;
      return parsed;
    }
    if (a == "--lenient") {
      parsed.lenient = true;
    } else if (a == "--config" || absl::StartsWith(a, "--config=")) {
      std::string path;
      if (absl::Status s = value("--config", &path); !s.ok()) return s;
      parsed.configs.push_back(std::move(path));
    } else if (a == "--default-namespace" || absl::StartsWith(a, "--default-namespace=")) {
      if (absl::Status s = value("--default-namespace", &parsed.default_namespace); !s.ok()) {
        return s;
      }
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("unexpected argument '", a, "'; ", kValidateUsage));
    }
  }
  if (parsed.configs.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("missing --config; ", kValidateUsage));
  }
  return parsed;
}

void PrintIssues(const std::vector<ConfigIssue>& issues, bool lenient) {
  for (const ConfigIssue& issue : issues) {
    if (lenient) {
      std::cerr << "warning: " << issue << " [" << ConfigIssueEffectName(issue.effect) << "]\n";
    } else {
      std::cerr << "error: " << issue << "\n";
    }
  }
}

}  // namespace

int RunValidate(absl::Span<const char* const> args) {
  absl::StatusOr<ValidateArgs> parsed = ParseValidateArgs(args);
  if (!parsed.ok()) return Fail(kExitInputError, parsed.status().message());
  if (parsed->help) {
    PrintValidateHelp();
    return kExitOk;
  }

  // The Prometheus adapter validates handler params and builds the handlers (no HTTP endpoint,
  // no expiry thread: nothing is served).
  auto registry = std::make_shared<MetricsRegistry>();
  PrometheusOptions prometheus;
  prometheus.expiry_thread = false;
  AdapterRegistry adapters;
  if (absl::Status s = adapters.Register(std::make_shared<PrometheusAdapter>(registry, prometheus));
      !s.ok()) {
    return Fail(kExitInputError, s.message());
  }

  ConfigOptions options;
  options.lenient = parsed->lenient;
  ConfigBuildResult config = LoadConfig(parsed->configs, adapters, options);
  std::vector<ConfigIssue> issues = config.issues;
  std::shared_ptr<const Router> router;
  if (config.ok()) {
    RouterOptions router_options;
    router_options.default_namespace = parsed->default_namespace;
    RouterBuildResult built = Router::Build(config.config, router_options);
    issues.insert(issues.end(), built.issues.begin(), built.issues.end());
    router = built.router;
  }
  PrintIssues(issues, parsed->lenient);
  if (router == nullptr) {
    if (issues.empty()) std::cerr << "error: the configuration was refused\n";
    return kExitInputError;
  }

  const Config& c = router->config();
  std::vector<std::string> rules;
  for (size_t r = 0; r < c.rules().size(); ++r) {
    rules.push_back(
        absl::StrCat(c.rules()[r].fqn, ": ", ProtocolSetText(router->rule_protocols(r))));
  }
  std::cout << (issues.empty() ? "valid: " : "applied: ") << c.Summary();
  if (!rules.empty()) std::cout << " (" << absl::StrJoin(rules, ", ") << ")";
  std::cout << "\n";
  std::cout.flush();
  return kExitOk;
}

}  // namespace mixlet::cli
