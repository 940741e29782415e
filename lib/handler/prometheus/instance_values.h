// Turning an instance's typed field values into what Prometheus needs: the metric value as a
// double (metric-and-prometheus.md §3 step 2) and each dimension as label text (step 3, the
// canonical text forms of attributes.md §2, identical to `Value::ToText()`).
#ifndef MIXLET_LIB_HANDLER_PROMETHEUS_INSTANCE_VALUES_H_
#define MIXLET_LIB_HANDLER_PROMETHEUS_INSTANCE_VALUES_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "mixlet/value/value.h"

namespace mixlet::handler_internal {

// Go's strconv.ParseFloat(s, 64): decimal and hexadecimal (`0x1p-2`) forms with optional sign,
// `_` between digits, `inf`/`infinity`/`nan` in any case; no surrounding spaces. False on a
// syntax error or when the value overflows (Go's ErrRange); underflow gives 0 or a subnormal.
// Hot path for strings up to 256 bytes: no allocation.
bool ParseGoFloat(absl::string_view s, double* out);

// The metric value of `v`: DOUBLE as is, INT64 converted, DURATION in seconds, string types
// parsed by ParseGoFloat. False for every other type and for unparsable strings.
// Hot path: no allocation, no string hashing.
bool MetricValueSlow(const Value& v, double* out);
inline bool MetricValue(const Value& v, double* out) {
  if (v.type() == ValueType::kInt64) {
    *out = static_cast<double>(v.int64());
    return true;
  }
  if (v.type() == ValueType::kDouble) {
    *out = v.double_value();
    return true;
  }
  return MetricValueSlow(v, out);
}

// Why MetricValue(v) failed, in Mixer's words (`could not extract numeric value for ...`,
// `strconv.ParseFloat: parsing "x": invalid syntax`). Error path only.
std::string MetricValueError(const Value& v);

// Whether values of `type` can ever be numeric (INT64, DOUBLE, DURATION, string types).
bool IsNumericCapable(ValueType type);

// Renders label values. Strings are returned as views of the value; integers, booleans and
// doubles are written into an inline buffer; other types (rare as labels) are rendered with
// `Value::ToText()` into heap strings the renderer owns. Views stay valid while the renderer
// lives. Hot path: no allocation for string, integer, boolean and (short) double values.
class LabelRenderer {
 public:
  LabelRenderer() = default;
  LabelRenderer(const LabelRenderer&) = delete;
  LabelRenderer& operator=(const LabelRenderer&) = delete;

  absl::string_view Render(const Value& v);

 private:
  absl::string_view Keep(std::string text);

  char buf_[512];
  size_t used_ = 0;
  std::vector<std::unique_ptr<std::string>> heap_;
};

}  // namespace mixlet::handler_internal

#endif  // MIXLET_LIB_HANDLER_PROMETHEUS_INSTANCE_VALUES_H_
