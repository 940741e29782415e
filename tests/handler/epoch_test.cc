#include <catch2/catch.hpp>

#include <atomic>
#include <memory>
#include <thread>

#include "absl/synchronization/notification.h"
#include "handler/prometheus/epoch.h"
#include "testing/count_allocations.h"

namespace mixlet::handler_internal {
namespace {

// A reader thread enters a section and a nested one, then leaves them one at a time when told;
// the grace period started while it was inside must last until it leaves the outer one.
TEST_CASE("EpochDomain: a grace period waits for the outermost section", "[handler]") {
  const EpochDomain& domain = EpochDomain::Global();
  absl::Notification entered, leave_inner, inner_left, leave_outer;
  std::thread reader([&] {
    EpochDomain::ReadSection outer;
    {
      EpochDomain::ReadSection inner;
      entered.Notify();
      leave_inner.WaitForNotification();
    }
    inner_left.Notify();
    leave_outer.WaitForNotification();
  });
  entered.WaitForNotification();
  const EpochDomain::GraceToken token = domain.StartGrace();
  CHECK_FALSE(domain.GraceElapsed(token));
  leave_inner.Notify();
  inner_left.WaitForNotification();
  // Leaving the nested section does not end the reader's section.
  CHECK_FALSE(domain.GraceElapsed(token));
  leave_outer.Notify();
  reader.join();
  CHECK(domain.GraceElapsed(token));
}

TEST_CASE("EpochDomain: sections entered after the grace started do not hold it",
          "[handler]") {
  const EpochDomain& domain = EpochDomain::Global();
  const EpochDomain::GraceToken token = domain.StartGrace();
  EpochDomain::ReadSection section;
  EpochDomain::ReadSection nested;
  CHECK(domain.GraceElapsed(token));
}

TEST_CASE("EpochDomain: this thread's own sections, nested, end cleanly", "[handler]") {
  const EpochDomain& domain = EpochDomain::Global();
  {
    EpochDomain::ReadSection outer;
    { EpochDomain::ReadSection inner; }
    const EpochDomain::GraceToken token = domain.StartGrace();
    CHECK_FALSE(domain.GraceElapsed(token));  // still inside `outer`
  }
  // After the outermost section ends, a new grace period sees this thread outside.
  const EpochDomain::GraceToken after = domain.StartGrace();
  CHECK(domain.GraceElapsed(after));
}

TEST_CASE("EpochDomain: entering and leaving allocates nothing once the thread has a record",
          "[handler]") {
  { EpochDomain::ReadSection warm; }
  testing::CountAllocations allocs;
  for (int i = 0; i < 100; ++i) {
    EpochDomain::ReadSection outer;
    EpochDomain::ReadSection inner;
  }
  CHECK(allocs.count() == 0);
}

}  // namespace
}  // namespace mixlet::handler_internal
