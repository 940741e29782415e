#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "handler/prometheus/label_hash.h"
#include "testing/count_allocations.h"

namespace mixlet::handler_internal {
namespace {

uint64_t H(std::vector<absl::string_view> labels) { return HashLabels(labels); }

TEST_CASE("LabelHasher: hashing value by value equals HashLabels", "[handler]") {
  const std::vector<std::vector<absl::string_view>> tuples = {
      {},
      {""},
      {"v1", "ratings-v2", "v2"},
      {"a-value-longer-than-sixteen-bytes", "", "0123456789abcdef", "12345678"},
  };
  for (const auto& tuple : tuples) {
    LabelHasher hasher(tuple.size());
    for (absl::string_view v : tuple) hasher.Add(v);
    CHECK(hasher.Finish() == HashLabels(tuple));
  }
}

TEST_CASE("LabelHasher: hashing allocates nothing", "[handler]") {
  const std::string long_value(100, 'x');
  const std::vector<absl::string_view> labels{"v1", long_value, "ratings-v2"};
  testing::CountAllocations allocs;
  uint64_t h = 0;
  for (int i = 0; i < 100; ++i) h ^= HashLabels(labels);
  CHECK(allocs.count() == 0);
  CHECK(h == 0);  // an even number of equal hashes
}

// Pairs that collided for every seed under the previous hash, which added the length to a
// data word and keyed only one operand of the multiply (a client could send both values of a
// pair, in each of several labels, and multiply the colliding tuples). Their hashes now differ
// unless the random keys happen to make them equal (probability ~2^-64).
TEST_CASE("LabelHasher: no seed-independent collisions between prepared values", "[handler]") {
  // Lengths 5 and 6: equal words once the length was xored into the first.
  CHECK(H({"acccz"}) != H({"bccccz"}));
  CHECK(H({"v1", "acccz", "x"}) != H({"v1", "bccccz", "x"}));
  // Lengths 4 and 5.
  CHECK(H({"cccc"}) != H({"bcccc"}));
  // A first word equal to the public constant zeroed the product whatever the rest was: every
  // 16-byte value with that prefix hashed alike. Now no public constant reaches a multiply.
  const uint64_t k1 = 0xe7037ed1a0b428dbull ^ 16;
  char prefix[8];
  std::memcpy(prefix, &k1, sizeof prefix);
  const std::string a = std::string(prefix, 8) + "AAAAAAAA";
  const std::string b = std::string(prefix, 8) + "BBBBBBBB";
  CHECK(H({a}) != H({b}));
  // The same in the first block of a long value.
  const std::string block(prefix, 8);
  CHECK(H({block + "12345678-and-the-rest"}) != H({block + "87654321-and-the-rest"}));
}

TEST_CASE("LabelHasher: values of every length up to 40 bytes hash apart", "[handler]") {
  // Each base string and every single-byte change of it, at every length, in two positions:
  // no two differing tuples may share a hash (a collision here would be a ~2^-50 accident).
  std::vector<std::string> values;
  for (size_t n = 0; n <= 40; ++n) {
    std::string base;
    for (size_t i = 0; i < n; ++i) base.push_back(static_cast<char>('a' + i % 26));
    values.push_back(base);
    for (size_t i = 0; i < n; ++i) {
      for (char c : {'A', '\0', '\xff'}) {
        std::string changed = base;
        changed[i] = c;
        values.push_back(changed);
      }
    }
  }
  absl::flat_hash_set<uint64_t> seen;
  size_t tuples = 0;
  for (const std::string& v : values) {
    seen.insert(H({v}));
    seen.insert(H({v, ""}));
    seen.insert(H({"", v}));
    tuples += 3;
  }
  // ("", "") is the only tuple produced twice (from the empty value, in both positions).
  CHECK(seen.size() == tuples - 1);
  // Swapped values differ: positions have their own keys.
  CHECK(H({"x", "y"}) != H({"y", "x"}));
  CHECK(H({"x", "x"}) != H({"y", "y"}));
}

TEST_CASE("LabelHasher: similar tuples spread over the table's low bits", "[handler]") {
  // The table indexes by the low bits. 4096 tuples differing in one short value, into 4096
  // buckets: uniform hashing fills about 63% of them (1 - 1/e); a weak mix far fewer.
  std::vector<std::string> names;
  for (int i = 0; i < 4096; ++i) names.push_back(absl::StrCat("ratings-v", i));
  absl::flat_hash_set<uint64_t> buckets;
  for (const std::string& name : names) buckets.insert(H({"v1", name, "v2"}) & 4095);
  CHECK(buckets.size() > 2400);
  CHECK(buckets.size() < 2800);
}

TEST_CASE("BytesEqual: agrees with == for every length up to 40", "[handler]") {
  for (size_t n = 0; n <= 40; ++n) {
    std::string x(n, 'q');
    CHECK(BytesEqual(x, std::string(n, 'q')));
    CHECK_FALSE(BytesEqual(x, std::string(n + 1, 'q')));
    for (size_t i = 0; i < n; ++i) {
      std::string y = x;
      y[i] = 'r';
      INFO(n << " " << i);
      CHECK_FALSE(BytesEqual(x, y));
    }
  }
}

}  // namespace
}  // namespace mixlet::handler_internal
