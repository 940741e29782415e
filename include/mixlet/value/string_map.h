// StringMapView: a borrowed, read-only map from string to string (HTTP headers, pod labels).
//
// A STRING_MAP attribute value does not own its entries: they live in the bag (or the decoded
// message) that holds the value, and the view is valid as long as that storage is. Entries keep
// the order in which they were added; keys are unique. Lookups scan linearly, which beats hashing
// for the small maps Istio sends (labels, a few dozen headers) and never allocates.
//
// Example:
//   const StringMapEntry entries[] = {{"app", "ratings"}, {"version", "v2"}};
//   StringMapView labels(entries, 2);
//   absl::optional<absl::string_view> v = labels.Find("version");   // "v2"
#ifndef MIXLET_VALUE_STRING_MAP_H_
#define MIXLET_VALUE_STRING_MAP_H_

#include <cstddef>

#include "absl/strings/string_view.h"
#include "absl/types/optional.h"

namespace mixlet {

struct StringMapEntry {
  absl::string_view key;
  absl::string_view value;
};

class StringMapView {
 public:
  constexpr StringMapView() = default;
  // Borrows `size` entries at `entries`; they must outlive the view.
  constexpr StringMapView(const StringMapEntry* entries, size_t size)
      : entries_(entries), size_(size) {}

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const StringMapEntry* begin() const { return entries_; }
  const StringMapEntry* end() const { return entries_ + size_; }

  // The value for `key`, or nullopt. Hot path: no allocation, no hashing.
  absl::optional<absl::string_view> Find(absl::string_view key) const {
    for (size_t i = 0; i < size_; ++i) {
      if (entries_[i].key == key) return entries_[i].value;
    }
    return absl::nullopt;
  }

  // Same entries, in any order.
  friend bool operator==(StringMapView a, StringMapView b);
  friend bool operator!=(StringMapView a, StringMapView b) { return !(a == b); }

 private:
  const StringMapEntry* entries_ = nullptr;
  size_t size_ = 0;
};

}  // namespace mixlet

#endif  // MIXLET_VALUE_STRING_MAP_H_
