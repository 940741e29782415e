// Histogram bucket upper bounds exactly as Mixer's Prometheus adapter registered them
// (metric-and-prometheus.md §2, "Bucket upper bounds actually registered"), and the observation
// rule: a value counts in the first bucket whose bound is >= the value.
#ifndef MIXLET_LIB_HANDLER_PROMETHEUS_BUCKETS_H_
#define MIXLET_LIB_HANDLER_PROMETHEUS_BUCKETS_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/types/span.h"

namespace mixlet::handler_internal {

// `prometheus.DefBuckets`: 0.005 ... 10, used when a DISTRIBUTION gives no buckets.
const std::vector<double>& DefaultBuckets();

// Go's `prometheus.LinearBuckets(offset, width, count)`: b0 = offset, b[i+1] = b[i] + width,
// accumulated by repeated double addition (so 0.1 steps give 0.30000000000000004, ...).
// Requires count >= 1.
std::vector<double> LinearBuckets(double offset, double width, int count);

// Go's `prometheus.ExponentialBuckets(scale, factor, count)`: b0 = scale, b[i+1] = b[i] * factor,
// accumulated by repeated multiplication. Requires count >= 1.
std::vector<double> ExponentialBuckets(double scale, double growth_factor, int count);

// Explicit bounds as Go's histogram took them: a final +Inf bound is dropped (it is implicit).
std::vector<double> ExplicitBuckets(absl::Span<const double> bounds);

// Empty when `bounds` is usable; otherwise why Go's client would refuse it at series creation
// (bounds must be strictly increasing, compared as Go did: `b[i] >= b[i+1]` fails).
std::string CheckBounds(absl::Span<const double> bounds);

// Index of the bucket `v` falls in: the first i with v <= bounds[i], or bounds.size() for the
// implicit +Inf bucket (also for NaN, as Go's `sort.SearchFloat64s`).
// Hot path: no allocation, no string hashing.
inline size_t BucketIndex(absl::Span<const double> bounds, double v) {
  size_t lo = 0, hi = bounds.size();
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (bounds[mid] >= v) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo;
}

}  // namespace mixlet::handler_internal

#endif  // MIXLET_LIB_HANDLER_PROMETHEUS_BUCKETS_H_
