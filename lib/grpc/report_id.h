// Report ids: how mixlet's Report client and server make a retried request count once.
//
// The client sends one id per request, the same on every attempt, in the gRPC metadata entry
// `mixlet-report-id` (`<client id>-<sequence>`). The server remembers the ids it has applied
// (`RecentReportIds`) and answers a repeated one with the first answer, without dispatching it
// again. Servers that do not know the entry (Mixer) ignore it.
#ifndef MIXLET_LIB_GRPC_REPORT_ID_H_
#define MIXLET_LIB_GRPC_REPORT_ID_H_

#include <cstddef>
#include <deque>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace mixlet::grpc_internal {

// The metadata key (gRPC keys are lower case).
inline constexpr absl::string_view kReportIdMetadataKey = "mixlet-report-id";

// Ids longer than this are ignored by the server (the request is applied without the check),
// so a hostile client cannot make it store large keys.
inline constexpr size_t kMaxReportIdLength = 128;

// A random client id: 16 hex digits from the system's random device.
std::string NewClientId();

// The ids of the most recent requests and their answers. Thread-safe.
class RecentReportIds {
 public:
  // Remembers at most `capacity` ids (> 0); the oldest are forgotten first.
  explicit RecentReportIds(size_t capacity);

  RecentReportIds(const RecentReportIds&) = delete;
  RecentReportIds& operator=(const RecentReportIds&) = delete;

  // Claims `id` for the calling request. Returns true when the id is new: the caller applies the
  // request and then calls exactly one of `Finish` or `Abandon`. Returns false when the id was
  // already claimed: `*previous` is then the answer given to it. When that request is still
  // being applied, waits up to `wait` for its answer (after which `*previous` is UNAVAILABLE
  // "still being applied", which is true: a later retry will find the answer).
  bool Begin(absl::string_view id, absl::Duration wait, absl::Status* previous);

  // Records the answer of a request that `Begin` let through.
  void Finish(absl::string_view id, const absl::Status& answer);

  // Forgets an id whose request was not applied at all, so that a retry is applied.
  void Abandon(absl::string_view id);

  size_t size() const;

 private:
  struct Entry {
    bool done = false;
    absl::Status answer;
  };

  const size_t capacity_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
  // Every id in `entries_`, oldest first (an abandoned id may linger here until it is evicted;
  // eviction skips ids that are no longer in `entries_`).
  std::deque<std::string> order_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mixlet::grpc_internal

#endif  // MIXLET_LIB_GRPC_REPORT_ID_H_
