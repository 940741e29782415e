// Go's duration text: time.ParseDuration and time.Duration.String(), with Go's rules for units,
// fractions, overflow and error messages.
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "mixlet/value/value_json.h"
#include "value/go_quote.h"

namespace mixlet {
namespace {

using value_internal::GoQuote;

constexpr uint64_t kNanosecond = 1;
constexpr uint64_t kMicrosecond = 1000 * kNanosecond;
constexpr uint64_t kMillisecond = 1000 * kMicrosecond;
constexpr uint64_t kSecond = 1000 * kMillisecond;
constexpr uint64_t kMinute = 60 * kSecond;
constexpr uint64_t kHour = 60 * kMinute;
// 1 << 63: the magnitude of the most negative duration; positive results must stay below it.
constexpr uint64_t kMagnitudeLimit = uint64_t{1} << 63;

struct Unit {
  absl::string_view name;
  uint64_t nanos;
};
// Go's unit table. The two micro spellings are U+00B5 (micro sign) and U+03BC (Greek mu).
constexpr Unit kUnits[] = {
    {"ns", kNanosecond},
    {"us", kMicrosecond},
    {"\xC2\xB5s", kMicrosecond},
    {"\xCE\xBCs", kMicrosecond},
    {"ms", kMillisecond},
    {"s", kSecond},
    {"m", kMinute},
    {"h", kHour},
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

absl::Status InvalidDuration(absl::string_view original) {
  return absl::InvalidArgumentError(absl::StrCat("time: invalid duration ", GoQuote(original)));
}

}  // namespace

absl::StatusOr<int64_t> ParseGoDuration(absl::string_view text) {
  const absl::string_view original = text;
  absl::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return 0;
  if (s.empty()) return InvalidDuration(original);

  uint64_t total = 0;
  while (!s.empty()) {
    if (!(s[0] == '.' || IsDigit(s[0]))) return InvalidDuration(original);

    // Integer part; any overflow of it is an invalid duration.
    uint64_t whole = 0;
    size_t i = 0;
    for (; i < s.size() && IsDigit(s[i]); ++i) {
      if (whole > kMagnitudeLimit / 10) return InvalidDuration(original);
      whole = whole * 10 + static_cast<uint64_t>(s[i] - '0');
      if (whole > kMagnitudeLimit) return InvalidDuration(original);
    }
    const bool has_whole = i > 0;
    s.remove_prefix(i);

    // Fraction part: digits past what fits in 63 bits only stop adding precision.
    uint64_t fraction = 0;
    double scale = 1;
    bool has_fraction = false;
    if (!s.empty() && s[0] == '.') {
      s.remove_prefix(1);
      bool saturated = false;
      size_t j = 0;
      for (; j < s.size() && IsDigit(s[j]); ++j) {
        if (saturated) continue;
        if (fraction > (kMagnitudeLimit - 1) / 10) {
          saturated = true;
          continue;
        }
        const uint64_t next = fraction * 10 + static_cast<uint64_t>(s[j] - '0');
        if (next > kMagnitudeLimit) {
          saturated = true;
          continue;
        }
        fraction = next;
        scale *= 10;
      }
      has_fraction = j > 0;
      s.remove_prefix(j);
    }
    if (!has_whole && !has_fraction) return InvalidDuration(original);

    // The unit runs up to the next digit or '.'.
    size_t unit_len = 0;
    while (unit_len < s.size() && s[unit_len] != '.' && !IsDigit(s[unit_len])) ++unit_len;
    if (unit_len == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("time: missing unit in duration ", GoQuote(original)));
    }
    const absl::string_view unit_name = s.substr(0, unit_len);
    s.remove_prefix(unit_len);
    uint64_t unit = 0;
    for (const Unit& u : kUnits) {
      if (u.name == unit_name) unit = u.nanos;
    }
    if (unit == 0) {
      return absl::InvalidArgumentError(absl::StrCat("time: unknown unit ", GoQuote(unit_name),
                                                     " in duration ", GoQuote(original)));
    }

    if (whole > kMagnitudeLimit / unit) return InvalidDuration(original);
    uint64_t value = whole * unit;
    if (fraction > 0) {
      // A double is exact enough here: the fractional part is below one hour (3.6e12 ns).
      value += static_cast<uint64_t>(static_cast<double>(fraction) *
                                     (static_cast<double>(unit) / scale));
      if (value > kMagnitudeLimit) return InvalidDuration(original);
    }
    total += value;
    if (total > kMagnitudeLimit) return InvalidDuration(original);
  }
  if (negative) return static_cast<int64_t>(0 - total);  // -(1 << 63) included.
  if (total > kMagnitudeLimit - 1) return InvalidDuration(original);
  return static_cast<int64_t>(total);
}

std::string FormatGoDuration(int64_t nanos) {
  // Written right to left into a buffer large enough for "-2562047h47m16.854775808s".
  char buf[32];
  size_t w = sizeof buf;
  const bool negative = nanos < 0;
  uint64_t u = negative ? 0 - static_cast<uint64_t>(nanos) : static_cast<uint64_t>(nanos);

  auto put = [&](char c) { buf[--w] = c; };
  auto put_int = [&](uint64_t v) {
    if (v == 0) {
      put('0');
      return;
    }
    while (v > 0) {
      put(static_cast<char>('0' + v % 10));
      v /= 10;
    }
  };
  // Writes v / 10^digits's fractional digits (trailing zeros and a bare '.' omitted) and
  // returns the integer part.
  auto put_fraction = [&](uint64_t v, int digits) {
    bool any = false;
    for (int i = 0; i < digits; ++i) {
      const uint64_t digit = v % 10;
      any = any || digit != 0;
      if (any) put(static_cast<char>('0' + digit));
      v /= 10;
    }
    if (any) put('.');
    return v;
  };

  if (u == 0) return "0s";
  if (u < kSecond) {
    // Below one second: the largest of ns, µs, ms that keeps an integer part.
    put('s');
    int digits;
    if (u < kMicrosecond) {
      digits = 0;
      put('n');
    } else if (u < kMillisecond) {
      digits = 3;
      put('\xB5');  // U+00B5 MICRO SIGN, UTF-8 C2 B5, as Go prints it.
      put('\xC2');
    } else {
      digits = 6;
      put('m');
    }
    put_int(put_fraction(u, digits));
  } else {
    put('s');
    u = put_fraction(u, 9);  // Now whole seconds.
    put_int(u % 60);
    u /= 60;  // Minutes.
    if (u > 0) {
      put('m');
      put_int(u % 60);
      u /= 60;  // Hours: Go stops here (days vary in length).
      if (u > 0) {
        put('h');
        put_int(u);
      }
    }
  }
  if (negative) put('-');
  return std::string(buf + w, sizeof buf - w);
}

}  // namespace mixlet
