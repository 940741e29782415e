#include "handler/prometheus/buckets.h"

#include <cmath>

#include "absl/strings/str_cat.h"

namespace mixlet::handler_internal {

const std::vector<double>& DefaultBuckets() {
  static const std::vector<double>* buckets =
      new std::vector<double>{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return *buckets;
}

std::vector<double> LinearBuckets(double offset, double width, int count) {
  std::vector<double> bounds(static_cast<size_t>(count));
  double b = offset;
  for (double& bound : bounds) {
    bound = b;
    b += width;
  }
  return bounds;
}

std::vector<double> ExponentialBuckets(double scale, double growth_factor, int count) {
  std::vector<double> bounds(static_cast<size_t>(count));
  double b = scale;
  for (double& bound : bounds) {
    bound = b;
    b *= growth_factor;
  }
  return bounds;
}

std::vector<double> ExplicitBuckets(absl::Span<const double> bounds) {
  std::vector<double> out(bounds.begin(), bounds.end());
  if (!out.empty() && std::isinf(out.back()) && out.back() > 0) out.pop_back();
  return out;
}

std::string CheckBounds(absl::Span<const double> bounds) {
  for (size_t i = 0; i + 1 < bounds.size(); ++i) {
    if (bounds[i] >= bounds[i + 1]) {
      return absl::StrCat("bucket bounds must be strictly increasing, but bound ", i + 1, " (",
                          bounds[i + 1], ") is not greater than bound ", i, " (", bounds[i], ")");
    }
  }
  return "";
}

}  // namespace mixlet::handler_internal
