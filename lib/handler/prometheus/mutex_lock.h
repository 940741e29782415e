// MutexLock: absl::MutexLock plus ThreadSanitizer lock annotations.
//
// Debian's abseil is not built with ThreadSanitizer, so a TSAN build of mixlet cannot see
// absl::Mutex acquire and release, and reports every access under a lock as a race. These
// annotations tell TSAN about the lock; in other builds they compile to nothing.
#ifndef MIXLET_LIB_HANDLER_PROMETHEUS_MUTEX_LOCK_H_
#define MIXLET_LIB_HANDLER_PROMETHEUS_MUTEX_LOCK_H_

#include "absl/base/dynamic_annotations.h"
#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace mixlet::handler_internal {

class ABSL_SCOPED_LOCKABLE MutexLock {
 public:
  explicit MutexLock(absl::Mutex* mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) {
    mu_->Lock();
    ABSL_ANNOTATE_RWLOCK_ACQUIRED(mu_, 1);
  }
  ~MutexLock() ABSL_UNLOCK_FUNCTION() {
    ABSL_ANNOTATE_RWLOCK_RELEASED(mu_, 1);
    mu_->Unlock();
  }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  absl::Mutex* const mu_;
};

}  // namespace mixlet::handler_internal

#endif  // MIXLET_LIB_HANDLER_PROMETHEUS_MUTEX_LOCK_H_
