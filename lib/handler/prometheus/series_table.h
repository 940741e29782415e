// SeriesTable: the series of one Prometheus metric, found by their label values.
//
// A series is identified by its label values in the metric's label order (label names sorted
// byte-wise). The table is an open-addressing hash table of pointers to `Series`:
//
// * Lookups take no lock and allocate nothing: the caller hashes the label values once
//   (`Hash`), probes with acquire loads and compares the values of candidates with the same hash.
//   The caller must be inside an `EpochDomain::ReadSection` for as long as it uses the returned
//   pointer.
// * Creating a series (a lookup miss) takes the table's mutex, allocates the series and
//   publishes it with a release store; the slot array grows by publishing a new array.
// * Deleting (expiry) replaces the slot with a tombstone; unlinked series and slot arrays are
//   freed once every reader that might still see them has left its read section.
// * The cardinality guard: once the table holds `max_series` series, a miss returns the overflow
//   series instead (every label value set to `overflow_value`), created on first need.
//
// Values: counters keep Go's split (exact unsigned integer part plus a double part), gauges a
// double, histograms per-bucket counts plus a double sum; every update is one atomic operation
// (a CAS loop for doubles), so concurrent updates are never lost.
#ifndef MIXLET_LIB_HANDLER_PROMETHEUS_SERIES_TABLE_H_
#define MIXLET_LIB_HANDLER_PROMETHEUS_SERIES_TABLE_H_

#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "handler/prometheus/epoch.h"
#include "handler/prometheus/label_hash.h"

