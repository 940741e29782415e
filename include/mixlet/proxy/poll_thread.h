// PollThread: a small thread that calls a poll function on a fixed period.
//
// `TcpReporter` and `ReportBatcher` own no threads: they do their periodic work in `Poll(now)`,
// which a proxy's event loop may call from its own timers. A program that has no such loop starts
// a `PollThread` instead. The thread calls `poll(clock())` once per `period` (the first call one
// period after `Start`; a call that overruns delays the next one rather than causing a burst)
// until `Stop`, which wakes it at once and joins it.
//
// Example:
//   absl::StatusOr<std::unique_ptr<PollThread>> poller =
//       PollThread::Start([&](absl::Time now) {
//         reporter->Poll(now).IgnoreError();
//         batcher->Poll(now);
//       });
//   ...
//   (*poller)->Stop();
#ifndef MIXLET_PROXY_POLL_THREAD_H_
#define MIXLET_PROXY_POLL_THREAD_H_

#include <cstdint>
#include <functional>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace mixlet {

struct PollThreadOptions {
  // Time between calls. Must be positive and finite. Default 1 s (the batcher's flush time).
  absl::Duration period = absl::Seconds(1);
  // Where `now` comes from; empty means `absl::Now`. Only the argument of `poll` comes from it:
  // the thread always waits in real time.
  std::function<absl::Time()> clock;
};

class PollThread {
 public:
  // Starts the thread. InvalidArgument for an empty `poll` or a period that is not positive
  // and finite.
  static absl::StatusOr<std::unique_ptr<PollThread>> Start(std::function<void(absl::Time)> poll,
                                                           PollThreadOptions options = {});

  // Not copyable: owns a thread.
  PollThread(const PollThread&) = delete;
  PollThread& operator=(const PollThread&) = delete;
  // Stops the thread (see Stop). Must not run on the poll thread itself.
  ~PollThread();

  // Asks the thread to stop and waits for it: when Stop returns, `poll` is not running and is
  // never called again. Idempotent; safe from any thread. Called from inside `poll`, it only
  // asks (no call follows the current one) and returns; the join happens in a later Stop or in
  // the destructor.
  void Stop();

  // Number of completed calls of `poll`.
  uint64_t polls() const;

 private:
  class Impl;
  explicit PollThread(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mixlet

#endif  // MIXLET_PROXY_POLL_THREAD_H_
