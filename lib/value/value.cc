#include "mixlet/value/value.h"

#include <algorithm>
#include <vector>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "mixlet/value/value_json.h"
#include "value/rfc3339.h"

namespace mixlet {
namespace {

// The 16-byte IPv4-mapped prefix ::ffff:0:0/96.
constexpr char kV4MappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '\xff', '\xff'};

// IP bytes in the form used for equality and hashing: IPv4-mapped 16-byte values become 4 bytes.
absl::string_view CanonicalIp(absl::string_view bytes) {
  if (bytes.size() == 16 && std::memcmp(bytes.data(), kV4MappedPrefix, 12) == 0) {
    return bytes.substr(12);
  }
  return bytes;
}

}  // namespace

Timestamp Timestamp::FromAbslTime(absl::Time t) {
  Timestamp ts;
  ts.seconds = absl::ToUnixSeconds(t);
  absl::Duration rem = t - absl::FromUnixSeconds(ts.seconds);
  ts.nanos = static_cast<int32_t>(absl::ToInt64Nanoseconds(rem));
  if (ts.nanos < 0) {
    ts.seconds -= 1;
    ts.nanos += 1000000000;
  }
  return ts;
}

bool operator==(StringMapView a, StringMapView b) {
  if (a.size() != b.size()) return false;
  for (const StringMapEntry& e : a) {
    absl::optional<absl::string_view> other = b.Find(e.key);
    if (!other || *other != e.value) return false;
  }
  return true;
}

bool operator==(const Value& a, const Value& b) {
  if (a.type_ != b.type_) return false;
  switch (a.type_) {
    case ValueType::kUnspecified:
      return true;
    case ValueType::kString:
    case ValueType::kEmailAddress:
    case ValueType::kUri:
    case ValueType::kDnsName:
      return a.string() == b.string();
    case ValueType::kIpAddress:
      return CanonicalIp(a.string()) == CanonicalIp(b.string());
    case ValueType::kInt64:
    case ValueType::kBool:
    case ValueType::kDuration:
      return a.i64_ == b.i64_;
    case ValueType::kDouble:
      // Mixer compares the 64-bit patterns: -0.0 != 0.0.
      return std::memcmp(&a.f64_, &b.f64_, sizeof(double)) == 0;
    case ValueType::kTimestamp:
      return a.ts_ == b.ts_;
    case ValueType::kStringMap:
      return a.string_map() == b.string_map();
  }
  return false;
}

size_t Value::HashCode() const {
  switch (type_) {
    case ValueType::kUnspecified:
      return absl::HashOf(type_);
    case ValueType::kString:
    case ValueType::kEmailAddress:
    case ValueType::kUri:
    case ValueType::kDnsName:
      return absl::HashOf(type_, string());
    case ValueType::kIpAddress:
      return absl::HashOf(type_, CanonicalIp(string()));
    case ValueType::kInt64:
    case ValueType::kBool:
    case ValueType::kDuration:
      return absl::HashOf(type_, i64_);
    case ValueType::kDouble: {
      uint64_t bits;
      std::memcpy(&bits, &f64_, sizeof bits);
      return absl::HashOf(type_, bits);
    }
    case ValueType::kTimestamp:
      return absl::HashOf(type_, ts_.seconds, ts_.nanos);
    case ValueType::kStringMap: {
      // Order-independent: combine per-entry hashes with a commutative sum.
      size_t sum = 0;
      for (const StringMapEntry& e : string_map()) sum += absl::HashOf(e.key, e.value);
      return absl::HashOf(type_, sum, string_map().size());
    }
  }
  return 0;
}

std::string Value::ToText() const {
  switch (type_) {
    case ValueType::kUnspecified:
      return "";
    case ValueType::kString:
    case ValueType::kEmailAddress:
    case ValueType::kUri:
    case ValueType::kDnsName:
      return std::string(string());
    case ValueType::kIpAddress:
      return FormatIp(string());
    case ValueType::kInt64:
      return absl::StrCat(i64_);
    case ValueType::kBool:
      return i64_ ? "true" : "false";
    case ValueType::kDuration:
      return FormatGoDuration(i64_);
    case ValueType::kDouble:
      return FormatDoubleShortest(f64_);
    case ValueType::kTimestamp:
      // Mixer's adapter form: UTC, microseconds, always six digits.
      return value_internal::FormatUtcTimestamp(ts_, 6);
    case ValueType::kStringMap: {
      std::vector<StringMapEntry> entries(string_map().begin(), string_map().end());
      std::sort(entries.begin(), entries.end(),
                [](const StringMapEntry& a, const StringMapEntry& b) { return a.key < b.key; });
      std::string out = "stringmap[";
      for (size_t i = 0; i < entries.size(); ++i) {
        if (i > 0) out.push_back(' ');
        absl::StrAppend(&out, entries[i].key, ":", entries[i].value);
      }
      out.push_back(']');
      return out;
    }
  }
  return "";
}

std::string Value::DebugString() const {
  return absl::StrCat(ValueTypeName(type_), "(", ToText(), ")");
}

}  // namespace mixlet