namespace mixlet::handler_internal {

inline uint64_t DoubleBits(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return bits;
}
inline double BitsDouble(uint64_t bits) {
  double v;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

// Adds `v` to the double stored as bits in `cell`. Hot path: no allocation, no string hashing.
inline void AtomicAddDouble(std::atomic<uint64_t>& cell, double v) {
  uint64_t old_bits = cell.load(std::memory_order_relaxed);
  while (!cell.compare_exchange_weak(old_bits, DoubleBits(BitsDouble(old_bits) + v),
                                     std::memory_order_relaxed)) {
  }
}

// No deadline: the series never expires (no expiry policy updated it).
inline constexpr int64_t kNoDeadline = std::numeric_limits<int64_t>::max();

// One series. Aligned to a cache line so that threads updating different series never share one.
// Its key lives right behind it in the same allocation (the hash, the label views, then the
// bytes), so a lookup reaches it without chasing another pointer: create with `Create`, free
// with `Destroy`. The first line holds what updates write and what renders read; the key starts
// on the next line, so a lookup that probes past a series another thread is updating reads
// nothing that thread writes.
struct alignas(64) Series {
  // Immutable once published: the start of the key behind the series.
  struct Key {
    uint64_t hash;
  };

  // Immutable once published.
  uint32_t label_count = 0;
  // Expiry deadline in Unix nanoseconds (kNoDeadline when none applies).
  std::atomic<int64_t> deadline{kNoDeadline};
  // Counter: integer part. Gauge: value bits. Histogram: sum bits.
  std::atomic<uint64_t> cell0{0};
  // Counter: double part bits.
  std::atomic<uint64_t> cell1{0};
  // Histogram: per-bucket counts, not cumulative; the last is the implicit +Inf bucket.
  std::unique_ptr<std::atomic<uint64_t>[]> buckets;

  // Counter increment, as Go's client: an exact non-negative integer below 2^64 is summed in the
  // integer part, anything else (fractions, NaN, +Inf) in the double part. `v` must not be
  // negative. Hot path: no allocation, no string hashing.
  void CounterAdd(double v) {
    if (v >= 0 && v < 9223372036854775808.0) {
      const auto i = static_cast<uint64_t>(static_cast<int64_t>(v));
      if (static_cast<double>(i) == v) {
        cell0.fetch_add(i, std::memory_order_relaxed);
        return;
      }
    } else if (v >= 9223372036854775808.0 && v < 18446744073709551616.0) {
      // Doubles this large are integers.
      cell0.fetch_add(static_cast<uint64_t>(v), std::memory_order_relaxed);
      return;
    }
    AtomicAddDouble(cell1, v);
  }
  // An INT64 value v with 0 <= v < 2^53: the same as CounterAdd(double(v)), without the
  // conversions. Hot path: no allocation, no string hashing.
  void CounterAddSmallInt(uint64_t v) { cell0.fetch_add(v, std::memory_order_relaxed); }
  // Go's exposed value: double part + double(integer part).
  double CounterValue() const {
    return BitsDouble(cell1.load(std::memory_order_relaxed)) +
           static_cast<double>(cell0.load(std::memory_order_relaxed));
  }

  // Hot path: no allocation, no string hashing.
  void GaugeSet(double v) { cell0.store(DoubleBits(v), std::memory_order_relaxed); }
  double GaugeValue() const { return BitsDouble(cell0.load(std::memory_order_relaxed)); }

  // Counts `v` in bucket `index` (see BucketIndex) and adds it to the sum.
  // Hot path: no allocation, no string hashing.
  void Observe(size_t index, double v) {
    buckets[index].fetch_add(1, std::memory_order_relaxed);
    AtomicAddDouble(cell0, v);
  }
  double HistogramSum() const { return BitsDouble(cell0.load(std::memory_order_relaxed)); }

  const Key& key() const { return *reinterpret_cast<const Key*>(this + 1); }
  uint64_t hash() const { return key().hash; }
  // Label values, in the metric's label order. Valid as long as the series.
  absl::Span<const absl::string_view> labels() const {
    return {label_data(), label_count};
  }
  // The first label view (as many as the table has labels). Hot path: no allocation.
  const absl::string_view* label_data() const {
    return reinterpret_cast<const absl::string_view*>(&key() + 1);
  }

  // A zeroed series holding a copy of `labels`; `bucket_cells` histogram buckets (0 for none).
  static Series* Create(uint64_t hash, absl::Span<const absl::string_view> labels,
                        size_t bucket_cells);
  static void Destroy(Series* series);
};
static_assert(sizeof(Series) == 64, "what updates write is one cache line");
static_assert(sizeof(Series::Key) % alignof(absl::string_view) == 0, "trailing views stay aligned");

class SeriesTable {
 public:
  // `bucket_cells`: number of histogram buckets including +Inf (0 for counters and gauges).
  // `max_series`: the cardinality guard, 0 for none. `overflow_value`: the label value of every
  // label of the overflow series.
  SeriesTable(size_t label_count, size_t bucket_cells, size_t max_series,
              std::string overflow_value);
  // Frees every series. No other thread may use the table any more.
  ~SeriesTable();

  // Tables are shared by pointer and hold raw memory that readers may be looking at.
  SeriesTable(const SeriesTable&) = delete;
  SeriesTable& operator=(const SeriesTable&) = delete;

  // The hash of a label-value tuple. Hot path: no allocation; hashes the values once.
  static uint64_t Hash(absl::Span<const absl::string_view> labels) { return HashLabels(labels); }

  // The series with these label values, or nullptr. Caller is inside a ReadSection; the result
  // is valid until it leaves it. Hot path: no allocation, no lock.
  Series* Find(uint64_t hash, absl::Span<const absl::string_view> labels) const {
    return FindIn(*slots_.load(std::memory_order_acquire), hash, labels);
  }

  enum class Outcome {
    kFound,         // The series existed.
    kCreated,       // A new series was created.
    kOverflow,      // The guard's limit was reached: the overflow series is returned.
    kInvalidLabel,  // A label value is not valid UTF-8: nullptr is returned.
  };
  // The series for `labels`, creating it (or returning the overflow series) on a miss. Caller
  // is inside a ReadSection. Hot path once the series exists (a lock-free Find).
  Series* FindOrCreate(uint64_t hash, absl::Span<const absl::string_view> labels,
                       Outcome* outcome) {
    if (Series* s = Find(hash, labels)) {
      *outcome = Outcome::kFound;
      return s;
    }
    return FindOrCreateSlow(hash, labels, outcome);
  }

  // Deletes every series whose deadline is <= `now_nanos`, frees memory whose grace period has
  // elapsed, and returns how many series were deleted.
  size_t DeleteExpired(int64_t now_nanos);

  // Live series, the overflow series included.
  size_t size() const { return live_.load(std::memory_order_relaxed); }
  size_t label_count() const { return label_count_; }
  size_t bucket_cells() const { return bucket_cells_; }

  // Calls `fn` for every live series in label order (values compared byte-wise, label by label).
  // Caller is inside a ReadSection. The order is cached until the set of series changes.
  void ForEachSorted(absl::FunctionRef<void(const Series&)> fn) const;

 private:
  // A slot array: the mask, then the slots in the same allocation (a lookup loads the mask and
  // a slot without chasing a pointer between them). Create with `New`, own with `SlotsPtr`.
  struct Slots {
    size_t mask;
    std::atomic<Series*>& slot(size_t i) const {
      return reinterpret_cast<std::atomic<Series*>*>(const_cast<Slots*>(this + 1))[i];
    }
    struct Deleter {
      void operator()(Slots* slots) const;
    };
    // `capacity` (a power of two) empty slots.
    static std::unique_ptr<Slots, Deleter> New(size_t capacity);
  };
  using SlotsPtr = std::unique_ptr<Slots, Slots::Deleter>;
  struct Retired {
    EpochDomain::GraceToken grace;
    std::vector<Series*> series;
    SlotsPtr slots;
  };

  // Marks a deleted slot: a unique address, compared against and never dereferenced.
  static Series* Tombstone() {
    alignas(Series) static char marker[sizeof(Series)];
    return reinterpret_cast<Series*>(marker);
  }
  // Hot path: no allocation; the label values were hashed once by the caller.
  static Series* FindIn(const Slots& slots, uint64_t hash,
                        absl::Span<const absl::string_view> labels) {
    // The table is never more than half full, so the probe always reaches an empty slot.
    for (size_t i = hash & slots.mask;; i = (i + 1) & slots.mask) {
      Series* s = slots.slot(i).load(std::memory_order_acquire);
      if (s == nullptr) return nullptr;
      if (s != Tombstone() && s->hash() == hash && LabelsEqual(*s, labels)) return s;
    }
  }
  // Hot path: no allocation; `labels` has the table's label count.
  static bool LabelsEqual(const Series& s, absl::Span<const absl::string_view> labels) {
    const absl::string_view* mine = s.label_data();
    for (size_t i = 0; i < labels.size(); ++i) {
      if (!BytesEqual(mine[i], labels[i])) return false;
    }
    return true;
  }
  Series* FindOrCreateSlow(uint64_t hash, absl::Span<const absl::string_view> labels,
                           Outcome* outcome);
  Series* NewSeries(uint64_t hash, absl::Span<const absl::string_view> labels) const;
  // Inserts `s` (known absent). Grows first if needed.
  void InsertLocked(Series* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Series* OverflowSeriesLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ReclaimLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const size_t label_count_;
  const size_t bucket_cells_;
  const size_t max_series_;
  const std::string overflow_value_;

  std::atomic<Slots*> slots_;
  // Fast path for the guard: set while the table is at its limit and the overflow series exists.
  std::atomic<Series*> overflow_when_full_{nullptr};
  std::atomic<size_t> live_{0};
  // Bumped whenever a series is added or deleted (invalidates the sorted cache).
  std::atomic<uint64_t> version_{0};

  absl::Mutex mu_;
  SlotsPtr owned_slots_ ABSL_GUARDED_BY(mu_);  // What slots_ points to.
  size_t used_ ABSL_GUARDED_BY(mu_) = 0;       // Live + tombstones.
  size_t regular_ ABSL_GUARDED_BY(mu_) = 0;    // Live, overflow excluded.
  Series* overflow_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::vector<Retired> retired_ ABSL_GUARDED_BY(mu_);

  mutable absl::Mutex sort_mu_;
  mutable std::vector<const Series*> sorted_ ABSL_GUARDED_BY(sort_mu_);
  mutable uint64_t sorted_version_ ABSL_GUARDED_BY(sort_mu_) = ~uint64_t{0};
};

}  // namespace mixlet::handler_internal

#endif  // MIXLET_LIB_HANDLER_PROMETHEUS_SERIES_TABLE_H_
