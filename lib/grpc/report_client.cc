#include "mixlet/grpc/report_client.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <random>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "grpc/report_id.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"

namespace mixlet {
namespace {

// The Report method's full name, as gRPC routes it.
const std::string kReportMethod = "/istio.mixer.v1.Mixer/Report";

absl::Status FromGrpcStatus(const ::grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      status.error_message());
}

absl::Status ValidateOptions(const ReportClientOptions& o) {
  auto positive_finite = [](absl::Duration d) {
    return d > absl::ZeroDuration() && d != absl::InfiniteDuration();
  };
  if (o.target.empty()) return absl::InvalidArgumentError("ReportClient: target is empty");
  if (!positive_finite(o.attempt_timeout)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ReportClient: attempt_timeout ", absl::FormatDuration(o.attempt_timeout),
        " must be positive and finite"));
  }
  if (o.max_attempts < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("ReportClient: max_attempts ", o.max_attempts, " must be at least 1"));
  }
  if (!positive_finite(o.initial_backoff)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ReportClient: initial_backoff ", absl::FormatDuration(o.initial_backoff),
        " must be positive and finite"));
  }
  if (o.max_backoff < o.initial_backoff || o.max_backoff == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ReportClient: max_backoff ", absl::FormatDuration(o.max_backoff),
        " must be finite and at least initial_backoff (", absl::FormatDuration(o.initial_backoff),
        ")"));
  }
  if (!(o.backoff_multiplier >= 1.0) || std::isinf(o.backoff_multiplier)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ReportClient: backoff_multiplier ", o.backoff_multiplier, " must be finite and >= 1"));
  }
  if (!(o.jitter >= 0.0 && o.jitter < 1.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("ReportClient: jitter ", o.jitter, " must be in [0, 1)"));
  }
  return absl::OkStatus();
}

int ClampToIntMillis(absl::Duration d) {
  const int64_t ms = absl::ToInt64Milliseconds(d);
  return static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(ms, 1 << 30)));
}

}  // namespace

