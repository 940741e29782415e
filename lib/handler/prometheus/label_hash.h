// Hashing and comparing label-value tuples, the key of a series. Short values (the common case:
// versions, workload names, response codes) are read with a few overlapping loads instead of a
// byte loop or a call to memcmp. The hash is seeded per process so that label values chosen by
// a client cannot be prepared to collide.
#ifndef MIXLET_LIB_HANDLER_PROMETHEUS_LABEL_HASH_H_
#define MIXLET_LIB_HANDLER_PROMETHEUS_LABEL_HASH_H_

#include <cstdint>
#include <cstring>

#include "absl/numeric/int128.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace mixlet::handler_internal {

// A per-process random seed, set before main.
extern const uint64_t kLabelHashSeed;

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
inline constexpr uint64_t kK2 = 0x8ebc6af09c88c6e3ull;

}  // namespace label_hash_detail

// One value mixed on its own, with a seed that depends on its position: the values of a tuple
// are hashed independently (their multiplies overlap in the pipeline) and combined at the end.
inline uint64_t HashValue(absl::string_view v, uint64_t seed) {
  using namespace label_hash_detail;
  const char* p = v.data();
  size_t n = v.size();
  uint64_t a, b;
  if (n <= 16) {
    if (n >= 8) {
      a = Load64(p);
      b = Load64(p + n - 8);
    } else if (n >= 4) {
      a = Load32(p);
      b = Load32(p + n - 4);
    } else if (n > 0) {
      a = (uint64_t{static_cast<unsigned char>(p[0])} << 16) |
          (uint64_t{static_cast<unsigned char>(p[n >> 1])} << 8) |
          static_cast<unsigned char>(p[n - 1]);
      b = 0;
    } else {
      a = b = 0;
    }
  } else {
    while (n > 16) {
      seed = Mix(Load64(p) ^ kK1, Load64(p + 8) ^ seed);
      p += 16;
      n -= 16;
    }
    a = Load64(p + n - 16);
    b = Load64(p + n - 8);
  }
  return Mix(a ^ kK1 ^ v.size(), b ^ seed);
}

// Hot path: no allocation; one multiply per short value plus one.
inline uint64_t HashLabels(absl::Span<const absl::string_view> labels) {
  using namespace label_hash_detail;
  uint64_t seed = kLabelHashSeed;
  uint64_t h = labels.size();
  for (absl::string_view v : labels) {
    seed += kK0;
    h = (h << 5 | h >> 59) ^ HashValue(v, seed);
  }
  return Mix(h ^ kK2, kLabelHashSeed ^ kK1);
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
  for (size_t i = 0; i < n; ++i) {
    if (p[i] != q[i]) return false;
  }
  return true;
}

}  // namespace mixlet::handler_internal

#endif  // MIXLET_LIB_HANDLER_PROMETHEUS_LABEL_HASH_H_
