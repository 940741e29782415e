#include "mixlet/config/params.h"

#include <cmath>

namespace mixlet {

ParamValue ParamValue::Bool(bool b) {
  ParamValue v;
  v.kind_ = Kind::kBool;
  v.bool_ = b;
  return v;
}

ParamValue ParamValue::Number(double d) {
  ParamValue v;
  v.kind_ = Kind::kNumber;
  v.number_ = d;
  return v;
}

ParamValue ParamValue::String(std::string s) {
  ParamValue v;
  v.kind_ = Kind::kString;
  v.string_ = std::move(s);
  return v;
}

ParamValue ParamValue::List(std::vector<ParamValue> items) {
  ParamValue v;
  v.kind_ = Kind::kList;
  v.list_ = std::move(items);
  return v;
}

ParamValue ParamValue::Map(std::vector<std::pair<std::string, ParamValue>> entries) {
  ParamValue v;
  v.kind_ = Kind::kMap;
  v.map_ = std::move(entries);
  return v;
}

const ParamValue* ParamValue::Find(absl::string_view key) const {
  if (kind_ != Kind::kMap) return nullptr;
  for (const auto& [k, v] : map_) {
    if (k == key) return &v;
  }
  return nullptr;
}

absl::string_view ParamValue::KindName(Kind kind) {
  switch (kind) {
    case Kind::kNull:
      return "null";
    case Kind::kBool:
      return "bool";
    case Kind::kNumber:
      return "number";
    case Kind::kString:
      return "string";
    case Kind::kList:
      return "list";
    case Kind::kMap:
      return "map";
  }
  return "unknown";
}

bool operator==(const ParamValue& a, const ParamValue& b) {
  if (a.kind_ != b.kind_) return false;
  switch (a.kind_) {
    case ParamValue::Kind::kNull:
      return true;
    case ParamValue::Kind::kBool:
      return a.bool_ == b.bool_;
    case ParamValue::Kind::kNumber:
      // NaN params compare equal to themselves so that an unchanged config stays unchanged.
      return a.number_ == b.number_ || (std::isnan(a.number_) && std::isnan(b.number_));
    case ParamValue::Kind::kString:
      return a.string_ == b.string_;
    case ParamValue::Kind::kList:
      return a.list_ == b.list_;
    case ParamValue::Kind::kMap:
      return a.map_ == b.map_;
  }
  return false;
}

}  // namespace mixlet
