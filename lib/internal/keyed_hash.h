// A keyed hash of byte strings for mixlet's open-addressing tables (the Prometheus series
// tables, the wire encoder's message dictionary), and the byte equality that goes with it.
// Not installed: internal to mixlet.
//
// What the hash guarantees: it is keyed by secrets drawn once per process (`kKeyedHashKeys`),
// and every multiply has a secret in both of its operands, so no input can set an operand to a
// known value (zero, say, which would make the product ignore the other operand). A string of up
// to 16 bytes enters as an injective encoding of its bytes for its length, and its length through
// a secret odd multiplier; longer strings are chained block by block through keyed multiplies.
// So no two differing strings collide for every key, and a client that chooses the strings but
// cannot observe hashes can only hit a collision by chance (the wyhash-style mixing gives no
// proof, only that no structured input is known to do better). It is not a MAC: it has only to
// keep clients from filling a table with prepared collisions. Collisions that do happen are
// resolved by comparing the bytes: they cost time, never correctness.
//
// Example:
//   const uint64_t h = HashBytes(word, kKeyedHashKeys.position);
//   ... probe slot h & mask, compare candidates with BytesEqual(candidate, word) ...
#ifndef MIXLET_INTERNAL_KEYED_HASH_H_
#define MIXLET_INTERNAL_KEYED_HASH_H_

#include <chrono>
#include <cstdint>
#include <cstring>
#include <random>

#include "absl/numeric/int128.h"
#include "absl/strings/string_view.h"

namespace mixlet::internal {

// Independent per-process secrets.
struct KeyedHashKeys {
  uint64_t position;  // A key for HashBytes (a caller hashing tuples derives one per position).
  uint64_t block;     // Second operand of every multiply.
  uint64_t length;    // Odd multiplier of the string length.
  uint64_t finish;    // Key of a caller's final mix.
};

namespace keyed_hash_detail {

inline uint64_t RandomSeed() {
  uint64_t seed = static_cast<uint64_t>(
      std::chrono::steady_clock::now().time_since_epoch().count());
  try {
    std::random_device device;
    seed ^= (uint64_t{device()} << 32) | device();
  } catch (...) {
    // No entropy source: the clock (and ASLR below) still vary between processes.
  }
  return seed ^ reinterpret_cast<uintptr_t>(&seed);
}

// splitmix64's output function: spreads one random seed into independent-looking keys.
inline uint64_t SplitMix(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

inline KeyedHashKeys MakeKeys() {
  uint64_t state = RandomSeed();
  KeyedHashKeys keys;
  keys.position = SplitMix(&state);
  keys.block = SplitMix(&state);
  keys.length = SplitMix(&state) | 1;
  keys.finish = SplitMix(&state);
  return keys;
}

}  // namespace keyed_hash_detail

// The process's keys, drawn before main (one definition for every library that includes this).
inline const KeyedHashKeys kKeyedHashKeys = keyed_hash_detail::MakeKeys();

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

// `v` hashed under `key` (secret). One multiply for strings up to 16 bytes.
// Hot path: no allocation.
inline uint64_t HashBytes(absl::string_view v, uint64_t key) {
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
      key = Mix(Load64(p) ^ key, Load64(p + 8) ^ kKeyedHashKeys.block);
      p += 16;
      rest -= 16;
    }
    a = Load64(p + rest - 16);
    b = Load64(p + rest - 8);
  }
  return Mix(a ^ key ^ (n * kKeyedHashKeys.length), b ^ kKeyedHashKeys.block);
}

// Byte equality. Hot path: no allocation, no call for strings up to 16 bytes.
inline bool BytesEqual(absl::string_view x, absl::string_view y) {
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

}  // namespace mixlet::internal

#endif  // MIXLET_INTERNAL_KEYED_HASH_H_
