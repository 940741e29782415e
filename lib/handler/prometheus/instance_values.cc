#include "handler/prometheus/instance_values.h"

#include <locale.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "absl/strings/str_cat.h"

namespace mixlet::handler_internal {
namespace {

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

size_t CommonPrefixLenIgnoreCase(absl::string_view s, absl::string_view prefix) {
  size_t n = 0;
  while (n < s.size() && n < prefix.size() && Lower(s[n]) == prefix[n]) ++n;
  return n;
}

// Go's strconv `special`: [+-]inf, [+-]infinity, nan (any case), covering all of `s`.
bool Special(absl::string_view s, double* out) {
  if (s.empty()) return false;
  double sign = 1;
  if (s[0] == '+' || s[0] == '-') {
    sign = s[0] == '-' ? -1 : 1;
    s.remove_prefix(1);
  } else if (Lower(s[0]) == 'n') {
    if (s.size() == 3 && CommonPrefixLenIgnoreCase(s, "nan") == 3) {
      *out = std::numeric_limits<double>::quiet_NaN();
      return true;
    }
    return false;
  }
  if (s.empty() || Lower(s[0]) != 'i') return false;
  size_t n = CommonPrefixLenIgnoreCase(s, "infinity");
  if (n > 3 && n < 8) n = 3;
  if ((n == 3 || n == 8) && n == s.size()) {
    *out = sign * std::numeric_limits<double>::infinity();
    return true;
  }
  return false;
}

// Go's strconv `underscoreOK`: underscores only between digits (or after a base prefix).
bool UnderscoreOk(absl::string_view s) {
  char saw = '^';
  size_t i = 0;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  bool hex = false;
  if (s.size() >= 2 && s[0] == '0' &&
      (Lower(s[1]) == 'b' || Lower(s[1]) == 'o' || Lower(s[1]) == 'x')) {
    i = 2;
    saw = '0';
    hex = Lower(s[1]) == 'x';
  }
  for (; i < s.size(); ++i) {
    if (IsDigit(s[i]) || (hex && Lower(s[i]) >= 'a' && Lower(s[i]) <= 'f')) {
      saw = '0';
      continue;
    }
    if (s[i] == '_') {
      if (saw != '0') return false;
      saw = '_';
      continue;
    }
    if (saw == '_') return false;
    saw = '!';
  }
  return saw != '_';
}

// Go's strconv `readFloat` syntax check over the whole of `s`.
bool WellFormed(absl::string_view s, bool* underscores) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  bool hex = false;
  if (i + 2 < s.size() && s[i] == '0' && Lower(s[i + 1]) == 'x') {
    hex = true;
    i += 2;
  }
  bool sawdot = false, sawdigits = false;
  *underscores = false;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '_') {
      *underscores = true;
    } else if (c == '.') {
      if (sawdot) break;
      sawdot = true;
    } else if (IsDigit(c) || (hex && Lower(c) >= 'a' && Lower(c) <= 'f')) {
      sawdigits = true;
    } else {
      break;
    }
  }
  if (!sawdigits) return false;
  if (i < s.size() && Lower(s[i]) == (hex ? 'p' : 'e')) {
    ++i;
    if (i >= s.size()) return false;
    if (s[i] == '+' || s[i] == '-') ++i;
    if (i >= s.size() || !IsDigit(s[i])) return false;
    for (; i < s.size() && (IsDigit(s[i]) || s[i] == '_'); ++i) {
      if (s[i] == '_') *underscores = true;
    }
  } else if (hex) {
    return false;  // A hexadecimal mantissa needs a 'p' exponent.
  }
  if (i != s.size()) return false;
  return !*underscores || UnderscoreOk(s);
}

locale_t CLocale() {
  static const locale_t c = newlocale(LC_ALL_MASK, "C", static_cast<locale_t>(nullptr));
  return c;
}

