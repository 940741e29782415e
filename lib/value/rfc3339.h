// Internal to mixlet: the timestamp text shared by `ToText`, `ToJson` and `FormatRfc3339Nano`.
#ifndef MIXLET_LIB_VALUE_RFC3339_H_
#define MIXLET_LIB_VALUE_RFC3339_H_

#include <string>

#include "mixlet/value/value.h"

namespace mixlet::value_internal {

// `t` in UTC as `YYYY-MM-DDTHH:MM:SS[.fraction]Z`. `fraction_digits` in [0, 9] prints exactly that
// many digits (truncated, as Go's Format does); -1 prints the shortest fraction, none when the
// nanoseconds are zero (Go's RFC3339Nano). Years outside [0, 9999] print with a sign or with more
// than four digits, as Go does. Nanoseconds outside [0, 1e9) are normalized into the seconds.
std::string FormatUtcTimestamp(Timestamp t, int fraction_digits);

}  // namespace mixlet::value_internal

#endif  // MIXLET_LIB_VALUE_RFC3339_H_
