// The Prometheus text exposition format 0.0.4, byte for byte as Mixer's endpoint wrote it
// (prometheus/common expfmt, metric-and-prometheus.md §5): HELP and TYPE lines, label value and
// HELP escaping, Go's float formatting, histograms as cumulative `_bucket{le=...}` lines followed
// by `_sum` and `_count`.
#ifndef MIXLET_LIB_HANDLER_PROMETHEUS_EXPOSITION_H_
#define MIXLET_LIB_HANDLER_PROMETHEUS_EXPOSITION_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "handler/prometheus/metric_params.h"
#include "handler/prometheus/series_table.h"

namespace mixlet::handler_internal {

// expfmt's writeFloat: `1`, `0` (also -0), `-1`, `NaN`, `+Inf`, `-Inf` special-cased; anything
// else as Go's strconv.FormatFloat(v, 'g', -1, 64) (shortest digits; exponent form when the
// decimal exponent is < -4 or >= 6, with at least two exponent digits).
void AppendPromFloat(double v, std::string* out);
std::string FormatPromFloat(double v);

// Label values: `\` -> `\\`, `"` -> `\"`, newline -> `\n`.
void AppendEscapedLabelValue(absl::string_view value, std::string* out);
// HELP text: `\` -> `\\`, newline -> `\n`.
void AppendEscapedHelp(absl::string_view help, std::string* out);

// Appends one family: `# HELP`, `# TYPE`, then the samples of every series in `table` in label
// order. Writes nothing when the table has no series (Go omits a vector without children).
// Caller is inside a ReadSection.
void AppendFamily(const MetricDefinition& definition, const SeriesTable& table, std::string* out);

}  // namespace mixlet::handler_internal

#endif  // MIXLET_LIB_HANDLER_PROMETHEUS_EXPOSITION_H_