// strtod in the C locale on `s` without underscores. False on overflow.
bool Convert(absl::string_view s, char* buf, double* out) {
  size_t n = 0;
  for (char c : s) {
    if (c != '_') buf[n++] = c;
  }
  buf[n] = '\0';
  errno = 0;
  char* end = nullptr;
  const double v = strtod_l(buf, &end, CLocale());
  if (errno == ERANGE && std::isinf(v)) return false;
  *out = v;
  return true;
}

}  // namespace

bool ParseGoFloat(absl::string_view s, double* out) {
  if (Special(s, out)) return true;
  bool underscores = false;
  if (!WellFormed(s, &underscores)) return false;
  if (s.size() < 256) {
    char buf[256];
    return Convert(s, buf, out);
  }
  std::string buf(s.size() + 1, '\0');
  return Convert(s, buf.data(), out);
}

bool IsNumericCapable(ValueType type) {
  return type == ValueType::kInt64 || type == ValueType::kDouble ||
         type == ValueType::kDuration || IsStringLike(type);
}

bool MetricValueSlow(const Value& v, double* out) {
  switch (v.type()) {
    case ValueType::kDouble:
      *out = v.double_value();
      return true;
    case ValueType::kInt64:
      *out = static_cast<double>(v.int64());
      return true;
    case ValueType::kDuration: {
      // Go's Duration.Seconds(): whole seconds plus the remaining nanoseconds / 1e9.
      const int64_t d = v.duration_nanos();
      *out = static_cast<double>(d / 1000000000) + static_cast<double>(d % 1000000000) / 1e9;
      return true;
    }
    case ValueType::kString:
    case ValueType::kDnsName:
    case ValueType::kEmailAddress:
    case ValueType::kUri:
      return ParseGoFloat(v.string(), out);
    default:
      return false;
  }
}

std::string MetricValueError(const Value& v) {
  if (IsStringLike(v.type())) {
    bool underscores = false;
    const absl::string_view s = v.string();
    const bool syntax_ok = WellFormed(s, &underscores);
    return absl::StrCat("strconv.ParseFloat: parsing \"", s, "\": ",
                        syntax_ok ? "value out of range" : "invalid syntax");
  }
  if (!v.has_value()) return "could not extract numeric value for a null value";
  return absl::StrCat("could not extract numeric value for ", v.DebugString());
}

absl::string_view LabelRenderer::Keep(std::string text) {
  heap_.push_back(std::make_unique<std::string>(std::move(text)));
  return *heap_.back();
}

absl::string_view LabelRenderer::Render(const Value& v) {
  switch (v.type()) {
    case ValueType::kString:
    case ValueType::kDnsName:
    case ValueType::kEmailAddress:
    case ValueType::kUri:
      return v.string();
    case ValueType::kUnspecified:
      return absl::string_view();
    case ValueType::kBool:
      return v.bool_value() ? "true" : "false";
    case ValueType::kInt64: {
      if (sizeof buf_ - used_ < 24) return Keep(v.ToText());
      char* start = buf_ + used_;
      const std::to_chars_result r = std::to_chars(start, buf_ + sizeof buf_, v.int64());
      used_ = static_cast<size_t>(r.ptr - buf_);
      return absl::string_view(start, static_cast<size_t>(r.ptr - start));
    }
    case ValueType::kDouble: {
      // Go's FormatFloat(x, 'f', -1, 64): shortest round-trip digits, never an exponent.
      const double d = v.double_value();
      if (std::isnan(d)) return "NaN";
      if (std::isinf(d)) return d > 0 ? "+Inf" : "-Inf";
      char* start = buf_ + used_;
      const std::to_chars_result r =
          std::to_chars(start, buf_ + sizeof buf_, d, std::chars_format::fixed);
      if (r.ec != std::errc()) return Keep(v.ToText());
      used_ = static_cast<size_t>(r.ptr - buf_);
      return absl::string_view(start, static_cast<size_t>(r.ptr - start));
    }
    default:
      return Keep(v.ToText());
  }
}

}  // namespace mixlet::handler_internal
