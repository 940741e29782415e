// ReportBatcher: compresses report bags into `istio.mixer.v1.ReportRequest` batches and hands
// each batch to a `ReportTransport`.
//
// The batcher is a `ReportSink`: give it to a `TcpReporter` and every report the reporter builds
// is compressed into the current request right away (wire.md §3: one shared `default_words`
// dictionary, empty per-element `words`, INDEPENDENT_ENCODING by default). The request is sent
// when it holds `max_batch_entries` reports (default 100) or `max_batch_time` (default 1 s)
// after its first report, whichever comes first — istio/proxy's defaults (tcp.md §6). Time comes
// in with each report and through `Poll(now)`, so nothing here sleeps or owns a thread.
//
// Memory is bounded and the caller never blocks: at most `max_pending_requests` requests may be
// with the transport at once (sent, not yet completed). When the server is slow or down and that
// many are pending, a full batch is dropped instead of queued, and its reports are counted in
// `stats().drops`. Requests are built, already serialized, in a small pool of encoders whose
// buffers are cleared and reused, never reallocated per flush. As istio/proxy did, reports are
// fire-and-forget (a failed send is counted, not retried), and an answer saying the global
// dictionary is invalid makes later requests use only the 111-word base dictionary.
//
// Thread safety: all methods may be called from any thread; a mutex serializes them, so give
// each worker thread (each reporter) its own batcher and the mutex is never contended. The
// transport is called without the mutex held.
//
// Example:
//   absl::StatusOr<std::unique_ptr<ReportBatcher>> batcher =
//       ReportBatcher::Create(ReportBatcherOptions(), &grpc_transport);
//   auto reporter = TcpReporter::Create(reporter_options, batcher->get());
//   // on a timer, or from a PollThread:
//   (*reporter)->Poll(now).IgnoreError();
//   (*batcher)->Poll(now);
#ifndef MIXLET_PROXY_REPORT_BATCHER_H_
#define MIXLET_PROXY_REPORT_BATCHER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "mixlet/attribute/bag.h"
#include "mixlet/attribute/vocabulary.h"
#include "mixlet/proxy/report_sink.h"
#include "mixlet/wire/global_dictionary.h"

namespace mixlet {

// Sends one ReportRequest to a Mixer-compatible server. mixlet's gRPC `ReportClient` implements
// it; tests use a fake.
class ReportTransport {
 public:
  virtual ~ReportTransport() = default;
  // Sends `request`, a serialized `istio.mixer.v1.ReportRequest` of `reports` elements, and
  // calls `done` exactly once with the outcome, from any thread, possibly before Send returns.
  // The bytes `request` views stay valid and unchanged until `done` is called and must not be
  // used after (copy them to keep them). `done` must not be called with the transport's own
  // locks held if it can reach back into the transport (it takes the batcher's mutex and
  // returns quickly).
  virtual void Send(absl::string_view request, size_t reports,
                    std::function<void(absl::Status)> done) = 0;
};

// How the elements of a request relate (wire.md §3).
enum class BatchEncoding : uint8_t {
  // Every element a complete bag, sharing `default_words` (istio/proxy 1.1 and later).
  kIndependent,
  // Element 0 complete, each later one only what changed (istio/proxy 1.0). A report lacking an
  // attribute of the previous one starts a new request, since a delta cannot delete.
  kDelta,
};

struct ReportBatcherOptions {
  // Send a request when it holds this many reports; 0 means the default, 100. 1 sends every
  // report on its own (istio/proxy's `disable_report_batch`).
  uint32_t max_batch_entries = 100;
  // Send a request this long after its first report (checked by OnReport and Poll); zero means
  // the default, 1 s. Must not be negative or infinite.
  absl::Duration max_batch_time = absl::Seconds(1);
  // At most this many requests with the transport at once; a batch that would exceed it is
  // dropped and counted. At least 1. Memory is bounded by (max_pending_requests + 1) requests.
  uint32_t max_pending_requests = 8;
  BatchEncoding encoding = BatchEncoding::kIndependent;
  // Global dictionary words to use (wire.md §2.1), at most kGlobalDictionarySize (the default).
  uint32_t global_word_count = kGlobalDictionarySize;
  // The vocabulary the reports are built with (encoding is fastest when it is the reporter's
  // own). Not null.
  std::shared_ptr<const Vocabulary> vocabulary = Vocabulary::Standard();
};

// Counters of a batcher. At any time reports == (reports in sent requests) + drops +
// (reports in the current batch), and sends == successes + failures + pending requests.
struct ReportBatcherStats {
  uint64_t reports = 0;    // reports received (OnReport calls)
  uint64_t sends = 0;      // requests handed to the transport
  uint64_t successes = 0;  // sends completed OK
  uint64_t failures = 0;   // sends completed with an error (not retried)
  uint64_t drops = 0;      // reports that never reached the transport: batch dropped because
                           // max_pending_requests were pending, or a report failed to encode
};

class ReportBatcher : public ReportSink {
 public:
  // A batcher sending through `transport`, which is borrowed and must outlive it.
  // InvalidArgument for a null transport or vocabulary, `max_pending_requests` 0, a negative or
  // infinite `max_batch_time`, or `global_word_count` above kGlobalDictionarySize.
  static absl::StatusOr<std::unique_ptr<ReportBatcher>> Create(ReportBatcherOptions options,
                                                               ReportTransport* transport);

  // Not copyable: owns the requests being built and sent.
  ReportBatcher(const ReportBatcher&) = delete;
  ReportBatcher& operator=(const ReportBatcher&) = delete;
  // Sends the current batch (as Flush) and waits until the transport has completed every
  // pending request, so no completion can outlive the batcher.
  ~ReportBatcher() override;

  // Compresses `report` into the current batch. If that batch is older than `max_batch_time` at
  // `now` it is sent first; if the report fills it to `max_batch_entries`, it is sent after.
  // Never blocks on the transport. A report that cannot be encoded is dropped and counted.
  void OnReport(const Bag& report, absl::Time now) override;

  // Sends the current batch if its first report is `max_batch_time` or more before `now`.
  void Poll(absl::Time now);

  // Sends the current batch now, if it holds any report.
  void Flush();

  ReportBatcherStats stats() const;
  // Requests with the transport, not yet completed.
  size_t pending_requests() const;
  // Reports in the current batch.
  size_t batch_size() const;
  // The global dictionary words requests use now (drops to kGlobalDictionaryBaseSize after the
  // server reports an invalid dictionary).
  uint32_t global_word_count() const;
  // The error of the most recent failed send; OK if none failed.
  absl::Status last_send_error() const;

 private:
  class Impl;
  explicit ReportBatcher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mixlet

#endif  // MIXLET_PROXY_REPORT_BATCHER_H_
