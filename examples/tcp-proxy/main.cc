// mixlet-tcp-proxy: a TCP proxy that reports every connection to a Mixer-compatible server the
// way Istio's server-side (inbound) sidecar did.
//
//   mixlet-tcp-proxy --listen HOST:PORT --upstream HOST:PORT
//                    [--mixer HOST:PORT]               default 127.0.0.1:9091
//                    [--report-interval DURATION]      default 10s (Go syntax: 1s, 1.5s, 2m)
//                    [--identity FILE.yaml]            the proxy's and its clients' attributes
//                    [--report-attempts N]             attempts per report batch, default 8
//
// It forwards bytes both ways between each client and the upstream (epoll, non-blocking
// sockets), reports each connection through the library (TcpReporter -> ReportBatcher ->
// ReportClient: `open` at accept, `continue` every interval, `close` at the end, 100 reports or
// 1 s per batch), and prints where it listens:
//   mixlet-tcp-proxy: listening on 127.0.0.1:15000, forwarding to 127.0.0.1:27017, reporting to
//   127.0.0.1:9091 every 10s
// SIGTERM (or SIGINT) stops it: it stops accepting, closes every connection, sends their `close`
// reports (waiting up to 10 s for the server), prints its counters as `key=value` pairs and
// exits 0. Exit status 2: bad arguments or identity file; 1: the listen port cannot be used or
// another start-up failure.
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "identity.h"
#include "common/long_flags.h"
#include "mixlet/grpc/report_client.h"
#include "mixlet/proxy/poll_thread.h"
#include "mixlet/proxy/report_batcher.h"
#include "mixlet/proxy/tcp_reporter.h"
#include "mixlet/value/value_json.h"
#include "tcp_proxy.h"

