#include "mixlet/attribute/vocabulary.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace mixlet {
namespace {

constexpr StandardAttribute kStandardAttributes[] = {
#define MIXLET_STANDARD_ATTRIBUTE_ROW(name, type, in_manifest, description) \
  {name, ValueType::type, in_manifest, description},
#include "attribute/standard_attributes.inc"
    MIXLET_STANDARD_ATTRIBUTES(MIXLET_STANDARD_ATTRIBUTE_ROW)
#undef MIXLET_STANDARD_ATTRIBUTE_ROW
};

}  // namespace

absl::Span<const StandardAttribute> StandardAttributes() { return kStandardAttributes; }

std::shared_ptr<const Vocabulary> Vocabulary::Standard() {
  static const std::shared_ptr<const Vocabulary>* const kStandard =
      new std::shared_ptr<const Vocabulary>(VocabularyBuilder::Standard().Build());
  return *kStandard;
}

absl::optional<AttributeInfo> Vocabulary::Find(absl::string_view name) const {
  auto it = index_.find(name);
  if (it == index_.end()) return absl::nullopt;
  return AttributeInfo{AttributeId{it->second}, types_[it->second]};
}

VocabularyBuilder VocabularyBuilder::Standard() {
  VocabularyBuilder b;
  for (const StandardAttribute& a : kStandardAttributes) {
    if (a.in_default_manifest) b.Add(a.name, a.type).IgnoreError();
  }
  return b;
}

absl::Status VocabularyBuilder::Add(absl::string_view name, ValueType type) {
  if (name.empty()) return absl::InvalidArgumentError("attribute name must not be empty");
  if (type == ValueType::kUnspecified || static_cast<int>(type) >= kValueTypeCount) {
    return absl::InvalidArgumentError(
        absl::StrCat("attribute '", name, "': value type must be one of the 11 value types"));
  }
  auto [it, inserted] = index_.emplace(std::string(name), static_cast<uint32_t>(names_.size()));
  if (inserted) {
    names_.emplace_back(name);
    types_.push_back(type);
  } else {
    types_[it->second] = type;  // Later manifests overwrite earlier ones, as in Mixer.
  }
  return absl::OkStatus();
}

std::shared_ptr<const Vocabulary> VocabularyBuilder::Build() && {
  std::shared_ptr<Vocabulary> v(new Vocabulary());
  v->names_ = std::move(names_);
  v->types_ = std::move(types_);
  v->index_ = std::move(index_);
  return v;
}

}  // namespace mixlet
