// ReportServer: serves `istio.mixer.v1.Mixer/Report` over gRPC, dispatching every report bag
// through a `Runtime` (config snapshot + router) into the handlers.
//
// Each request is decoded straight from its wire bytes (`ReportBatchDecoder::DecodeBytes`) with
// the current snapshot's vocabulary, and each bag that decodes is dispatched through that same
// snapshot, so a concurrent reload never splits a request between two configurations. Requests
// are handled on gRPC's threads, several at once; decoding reuses per-thread bags and scratch
// space. `Check` is answered UNIMPLEMENTED.
//
// Malformed input is handled as wire.md ("What mixlet's server does differently, on purpose")
// says, and the server keeps serving:
//   * a `global_word_count` above the server's dictionary: INVALID_ARGUMENT whose message starts
//     `Request could not be processed due to invalid` (istio/proxy then falls back to its base
//     dictionary); nothing of the request is applied;
//   * request bytes whose framing does not parse, or an unknown `repeated_attributes_semantics`:
//     INVALID_ARGUMENT, nothing applied;
//   * elements that do not decode (an index outside its dictionary, a known attribute in the
//     wrong map, bytes that do not parse): each is refused and counted, the others are applied
//     (in a DELTA request, every element after a refused one is refused too), and the reply is
//     INVALID_ARGUMENT naming each refused element by position and what is at fault, e.g.
//     `1 of 3 reports refused: report 2: attribute 'context.protocol' is STRING but was sent in
//     int64s`.
// Before the runtime has a configuration the server answers UNAVAILABLE and applies nothing.
//
// Requests that carry a `mixlet-report-id` metadata value (mixlet's ReportClient sends one, the
// same on every attempt) are applied once: a repeated id gets the first answer again without
// being dispatched. The last `recent_report_ids` ids are remembered.
//
// Thread safety: `stats`, `port` and `Shutdown` may be called from any thread.
//
// Example:
//   Runtime runtime(adapters);
//   runtime.Apply(LoadConfigResources({"tcp-metrics.yaml"}));
//   ReportServerOptions options;
//   options.address = "127.0.0.1:0";                  // any free port
//   absl::StatusOr<std::unique_ptr<ReportServer>> server = ReportServer::Start(options, &runtime);
//   std::cout << "listening on port " << (*server)->port() << "\n";
#ifndef MIXLET_GRPC_REPORT_SERVER_H_
#define MIXLET_GRPC_REPORT_SERVER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "mixlet/router/runtime.h"

namespace mixlet {

struct ReportServerOptions {
  // `host:port` to listen on (`[::1]:9091` for IPv6); port 0 picks a free port (see `port()`).
  // Default 127.0.0.1:9091, Mixer's port.
  std::string address = "127.0.0.1:9091";
  // Largest request accepted, in bytes; Mixer's default 1 MiB. At least 1024.
  size_t max_message_bytes = 1 << 20;
  // HTTP/2 streams one client connection may have open at once; Mixer's default 1024. At least 1.
  int max_concurrent_streams = 1024;
  // How many report ids (`mixlet-report-id`) are remembered to apply each request once;
  // 0 turns the check off. Default 65536 (a few MB).
  size_t recent_report_ids = 65536;
};

// Counters of a server, for monitoring and tests.
struct ReportServerStats {
  uint64_t requests = 0;            // Report calls answered
  uint64_t requests_refused = 0;    // requests refused as a whole (nothing applied)
  uint64_t requests_with_refused_reports = 0;  // requests with at least one refused element
  uint64_t duplicate_requests = 0;  // requests whose report id was already applied
  uint64_t unconfigured_requests = 0;  // requests answered UNAVAILABLE: no configuration yet
  uint64_t reports_dispatched = 0;  // bags dispatched through the router
  uint64_t reports_refused = 0;     // elements refused (not dispatched)
};

class ReportServer {
 public:
  // Starts serving on `options.address`. `runtime` is borrowed and must outlive the server.
  // InvalidArgument for a null runtime, an address that is not `host:port` or an option out of
  // range; FailedPrecondition when the address cannot be listened on, with the reason (e.g.
  // `cannot listen on 127.0.0.1:9091: Address already in use`).
  static absl::StatusOr<std::unique_ptr<ReportServer>> Start(ReportServerOptions options,
                                                             const Runtime* runtime);

  // Not copyable: owns a running gRPC server.
  ReportServer(const ReportServer&) = delete;
  ReportServer& operator=(const ReportServer&) = delete;
  // Shuts down (as `Shutdown()`) if that was not done.
  ~ReportServer();

  // Stops accepting calls, lets the calls in progress finish for up to `grace`, then cancels
  // what is left and returns once no handler runs. Idempotent.
  void Shutdown(absl::Duration grace = absl::Seconds(5));

  // The port listened on (the one picked when `address` asked for port 0).
  int port() const;
  // `address` with the port listened on, e.g. "127.0.0.1:41523".
  const std::string& address() const;

  ReportServerStats stats() const;

 private:
  class Impl;
  explicit ReportServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mixlet

#endif  // MIXLET_GRPC_REPORT_SERVER_H_
