// Doubles as text: Go's strconv.FormatFloat(v, 'f', -1, 64) and encoding/json's number form.
#include <charconv>
#include <cmath>
#include <string>

#include "mixlet/value/value_json.h"
#include "value/json_internal.h"

namespace mixlet {
namespace {

// The shortest digits that read back as `v` (std::to_chars guarantees round-trip), as a digit
// string and a decimal exponent: |v| = 0.digits * 10^point. `v` must be finite.
struct ShortestDecimal {
  bool negative = false;
  std::string digits;
  int point = 0;
};

ShortestDecimal Shortest(double v) {
  char buf[64];
  const std::to_chars_result r =
      std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  // Form: [-]d[.ddd]e(+|-)dd[d]
  const char* p = buf;
  ShortestDecimal out;
  if (*p == '-') {
    out.negative = true;
    ++p;
  }
  for (; p < r.ptr && *p != 'e'; ++p) {
    if (*p != '.') out.digits.push_back(*p);
  }
  ++p;  // 'e'
  const bool negative_exponent = *p == '-';
  ++p;
  int exponent = 0;
  for (; p < r.ptr; ++p) exponent = exponent * 10 + (*p - '0');
  if (negative_exponent) exponent = -exponent;
  out.point = exponent + 1;
  // Zero prints as "0e+00": one digit, point 1.
  return out;
}

}  // namespace

std::string FormatDoubleShortest(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  const ShortestDecimal d = Shortest(v);
  std::string out;
  if (d.negative) out.push_back('-');
  const int n = static_cast<int>(d.digits.size());
  if (d.point <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-d.point), '0');
    out += d.digits;
  } else if (d.point >= n) {
    out += d.digits;
    out.append(static_cast<size_t>(d.point - n), '0');
  } else {
    out.append(d.digits, 0, static_cast<size_t>(d.point));
    out.push_back('.');
    out.append(d.digits, static_cast<size_t>(d.point), std::string::npos);
  }
  return out;
}

namespace value_internal {

std::string FormatJsonDouble(double v) {
  const double magnitude = std::fabs(v);
  if (magnitude == 0 || (magnitude >= 1e-6 && magnitude < 1e21)) return FormatDoubleShortest(v);
  char buf[64];
  const std::to_chars_result r =
      std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string out(buf, r.ptr);
  // Go writes a two-digit negative exponent without its leading zero: 1e-07 -> 1e-7.
  const size_t n = out.size();
  if (n >= 4 && out[n - 4] == 'e' && out[n - 3] == '-' && out[n - 2] == '0') {
    out.erase(n - 2, 1);
  }
  return out;
}

}  // namespace value_internal
}  // namespace mixlet
