#include "handler/prometheus/series_table.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <utility>


#include "handler/prometheus/label_hash.h"
#include "handler/prometheus/mutex_lock.h"

namespace mixlet::handler_internal {
namespace {

constexpr size_t kInitialCapacity = 16;

// Go's utf8.ValidString: no overlong forms, no surrogates, nothing above U+10FFFF.
bool IsValidUtf8(absl::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int n;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (end - p <= n) return false;
    for (int i = 1; i <= n; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (n == 3 && (cp < 0x10000 || cp > 0x10FFFF))) {
      return false;
    }
    p += n + 1;
  }
  return true;
}

bool LabelsLess(const Series* a, const Series* b) {
  const absl::Span<const absl::string_view> x = a->labels(), y = b->labels();
  return std::lexicographical_compare(x.begin(), x.end(), y.begin(), y.end());
}

size_t CapacityFor(size_t live) {
  size_t capacity = kInitialCapacity;
  while (capacity < live * 4) capacity *= 2;
  return capacity;
}

}  // namespace

SeriesTable::SlotsPtr SeriesTable::Slots::New(size_t capacity) {
  static_assert(sizeof(Slots) % alignof(std::atomic<Series*>) == 0, "slots stay aligned");
  void* memory = ::operator new(sizeof(Slots) + capacity * sizeof(std::atomic<Series*>));
  auto* slots = new (memory) Slots{capacity - 1};
  auto* slot = reinterpret_cast<std::atomic<Series*>*>(slots + 1);
  for (size_t i = 0; i < capacity; ++i) new (&slot[i]) std::atomic<Series*>(nullptr);
  return SlotsPtr(slots);
}

void SeriesTable::Slots::Deleter::operator()(Slots* slots) const {
  // The slots are trivially destructible atomics of pointers.
  slots->~Slots();
  ::operator delete(slots);
}

SeriesTable::SeriesTable(size_t label_count, size_t bucket_cells, size_t max_series,
                         std::string overflow_value)
    : label_count_(label_count),
      bucket_cells_(bucket_cells),
      max_series_(max_series),
      overflow_value_(std::move(overflow_value)) {
  owned_slots_ = Slots::New(kInitialCapacity);
  slots_.store(owned_slots_.get(), std::memory_order_release);
}

SeriesTable::~SeriesTable() {
  MutexLock lock(&mu_);
  const Slots& slots = *owned_slots_;
  for (size_t i = 0; i <= slots.mask; ++i) {
    Series* s = slots.slot(i).load(std::memory_order_relaxed);
    if (s != nullptr && s != Tombstone()) Series::Destroy(s);
  }
  for (Retired& r : retired_) {
    for (Series* s : r.series) Series::Destroy(s);
  }
}

Series* Series::Create(uint64_t hash, absl::Span<const absl::string_view> labels,
                       size_t bucket_cells) {
  size_t bytes = 0;
  for (absl::string_view v : labels) bytes += v.size();
  const size_t size = sizeof(Series) + sizeof(Series::Key) +
                      labels.size() * sizeof(absl::string_view) + bytes;
  void* memory = ::operator new(size, std::align_val_t{alignof(Series)});
  auto* s = new (memory) Series();
  s->label_count = static_cast<uint32_t>(labels.size());
  auto* key = new (s + 1) Series::Key{hash};
  auto* views = reinterpret_cast<absl::string_view*>(key + 1);
  char* text = reinterpret_cast<char*>(views + labels.size());
  for (size_t i = 0; i < labels.size(); ++i) {
    if (!labels[i].empty()) std::memcpy(text, labels[i].data(), labels[i].size());
    new (&views[i]) absl::string_view(text, labels[i].size());
    text += labels[i].size();
  }
  if (bucket_cells > 0) {
    s->buckets.reset(new std::atomic<uint64_t>[bucket_cells]);
    for (size_t i = 0; i < bucket_cells; ++i) s->buckets[i].store(0, std::memory_order_relaxed);
  }
  return s;
}

void Series::Destroy(Series* series) {
  series->~Series();
  ::operator delete(series, std::align_val_t{alignof(Series)});
}

Series* SeriesTable::FindOrCreateSlow(uint64_t hash, absl::Span<const absl::string_view> labels,
                                      Outcome* outcome) {
  // At the limit, a miss folds into the overflow series without taking the lock.
  if (Series* overflow = overflow_when_full_.load(std::memory_order_acquire)) {
    *outcome = Outcome::kOverflow;
    return overflow;
  }
  for (absl::string_view v : labels) {
    if (!IsValidUtf8(v)) {
      *outcome = Outcome::kInvalidLabel;
      return nullptr;
    }
  }
  MutexLock lock(&mu_);
  if (Series* s = FindIn(*owned_slots_, hash, labels)) {
    *outcome = Outcome::kFound;
    return s;
  }
  if (max_series_ != 0 && regular_ >= max_series_) {
    *outcome = Outcome::kOverflow;
    return OverflowSeriesLocked();
  }
  Series* s = NewSeries(hash, labels);
  InsertLocked(s);
  ++regular_;
  *outcome = Outcome::kCreated;
  return s;
}

