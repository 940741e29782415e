#include "handler/prometheus/epoch.h"

#if defined(__linux__)
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include <cstdlib>

namespace mixlet::handler_internal {

namespace {

// Gives the thread's record back when the thread exits. Constructed on the slow path only, so
// the fast path reads a trivially-initialised thread_local pointer and nothing else.
struct RecordReleaser {
  EpochDomain::Record* record = nullptr;
  ~RecordReleaser();
};

}  // namespace

namespace {

// Runs a full memory barrier on every thread of this process that is running right now.
bool ProcessWideBarrier() {
#if defined(__linux__) && defined(__NR_membarrier)
  return syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) == 0;
#else
  return false;
#endif
}

bool RegisterProcessWideBarrier() {
#if defined(__linux__) && defined(__NR_membarrier)
  const long supported = syscall(__NR_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
  if (supported < 0 || (supported & MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0) return false;
  if (syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) != 0) {
    return false;
  }
  return ProcessWideBarrier();
#else
  return false;
#endif
}

}  // namespace

EpochDomain::EpochDomain() { light_readers_ = RegisterProcessWideBarrier(); }

EpochDomain& EpochDomain::Global() {
  // Never destroyed: threads may still leave sections during static destruction.
  static EpochDomain* domain = new EpochDomain();
  return *domain;
}

EpochDomain::Record* EpochDomain::AcquireRecord() {
  EpochDomain& domain = Global();
  Record* found = nullptr;
  for (Record* r = domain.head_.load(std::memory_order_acquire); r != nullptr; r = r->next) {
    bool expected = false;
    if (!r->in_use.load(std::memory_order_relaxed) &&
        r->in_use.compare_exchange_strong(expected, true, std::memory_order_acquire)) {
      found = r;
      break;
    }
  }
  if (found == nullptr) {
    // Records are never freed: a writer may be scanning the list at any time.
    found = new Record();
    found->in_use.store(true, std::memory_order_relaxed);
    Record* head = domain.head_.load(std::memory_order_relaxed);
    do {
      found->next = head;
    } while (!domain.head_.compare_exchange_weak(head, found, std::memory_order_release,
                                                 std::memory_order_relaxed));
  }
  thread_local RecordReleaser releaser;
  releaser.record = found;
  tls_record_ = found;
  return found;
}

void EpochDomain::ReleaseRecordForThreadExit(Record* record) {
  tls_record_ = nullptr;
  // A thread cannot exit inside a section (sections are scoped); should one, the next owner
  // must still start outside.
  const uint64_t seq = record->seq.load(std::memory_order_relaxed);
  if (seq & 1) record->seq.store(seq + 1, std::memory_order_release);
  record->in_use.store(false, std::memory_order_release);
}

RecordReleaser::~RecordReleaser() {
  if (record != nullptr) EpochDomain::ReleaseRecordForThreadExit(record);
}

EpochDomain::GraceToken EpochDomain::StartGrace() const {
  // Pairs with the entry of ReadSection: either this scan sees a reader's odd count, or the
  // reader's loads see what the caller unlinked before calling.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (light_readers_ && !ProcessWideBarrier()) {
    // Registered but refused: cannot happen on Linux; keep the readers safe regardless.
    std::abort();
  }
  GraceToken token;
  for (const Record* r = head_.load(std::memory_order_acquire); r != nullptr; r = r->next) {
    const uint64_t seq = r->seq.load(std::memory_order_acquire);
    if (seq & 1) token.active_.emplace_back(r, seq);
  }
  return token;
}

bool EpochDomain::GraceElapsed(const GraceToken& token) const {
  for (const auto& [record, seq] : token.active_) {
    if (record->seq.load(std::memory_order_acquire) == seq) return false;
  }
  return true;
}

}  // namespace mixlet::handler_internal
