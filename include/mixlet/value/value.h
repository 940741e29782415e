// Value: one typed attribute value, small enough to pass by value (24 bytes, no heap).
//
// A `Value` is a `ValueType` tag plus an inline payload: integers, doubles, booleans, durations
// (nanoseconds) and timestamps (seconds + nanos since the Unix epoch, UTC) are stored inline;
// strings, IP address bytes and string maps are *borrowed* views into storage someone else owns,
// typically the `MutableBag` that holds the value. Copying a `Value` never copies the bytes.
//
// Equality follows Mixer's typed semantics where they are representation-level: values of
// different types are never equal; DOUBLE compares bit patterns (so -0.0 != 0.0 and NaN == NaN
// of the same payload, as Mixer did); IP_ADDRESS treats the 4-byte form and the IPv4-mapped
// 16-byte form of an address as equal; TIMESTAMP compares instants; STRING_MAP compares entry
// sets. DNS_NAME, EMAIL_ADDRESS and URI compare their bytes here; the semantic comparisons of
// CEXL (case-insensitive DNS names, parsed e-mail addresses and URIs) live in the expression
// layer. `AbslHashValue` is consistent with `==`.
//
// Example:
//   Value v = Value::Int64(1024);
//   Value s = Value::String("tcp");          // borrows the literal
//   if (s.type() == ValueType::kString && s.string() == "tcp") { ... }
#ifndef MIXLET_VALUE_VALUE_H_
#define MIXLET_VALUE_VALUE_H_

#include <cstdint>
#include <cstring>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "mixlet/value/string_map.h"
#include "mixlet/value/value_type.h"

namespace mixlet {

// A point in time as Mixer and protobuf carry it: seconds since the Unix epoch and a
// non-negative nanosecond part in [0, 999999999].
struct Timestamp {
  int64_t seconds = 0;
  int32_t nanos = 0;

  absl::Time ToAbslTime() const {
    return absl::FromUnixSeconds(seconds) + absl::Nanoseconds(nanos);
  }
  static Timestamp FromAbslTime(absl::Time t);

  friend bool operator==(Timestamp a, Timestamp b) {
    return a.seconds == b.seconds && a.nanos == b.nanos;
  }
  friend bool operator!=(Timestamp a, Timestamp b) { return !(a == b); }
  friend bool operator<(Timestamp a, Timestamp b) {
    return a.seconds < b.seconds || (a.seconds == b.seconds && a.nanos < b.nanos);
  }
};

class Value {
 public:
  // A default-constructed Value has type `kUnspecified` and represents "no value".
  constexpr Value() : type_(ValueType::kUnspecified), i64_(0) {}

  // Factories. String-like, IP and map factories borrow: the bytes must outlive the Value.
  static Value String(absl::string_view s) { return Value(ValueType::kString, s); }
  static Value DnsName(absl::string_view s) { return Value(ValueType::kDnsName, s); }
  static Value EmailAddress(absl::string_view s) { return Value(ValueType::kEmailAddress, s); }
  static Value Uri(absl::string_view s) { return Value(ValueType::kUri, s); }
  // `type` must satisfy `IsStringLike(type)`.
  static Value StringOfType(ValueType type, absl::string_view s) { return Value(type, s); }
  // Raw address bytes: 4 (IPv4) or 16 (IPv6 / IPv4-mapped). Other lengths are carried as sent.
  static Value IpAddress(absl::string_view bytes) { return Value(ValueType::kIpAddress, bytes); }
  static Value Int64(int64_t v) {
    Value r;
    r.type_ = ValueType::kInt64;
    r.i64_ = v;
    return r;
  }
  static Value Double(double v) {
    Value r;
    r.type_ = ValueType::kDouble;
    r.f64_ = v;
    return r;
  }
  static Value Bool(bool v) {
    Value r;
    r.type_ = ValueType::kBool;
    r.i64_ = v ? 1 : 0;
    return r;
  }
  // Go's time.Duration: signed nanoseconds.
  static Value Duration(int64_t nanos) {
    Value r;
    r.type_ = ValueType::kDuration;
    r.i64_ = nanos;
    return r;
  }
  static Value Duration(absl::Duration d) { return Duration(absl::ToInt64Nanoseconds(d)); }
  static Value TimestampValue(Timestamp t) {
    Value r;
    r.type_ = ValueType::kTimestamp;
    r.ts_ = t;
    return r;
  }
  static Value StringMap(StringMapView m) {
    Value r;
    r.type_ = ValueType::kStringMap;
    r.map_.entries = m.begin();
    r.map_.size = m.size();
    return r;
  }

  ValueType type() const { return type_; }
  bool has_value() const { return type_ != ValueType::kUnspecified; }

  // Accessors. Each requires the matching type (string() accepts every string-like type and
  // IP_ADDRESS, returning the raw bytes); calling one on another type is a programming error
  // and returns a zero value.
  absl::string_view string() const {
    return IsStringLike(type_) || type_ == ValueType::kIpAddress
               ? absl::string_view(str_.data, str_.size)
               : absl::string_view();
  }
  absl::string_view ip_bytes() const { return string(); }
  int64_t int64() const { return type_ == ValueType::kInt64 ? i64_ : 0; }
  double double_value() const { return type_ == ValueType::kDouble ? f64_ : 0.0; }
  bool bool_value() const { return type_ == ValueType::kBool && i64_ != 0; }
  // Nanoseconds.
  int64_t duration_nanos() const { return type_ == ValueType::kDuration ? i64_ : 0; }
  absl::Duration duration() const { return absl::Nanoseconds(duration_nanos()); }
  Timestamp timestamp() const { return type_ == ValueType::kTimestamp ? ts_ : Timestamp(); }
  StringMapView string_map() const {
    return type_ == ValueType::kStringMap ? StringMapView(map_.entries, map_.size)
                                          : StringMapView();
  }

  friend bool operator==(const Value& a, const Value& b);
  friend bool operator!=(const Value& a, const Value& b) { return !(a == b); }

  template <typename H>
  friend H AbslHashValue(H h, const Value& v) {
    return H::combine(std::move(h), v.HashCode());
  }

  // Canonical text form, as Mixer rendered values for adapters (e.g. Prometheus label values):
  // decimal integers, shortest round-trip doubles without exponent, `true`/`false`,
  // `YYYY-MM-DDTHH:MM:SS.uuuuuuZ` timestamps, Go `Duration.String()` durations, dotted-quad or
  // RFC 5952 IP addresses, `stringmap[k1:v1 k2:v2]` maps (sorted by key), strings as is.
  std::string ToText() const;

  // Debug form: the type name and the text form, e.g. `INT64(1024)`.
  std::string DebugString() const;

 private:
  Value(ValueType type, absl::string_view s) : type_(type) {
    str_.data = s.data();
    str_.size = s.size();
  }
  size_t HashCode() const;

  ValueType type_;
  union {
    int64_t i64_;
    double f64_;
    Timestamp ts_;
    struct {
      const char* data;
      size_t size;
    } str_;
    struct {
      const StringMapEntry* entries;
      size_t size;
    } map_;
  };
};

static_assert(sizeof(Value) <= 24, "Value must stay small");

}  // namespace mixlet

#endif  // MIXLET_VALUE_VALUE_H_