namespace {

using mixlet::tcp_proxy::ProxyIdentity;

constexpr absl::string_view kUsage =
    "usage: mixlet-tcp-proxy --listen HOST:PORT --upstream HOST:PORT [--mixer HOST:PORT]\n"
    "                        [--report-interval DURATION] [--identity FILE.yaml]\n"
    "                        [--report-attempts N]\n"
    "  --listen ADDR             where clients connect (port 0: a free port)\n"
    "  --upstream ADDR           the server the connections go to\n"
    "  --mixer ADDR              the Mixer/mixlet server reports go to (default 127.0.0.1:9091)\n"
    "  --report-interval D       time between `continue` reports, Go syntax (default 10s;\n"
    "                            below 1s is raised to 1s, as istio/proxy did)\n"
    "  --identity FILE           YAML: `attributes` of every report, `sources` by client IP\n"
    "  --report-attempts N       attempts per report batch while the server is unavailable\n"
    "                            (default 8, about 7 s of retries)\n";

// Time allowed at shutdown for the last reports to reach the server.
constexpr absl::Duration kShutdownGrace = absl::Seconds(10);

struct Flags {
  std::string listen;
  std::string upstream;
  std::string mixer = "127.0.0.1:9091";
  std::string report_interval = "10s";
  std::string identity;
  int report_attempts = 8;
};

absl::Status ParseFlags(int argc, char** argv, Flags* flags, bool* help) {
  std::string attempts_text;
  absl::Status status = mixlet::examples::ParseLongFlags(
      argc, argv,
      {{"--listen", &flags->listen, nullptr},
       {"--upstream", &flags->upstream, nullptr},
       {"--mixer", &flags->mixer, nullptr},
       {"--report-interval", &flags->report_interval, nullptr},
       {"--identity", &flags->identity, nullptr},
       {"--report-attempts", &attempts_text, nullptr}},
      help);
  if (!status.ok() || *help) return status;
  if (flags->listen.empty()) return absl::InvalidArgumentError("--listen HOST:PORT is required");
  if (flags->upstream.empty()) {
    return absl::InvalidArgumentError("--upstream HOST:PORT is required");
  }
  if (!attempts_text.empty() &&
      (!absl::SimpleAtoi(attempts_text, &flags->report_attempts) ||
       flags->report_attempts < 1 || flags->report_attempts > 100)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--report-attempts '", attempts_text, "' is not a number in 1..100"));
  }
  return absl::OkStatus();
}

// A sink that drops reports: for checking the identity against the reporter at start-up.
class DiscardingSink : public mixlet::ReportSink {
 public:
  void OnReport(const mixlet::Bag&, absl::Time) override {}
};

// Opens one connection per identity variant on a scratch reporter, so that an attribute the
// reporter refuses is reported at start-up rather than on the first connection.
absl::Status CheckIdentity(const ProxyIdentity& identity,
                           const mixlet::TcpReporterOptions& options) {
  DiscardingSink sink;
  absl::StatusOr<std::unique_ptr<mixlet::TcpReporter>> scratch =
      mixlet::TcpReporter::Create(options, &sink);
  if (!scratch.ok()) return scratch.status();
  // An address that is no source's (TEST-NET-1), then each source's own attributes.
  std::vector<std::string> peers = {std::string("\xc0\x00\x02\x01", 4)};
  for (const std::string& ip : identity.source_addresses()) peers.push_back(ip);
  for (const std::string& peer : peers) {
    mixlet::ConnectionAttributes attributes = identity.AttributesFor(peer);
    attributes.reporter_kind = mixlet::ReporterKind::kInbound;
    attributes.source_ip = peer;
    absl::StatusOr<mixlet::ConnectionHandle> handle =
        (*scratch)->Open(attributes, absl::UnixEpoch());
    if (!handle.ok()) return handle.status();
  }
  return absl::OkStatus();
}

std::string ReporterUid() {
  char host[256] = {0};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  return absl::StrCat("mixlet-tcp-proxy-", host[0] != '\0' ? host : "localhost", "-", getpid());
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

  mixlet::tcp_proxy::TcpProxyOptions proxy_options;
  absl::Status split =
      mixlet::tcp_proxy::SplitHostPort(flags.listen, "--listen", &proxy_options.listen_host,
                                       &proxy_options.listen_port);
  if (split.ok()) {
    split = mixlet::tcp_proxy::SplitHostPort(flags.upstream, "--upstream",
                                             &proxy_options.upstream_host,
                                             &proxy_options.upstream_port);
  }
  if (!split.ok()) {
    std::cerr << "error: " << split.message() << "\n";
    return 2;
  }
  absl::StatusOr<int64_t> interval_nanos = mixlet::ParseGoDuration(flags.report_interval);
  if (!interval_nanos.ok() || *interval_nanos < 0) {
    std::cerr << "error: --report-interval '" << flags.report_interval << "': "
              << (interval_nanos.ok() ? "must not be negative" : interval_nanos.status().message())
              << "\n";
    return 2;
  }

  mixlet::TcpReporterOptions reporter_options;
  reporter_options.reporter_uid = ReporterUid();
  reporter_options.proxy_version = MIXLET_VERSION;
  reporter_options.report_interval = absl::Nanoseconds(*interval_nanos);

  ProxyIdentity identity;
  if (!flags.identity.empty()) {
    absl::StatusOr<ProxyIdentity> loaded =
        mixlet::tcp_proxy::LoadProxyIdentity(flags.identity, *reporter_options.vocabulary);
    if (!loaded.ok()) {
      std::cerr << "error: --identity: " << loaded.status().message() << "\n";
      return 2;
    }
    identity = *std::move(loaded);
  }
  absl::Status identity_ok = CheckIdentity(identity, reporter_options);
  if (!identity_ok.ok()) {
    std::cerr << "error: --identity " << flags.identity << ": " << identity_ok.message() << "\n";
    return 2;
  }

  // Blocked in every thread (all start after this); read through a signalfd by the event loop.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  const int signal_fd = signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK);
  if (signal_fd < 0) {
    std::perror("error: signalfd");
    return 1;
  }

  mixlet::ReportClientOptions client_options;
  client_options.target = flags.mixer;
  client_options.max_attempts = flags.report_attempts;
  absl::StatusOr<std::unique_ptr<mixlet::ReportClient>> client =
      mixlet::ReportClient::Create(client_options);
  if (!client.ok()) {
    std::cerr << "error: --mixer: " << client.status().message() << "\n";
    return 2;
  }
  absl::StatusOr<std::unique_ptr<mixlet::ReportBatcher>> batcher =
      mixlet::ReportBatcher::Create(mixlet::ReportBatcherOptions(), client->get());
  if (!batcher.ok()) {
    std::cerr << "error: " << batcher.status().message() << "\n";
    return 1;
  }
  absl::StatusOr<std::unique_ptr<mixlet::TcpReporter>> reporter =
      mixlet::TcpReporter::Create(reporter_options, batcher->get());
  if (!reporter.ok()) {
    std::cerr << "error: " << reporter.status().message() << "\n";
    return 1;
  }
  absl::StatusOr<std::unique_ptr<mixlet::tcp_proxy::TcpProxy>> proxy =
      mixlet::tcp_proxy::TcpProxy::Create(
          proxy_options, reporter->get(),
          [&identity](absl::string_view peer) { return identity.AttributesFor(peer); });
  if (!proxy.ok()) {
    std::cerr << "error: " << proxy.status().message() << "\n";
    return proxy.status().code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
  }

  mixlet::TcpReporter* reporter_ptr = reporter->get();
  mixlet::ReportBatcher* batcher_ptr = batcher->get();
  mixlet::PollThreadOptions poll_options;
  // Often enough that `continue` reports and batch flushes are at most 0.1 s late.
  poll_options.period = absl::Milliseconds(100);
  absl::StatusOr<std::unique_ptr<mixlet::PollThread>> poller = mixlet::PollThread::Start(
      [reporter_ptr, batcher_ptr](absl::Time now) {
        reporter_ptr->Poll(now).IgnoreError();
        batcher_ptr->Poll(now);
      },
      poll_options);
  if (!poller.ok()) {
    std::cerr << "error: " << poller.status().message() << "\n";
    return 1;
  }

  std::cout << "mixlet-tcp-proxy: listening on " << (*proxy)->listen_address()
            << ", forwarding to " << flags.upstream << ", reporting to " << flags.mixer
            << " every " << mixlet::FormatGoDuration((*reporter)->report_interval())
            << std::endl;

  absl::Status ran = (*proxy)->Run(signal_fd);
  if (!ran.ok()) std::cerr << "error: " << ran.message() << "\n";

  // Shutdown: the close reports of every connection Run just closed, then the last batch.
  const mixlet::tcp_proxy::TcpProxyStats proxy_stats = (*proxy)->stats();
  proxy->reset();
  (*poller)->Stop();
  (*reporter)->Poll(absl::Now()).IgnoreError();
  const mixlet::TcpReporterStats reporter_stats = (*reporter)->stats();
  reporter->reset();
  (*batcher)->Flush();
  const absl::Time give_up = absl::Now() + kShutdownGrace;
  while ((*batcher)->pending_requests() > 0 && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  if ((*batcher)->pending_requests() > 0) {
    std::cerr << "mixlet-tcp-proxy: warning: the server did not take the last reports within "
              << mixlet::FormatGoDuration(kShutdownGrace) << "; giving up" << std::endl;
    (*client)->CancelAll();
  }
  const mixlet::ReportBatcherStats batcher_stats = (*batcher)->stats();
  batcher->reset();
  const mixlet::ReportClientStats client_stats = (*client)->stats();
  std::cout << "mixlet-tcp-proxy: stopped: connections=" << proxy_stats.accepted
            << " upstream_failures=" << proxy_stats.upstream_failures
            << " resets=" << proxy_stats.resets
            << " bytes_from_clients=" << proxy_stats.bytes_from_clients
            << " bytes_to_clients=" << proxy_stats.bytes_to_clients
            << " reports=" << reporter_stats.open_reports + reporter_stats.continue_reports +
                                  reporter_stats.close_reports
            << " reports_delivered=" << client_stats.reports_succeeded
            << " reports_refused=" << client_stats.reports_refused
            << " reports_failed=" << client_stats.reports_failed
            << " reports_dropped=" << batcher_stats.drops << " retries=" << client_stats.retries
            << std::endl;
  close(signal_fd);
  return ran.ok() ? 0 : 1;
}
