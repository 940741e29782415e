// Helpers shared by mixlet's benchmarks.
#ifndef MIXLET_BENCH_BENCH_UTIL_H_
#define MIXLET_BENCH_BENCH_UTIL_H_

#include <benchmark/benchmark.h>

#include "testing/count_allocations.h"

namespace mixlet::bench {

// Measures allocations over the timed loop and reports them as the counter `allocs/iter`.
// Construct it just before `for (auto _ : state)` and call Report(state) after the loop.
class AllocationCounter {
 public:
  AllocationCounter() : start_(testing::ThreadAllocationCount()) {}
  void Report(benchmark::State& state) const {
    const double n = static_cast<double>(testing::ThreadAllocationCount() - start_);
    state.counters["allocs/iter"] =
        benchmark::Counter(n / static_cast<double>(state.iterations() ? state.iterations() : 1));
  }

 private:
  uint64_t start_;
};

}  // namespace mixlet::bench

#endif  // MIXLET_BENCH_BENCH_UTIL_H_
