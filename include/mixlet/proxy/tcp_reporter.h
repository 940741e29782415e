// TcpReporter: turns the life of proxied TCP connections into Mixer's TCP report bags.
//
// The embedding proxy opens a connection record when it accepts a connection, counts bytes on
// the returned `ConnectionHandle` as they flow, and closes it. The reporter emits, to a
// `ReportSink`, one report bag with `connection.event = "open"` for the accept, one
// `"continue"` every report interval while the connection lives, and one `"close"` at the end
// (tcp.md §3-§5, attributes.md §4). It owns no thread, socket or clock: time is passed in, and
// reports are built and handed to the sink only inside `Poll(now)`, so the thread that polls is
// the only one that touches the sink (give each reporter its own `ReportBatcher` and its lock is
// never contended). `PollThread` drives `Poll` from a thread for programs that want that.
//
// Where mixlet deliberately differs from istio/proxy 1.7 (tcp.md §3-§4):
//   * The `open` report is for the accept, not for the first byte from the client, so
//     server-speaks-first and never-used connections are reported too; the first `continue`
//     comes one interval after the accept.
//   * Every report, `open` included, advances the byte watermark: the deltas
//     (`connection.received.bytes`, `connection.sent.bytes`) of a connection's reports always sum
//     to its final totals, so no byte is counted twice.
//   * The `close` report always goes out: after `Close`, after `CloseAll`, and when a handle is
//     destroyed without `Close` (then at the next `Poll`, with that poll's time).
//
// Each report carries the connection's `ConnectionAttributes`, `connection.id`
// (`<reporter_uid>-<n>`, n counting from 1 per reporter), `context.protocol = "tcp"`,
// `context.reporter.uid`, `context.proxy_version` (when set), `connection.event`, the four byte
// attributes (delta since the previous report, and running total), and `context.time`: the
// accept time for `open`, the poll time for `continue`, the close time for `close`. The `close`
// report adds `connection.duration` (close time - accept time). Byte counts are read when a
// report is built: the `open` report carries what was counted between the accept and the poll
// that emits it; the `close` report carries the totals as `Close` found them (bytes counted
// after `Close` are never reported).
//
// Thread safety: `Open`, `Close`, `CloseAll`, `Poll` and `stats` may be called from any thread
// (a mutex guards the connection set; concurrent `Poll` calls are serialized). The byte counting
// calls on a `ConnectionHandle` take no lock and never allocate.
//
// Example:
//   absl::StatusOr<std::unique_ptr<TcpReporter>> r = TcpReporter::Create(options, &batcher);
//   absl::StatusOr<ConnectionHandle> c = (*r)->Open(attrs, absl::Now());
//   c->AddReceived(n);                       // data path: one relaxed atomic add
//   (*r)->Close(*c, absl::Now()).IgnoreError();
//   (*r)->Poll(absl::Now()).IgnoreError();   // builds the open and close reports
#ifndef MIXLET_PROXY_TCP_REPORTER_H_
#define MIXLET_PROXY_TCP_REPORTER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"
#include "mixlet/attribute/vocabulary.h"
#include "mixlet/proxy/connection_attributes.h"
#include "mixlet/proxy/connection_handle.h"
#include "mixlet/proxy/report_sink.h"

namespace mixlet {

// The report interval when none is configured (tcp.md §2).
inline constexpr absl::Duration kDefaultReportInterval = absl::Seconds(10);
// The shortest report interval; shorter ones are raised to it (tcp.md §2).
inline constexpr absl::Duration kMinReportInterval = absl::Seconds(1);

// A google.protobuf.Duration as `TcpClientConfig.report_interval` carries it.
struct ProtoDuration {
  int64_t seconds = 0;
  int32_t nanos = 0;
};

// The interval istio/proxy derives from `TcpClientConfig.report_interval` (tcp.md §2): absent,
// or a negative `seconds` or a negative `nanos` -> 10 s; otherwise `seconds * 1000 +
// nanos / 1000000` milliseconds (integer division), raised to 1 s if below.
absl::Duration ReportIntervalFromConfig(const absl::optional<ProtoDuration>& report_interval);

struct TcpReporterOptions {
  // Identity of the reporting proxy: the prefix of `connection.id` and the value of
  // `context.reporter.uid`. Required (non-empty).
  std::string reporter_uid;
  // `context.proxy_version` (`major.minor.patch`); empty: not reported.
  std::string proxy_version;
  // Time between `continue` reports (tcp.md §2): negative -> 10 s; otherwise truncated to whole
  // milliseconds and raised to 1 s if below. Must be finite. Default 10 s.
  absl::Duration report_interval = kDefaultReportInterval;
  // The vocabulary of the report bags. Attributes it does not declare are carried by name; one
  // it declares with a type other than the reporter writes is refused by `Create`.
  std::shared_ptr<const Vocabulary> vocabulary = Vocabulary::Standard();
};

// Counters of a reporter, for monitoring and tests.
struct TcpReporterStats {
  uint64_t opened = 0;        // connections opened
  uint64_t closed = 0;        // connections closed (Close, CloseAll or handle released)
  uint64_t active = 0;        // connections whose close report has not been emitted yet
  uint64_t open_reports = 0;  // reports emitted, by event
  uint64_t continue_reports = 0;
  uint64_t close_reports = 0;
};

class TcpReporter {
 public:
  // A reporter emitting to `sink`, which is borrowed and must outlive the reporter.
  // InvalidArgument for an empty `reporter_uid`, an infinite `report_interval`, a null `sink` or
  // vocabulary, or a vocabulary that declares a reported attribute with another type.
  static absl::StatusOr<std::unique_ptr<TcpReporter>> Create(TcpReporterOptions options,
                                                             ReportSink* sink);

  // Not copyable: owns the connection set.
  TcpReporter(const TcpReporter&) = delete;
  TcpReporter& operator=(const TcpReporter&) = delete;
  ~TcpReporter();

  // Opens a connection accepted at `now` and returns its handle; the `open` report is emitted by
  // the next `Poll`. InvalidArgument (naming the field) for an IP address that is not 4 or 16
  // bytes, a port outside 0..65535, duplicate label keys, or an `extra` attribute that the
  // reporter computes itself or whose type is not the vocabulary's.
  absl::StatusOr<ConnectionHandle> Open(const ConnectionAttributes& attributes, absl::Time now);

  // Closes the connection at `now`: its `close` report (with the totals counted by now) is
  // emitted by the next `Poll`. Idempotent: closing again, or closing a connection whose handle
  // was already released, is OK and changes nothing. A `now` before the accept time is taken as
  // the accept time. InvalidArgument for an empty handle or one from another reporter.
  absl::Status Close(const ConnectionHandle& handle, absl::Time now);

  // Closes every open connection at `now` (shutdown); follow with `Poll(now)` to emit.
  void CloseAll(absl::Time now);

  // Emits, in this order: the `open` reports of connections opened since the last poll, the
  // `close` reports of connections closed since then, the `continue` reports that are due
  // (interval elapsed since the previous report of the connection; a late poll emits one, not
  // several), and `close` reports (at `now`) for connections whose handle was released without
  // `Close`. A connection's reports always come in the order open, continue..., close.
  // Returns the first error met while building a report (Internal; the other reports are still
  // emitted).
  absl::Status Poll(absl::Time now);

  // The effective report interval (after tcp.md §2 rules).
  absl::Duration report_interval() const;

  TcpReporterStats stats() const;

 private:
  class Impl;
  explicit TcpReporter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mixlet

#endif  // MIXLET_PROXY_TCP_REPORTER_H_
