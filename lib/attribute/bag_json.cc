#include "mixlet/attribute/bag_json.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "mixlet/value/owned_value.h"
#include "mixlet/value/value_json.h"
#include "value/json_internal.h"

namespace mixlet {

absl::Status ParseBagJson(absl::string_view json_text, MutableBag* bag) {
  absl::StatusOr<value_internal::JsonNode> doc = value_internal::ReadJson(json_text);
  if (!doc.ok()) return doc.status();
  if (doc->kind != value_internal::JsonNode::Kind::kObject) {
    return absl::InvalidArgumentError(absl::StrCat(
        "expected a JSON object mapping attribute names to values, got ",
        value_internal::JsonKindName(doc->kind), " at line ", doc->line, ", column ", doc->column));
  }
  // Convert everything before touching the bag, so that a bad file leaves it as it was.
  const Vocabulary& vocabulary = bag->vocabulary();
  std::vector<std::pair<AttributeId, OwnedValue>> values;
  values.reserve(doc->members.size());
  for (const value_internal::JsonMember& member : doc->members) {
    const absl::optional<AttributeInfo> info = vocabulary.Find(member.key);
    if (!info) {
      return absl::InvalidArgumentError(absl::StrCat("unknown attribute '", member.key, "'"));
    }
    absl::StatusOr<OwnedValue> value = value_internal::ValueFromJson(info->type, member.value);
    if (!value.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("attribute '", member.key, "': ", value.status().message()));
    }
    values.emplace_back(info->id, *std::move(value));
  }
  for (const auto& [id, value] : values) {
    // Cannot fail: the id comes from the bag's vocabulary and the value has its type.
    absl::Status s = bag->Set(id, value.value());
    if (!s.ok()) return absl::InternalError(s.message());
  }
  return absl::OkStatus();
}

std::string BagToJson(const Bag& bag) {
  std::vector<std::pair<absl::string_view, const Value*>> attributes;
  bag.ForEach([&attributes](absl::string_view name, const Value& value) {
    attributes.emplace_back(name, &value);
  });
  std::sort(attributes.begin(), attributes.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out = "{";
  for (size_t i = 0; i < attributes.size(); ++i) {
    if (i > 0) out.push_back(',');
    value_internal::AppendJsonString(&out, attributes[i].first);
    out.push_back(':');
    out += ToJson(*attributes[i].second);
  }
  out.push_back('}');
  return out;
}

}  // namespace mixlet
