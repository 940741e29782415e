// ParamValue: a JSON-like tree holding an adapter's or a template's `params`, as written in YAML.
//
// Mixer carried `params` as a `google.protobuf.Struct` and decoded it into each adapter's own
// proto. mixlet keeps the tree (null, bool, number, string, list, map; map keys in the order
// written) together with where each node came from, so an adapter can validate its params and
// report every problem with its field path and source line.
//
// Example:
//   const ParamValue* metrics = params.Find("metrics");
//   if (metrics != nullptr && metrics->kind() == ParamValue::Kind::kList) {
//     for (const ParamValue& m : metrics->list()) { ... m.Find("name") ... }
//   }
#ifndef MIXLET_CONFIG_PARAMS_H_
#define MIXLET_CONFIG_PARAMS_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace mixlet {

class ParamValue {
 public:
  enum class Kind { kNull, kBool, kNumber, kString, kList, kMap };

  ParamValue() = default;
  static ParamValue Null() { return ParamValue(); }
  static ParamValue Bool(bool b);
  static ParamValue Number(double d);
  static ParamValue String(std::string s);
  static ParamValue List(std::vector<ParamValue> items);
  static ParamValue Map(std::vector<std::pair<std::string, ParamValue>> entries);

  Kind kind() const { return kind_; }
  // Each accessor requires the matching kind; otherwise it returns an empty/zero value.
  bool bool_value() const { return kind_ == Kind::kBool && bool_; }
  double number() const { return kind_ == Kind::kNumber ? number_ : 0.0; }
  const std::string& string() const { return string_; }
  const std::vector<ParamValue>& list() const { return list_; }
  const std::vector<std::pair<std::string, ParamValue>>& map() const { return map_; }

  // The value of `key` in a map, or nullptr (also for non-maps).
  const ParamValue* Find(absl::string_view key) const;

  // Where the node was written: 1-based line and column in its file, 0 when built in code.
  int line() const { return line_; }
  int column() const { return column_; }
  void set_position(int line, int column) {
    line_ = line;
    column_ = column;
  }

  // "null", "bool", "number", "string", "list", "map".
  static absl::string_view KindName(Kind kind);

  // Deep equality of kinds and contents (positions ignored). Used to decide whether a handler's
  // configuration changed across a reload.
  friend bool operator==(const ParamValue& a, const ParamValue& b);
  friend bool operator!=(const ParamValue& a, const ParamValue& b) { return !(a == b); }

 private:
  Kind kind_ = Kind::kNull;
  bool bool_ = false;
  double number_ = 0.0;
  std::string string_;
  std::vector<ParamValue> list_;
  std::vector<std::pair<std::string, ParamValue>> map_;
  int line_ = 0;
  int column_ = 0;
};

}  // namespace mixlet

#endif  // MIXLET_CONFIG_PARAMS_H_
