// Vocabulary: the attribute manifest, mapping attribute names to value types and dense ids.
//
// Mixer type-checks every expression against one global vocabulary, the merge of all
// `attributemanifest` resources. mixlet builds it once (the standard Istio attributes plus any
// the user declares) and gives every name a dense `AttributeId` in [0, size()), so that compiled
// expressions and bags work with array indices instead of strings. A built Vocabulary is
// immutable and safe to share between threads; share it as `std::shared_ptr<const Vocabulary>`.
//
// Example:
//   std::shared_ptr<const Vocabulary> vocab = Vocabulary::Standard();
//   absl::optional<AttributeInfo> info = vocab->Find("connection.received.bytes");
//   // info->id is dense, info->type == ValueType::kInt64
//
//   VocabularyBuilder b = VocabularyBuilder::Standard();
//   b.Add("my.custom.attr", ValueType::kString);
//   std::shared_ptr<const Vocabulary> custom = std::move(b).Build();
#ifndef MIXLET_ATTRIBUTE_VOCABULARY_H_
#define MIXLET_ATTRIBUTE_VOCABULARY_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "absl/types/span.h"
#include "mixlet/value/value_type.h"

namespace mixlet {

// A dense attribute index, valid for the Vocabulary that issued it.
struct AttributeId {
  uint32_t value = 0;
  friend bool operator==(AttributeId a, AttributeId b) { return a.value == b.value; }
  friend bool operator!=(AttributeId a, AttributeId b) { return a.value != b.value; }
  friend bool operator<(AttributeId a, AttributeId b) { return a.value < b.value; }
  template <typename H>
  friend H AbslHashValue(H h, AttributeId id) {
    return H::combine(std::move(h), id.value);
  }
};

struct AttributeInfo {
  AttributeId id;
  ValueType type = ValueType::kUnspecified;
};

// One row of the built-in table of Istio attributes (attributes.md §3).
struct StandardAttribute {
  absl::string_view name;
  ValueType type;
  // True for the 90 attributes of Istio 1.7's default manifests (`istioproxy` + `kubernetes`);
  // false for documented attributes that those manifests leave out (e.g. `source.port`).
  bool in_default_manifest;
  absl::string_view description;
};

// Every attribute the spec documents, manifest ones first. Static storage.
absl::Span<const StandardAttribute> StandardAttributes();

class Vocabulary {
 public:
  // The attributes of Istio 1.7's default manifests: the vocabulary Mixer checked against.
  // Built once; the same pointer every call.
  static std::shared_ptr<const Vocabulary> Standard();

  // Not copyable: share it through std::shared_ptr<const Vocabulary>.
  Vocabulary(const Vocabulary&) = delete;
  Vocabulary& operator=(const Vocabulary&) = delete;

  // The id and type of `name`, or nullopt when the vocabulary does not declare it.
  absl::optional<AttributeInfo> Find(absl::string_view name) const;

  // Number of attributes; ids are [0, size()).
  size_t size() const { return names_.size(); }
  // `id` must be < size().
  absl::string_view name(AttributeId id) const { return names_[id.value]; }
  ValueType type(AttributeId id) const { return types_[id.value]; }

 private:
  friend class VocabularyBuilder;
  Vocabulary() = default;

  std::vector<std::string> names_;
  std::vector<ValueType> types_;
  absl::flat_hash_map<std::string, uint32_t> index_;
};

// Builds a Vocabulary. Adding a name twice keeps its id and takes the later type, as Mixer's
// manifest merge did.
class VocabularyBuilder {
 public:
  VocabularyBuilder() = default;
  // Starts from the standard vocabulary (same ids as `Vocabulary::Standard()`).
  static VocabularyBuilder Standard();

  // InvalidArgument for an empty name or `ValueType::kUnspecified`.
  absl::Status Add(absl::string_view name, ValueType type);

  std::shared_ptr<const Vocabulary> Build() &&;

 private:
  std::vector<std::string> names_;
  std::vector<ValueType> types_;
  absl::flat_hash_map<std::string, uint32_t> index_;
};

}  // namespace mixlet

#endif  // MIXLET_ATTRIBUTE_VOCABULARY_H_
