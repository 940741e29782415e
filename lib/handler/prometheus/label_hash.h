// Hashing and comparing label-value tuples, the key of a series. Short values (the common case:
// versions, workload names, response codes) are read with a few overlapping loads instead of a
// byte loop or a call to memcmp.
//
// What the hash guarantees: it is keyed by secrets drawn once per process (`kLabelHashKeys`), and
// every multiply has a secret in both of its operands, so no label value can set an operand to a
// known value (zero, say, which would make the product ignore the other operand). A value of up
// to 16 bytes enters as an injective encoding of its bytes for its length, and its length through
// a secret odd multiplier; longer values are chained block by block through keyed multiplies.
// So no two differing tuples collide for every key, and a client that chooses label values but
// cannot observe hashes can only hit a collision by chance (the wyhash-style mixing gives no
// proof, only that no structured input is known to do better). It is not a MAC: it has only to
// keep clients from filling the open-addressing table with prepared collisions. Collisions
// that do happen are resolved by comparing the values (`BytesEqual`): they cost time, never
// correctness.
#ifndef MIXLET_LIB_HANDLER_PROMETHEUS_LABEL_HASH_H_
#define MIXLET_LIB_HANDLER_PROMETHEUS_LABEL_HASH_H_

#include <cstdint>
#include <cstring>

#include "absl/numeric/int128.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace mixlet::handler_internal {

// Independent per-process secrets, set before main (series_table.cc).
struct LabelHashKeys {
  uint64_t position;  // Key of the first position; later positions add kK0 per step.
  uint64_t block;     // Second operand of every value multiply.
  uint64_t length;    // Odd multiplier of the value length.
  uint64_t finish;    // Key of the final mix.
};
extern const LabelHashKeys kLabelHashKeys;

namespace label_hash_detail {

inline uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline uint64_t Load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
// 64x64 -> 128 multiply, folded: the mixing step of wyhash-style hashes.
inline uint64_t Mix(uint64_t a, uint64_t b) {
  const absl::uint128 product = absl::uint128(a) * b;
  return absl::Uint128High64(product) ^ absl::Uint128Low64(product);
}

inline constexpr uint64_t kK0 = 0xa0761d6478bd642full;
inline constexpr uint64_t kK1 = 0xe7037ed1a0b428dbull;

}  // namespace label_hash_detail

// One value mixed on its own under `key` (secret, one per tuple position): the values of a tuple
// are hashed independently (their multiplies overlap in the pipeline) and combined at the end.
// One multiply for values up to 16 bytes.
inline uint64_t HashValue(absl::string_view v, uint64_t key) {
  using namespace label_hash_detail;
  const char* p = v.data();
  const size_t n = v.size();
  // Given n, (a, b) below is an injective encoding of the bytes.
  uint64_t a, b = 0;
  if (n <= 8) {
    if (n >= 4) {
      a = Load32(p) | Load32(p + n - 4) << 32;
    } else if (n > 0) {
      a = (uint64_t{static_cast<unsigned char>(p[0])} << 16) |
          (uint64_t{static_cast<unsigned char>(p[n >> 1])} << 8) |
          static_cast<unsigned char>(p[n - 1]);
    } else {
      a = 0;
    }
  } else if (n <= 16) {
    a = Load64(p);
    b = Load64(p + n - 8);
  } else {
    // 16-byte blocks chained through the keyed state; the last (overlapping) block below.
    size_t rest = n;
    while (rest > 16) {
      key = Mix(Load64(p) ^ key, Load64(p + 8) ^ kLabelHashKeys.block);
      p += 16;
      rest -= 16;
    }
    a = Load64(p + rest - 16);
    b = Load64(p + rest - 8);
  }
  return Mix(a ^ key ^ (n * kLabelHashKeys.length), b ^ kLabelHashKeys.block);
}

// Hashes a tuple value by value, in position order: `Add` each value, then `Finish`. Equal to
// `HashLabels` of the same values, so a caller can hash values while it gathers them.
// Hot path: no allocation; one multiply per short value plus one.
class LabelHasher {
 public:
  explicit LabelHasher(size_t count) : h_(count), key_(kLabelHashKeys.position) {}

  void Add(absl::string_view v) {
    key_ += label_hash_detail::kK0;
    h_ = (h_ << 5 | h_ >> 59) ^ HashValue(v, key_);
  }
  uint64_t Finish() const {
    return label_hash_detail::Mix(h_ ^ kLabelHashKeys.finish,
                                  kLabelHashKeys.block ^ label_hash_detail::kK1);
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

// Byte equality. Hot path: no allocation, no call for values up to 16 bytes.
inline bool BytesEqual(absl::string_view x, absl::string_view y) {
  using namespace label_hash_detail;
  const size_t n = x.size();
  if (n != y.size()) return false;
  const char* p = x.data();
  const char* q = y.data();
  if (n >= 8) {
    if (n > 16) return std::memcmp(p, q, n) == 0;
    return Load64(p) == Load64(q) && Load64(p + n - 8) == Load64(q + n - 8);
  }
  if (n >= 4) return Load32(p) == Load32(q) && Load32(p + n - 4) == Load32(q + n - 4);
  // 0 to 3 bytes: the first, middle and last byte cover them all.
  return n == 0 || (p[0] == q[0] && p[n >> 1] == q[n >> 1] && p[n - 1] == q[n - 1]);
}

}  // namespace mixlet::handler_internal

#endif  // MIXLET_LIB_HANDLER_PROMETHEUS_LABEL_HASH_H_
