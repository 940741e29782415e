// ReportClient: sends `istio.mixer.v1.ReportRequest` batches to a Mixer-compatible server's
// `istio.mixer.v1.Mixer/Report` method over gRPC, retrying what certainly was not applied.
//
// The client is the `ReportTransport` of the proxy layer's `ReportBatcher`: the batcher builds
// serialized requests and calls `Send`, which hands the bytes to gRPC without a copy or a
// parse; the client delivers each one and calls `done` once with the final outcome. Calls are
// asynchronous (no thread blocks on the network); one client may carry any number of requests
// at once over one HTTP/2 connection, and reconnects by itself.
//
// Retries never count a report twice. An attempt is retried only when the request certainly was
// not applied:
//   * `UNAVAILABLE`: the server said it could not take the request (Mixer: "Server is currently
//     overloaded"), or no connection could be used;
//   * `DEADLINE_EXCEEDED` while the channel never got a ready connection (a connection that
//     never opened: nothing was sent).
// Any other outcome is final: `INVALID_ARGUMENT` (the server refused some or all reports, and
// applied the rest), `DEADLINE_EXCEEDED` on a ready connection (the server may have applied it),
// `UNIMPLEMENTED`, `INTERNAL`, ... Every attempt of one request carries the same report id in
// the `mixlet-report-id` metadata; a mixlet `ReportServer` applies a request id once, so even a
// request whose connection broke after the server received it (which gRPC also reports as
// `UNAVAILABLE`) is not counted twice by a mixlet server. Mixer ignores the metadata.
//
// Backoff between attempts grows from `initial_backoff` by `backoff_multiplier` up to
// `max_backoff`, with +-`jitter` randomization; after `max_attempts` attempts the last error is
// final. So a request is finished, successfully or not, within
// `max_attempts * attempt_timeout + (max_attempts - 1) * max_backoff * (1 + jitter)`.
//
// Example:
//   ReportClientOptions options;
//   options.target = "127.0.0.1:9091";
//   absl::StatusOr<std::unique_ptr<ReportClient>> client = ReportClient::Create(options);
//   absl::StatusOr<std::unique_ptr<ReportBatcher>> batcher =
//       ReportBatcher::Create(ReportBatcherOptions(), client->get());
//   ... the batcher's reporter reports ...
//   batcher->reset();                     // flushes and waits for its requests
//   (*client)->stats().reports_failed;    // reports lost for good
#ifndef MIXLET_GRPC_REPORT_CLIENT_H_
#define MIXLET_GRPC_REPORT_CLIENT_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "istio/mixer/v1/report.pb.h"
#include "mixlet/proxy/report_batcher.h"

namespace mixlet {

struct ReportClientOptions {
  // The server, as gRPC names it: "host:port", "dns:///host:port", "unix:/path". Required.
  std::string target;
  // Deadline of one attempt. Must be positive and finite. Default 5 s.
  absl::Duration attempt_timeout = absl::Seconds(5);
  // Attempts per request, the first included; 1 disables retries. At least 1. Default 5.
  int max_attempts = 5;
  // Wait before the first retry; must be positive and finite. Default 100 ms.
  absl::Duration initial_backoff = absl::Milliseconds(100);
  // The longest wait between attempts; at least `initial_backoff`, finite. Default 2 s. The
  // channel's reconnection backoff is capped at the same value, so a restarted server is found
  // again within it.
  absl::Duration max_backoff = absl::Seconds(2);
  // Growth of the wait from one retry to the next; at least 1. Default 2.
  double backoff_multiplier = 2.0;
  // Each wait is multiplied by a random factor in [1 - jitter, 1 + jitter]; in [0, 1).
  // Default 0.2.
  double jitter = 0.2;
  // Prefix of the report ids of this client (`<client_id>-<n>`); empty means a random one.
  // Two clients talking to one server must not share it.
  std::string client_id;
};

// Counters of a client. At any time requests == successes + refusals + failures + in_flight.
struct ReportClientStats {
  uint64_t requests = 0;   // Send calls
  uint64_t attempts = 0;   // RPCs started, retries included
  uint64_t retries = 0;    // attempts after the first of their request
  uint64_t successes = 0;  // requests answered OK
  uint64_t refusals = 0;   // requests answered INVALID_ARGUMENT (some or all reports refused)
  uint64_t failures = 0;   // requests that ended with any other error, after their retries
  uint64_t in_flight = 0;  // requests not finished yet (in an RPC or waiting for a retry)
  uint64_t reports_succeeded = 0;  // reports in requests answered OK
  uint64_t reports_refused = 0;    // reports in refused requests (the server applied the rest)
  uint64_t reports_failed = 0;     // reports in failed requests: lost, or (after a deadline on
                                   // a ready connection) perhaps applied
};

class ReportClient : public ReportTransport {
 public:
  // Creates the channel (it connects on first use). InvalidArgument, naming the field, for an
  // empty target or an option outside its range.
  static absl::StatusOr<std::unique_ptr<ReportClient>> Create(ReportClientOptions options);

  // Not copyable: owns a channel and the requests in flight.
  ReportClient(const ReportClient&) = delete;
  ReportClient& operator=(const ReportClient&) = delete;
  // Cancels what is still in flight (as `CancelAll`) and waits until every `done` has been
  // called. Destroy the batcher first: its destructor waits for its requests to finish.
  ~ReportClient() override;

  // Sends `request`, a serialized ReportRequest of `reports` elements, as it is (see the header
  // comment for retries), and calls `done` exactly once, from a gRPC or retry thread, with OK,
  // or the final error with the gRPC code as the absl code and the server's message (an
  // invalid-dictionary refusal keeps the message istio/proxy and the batcher recognize). The
  // bytes must stay valid and unchanged until `done` runs: they are not copied. After
  // `CancelAll`, `done` gets CANCELLED at once.
  void Send(absl::string_view request, size_t reports,
            std::function<void(absl::Status)> done) override;
  // The same for a request message, serialized into memory the client owns until `done`.
  void Send(const istio::mixer::v1::ReportRequest& request,
            std::function<void(absl::Status)> done);

  // Ends every request at once: RPCs in flight are cancelled, waiting retries are not made, and
  // each `done` gets CANCELLED (counted in `failures`); later `Send` calls fail the same way.
  // For shutdown after the grace period. Thread-safe; idempotent.
  void CancelAll();

  ReportClientStats stats() const;
  const ReportClientOptions& options() const;

 private:
  class Impl;
  explicit ReportClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mixlet

#endif  // MIXLET_GRPC_REPORT_CLIENT_H_
