#include "mixlet/value/owned_value.h"

namespace mixlet {

OwnedValue OwnedValue::Of(const Value& v) {
  OwnedValue out;
  switch (v.type()) {
    case ValueType::kString:
    case ValueType::kEmailAddress:
    case ValueType::kUri:
    case ValueType::kDnsName:
    case ValueType::kIpAddress:
      out.bytes_ = std::make_unique<std::string>(v.string());
      out.value_ = v.type() == ValueType::kIpAddress
                       ? Value::IpAddress(*out.bytes_)
                       : Value::StringOfType(v.type(), *out.bytes_);
      return out;
    case ValueType::kStringMap: {
      std::vector<std::pair<std::string, std::string>> entries;
      for (const StringMapEntry& e : v.string_map()) {
        entries.emplace_back(std::string(e.key), std::string(e.value));
      }
      return StringMapOf(std::move(entries));
    }
    default:
      out.value_ = v;
      return out;
  }
}

OwnedValue OwnedValue::StringMapOf(std::vector<std::pair<std::string, std::string>> entries) {
  OwnedValue out;
  out.map_strings_ = std::make_unique<std::vector<std::string>>();
  out.map_entries_ = std::make_unique<std::vector<StringMapEntry>>();
  // Keep first-seen key order; a later duplicate replaces the earlier value.
  std::vector<std::pair<std::string, std::string>> unique;
  for (auto& kv : entries) {
    bool replaced = false;
    for (auto& u : unique) {
      if (u.first == kv.first) {
        u.second = std::move(kv.second);
        replaced = true;
        break;
      }
    }
    if (!replaced) unique.push_back(std::move(kv));
  }
  out.map_strings_->reserve(unique.size() * 2);
  for (auto& kv : unique) {
    out.map_strings_->push_back(std::move(kv.first));
    out.map_strings_->push_back(std::move(kv.second));
  }
  out.map_entries_->reserve(unique.size());
  for (size_t i = 0; i < unique.size(); ++i) {
    out.map_entries_->push_back({(*out.map_strings_)[2 * i], (*out.map_strings_)[2 * i + 1]});
  }
  out.value_ = Value::StringMap(StringMapView(out.map_entries_->data(), out.map_entries_->size()));
  return out;
}

}  // namespace mixlet
