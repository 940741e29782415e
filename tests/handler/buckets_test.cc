#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "handler/prometheus/buckets.h"
#include "handler/prometheus/exposition.h"

namespace mixlet::handler_internal {
namespace {

std::vector<std::string> Texts(const std::vector<double>& bounds) {
  std::vector<std::string> out;
  for (double b : bounds) out.push_back(FormatPromFloat(b));
  return out;
}

TEST_CASE("Buckets: linear bounds are accumulated by repeated addition", "[handler]") {
  CHECK(Texts(LinearBuckets(0, 10, 4)) == std::vector<std::string>{"0", "10", "20", "30"});
  CHECK(Texts(LinearBuckets(0, 0.1, 11)) ==
        std::vector<std::string>{"0", "0.1", "0.2", "0.30000000000000004", "0.4", "0.5", "0.6",
                                 "0.7", "0.7999999999999999", "0.8999999999999999",
                                 "0.9999999999999999"});
  CHECK(Texts(LinearBuckets(-5, 2.5, 3)) == std::vector<std::string>{"-5", "-2.5", "0"});
  // num_finite_buckets = 0 gives one finite bound.
  CHECK(Texts(LinearBuckets(7, 1, 1)) == std::vector<std::string>{"7"});
}

TEST_CASE("Buckets: exponential bounds are accumulated by repeated multiplication",
          "[handler]") {
  CHECK(Texts(ExponentialBuckets(1, 10, 3)) == std::vector<std::string>{"1", "10", "100"});
  const std::vector<double> b = ExponentialBuckets(1, 1.1, 6);
  CHECK(Texts(b) == std::vector<std::string>{"1", "1.1", "1.2100000000000002",
                                             "1.3310000000000004", "1.4641000000000006",
                                             "1.6105100000000008"});
  // Not what a power function gives.
  CHECK(FormatPromFloat(std::pow(1.1, 4)) == "1.4641000000000004");
  // Istio's request_bytes: numFiniteBuckets 8, scale 1, growthFactor 10.
  CHECK(Texts(ExponentialBuckets(1, 10, 9)) ==
        std::vector<std::string>{"1", "10", "100", "1000", "10000", "100000", "1e+06", "1e+07",
                                 "1e+08"});
}

TEST_CASE("Buckets: explicit bounds and the defaults", "[handler]") {
  const double inf = std::numeric_limits<double>::infinity();
  CHECK(ExplicitBuckets({0.5, 1, inf}) == std::vector<double>{0.5, 1});
  CHECK(ExplicitBuckets({0.5, 1}) == std::vector<double>{0.5, 1});
  CHECK(Texts(DefaultBuckets()) == std::vector<std::string>{"0.005", "0.01", "0.025", "0.05",
                                                            "0.1", "0.25", "0.5", "1", "2.5",
                                                            "5", "10"});
}

TEST_CASE("Buckets: CheckBounds wants strictly increasing bounds", "[handler]") {
  CHECK(CheckBounds(std::vector<double>{1, 2, 3}).empty());
  CHECK(CheckBounds(std::vector<double>{}).empty());
  CHECK_FALSE(CheckBounds(std::vector<double>{1, 1}).empty());
  CHECK_FALSE(CheckBounds(std::vector<double>{3, 2}).empty());
  // Linear with a zero width repeats the offset.
  CHECK_FALSE(CheckBounds(LinearBuckets(1, 0, 2)).empty());
}

TEST_CASE("Buckets: BucketIndex finds the first bound >= the value", "[handler]") {
  const std::vector<double> bounds{0, 10, 20};
  struct Row {
    double v;
    size_t want;
  };
  const Row rows[] = {{-1, 0}, {0, 0}, {0.5, 1}, {10, 1}, {10.5, 2}, {20, 2}, {20.1, 3},
                      {std::numeric_limits<double>::infinity(), 3}, {std::nan(""), 3}};
  for (const Row& row : rows) {
    INFO("v = " << row.v);
    CHECK(BucketIndex(bounds, row.v) == row.want);
  }
}

}  // namespace
}  // namespace mixlet::handler_internal