Series* SeriesTable::NewSeries(uint64_t hash, absl::Span<const absl::string_view> labels) const {
  return Series::Create(hash, labels, bucket_cells_);
}

Series* SeriesTable::OverflowSeriesLocked() {
  if (overflow_ == nullptr) {
    std::vector<absl::string_view> values(label_count_, overflow_value_);
    const uint64_t hash = Hash(values);
    // A report may have used these very values already: that series becomes the overflow one.
    overflow_ = FindIn(*owned_slots_, hash, values);
    if (overflow_ == nullptr) {
      overflow_ = NewSeries(hash, values);
      InsertLocked(overflow_);
    } else {
      --regular_;
    }
  }
  overflow_when_full_.store(overflow_, std::memory_order_release);
  return overflow_;
}

void SeriesTable::InsertLocked(Series* s) {
  if ((used_ + 1) * 2 > owned_slots_->mask + 1) {
    // Rehash the live series into a fresh array (this also drops the tombstones).
    SlotsPtr fresh = Slots::New(CapacityFor(live_.load(std::memory_order_relaxed) + 1));
    const Slots& old = *owned_slots_;
    size_t moved = 0;
    for (size_t i = 0; i <= old.mask; ++i) {
      Series* e = old.slot(i).load(std::memory_order_relaxed);
      if (e == nullptr || e == Tombstone()) continue;
      size_t j = e->hash() & fresh->mask;
      while (fresh->slot(j).load(std::memory_order_relaxed) != nullptr) j = (j + 1) & fresh->mask;
      fresh->slot(j).store(e, std::memory_order_relaxed);
      ++moved;
    }
    used_ = moved;
    slots_.store(fresh.get(), std::memory_order_release);
    Retired retired;
    retired.slots = std::move(owned_slots_);
    retired.grace = EpochDomain::Global().StartGrace();
    retired_.push_back(std::move(retired));
    owned_slots_ = std::move(fresh);
    ReclaimLocked();
  }
  const Slots& slots = *owned_slots_;
  size_t i = s->hash() & slots.mask;
  for (;; i = (i + 1) & slots.mask) {
    Series* e = slots.slot(i).load(std::memory_order_relaxed);
    if (e == nullptr) {
      ++used_;
      break;
    }
    if (e == Tombstone()) break;  // Reuse: a reader passing by sees either value safely.
  }
  slots.slot(i).store(s, std::memory_order_release);
  live_.fetch_add(1, std::memory_order_relaxed);
  version_.fetch_add(1, std::memory_order_release);
}

size_t SeriesTable::DeleteExpired(int64_t now_nanos) {
  MutexLock lock(&mu_);
  ReclaimLocked();
  Retired retired;
  const Slots& slots = *owned_slots_;
  for (size_t i = 0; i <= slots.mask; ++i) {
    Series* s = slots.slot(i).load(std::memory_order_relaxed);
    if (s == nullptr || s == Tombstone()) continue;
    if (s->deadline.load(std::memory_order_relaxed) > now_nanos) continue;
    slots.slot(i).store(Tombstone(), std::memory_order_release);
    if (s == overflow_) {
      overflow_ = nullptr;
    } else {
      --regular_;
    }
    retired.series.push_back(s);
  }
  if (retired.series.empty()) return 0;
  overflow_when_full_.store(nullptr, std::memory_order_release);
  live_.fetch_sub(retired.series.size(), std::memory_order_relaxed);
  version_.fetch_add(1, std::memory_order_release);
  const size_t deleted = retired.series.size();
  retired.grace = EpochDomain::Global().StartGrace();
  retired_.push_back(std::move(retired));
  return deleted;
}

void SeriesTable::ReclaimLocked() {
  const EpochDomain& domain = EpochDomain::Global();
  auto done = std::remove_if(retired_.begin(), retired_.end(), [&](Retired& r) {
    if (!domain.GraceElapsed(r.grace)) return false;
    for (Series* s : r.series) Series::Destroy(s);
    r.series.clear();
    r.slots.reset();
    return true;
  });
  retired_.erase(done, retired_.end());
}

void SeriesTable::ForEachSorted(absl::FunctionRef<void(const Series&)> fn) const {
  MutexLock lock(&sort_mu_);
  const uint64_t version = version_.load(std::memory_order_acquire);
  if (version != sorted_version_) {
    sorted_.clear();
    const Slots& slots = *slots_.load(std::memory_order_acquire);
    for (size_t i = 0; i <= slots.mask; ++i) {
      Series* s = slots.slot(i).load(std::memory_order_acquire);
      if (s != nullptr && s != Tombstone()) sorted_.push_back(s);
    }
    std::sort(sorted_.begin(), sorted_.end(), LabelsLess);
    sorted_version_ = version;
  }
  for (const Series* s : sorted_) fn(*s);
}

}  // namespace mixlet::handler_internal
