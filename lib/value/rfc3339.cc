// RFC 3339 timestamps as Go reads and writes them: time.Parse with the layout
// "2006-01-02T15:04:05Z07:00", and Format with RFC3339Nano in UTC.
#include "value/rfc3339.h"

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

constexpr absl::string_view kLayout = "2006-01-02T15:04:05Z07:00";
constexpr int64_t kSecondsPerDay = 86400;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsLeapYear(int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Days from 1970-01-01 to the proleptic Gregorian date y-m-d. Years are counted in 400-year eras
// of 146097 days, with March as the first month so that the leap day ends the year.
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = FloorDiv(y, 400);
  const int64_t year_of_era = y - era * 400;                             // [0, 399]
  const int64_t month_from_march = m > 2 ? m - 3 : m + 9;                // [0, 11]
  const int64_t day_of_year = (153 * month_from_march + 2) / 5 + d - 1;  // [0, 365]
  const int64_t day_of_era =
      year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;  // [0, 146096]
  return era * 146097 + day_of_era - 719468;
}

struct CivilDate {
  int64_t year;
  int month;
  int day;
};

// The inverse of DaysFromCivil.
CivilDate CivilFromDays(int64_t days) {
  days += 719468;
  const int64_t era = FloorDiv(days, 146097);
  const int64_t day_of_era = days - era * 146097;  // [0, 146096]
  const int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t month_from_march = (5 * day_of_year + 2) / 153;
  CivilDate out;
  out.day = static_cast<int>(day_of_year - (153 * month_from_march + 2) / 5 + 1);
  out.month = static_cast<int>(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
  out.year = year_of_era + era * 400 + (out.month <= 2);
  return out;
}

void AppendPadded(std::string* out, int64_t v, int width) {
  std::string digits = absl::StrCat(v);
  if (static_cast<int>(digits.size()) < width) out->append(width - digits.size(), '0');
  out->append(digits);
}

// Reads Go's time.Parse way, element by element, and builds Go's error messages.
class Rfc3339Reader {
 public:
  explicit Rfc3339Reader(absl::string_view text) : text_(text), rest_(text) {}

  absl::StatusOr<Timestamp> Read() {
    int64_t year = 0;
    int month = 0, day = 0, hour = 0, minute = 0, second = 0, nanos = 0;
    int64_t offset_seconds = 0;

    // "2006": exactly four digits.
    if (rest_.size() < 4 || !AllDigits(rest_.substr(0, 4))) return CannotParse("2006");
    year = Number(rest_.substr(0, 4));
    rest_.remove_prefix(4);
    if (!Literal('-')) return CannotParse("-");
    if (!FixedTwoDigits(&month)) return CannotParse("01");
    if (month < 1 || month > 12) return OutOfRange("month");
    if (!Literal('-')) return CannotParse("-");
    // The day is range-checked against the month once everything else has been read, as Go does.
    if (!FixedTwoDigits(&day)) return CannotParse("02");
    if (!Literal('T')) return CannotParse("T");
    // "15" takes one or two digits in Go's parser.
    if (rest_.empty() || !IsDigit(rest_[0])) return CannotParse("15");
    if (rest_.size() >= 2 && IsDigit(rest_[1])) {
      hour = static_cast<int>(Number(rest_.substr(0, 2)));
      rest_.remove_prefix(2);
    } else {
      hour = rest_[0] - '0';
      rest_.remove_prefix(1);
    }
    if (hour > 23) return OutOfRange("hour");
    if (!Literal(':')) return CannotParse(":");
    if (!FixedTwoDigits(&minute)) return CannotParse("04");
    if (minute > 59) return OutOfRange("minute");
    if (!Literal(':')) return CannotParse(":");
    if (!FixedTwoDigits(&second)) return CannotParse("05");
    // No leap seconds: Go rejects :60.
    if (second > 59) return OutOfRange("second");
    // A fraction: '.' or ',' then any number of digits; those past the ninth are dropped.
    if (rest_.size() >= 2 && (rest_[0] == '.' || rest_[0] == ',') && IsDigit(rest_[1])) {
      size_t n = 1;
      int digits = 0;
      while (n < rest_.size() && IsDigit(rest_[n])) {
        if (digits < 9) {
          nanos = nanos * 10 + (rest_[n] - '0');
          ++digits;
        }
        ++n;
      }
      for (; digits < 9; ++digits) nanos *= 10;
      rest_.remove_prefix(n);
    }
    // "Z07:00": 'Z', or a sign, two hour digits, ':' and two minute digits.
    if (!rest_.empty() && rest_[0] == 'Z') {
      rest_.remove_prefix(1);
    } else {
      if (rest_.size() < 6 || (rest_[0] != '+' && rest_[0] != '-') ||
          !AllDigits(rest_.substr(1, 2)) || rest_[3] != ':' || !AllDigits(rest_.substr(4, 2))) {
        return CannotParse("Z07:00");
      }
      const int64_t offset_hours = Number(rest_.substr(1, 2));
      const int64_t offset_minutes = Number(rest_.substr(4, 2));
      // Go allows 24 hours and 60 minutes here ("some people do write offsets of 24 hours").
      if (offset_hours > 24) return OutOfRange("time zone offset hour");
      if (offset_minutes > 60) return OutOfRange("time zone offset minute");
      offset_seconds = (offset_hours * 60 + offset_minutes) * 60;
      if (rest_[0] == '-') offset_seconds = -offset_seconds;
      rest_.remove_prefix(6);
    }
    if (!rest_.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("parsing time ", GoQuote(text_), ": extra text: ", GoQuote(rest_)));
    }
    if (day < 1 || day > DaysInMonth(year, month)) {
      return absl::InvalidArgumentError(
          absl::StrCat("parsing time ", GoQuote(text_), ": day out of range"));
    }
    Timestamp t;
    t.seconds = DaysFromCivil(year, month, day) * kSecondsPerDay + hour * 3600 + minute * 60 +
                second - offset_seconds;
    t.nanos = nanos;
    return t;
  }

 private:
  static bool AllDigits(absl::string_view s) {
    for (char c : s) {
      if (!IsDigit(c)) return false;
    }
    return true;
  }
  static int64_t Number(absl::string_view digits) {
    int64_t v = 0;
    for (char c : digits) v = v * 10 + (c - '0');
    return v;
  }
  bool Literal(char c) {
    if (rest_.empty() || rest_[0] != c) return false;
    rest_.remove_prefix(1);
    return true;
  }
  bool FixedTwoDigits(int* out) {
    if (rest_.size() < 2 || !IsDigit(rest_[0]) || !IsDigit(rest_[1])) return false;
    *out = static_cast<int>(Number(rest_.substr(0, 2)));
    rest_.remove_prefix(2);
    return true;
  }
  absl::Status CannotParse(absl::string_view layout_element) const {
    return absl::InvalidArgumentError(
        absl::StrCat("parsing time ", GoQuote(text_), " as ", GoQuote(kLayout), ": cannot parse ",
                     GoQuote(rest_), " as ", GoQuote(layout_element)));
  }
  absl::Status OutOfRange(absl::string_view what) const {
    return absl::InvalidArgumentError(
        absl::StrCat("parsing time ", GoQuote(text_), ": ", what, " out of range"));
  }

  absl::string_view text_;
  absl::string_view rest_;
};

}  // namespace

