#include "handler/prometheus/self_metrics.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "handler/prometheus/exposition.h"

namespace mixlet::handler_internal {
namespace {

void AppendHeader(absl::string_view name, absl::string_view help, std::string* out) {
  absl::StrAppend(out, "# HELP ", name, " ", help, "\n# TYPE ", name, " counter\n");
}

}  // namespace

std::vector<std::pair<std::string, std::string>> RenderSelfMetrics(
    absl::Span<const Metric* const> metrics) {
  // Reasons in byte-wise order of their names (the exposition's series order).
  std::vector<DropReason> reasons;
  for (int r = 0; r < kDropReasonCount; ++r) reasons.push_back(static_cast<DropReason>(r));
  std::sort(reasons.begin(), reasons.end(), [](DropReason a, DropReason b) {
    return DropReasonName(a) < DropReasonName(b);
  });

  std::string dropped, overflow;
  for (const Metric* m : metrics) {
    for (DropReason r : reasons) {
      const uint64_t n = m->dropped(r);
      if (n == 0) continue;
      absl::StrAppend(&dropped, kDroppedMetricName, "{metric=\"");
      AppendEscapedLabelValue(m->definition().full_name, &dropped);
      absl::StrAppend(&dropped, "\",reason=\"", DropReasonName(r), "\"} ");
      AppendPromFloat(static_cast<double>(n), &dropped);
      dropped.push_back('\n');
    }
    if (const uint64_t n = m->overflow_reports(); n > 0) {
      absl::StrAppend(&overflow, kOverflowMetricName, "{metric=\"");
      AppendEscapedLabelValue(m->definition().full_name, &overflow);
      overflow.append("\"} ");
      AppendPromFloat(static_cast<double>(n), &overflow);
      overflow.push_back('\n');
    }
  }
  std::vector<std::pair<std::string, std::string>> families;
  if (!dropped.empty()) {
    std::string text;
    AppendHeader(kDroppedMetricName,
                 "Metric instances the Prometheus handler dropped, by metric and reason.", &text);
    families.emplace_back(std::string(kDroppedMetricName), text + dropped);
  }
  if (!overflow.empty()) {
    std::string text;
    AppendHeader(kOverflowMetricName,
                 "Updates the cardinality guard folded into a metric's overflow series.", &text);
    families.emplace_back(std::string(kOverflowMetricName), text + overflow);
  }
  return families;
}

}  // namespace mixlet::handler_internal
