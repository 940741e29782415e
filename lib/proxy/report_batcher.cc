#include "mixlet/proxy/report_batcher.h"

#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "istio/mixer/v1/report.pb.h"
#include "mixlet/wire/compressed_attributes.h"
#include "mixlet/wire/report_batch.h"

namespace mixlet {
namespace {

constexpr uint32_t kDefaultMaxBatchEntries = 100;
constexpr absl::Duration kDefaultMaxBatchTime = absl::Seconds(1);

// istio/proxy's test for a server that does not know its dictionary (wire.md §3): the client
// then uses only the base words.
bool IsInvalidDictionary(const absl::Status& status) {
  return status.code() == absl::StatusCode::kInvalidArgument &&
         absl::StartsWith(status.message(), "Request could not be processed due to invalid");
}

}  // namespace

class ReportBatcher::Impl {
 public:
  Impl(ReportBatcherOptions options, ReportTransport* transport,
       std::shared_ptr<const WireCodec> codec, ReportBatchOptions batch_options)
      : options_(std::move(options)),
        transport_(transport),
        codec_(std::move(codec)),
        batch_options_(batch_options),
        global_word_count_(batch_options.global_word_count) {}

  ~Impl() {
    Flush();
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](size_t* in_flight) { return *in_flight == 0; }, &in_flight_));
  }

  // Creates the first encoder; fails only for options the encoder refuses.
  absl::Status Init() {
    absl::MutexLock lock(&mu_);
    // The pool never holds more than this many encoders: the one being filled plus one per
    // pending request. Reserved now so returning an encoder never allocates.
    free_.reserve(options_.max_pending_requests + 1);
    encoders_.reserve(options_.max_pending_requests + 1);
    absl::StatusOr<ReportBatchEncoder*> first = NewEncoderLocked();
    if (!first.ok()) return first.status();
    current_ = *first;
    return absl::OkStatus();
  }

  void OnReport(const Bag& report, absl::Time now) {
    // At most three batches leave in one call: one timed out, one ended by a delta that cannot
    // delete, and one filled up.
    ReportBatchEncoder* to_send[3];
    int n = 0;
    {
      absl::MutexLock lock(&mu_);
      ++stats_.reports;
      if (!current_->empty() && now - batch_start_ >= options_.max_batch_time) {
        to_send[n++] = DetachLocked();
      }
      absl::StatusOr<bool> added = current_->Add(report);
      if (added.ok() && !*added) {
        to_send[n++] = DetachLocked();
        added = current_->Add(report);
      }
      if (!added.ok() || !*added) {
        ++stats_.drops;
      } else {
        if (current_->size() == 1) batch_start_ = now;
        if (current_->size() >= options_.max_batch_entries) to_send[n++] = DetachLocked();
      }
    }
    for (int i = 0; i < n; ++i) Send(to_send[i]);
  }

  void Poll(absl::Time now) {
    ReportBatchEncoder* to_send = nullptr;
    {
      absl::MutexLock lock(&mu_);
      if (current_->empty() || now - batch_start_ < options_.max_batch_time) return;
      to_send = DetachLocked();
    }
    Send(to_send);
  }

  void Flush() {
    ReportBatchEncoder* to_send = nullptr;
    {
      absl::MutexLock lock(&mu_);
      if (current_->empty()) return;
      to_send = DetachLocked();
    }
    Send(to_send);
  }

  ReportBatcherStats stats() const {
    absl::MutexLock lock(&mu_);
    return stats_;
  }
  size_t pending_requests() const {
    absl::MutexLock lock(&mu_);
    return in_flight_;
  }
  size_t batch_size() const {
    absl::MutexLock lock(&mu_);
    return current_->size();
  }
  uint32_t global_word_count() const {
    absl::MutexLock lock(&mu_);
    return global_word_count_;
  }
  absl::Status last_send_error() const {
    absl::MutexLock lock(&mu_);
    return last_send_error_;
  }

 private:
  absl::StatusOr<ReportBatchEncoder*> NewEncoderLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    ReportBatchOptions batch_options = batch_options_;
    batch_options.global_word_count = global_word_count_;
    absl::StatusOr<std::unique_ptr<ReportBatchEncoder>> encoder =
        ReportBatchEncoder::Create(codec_, batch_options);
    if (!encoder.ok()) return encoder.status();
    encoders_.push_back(std::move(*encoder));
    return encoders_.back().get();
  }

  // Takes the current batch out for sending and starts a new one. Returns null when the batch
  // was dropped instead (too many requests pending); its encoder is then reused at once.
  ReportBatchEncoder* DetachLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    ReportBatchEncoder* next = nullptr;
    if (in_flight_ < options_.max_pending_requests) {
      if (!free_.empty()) {
        next = free_.back();
        free_.pop_back();
      } else {
        // Fewer than max_pending_requests + 1 encoders exist (one per pending request plus the
        // current one), so growing the pool stays within the bound. Creation only fails for
        // options the first encoder already passed; if it did, the batch is dropped below.
        absl::StatusOr<ReportBatchEncoder*> fresh = NewEncoderLocked();
        if (fresh.ok()) next = *fresh;
      }
    }
    if (next == nullptr) {
      stats_.drops += current_->size();
      current_->Clear();
      UseGlobalWordCountLocked(current_);
      return nullptr;
    }
    ReportBatchEncoder* full = current_;
    ++in_flight_;
    ++stats_.sends;
    current_ = next;
    UseGlobalWordCountLocked(current_);
    return full;
  }

  void UseGlobalWordCountLocked(ReportBatchEncoder* encoder) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (encoder->global_word_count() != global_word_count_) {
      encoder->set_global_word_count(global_word_count_).IgnoreError();  // Empty, in range.
    }
  }

  void Send(ReportBatchEncoder* encoder) {
    if (encoder == nullptr) return;
    // Captures two pointers: fits std::function's inline storage, so no allocation per send.
    transport_->Send(encoder->bytes(), encoder->size(),
                     [this, encoder](absl::Status status) { Done(encoder, std::move(status)); });
  }

  void Done(ReportBatchEncoder* encoder, absl::Status status) {
    absl::MutexLock lock(&mu_);
    if (status.ok()) {
      ++stats_.successes;
    } else {
      ++stats_.failures;
      if (IsInvalidDictionary(status)) {
        global_word_count_ = kGlobalDictionaryBaseSize;
        if (current_->empty()) UseGlobalWordCountLocked(current_);
      }
      last_send_error_ = std::move(status);
    }
    encoder->Clear();
    free_.push_back(encoder);
    --in_flight_;
  }

  const ReportBatcherOptions options_;
  ReportTransport* const transport_;
  const std::shared_ptr<const WireCodec> codec_;
  const ReportBatchOptions batch_options_;

  mutable absl::Mutex mu_;
  // Every encoder ever made (at most max_pending_requests + 1); the others point into it.
  std::vector<std::unique_ptr<ReportBatchEncoder>> encoders_ ABSL_GUARDED_BY(mu_);
  std::vector<ReportBatchEncoder*> free_ ABSL_GUARDED_BY(mu_);
  ReportBatchEncoder* current_ ABSL_GUARDED_BY(mu_) = nullptr;
  absl::Time batch_start_ ABSL_GUARDED_BY(mu_);
  size_t in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  uint32_t global_word_count_ ABSL_GUARDED_BY(mu_);
  ReportBatcherStats stats_ ABSL_GUARDED_BY(mu_);
  absl::Status last_send_error_ ABSL_GUARDED_BY(mu_);
};

