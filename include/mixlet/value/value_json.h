// Text and JSON forms of values: Go-style durations, RFC 3339 timestamps, IP address text, and
// the JSON conventions of mixlet's bag files (`mixlet eval --attrs`, `mixlet report --bags`).
//
// JSON input per declared type: STRING, DNS_NAME, EMAIL_ADDRESS, URI from JSON strings; INT64
// from JSON integers; DOUBLE from JSON numbers; BOOL from booleans; TIMESTAMP from RFC 3339
// strings; DURATION from Go-style strings ("1.5s", "10m"); IP_ADDRESS from text ("10.0.0.1",
// "::1"); STRING_MAP from an object of strings.
//
// JSON output (`ToJson`): TIMESTAMP as RFC 3339 in UTC ending in `Z` (nanoseconds, trailing zeros
// trimmed, as Go's RFC3339Nano), DURATION as Go's `Duration.String()`, IP_ADDRESS as text,
// STRING_MAP as an object sorted by key, strings as JSON strings, numbers as JSON numbers (NaN and
// infinities as the bare tokens `NaN`, `Infinity`, `-Infinity`, as Mixer's peer prints them).
// The text is what Go's encoding/json writes without HTML escaping: doubles with the shortest
// round-trip digits, in exponent form (`1e+21`, `1e-7`) only below 1e-6 or from 1e21 in
// magnitude; strings with `\n`, `\r`, `\t`, `\"`, `\\`, `\u00xx` for other controls, `\u2028`,
// `\u2029`, and `\ufffd` for bytes that are not UTF-8; no spaces.
//
// Example:
//   absl::StatusOr<OwnedValue> v = ParseJsonValue(ValueType::kDuration, "\"1m30s\"");
//   ToJson(v->value());                              // "\"1m30s\""
//   FormatGoDuration(absl::Seconds(1.5));            // "1.5s"
#ifndef MIXLET_VALUE_VALUE_JSON_H_
#define MIXLET_VALUE_VALUE_JSON_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "mixlet/value/owned_value.h"
#include "mixlet/value/value.h"

namespace mixlet {

// Parses one JSON value (text) as `type`. InvalidArgument names the expected JSON form and what
// was found, e.g. `expected an RFC 3339 string for TIMESTAMP, got 12`, or where the text is not
// JSON (`invalid JSON at line 1, column 4: ...`). INT64 takes only integers written without a
// fraction or exponent that fit in int64 (`1.0`, `1e3`, 2^63 are refused); DOUBLE takes any
// JSON number (a magnitude beyond the double range is refused, an underflow reads as zero);
// STRING_MAP takes an object whose values are all strings (a repeated key keeps its last value).
// The JSON reader is strict: UTF-8 only, no comments, nesting at most 64 deep.
absl::StatusOr<OwnedValue> ParseJsonValue(ValueType type, absl::string_view json_text);

// The JSON text of `v` (see the header comment).
std::string ToJson(const Value& v);

// Go's time.ParseDuration: optional sign, then one or more <decimal><unit> groups with units
// ns, us, µs (U+00B5), μs (U+03BC), ms, s, m, h; "0" alone is accepted. Returns nanoseconds.
// InvalidArgument on syntax errors or overflow, with Go's message (`time: invalid duration "x"`).
absl::StatusOr<int64_t> ParseGoDuration(absl::string_view text);

// Go's time.Duration.String(): "1h2m3.5s", "1.5s", "350ms", "1µs", "0s".
std::string FormatGoDuration(int64_t nanos);
inline std::string FormatGoDuration(absl::Duration d) {
  return FormatGoDuration(absl::ToInt64Nanoseconds(d));
}

// RFC 3339 as Go's time.Parse with layout "2006-01-02T15:04:05Z07:00" accepts it: upper-case T
// and Z, offset ±hh:mm, range-checked fields, any number of fraction digits (past 9 dropped).
// The result is the instant (offset applied). InvalidArgument on failure, with Go's message
// (`parsing time "2015-13-01T00:00:00Z": month out of range`). As in Go: the year has exactly
// four digits, the hour one or two, the other fields two; the fraction may follow '.' or ','
// (Go >= 1.17); offsets up to 24:60 are taken; a leap second (:60) is refused.
absl::StatusOr<Timestamp> ParseRfc3339(absl::string_view text);

// RFC 3339 in UTC with `Z` and the shortest fraction (Go's RFC3339Nano): 2015-01-02T15:04:35.5Z.
std::string FormatRfc3339Nano(Timestamp t);

// Go's net.ParseIP: dotted quad (no leading zeros) or IPv6 text (groups of at most four hex
// digits, one `::`, an optional trailing dotted quad; no zone, no prefix, no brackets). Returns
// the raw bytes: always 16, IPv4 in the IPv4-mapped form, as Mixer's ip() did. InvalidArgument
// (`invalid IP address '1.2.3'`) on failure.
absl::StatusOr<std::string> ParseIpText(absl::string_view text);

// Go's net.IP.String(): dotted quad for 4-byte and IPv4-mapped 16-byte values, RFC 5952 for IPv6,
// `<nil>` for empty, `?` + lowercase hex for any other length.
std::string FormatIp(absl::string_view bytes);

// Go's strconv.FormatFloat(v, 'f', -1, 64): shortest round-trip decimal without exponent.
std::string FormatDoubleShortest(double v);

}  // namespace mixlet

#endif  // MIXLET_VALUE_VALUE_JSON_H_
