// Read-side critical sections and grace periods, so the series tables can be read without a
// lock while expiry and growth unlink and later free what readers might still be looking at.
//
// Readers (every `Handle` call, every render) bracket their table accesses with an
// `EpochDomain::ReadSection`. Entering costs one atomic exchange on a counter owned by the
// calling thread (no shared cache line); leaving is a plain release store. A writer that has
// unlinked memory (a deleted series, a replaced slot array) calls `StartGrace()` and may free it
// once `GraceElapsed(token)` is true: every thread that was inside a section when the grace
// started has left it since. Nothing ever waits: writers check again at their next sweep.
//
// Where Linux offers membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED), entering a section is a plain
// store and the (rare) writer pays for the barrier instead, with one system call per grace
// period; elsewhere entering is an atomic exchange (a full barrier).
//
// Each thread gets a record the first time it enters a section (one allocation per thread, kept
// for reuse by later threads after it exits). Sections nest.
//
// Example:
//   {
//     EpochDomain::ReadSection section;
//     Series* s = table.Find(hash, labels);   // valid until the section ends
//   }
//   table.Unlink(s);  GraceToken t = EpochDomain::Global().StartGrace();
//   ... later: if (EpochDomain::Global().GraceElapsed(t)) delete s;
#ifndef MIXLET_LIB_HANDLER_PROMETHEUS_EPOCH_H_
#define MIXLET_LIB_HANDLER_PROMETHEUS_EPOCH_H_

#include <atomic>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/base/attributes.h"

namespace mixlet::handler_internal {

class EpochDomain {
 public:
  // One thread's section counter: odd while the thread is inside a section. Written only by
  // the owning thread (so it reads its own count with a relaxed load).
  struct Record {
    std::atomic<uint64_t> seq{0};
    std::atomic<bool> in_use{false};    // Owned by a live thread.
    Record* next = nullptr;             // Immutable once published.
  };

  // Who was inside a section when the grace started, and at which count.
  class GraceToken {
   public:
    GraceToken() = default;

   private:
    friend class EpochDomain;
    std::vector<std::pair<const Record*, uint64_t>> active_;
  };

  // The process-wide domain used by every series table.
  static EpochDomain& Global();

  // RAII read section on the global domain. A section inside another (the count is already
  // odd) changes nothing: only the outermost one enters and leaves.
  class ReadSection {
   public:
    ReadSection() : record_(ThreadRecord()) {
      const uint64_t seq = record_->seq.load(std::memory_order_relaxed);
      outermost_ = (seq & 1) == 0;
      if (outermost_) {
        const uint64_t odd = seq + 1;
        if (light_readers_) {
          // Writers run membarrier(), which makes this store visible or the writer's unlink
          // visible to the loads below; the compiler must only keep the order.
          record_->seq.store(odd, std::memory_order_release);
          std::atomic_signal_fence(std::memory_order_seq_cst);
        } else {
          // The exchange is a full barrier: the odd count is visible before any table load
          // below (pairs with the fence in StartGrace).
          record_->seq.exchange(odd, std::memory_order_seq_cst);
        }
      }
    }
    ~ReadSection() {
      if (outermost_) {
        record_->seq.store(record_->seq.load(std::memory_order_relaxed) + 1,
                           std::memory_order_release);
      }
    }
    ReadSection(const ReadSection&) = delete;
    ReadSection& operator=(const ReadSection&) = delete;

   private:
    Record* record_;
    bool outermost_;
  };

  // Call after unlinking: the token says which readers may still see the unlinked memory.
  GraceToken StartGrace() const;
  // True once every reader recorded in `token` has left the section it was in.
  bool GraceElapsed(const GraceToken& token) const;

  // Frees `record` for reuse by a later thread; called when its thread exits.
  static void ReleaseRecordForThreadExit(Record* record);

 private:
  static Record* ThreadRecord() {
    Record* r = tls_record_;
    return r != nullptr ? r : AcquireRecord();
  }
  static Record* AcquireRecord();
  EpochDomain();

  // Whether readers use the light entry (a plain store), set once when the domain is built:
  // true when the kernel's membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) is available.
  static inline bool light_readers_ = false;

  // Constant-initialised and initial-exec: reading it is one %fs-relative load, with no TLS
  // wrapper call even though the library is built position-independent.
  ABSL_ATTRIBUTE_INITIAL_EXEC static inline thread_local Record* tls_record_ = nullptr;
  std::atomic<Record*> head_{nullptr};
};

}  // namespace mixlet::handler_internal

#endif  // MIXLET_LIB_HANDLER_PROMETHEUS_EPOCH_H_