namespace value_internal {

std::string FormatUtcTimestamp(Timestamp t, int fraction_digits) {
  int64_t seconds = t.seconds;
  int64_t nanos = t.nanos;
  if (nanos < 0 || nanos >= 1000000000) {
    seconds += FloorDiv(nanos, 1000000000);
    nanos -= FloorDiv(nanos, 1000000000) * 1000000000;
  }
  const int64_t days = FloorDiv(seconds, kSecondsPerDay);
  const int64_t second_of_day = seconds - days * kSecondsPerDay;
  const CivilDate date = CivilFromDays(days);

  std::string out;
  out.reserve(32);
  // Go's year: at least four digits, a '-' before negative years.
  if (date.year < 0) out.push_back('-');
  AppendPadded(&out, date.year < 0 ? -date.year : date.year, 4);
  out.push_back('-');
  AppendPadded(&out, date.month, 2);
  out.push_back('-');
  AppendPadded(&out, date.day, 2);
  out.push_back('T');
  AppendPadded(&out, second_of_day / 3600, 2);
  out.push_back(':');
  AppendPadded(&out, second_of_day / 60 % 60, 2);
  out.push_back(':');
  AppendPadded(&out, second_of_day % 60, 2);

  char fraction[9];
  int64_t n = nanos;
  for (int i = 8; i >= 0; --i) {
    fraction[i] = static_cast<char>('0' + n % 10);
    n /= 10;
  }
  int digits = fraction_digits;
  if (digits < 0) {
    digits = 9;
    while (digits > 0 && fraction[digits - 1] == '0') --digits;
  }
  if (digits > 9) digits = 9;
  if (digits > 0) {
    out.push_back('.');
    out.append(fraction, digits);
  }
  out.push_back('Z');
  return out;
}

}  // namespace value_internal

absl::StatusOr<Timestamp> ParseRfc3339(absl::string_view text) {
  return Rfc3339Reader(text).Read();
}

std::string FormatRfc3339Nano(Timestamp t) { return value_internal::FormatUtcTimestamp(t, -1); }

}  // namespace mixlet
