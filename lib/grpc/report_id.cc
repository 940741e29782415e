#include "grpc/report_id.h"

#include <random>
#include <utility>

#include "absl/strings/str_format.h"

namespace mixlet::grpc_internal {

std::string NewClientId() {
  std::random_device device;
  const uint64_t high = device();
  const uint64_t low = device();
  return absl::StrFormat("%016x", (high << 32) ^ low);
}

RecentReportIds::RecentReportIds(size_t capacity) : capacity_(capacity > 0 ? capacity : 1) {}

bool RecentReportIds::Begin(absl::string_view id, absl::Duration wait, absl::Status* previous) {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) {
    entries_.emplace(std::string(id), Entry());
    order_.emplace_back(id);
    // Evict the oldest ids beyond capacity. order_ may also hold abandoned ids, so it is
    // trimmed until the map is within bounds and the deque no larger than twice that.
    while (entries_.size() > capacity_ || order_.size() > 2 * capacity_) {
      entries_.erase(order_.front());
      order_.pop_front();
    }
    return true;
  }
  // A retry of a request that is still being applied: wait for its answer rather than
  // applying it a second time.
  auto answered = [this, id]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto found = entries_.find(id);
    return found == entries_.end() || found->second.done;
  };
  mu_.AwaitWithTimeout(absl::Condition(&answered), wait);
  it = entries_.find(id);
  if (it == entries_.end()) {
    // Abandoned (nothing applied) or evicted while waiting: say so; the client retries
    // UNAVAILABLE, and that attempt claims the id afresh.
    *previous = absl::UnavailableError(
        absl::StrFormat("report %s was not applied; try again", id));
  } else if (!it->second.done) {
    *previous = absl::UnavailableError(
        absl::StrFormat("report %s is still being applied by an earlier attempt", id));
  } else {
    *previous = it->second.answer;
  }
  return false;
}

void RecentReportIds::Finish(absl::string_view id, const absl::Status& answer) {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return;  // Evicted meanwhile: nothing to remember it by.
  it->second.done = true;
  it->second.answer = answer;
}

void RecentReportIds::Abandon(absl::string_view id) {
  absl::MutexLock lock(&mu_);
  entries_.erase(id);
}

size_t RecentReportIds::size() const {
  absl::MutexLock lock(&mu_);
  return entries_.size();
}

}  // namespace mixlet::grpc_internal