absl::StatusOr<std::unique_ptr<ReportBatcher>> ReportBatcher::Create(ReportBatcherOptions options,
                                                                     ReportTransport* transport) {
  if (transport == nullptr) {
    return absl::InvalidArgumentError("ReportBatcher: the transport is null");
  }
  if (options.vocabulary == nullptr) {
    return absl::InvalidArgumentError("ReportBatcherOptions.vocabulary is null");
  }
  if (options.max_pending_requests == 0) {
    return absl::InvalidArgumentError("ReportBatcherOptions.max_pending_requests must be >= 1");
  }
  if (options.max_batch_time < absl::ZeroDuration() ||
      options.max_batch_time == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("ReportBatcherOptions.max_batch_time must be finite and not negative, got ",
                     absl::FormatDuration(options.max_batch_time)));
  }
  if (options.global_word_count > kGlobalDictionarySize) {
    return absl::InvalidArgumentError(
        absl::StrCat("ReportBatcherOptions.global_word_count is ", options.global_word_count,
                     ", above the ", kGlobalDictionarySize, " words of the global dictionary"));
  }
  if (options.max_batch_entries == 0) options.max_batch_entries = kDefaultMaxBatchEntries;
  if (options.max_batch_time == absl::ZeroDuration()) {
    options.max_batch_time = kDefaultMaxBatchTime;
  }
  ReportBatchOptions batch_options;
  batch_options.semantics = options.encoding == BatchEncoding::kDelta
                                ? istio::mixer::v1::ReportRequest::DELTA_ENCODING
                                : istio::mixer::v1::ReportRequest::INDEPENDENT_ENCODING;
  batch_options.global_word_count = options.global_word_count;
  std::shared_ptr<const WireCodec> codec = WireCodec::Create(options.vocabulary);
  auto impl =
      std::make_unique<Impl>(std::move(options), transport, std::move(codec), batch_options);
  absl::Status init = impl->Init();
  if (!init.ok()) return init;
  return std::unique_ptr<ReportBatcher>(new ReportBatcher(std::move(impl)));
}

ReportBatcher::ReportBatcher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ReportBatcher::~ReportBatcher() = default;

void ReportBatcher::OnReport(const Bag& report, absl::Time now) { impl_->OnReport(report, now); }
void ReportBatcher::Poll(absl::Time now) { impl_->Poll(now); }
void ReportBatcher::Flush() { impl_->Flush(); }
ReportBatcherStats ReportBatcher::stats() const { return impl_->stats(); }
size_t ReportBatcher::pending_requests() const { return impl_->pending_requests(); }
size_t ReportBatcher::batch_size() const { return impl_->batch_size(); }
uint32_t ReportBatcher::global_word_count() const { return impl_->global_word_count(); }
absl::Status ReportBatcher::last_send_error() const { return impl_->last_send_error(); }

}  // namespace mixlet
