// CountAllocations: counts heap allocations made by the current thread inside a scope.
//
// Linking mixlet_testing replaces global operator new/delete with counting versions, so a hot-path
// test can assert that a call allocates nothing:
//
//   CountAllocations allocs;
//   expr.Evaluate(bag);
//   REQUIRE(allocs.count() == 0);
#ifndef MIXLET_TESTS_TESTING_COUNT_ALLOCATIONS_H_
#define MIXLET_TESTS_TESTING_COUNT_ALLOCATIONS_H_

#include <cstdint>

namespace mixlet::testing {

// Allocations made by this thread since the program started.
uint64_t ThreadAllocationCount();

class CountAllocations {
 public:
  CountAllocations() : start_(ThreadAllocationCount()) {}
  uint64_t count() const { return ThreadAllocationCount() - start_; }

 private:
  uint64_t start_;
};

}  // namespace mixlet::testing

#endif  // MIXLET_TESTS_TESTING_COUNT_ALLOCATIONS_H_
