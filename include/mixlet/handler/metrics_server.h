// MetricsServer: the HTTP endpoint Prometheus scrapes, `GET /metrics` serving the text
// exposition of a `MetricsRegistry` (component `mixlet::http`, built on cpp-httplib).
//
// Like Mixer's istio-telemetry it listens on port 42422 on all interfaces by default and answers
// only its path (anything else is 404), with `Content-Type: text/plain; version=0.0.4;
// charset=utf-8`, gzip-compressed when the scraper sends `Accept-Encoding: gzip`. The server
// runs on its own thread from `Start` until `Stop` (or destruction). Starting fails with a clear
// error when the address cannot be bound, e.g. because the port is taken.
//
// Example:
//   auto registry = std::make_shared<MetricsRegistry>();
//   absl::StatusOr<std::unique_ptr<MetricsServer>> server = MetricsServer::Start(registry);
//   if (!server.ok()) { std::cerr << "error: " << server.status() << "\n"; return 1; }
//   std::cout << "serving on port " << (*server)->port() << "\n";
#ifndef MIXLET_HANDLER_METRICS_SERVER_H_
#define MIXLET_HANDLER_METRICS_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "mixlet/handler/prometheus_handler.h"

namespace mixlet {

struct MetricsServerOptions {
  // Address to listen on. Default: every IPv4 interface, as Mixer's ":42422".
  std::string host = "0.0.0.0";
  // Port; 0 picks a free one (see `MetricsServer::port()`). Default: Mixer's 42422.
  int port = 42422;
  // The one path served. Default "/metrics".
  std::string path = "/metrics";
};

class MetricsServer {
 public:
  // Binds `options.host:options.port` and starts serving `registry` on a new thread.
  // FailedPrecondition when the address cannot be bound (the message names the address and the
  // reason, e.g. "address already in use"); InvalidArgument for a port outside 0..65535, an
  // empty host or a path not starting with '/'; Internal if the server thread cannot start.
  static absl::StatusOr<std::unique_ptr<MetricsServer>> Start(
      std::shared_ptr<const MetricsRegistry> registry,
      MetricsServerOptions options = MetricsServerOptions());

  // Stops serving and joins the thread.
  ~MetricsServer();
  // Owns a listening socket and a thread.
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // The bound port (the chosen one when `options.port` was 0).
  int port() const;
  // "host:port" as bound.
  std::string address() const;

  // Stops accepting and answering requests; idempotent. Thread-safe.
  void Stop();

 private:
  struct Impl;
  explicit MetricsServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mixlet

#endif  // MIXLET_HANDLER_METRICS_SERVER_H_
