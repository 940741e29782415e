// Hashing and comparing label-value tuples, the key of a series: each value hashed on its own
// with `internal::HashBytes` (see lib/internal/keyed_hash.h for what the keyed hash guarantees)
// under a key of its position, then combined. Short values (the common case: versions, workload
// names, response codes) are read with a few overlapping loads instead of a byte loop or a call
// to memcmp.
#ifndef MIXLET_LIB_HANDLER_PROMETHEUS_LABEL_HASH_H_
#define MIXLET_LIB_HANDLER_PROMETHEUS_LABEL_HASH_H_

#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "internal/keyed_hash.h"

namespace mixlet::handler_internal {

using internal::BytesEqual;

// Hashes a tuple value by value, in position order: `Add` each value, then `Finish`. Equal to
// `HashLabels` of the same values, so a caller can hash values while it gathers them.
// Hot path: no allocation; one multiply per short value plus one.
class LabelHasher {
 public:
  explicit LabelHasher(size_t count) : h_(count), key_(internal::kKeyedHashKeys.position) {}

  // The values of a tuple are hashed independently (their multiplies overlap in the pipeline),
  // each under the key of its position, and combined at the end.
  void Add(absl::string_view v) {
    key_ += internal::kK0;
    h_ = (h_ << 5 | h_ >> 59) ^ internal::HashBytes(v, key_);
  }
  uint64_t Finish() const {
    return internal::Mix(h_ ^ internal::kKeyedHashKeys.finish,
                         internal::kKeyedHashKeys.block ^ internal::kK1);
  }

 private:
  uint64_t h_;
  uint64_t key_;
};

// Hot path: no allocation; one multiply per short value plus one.
inline uint64_t HashLabels(absl::Span<const absl::string_view> labels) {
  LabelHasher hasher(labels.size());
  for (absl::string_view v : labels) hasher.Add(v);
  return hasher.Finish();
}

}  // namespace mixlet::handler_internal

#endif  // MIXLET_LIB_HANDLER_PROMETHEUS_LABEL_HASH_H_