class ReportClient::Impl {
 public:
  explicit Impl(ReportClientOptions options)
      : options_(std::move(options)),
        client_id_(options_.client_id.empty() ? grpc_internal::NewClientId()
                                              : options_.client_id),
        rng_(std::random_device()()) {
    ::grpc::ChannelArguments args;
    // gRPC's own reconnection backoff starts at 1 s and grows to 120 s: a server restarted
    // after a few failed attempts would then stay unreachable for minutes. Tie it to ours.
    // (GRPC_ARG_MIN_RECONNECT_BACKOFF_MS is left alone: it is also the connection attempt's
    // timeout, 20 s by default.)
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, ClampToIntMillis(options_.initial_backoff));
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, ClampToIntMillis(options_.max_backoff));
    channel_ = ::grpc::CreateCustomChannel(options_.target, ::grpc::InsecureChannelCredentials(),
                                           args);
    stub_ = std::make_unique<::grpc::GenericStub>(channel_);
    retry_thread_ = std::thread([this] { RetryLoop(); });
  }

  ~Impl() {
    CancelAll();
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &Impl::IdleLocked));
      stopping_ = true;
      retry_cv_.SignalAll();
    }
    retry_thread_.join();
  }

  // Sends the caller's bytes `request`, or, when `owned` is not empty, those bytes, which the
  // call keeps (an empty request is the same either way).
  void Send(absl::string_view request, size_t reports, std::string owned,
            std::function<void(absl::Status)> done) {
    auto call = std::make_shared<Call>();
    call->owned = std::move(owned);
    if (!call->owned.empty()) request = call->owned;
    // A slice over the caller's bytes, not a copy: they stay valid until `done` runs, and gRPC
    // has finished with a request's buffers when it completes the call.
    ::grpc::Slice slice(request.data(), request.size(), ::grpc::Slice::STATIC_SLICE);
    call->request = ::grpc::ByteBuffer(&slice, 1);
    call->done = std::move(done);
    call->reports = reports;
    call->backoff = options_.initial_backoff;
    {
      absl::MutexLock lock(&mu_);
      ++stats_.requests;
      ++stats_.in_flight;
      call->report_id = absl::StrCat(client_id_, "-", ++sequence_);
    }
    StartAttempt(std::move(call));
  }

  void CancelAll() {
    std::vector<std::shared_ptr<Call>> in_rpc;
    std::vector<std::shared_ptr<Call>> waiting;
    {
      absl::MutexLock lock(&mu_);
      cancelled_ = true;
      in_rpc.assign(active_.begin(), active_.end());
      for (auto& [due, call] : retries_) waiting.push_back(std::move(call));
      retries_.clear();
    }
    // Outside the lock: gRPC may run the call's completion inline, and that takes the lock.
    // The shared pointers keep each call (and its context) alive meanwhile.
    for (const std::shared_ptr<Call>& call : in_rpc) call->context->TryCancel();
    for (std::shared_ptr<Call>& call : waiting) {
      Finish(std::move(call), absl::CancelledError("ReportClient: cancelled before a retry"));
    }
  }

  ReportClientStats stats() const {
    absl::MutexLock lock(&mu_);
    return stats_;
  }
  const ReportClientOptions& options() const { return options_; }

 private:
  struct Call {
    std::string owned;
    ::grpc::ByteBuffer request;
    std::function<void(absl::Status)> done;
    uint64_t reports = 0;
    std::string report_id;
    int attempts = 0;
    absl::Duration backoff;
    // One per attempt: a ClientContext cannot be reused.
    std::unique_ptr<::grpc::ClientContext> context;
    ::grpc::ByteBuffer response;  // A ReportResponse, which has no fields.
  };

  void StartAttempt(std::shared_ptr<Call> call) {
    bool cancelled = false;
    {
      absl::MutexLock lock(&mu_);
      cancelled = cancelled_;
      if (!cancelled) PrepareAttemptLocked(*call);
      if (!cancelled) active_.insert(call);
    }
    if (cancelled) {
      Finish(std::move(call), absl::CancelledError("ReportClient: cancelled"));
      return;
    }
    Call* raw = call.get();
    stub_->UnaryCall(raw->context.get(), kReportMethod, ::grpc::StubOptions(), &raw->request,
                     &raw->response, [this, call](::grpc::Status status) mutable {
                       OnAttemptDone(std::move(call), status);
                     });
  }

  void PrepareAttemptLocked(Call& call) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    call.context = std::make_unique<::grpc::ClientContext>();
    call.context->set_deadline(absl::ToChronoTime(absl::Now() + options_.attempt_timeout));
    // Fail fast when no connection can be used: that attempt is then certainly not applied
    // and is retried after a backoff, while gRPC reconnects.
    call.context->set_wait_for_ready(false);
    call.context->AddMetadata(std::string(grpc_internal::kReportIdMetadataKey), call.report_id);
    ++stats_.attempts;
    if (call.attempts > 0) ++stats_.retries;
    ++call.attempts;
  }

  // True when the attempt certainly was not applied (see report_client.h).
  bool Retryable(const ::grpc::Status& status) {
    switch (status.error_code()) {
      case ::grpc::StatusCode::UNAVAILABLE:
        return true;
      case ::grpc::StatusCode::DEADLINE_EXCEEDED:
        // Nothing is sent before the channel has a ready connection, and a ready connection
        // that breaks fails its calls at once (UNAVAILABLE) rather than at the deadline. So a
        // deadline met while the channel is not ready is a connection that never opened.
        return channel_->GetState(false) != GRPC_CHANNEL_READY;
      default:
        return false;
    }
  }

  void OnAttemptDone(std::shared_ptr<Call> call, const ::grpc::Status& status) {
    const bool retryable = !status.ok() && Retryable(status);
    {
      absl::MutexLock lock(&mu_);
      active_.erase(call);
      if (retryable && !cancelled_ && call->attempts < options_.max_attempts) {
        std::uniform_real_distribution<double> spread(1.0 - options_.jitter,
                                                      1.0 + options_.jitter);
        const absl::Duration wait = call->backoff * spread(rng_);
        call->backoff = std::min(options_.max_backoff, call->backoff * options_.backoff_multiplier);
        retries_.emplace(absl::Now() + wait, std::move(call));
        retry_cv_.Signal();
        return;
      }
    }
    Finish(std::move(call), FromGrpcStatus(status));
  }

  // True when no request is in flight and no `done` is running: the destructor may go on.
  bool IdleLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stats_.in_flight == 0 && running_callbacks_ == 0;
  }

  // Ends a request: counts it, then calls `done` without the lock.
  void Finish(std::shared_ptr<Call> call, absl::Status status) {
    std::function<void(absl::Status)> done = std::move(call->done);
    {
      absl::MutexLock lock(&mu_);
      --stats_.in_flight;
      ++running_callbacks_;
      if (status.ok()) {
        ++stats_.successes;
        stats_.reports_succeeded += call->reports;
      } else if (status.code() == absl::StatusCode::kInvalidArgument) {
        ++stats_.refusals;
        stats_.reports_refused += call->reports;
      } else {
        ++stats_.failures;
        stats_.reports_failed += call->reports;
      }
    }
    call.reset();
    done(std::move(status));
    absl::MutexLock lock(&mu_);
    --running_callbacks_;
  }

  void RetryLoop() {
    std::vector<std::shared_ptr<Call>> due;
    absl::MutexLock lock(&mu_);
    while (!stopping_) {
      if (retries_.empty()) {
        retry_cv_.Wait(&mu_);
        continue;
      }
      const absl::Time now = absl::Now();
      if (retries_.begin()->first > now) {
        retry_cv_.WaitWithDeadline(&mu_, retries_.begin()->first);
        continue;
      }
      while (!retries_.empty() && retries_.begin()->first <= now) {
        due.push_back(std::move(retries_.begin()->second));
        retries_.erase(retries_.begin());
      }
      mu_.Unlock();
      for (std::shared_ptr<Call>& call : due) StartAttempt(std::move(call));
      due.clear();
      mu_.Lock();
    }
  }

  const ReportClientOptions options_;
  const std::string client_id_;
  std::shared_ptr<::grpc::Channel> channel_;
  // Sends requests already serialized (ReportBatchEncoder builds them as bytes).
  std::unique_ptr<::grpc::GenericStub> stub_;

  mutable absl::Mutex mu_;
  absl::CondVar retry_cv_;
  ReportClientStats stats_ ABSL_GUARDED_BY(mu_);
  uint64_t sequence_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t running_callbacks_ ABSL_GUARDED_BY(mu_) = 0;  // `done` calls not returned yet
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::mt19937_64 rng_ ABSL_GUARDED_BY(mu_);
  // Calls in an RPC (for CancelAll) and calls waiting for a retry, by due time.
  absl::flat_hash_set<std::shared_ptr<Call>> active_ ABSL_GUARDED_BY(mu_);
  std::multimap<absl::Time, std::shared_ptr<Call>> retries_ ABSL_GUARDED_BY(mu_);
  std::thread retry_thread_;
};

absl::StatusOr<std::unique_ptr<ReportClient>> ReportClient::Create(ReportClientOptions options) {
  absl::Status valid = ValidateOptions(options);
  if (!valid.ok()) return valid;
  return std::unique_ptr<ReportClient>(
      new ReportClient(std::make_unique<Impl>(std::move(options))));
}

ReportClient::ReportClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ReportClient::~ReportClient() = default;

void ReportClient::Send(absl::string_view request, size_t reports,
                        std::function<void(absl::Status)> done) {
  impl_->Send(request, reports, std::string(), std::move(done));
}
void ReportClient::Send(const istio::mixer::v1::ReportRequest& request,
                        std::function<void(absl::Status)> done) {
  impl_->Send(absl::string_view(), static_cast<size_t>(request.attributes_size()),
              request.SerializeAsString(), std::move(done));
}
void ReportClient::CancelAll() { impl_->CancelAll(); }
ReportClientStats ReportClient::stats() const { return impl_->stats(); }
const ReportClientOptions& ReportClient::options() const { return impl_->options(); }

}  // namespace mixlet
