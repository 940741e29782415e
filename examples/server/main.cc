// mixlet-server: a stand-alone Mixer telemetry server. It serves `istio.mixer.v1.Mixer/Report`
// over gRPC, dispatches every report through the rules of its Istio YAML configuration into the
// Prometheus adapter, and serves the result at `GET /metrics`.
//
//   mixlet-server --config FILE.yaml [--config MORE.yaml ...]
//                 [--grpc-address HOST:PORT]      default 127.0.0.1:9091
//                 [--metrics-address HOST:PORT]   default 127.0.0.1:42422
//
// Port 0 picks a free port; the lines printed at start-up say where it listens:
//   mixlet-server: serving istio.mixer.v1.Mixer/Report on 127.0.0.1:9091
//   mixlet-server: serving /metrics on http://127.0.0.1:42422/metrics
// SIGHUP reloads the configuration files: a valid configuration replaces the old one and the
// counters of unchanged metrics carry on; an invalid one is refused with every error and the
// old one stays. SIGTERM (or SIGINT) stops it: calls in progress finish, then it exits 0.
// Exit status 2: bad arguments or a configuration that does not load; 1: a port that cannot be
// listened on (taken, not local) or another start-up failure.
#include <signal.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/strings/string_view.h"
#include "common/long_flags.h"
#include "mixlet/config/adapter_registry.h"
#include "mixlet/config/config_loader.h"
#include "mixlet/grpc/report_server.h"
#include "mixlet/handler/metrics_server.h"
#include "mixlet/handler/prometheus_handler.h"
#include "mixlet/router/runtime.h"

