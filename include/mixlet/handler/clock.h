// Clock: where the Prometheus handler reads the time for series expiry.
//
// Production code uses `Clock::Real()`; tests pass a fake whose time they set, so expiry can be
// tested without sleeping.
//
// Example:
//   class FakeClock : public Clock {
//    public:
//     absl::Time Now() const override { return now; }
//     absl::Time now = absl::UnixEpoch();
//   };
#ifndef MIXLET_HANDLER_CLOCK_H_
#define MIXLET_HANDLER_CLOCK_H_

#include "absl/time/time.h"

namespace mixlet {

class Clock {
 public:
  virtual ~Clock() = default;
  // The current time. Must be thread-safe.
  virtual absl::Time Now() const = 0;

  // The system clock (`absl::Now()`). Static storage; never null.
  static const Clock* Real();
};

}  // namespace mixlet

#endif  // MIXLET_HANDLER_CLOCK_H_
