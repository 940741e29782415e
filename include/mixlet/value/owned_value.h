// OwnedValue: a `Value` together with the bytes it points to.
//
// `Value` borrows its strings and maps. When there is no bag to own them (an expression constant,
// a value parsed from JSON, a test fixture), an `OwnedValue` holds a private copy and hands out
// a `Value` that views it. Moving an OwnedValue keeps the view valid; copying makes a deep copy.
//
// Example:
//   OwnedValue ip = OwnedValue::Of(Value::IpAddress(std::string("\x0a\x00\x00\x01", 4)));
//   Value v = ip.value();          // valid while `ip` lives
#ifndef MIXLET_VALUE_OWNED_VALUE_H_
#define MIXLET_VALUE_OWNED_VALUE_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "mixlet/value/value.h"

namespace mixlet {

class OwnedValue {
 public:
  OwnedValue() = default;
  // Deep-copies whatever `v` borrows.
  static OwnedValue Of(const Value& v);
  // A string map built from key/value pairs (later duplicates of a key replace earlier ones).
  static OwnedValue StringMapOf(std::vector<std::pair<std::string, std::string>> entries);

  OwnedValue(const OwnedValue& other) { *this = Of(other.value_); }
  OwnedValue& operator=(const OwnedValue& other) {
    if (this != &other) *this = Of(other.value_);
    return *this;
  }
  OwnedValue(OwnedValue&&) = default;
  OwnedValue& operator=(OwnedValue&&) = default;

  // Valid while this OwnedValue lives (moves included).
  const Value& value() const { return value_; }

 private:
  Value value_;
  // Heap storage so that moving the OwnedValue never moves the bytes.
  std::unique_ptr<std::string> bytes_;
  std::unique_ptr<std::vector<std::string>> map_strings_;
  std::unique_ptr<std::vector<StringMapEntry>> map_entries_;
};

}  // namespace mixlet

#endif  // MIXLET_VALUE_OWNED_VALUE_H_