namespace {

constexpr absl::string_view kUsage =
    "usage: mixlet-server --config FILE.yaml [--config MORE.yaml ...]\n"
    "                     [--grpc-address HOST:PORT] [--metrics-address HOST:PORT]\n"
    "  --config FILE           Istio config (instances, handlers, rules); repeatable\n"
    "  --grpc-address ADDR     where to serve istio.mixer.v1.Mixer/Report "
    "(default 127.0.0.1:9091)\n"
    "  --metrics-address ADDR  where to serve GET /metrics (default 127.0.0.1:42422)\n"
    "Port 0 picks a free port. SIGHUP reloads the config files; SIGTERM stops.\n";

struct Flags {
  std::vector<std::string> configs;
  std::string grpc_address = "127.0.0.1:9091";
  std::string metrics_address = "127.0.0.1:42422";
};

// Reads --name VALUE and --name=VALUE. InvalidArgument names the flag at fault.
absl::Status ParseFlags(int argc, char** argv, Flags* flags, bool* help) {
  absl::Status status = mixlet::examples::ParseLongFlags(
      argc, argv,
      {{"--config", nullptr, &flags->configs},
       {"--grpc-address", &flags->grpc_address, nullptr},
       {"--metrics-address", &flags->metrics_address, nullptr}},
      help);
  if (!status.ok() || *help) return status;
  if (flags->configs.empty()) {
    return absl::InvalidArgumentError("at least one --config FILE.yaml is required");
  }
  return absl::OkStatus();
}

// "host:port" or "[v6]:port" -> MetricsServerOptions.
absl::Status ParseMetricsAddress(absl::string_view address, mixlet::MetricsServerOptions* out) {
  const size_t colon = address.rfind(':');
  int port = 0;
  if (colon == absl::string_view::npos || !absl::SimpleAtoi(address.substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--metrics-address '", address, "' is not HOST:PORT with a port in 0..65535"));
  }
  absl::string_view host = address.substr(0, colon);
  if (absl::ConsumePrefix(&host, "[") && !absl::ConsumeSuffix(&host, "]")) {
    return absl::InvalidArgumentError(
        absl::StrCat("--metrics-address '", address, "': unbalanced '['"));
  }
  if (host.empty()) host = "0.0.0.0";
  out->host = std::string(host);
  out->port = port;
  return absl::OkStatus();
}

void PrintIssues(const std::vector<mixlet::ConfigIssue>& issues) {
  for (const mixlet::ConfigIssue& issue : issues) std::cerr << "error: " << issue << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  bool help = false;
  absl::Status parsed = ParseFlags(argc, argv, &flags, &help);
  if (help) {
    std::cout << kUsage;
    return 0;
  }
  if (!parsed.ok()) {
    std::cerr << "error: " << parsed.message() << "\n" << kUsage;
    return 2;
  }
  mixlet::MetricsServerOptions metrics_options;
  absl::Status address_ok = ParseMetricsAddress(flags.metrics_address, &metrics_options);
  if (!address_ok.ok()) {
    std::cerr << "error: " << address_ok.message() << "\n";
    return 2;
  }

  // Every thread started from here on inherits this mask, so the signals are taken only by
  // the sigwait loop below, never by a gRPC or HTTP thread.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto registry = std::make_shared<mixlet::MetricsRegistry>();
  mixlet::AdapterRegistry adapters;
  absl::Status registered =
      adapters.Register(std::make_shared<mixlet::PrometheusAdapter>(registry));
  if (!registered.ok()) {
    std::cerr << "error: " << registered.message() << "\n";
    return 1;
  }
  mixlet::Runtime runtime(std::move(adapters));
  mixlet::ApplyResult applied = runtime.Apply(mixlet::LoadConfigResources(flags.configs));
  if (!applied.applied) {
    PrintIssues(applied.issues);
    std::cerr << "error: the configuration was refused (" << applied.issues.size()
              << (applied.issues.size() == 1 ? " error" : " errors") << ")\n";
    return 2;
  }
  std::cout << "mixlet-server: configuration loaded: " << runtime.router()->config().Summary()
            << "\n";

  mixlet::ReportServerOptions grpc_options;
  grpc_options.address = flags.grpc_address;
  absl::StatusOr<std::unique_ptr<mixlet::ReportServer>> report_server =
      mixlet::ReportServer::Start(grpc_options, &runtime);
  if (!report_server.ok()) {
    std::cerr << "error: --grpc-address: " << report_server.status().message() << "\n";
    return report_server.status().code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
  }
  absl::StatusOr<std::unique_ptr<mixlet::MetricsServer>> metrics_server =
      mixlet::MetricsServer::Start(registry, metrics_options);
  if (!metrics_server.ok()) {
    std::cerr << "error: --metrics-address: " << metrics_server.status().message() << "\n";
    return metrics_server.status().code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
  }
  std::cout << "mixlet-server: serving istio.mixer.v1.Mixer/Report on "
            << (*report_server)->address() << "\n"
            << "mixlet-server: serving /metrics on http://" << (*metrics_server)->address()
            << "/metrics" << std::endl;

  for (;;) {
    int signal_number = 0;
    if (sigwait(&signals, &signal_number) != 0) continue;
    if (signal_number != SIGHUP) break;
    mixlet::ApplyResult reloaded = runtime.Apply(mixlet::LoadConfigResources(flags.configs));
    if (reloaded.applied) {
      std::cout << "mixlet-server: configuration reloaded (generation " << runtime.generation()
                << "): " << runtime.router()->config().Summary() << std::endl;
    } else {
      PrintIssues(reloaded.issues);
      std::cerr << "error: reload refused; the previous configuration stays in force"
                << std::endl;
    }
  }

  (*report_server)->Shutdown(absl::Seconds(5));
  (*metrics_server)->Stop();
  const mixlet::ReportServerStats stats = (*report_server)->stats();
  std::cout << "mixlet-server: stopped after " << stats.requests << " requests: "
            << stats.reports_dispatched << " reports dispatched, " << stats.reports_refused
            << " refused, " << stats.requests_refused << " requests refused whole, "
            << stats.duplicate_requests << " duplicates" << std::endl;
  return 0;
}
