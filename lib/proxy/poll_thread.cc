#include "mixlet/proxy/poll_thread.h"

#include <atomic>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace mixlet {

class PollThread::Impl {
 public:
  Impl(std::function<void(absl::Time)> poll, PollThreadOptions options)
      : poll_(std::move(poll)), options_(std::move(options)) {
    if (!options_.clock) options_.clock = [] { return absl::Now(); };
  }

  void Start() {
    thread_ = std::thread([this] { Run(); });
  }

  void Stop() {
    {
      absl::MutexLock lock(&mu_);
      stop_ = true;
      if (std::this_thread::get_id() == poll_thread_id_) return;  // Called from `poll`.
    }
    absl::MutexLock join_lock(&join_mu_);
    if (thread_.joinable()) thread_.join();
  }

  uint64_t polls() const { return polls_.load(std::memory_order_relaxed); }

 private:
  void Run() {
    {
      absl::MutexLock lock(&mu_);
      poll_thread_id_ = std::this_thread::get_id();
    }
    absl::Time next = absl::Now() + options_.period;
    while (true) {
      {
        absl::MutexLock lock(&mu_);
        // Wait in real time until the next tick or Stop, whichever comes first.
        while (!stop_) {
          const absl::Duration left = next - absl::Now();
          if (left <= absl::ZeroDuration()) break;
          mu_.AwaitWithTimeout(absl::Condition(&stop_), left);
        }
        if (stop_) return;
      }
      poll_(options_.clock());
      polls_.fetch_add(1, std::memory_order_relaxed);
      next += options_.period;
      const absl::Time now = absl::Now();
      if (next <= now) next = now + options_.period;  // Overran: no burst of catch-up calls.
    }
  }

  const std::function<void(absl::Time)> poll_;
  PollThreadOptions options_;
  std::atomic<uint64_t> polls_{0};
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread::id poll_thread_id_ ABSL_GUARDED_BY(mu_);
  // Serializes joins when several threads call Stop at once.
  absl::Mutex join_mu_;
  std::thread thread_;
};

absl::StatusOr<std::unique_ptr<PollThread>> PollThread::Start(std::function<void(absl::Time)> poll,
                                                              PollThreadOptions options) {
  if (!poll) return absl::InvalidArgumentError("PollThread: the poll function is empty");
  if (options.period <= absl::ZeroDuration() || options.period == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("PollThreadOptions.period must be positive and finite, got ",
                     absl::FormatDuration(options.period)));
  }
  auto impl = std::make_unique<Impl>(std::move(poll), std::move(options));
  impl->Start();
  return std::unique_ptr<PollThread>(new PollThread(std::move(impl)));
}

PollThread::PollThread(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PollThread::~PollThread() { impl_->Stop(); }
void PollThread::Stop() { impl_->Stop(); }
uint64_t PollThread::polls() const { return impl_->polls(); }

}  // namespace mixlet
