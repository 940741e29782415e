#include "handler/prometheus/exposition.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

namespace mixlet::handler_internal {

void AppendPromFloat(double v, std::string* out) {
  if (v == 1) {
    out->push_back('1');
    return;
  }
  if (v == 0) {
    out->push_back('0');
    return;
  }
  if (v == -1) {
    out->append("-1");
    return;
  }
  if (std::isnan(v)) {
    out->append("NaN");
    return;
  }
  if (std::isinf(v)) {
    out->append(v > 0 ? "+Inf" : "-Inf");
    return;
  }
  // Shortest round-trip digits in exponent form: [-]d[.ddd]e(+|-)XX. This is exactly Go's %e
  // shortest output, so it is used as is when Go would choose the exponent form.
  char buf[40];
  const std::to_chars_result r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  const char* p = buf;
  const char* end = r.ptr;
  const char* e = p;
  while (*e != 'e') ++e;
  int exp = 0;
  std::from_chars(e + (e[1] == '+' ? 2 : 1), end, exp);
  if (exp < -4 || exp >= 6) {
    out->append(buf, static_cast<size_t>(end - buf));
    return;
  }
  if (*p == '-') {
    out->push_back('-');
    ++p;
  }
  char digits[24];
  int n = 0;
  for (const char* q = p; q < e; ++q) {
    if (*q != '.') digits[n++] = *q;
  }
  if (exp < 0) {
    out->append("0.");
    out->append(static_cast<size_t>(-exp - 1), '0');
    out->append(digits, static_cast<size_t>(n));
  } else if (n <= exp + 1) {
    out->append(digits, static_cast<size_t>(n));
    out->append(static_cast<size_t>(exp + 1 - n), '0');
  } else {
    out->append(digits, static_cast<size_t>(exp + 1));
    out->push_back('.');
    out->append(digits + exp + 1, static_cast<size_t>(n - exp - 1));
  }
}

std::string FormatPromFloat(double v) {
  std::string out;
  AppendPromFloat(v, &out);
  return out;
}

namespace {

constexpr uint64_t kLowBits = 0x0101010101010101ull;
constexpr uint64_t kHighBits = 0x8080808080808080ull;

// Nonzero when some byte of `w` is `c`: the exact zero-byte test applied to w ^ cccccccc.
inline uint64_t HasByte(uint64_t w, unsigned char c) {
  const uint64_t x = w ^ (kLowBits * c);
  return (x - kLowBits) & ~x & kHighBits;
}

inline bool NeedsLabelEscape(char c) { return c == '\\' || c == '"' || c == '\n'; }

// The index of the first byte at or after `i` that a label value escapes, or `value.size()`.
// Eight bytes per step where it can: label values rarely need escaping, so most are passed
// over whole and appended in one piece.
size_t NextLabelEscape(absl::string_view value, size_t i) {
  for (; i + 8 <= value.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, value.data() + i, sizeof w);
    if (HasByte(w, '\\') | HasByte(w, '"') | HasByte(w, '\n')) break;
  }
  for (; i < value.size(); ++i) {
    if (NeedsLabelEscape(value[i])) return i;
  }
  return value.size();
}

}  // namespace

void AppendEscapedLabelValue(absl::string_view value, std::string* out) {
  size_t start = 0;
  for (size_t i = NextLabelEscape(value, 0); i < value.size();
       i = NextLabelEscape(value, i + 1)) {
    const char c = value[i];
    out->append(value.data() + start, i - start);
    out->append(c == '\\' ? "\\\\" : c == '"' ? "\\\"" : "\\n");
    start = i + 1;
  }
  out->append(value.data() + start, value.size() - start);
}

void AppendEscapedHelp(absl::string_view help, std::string* out) {
  size_t start = 0;
  for (size_t i = 0; i < help.size(); ++i) {
    const char c = help[i];
    if (c != '\\' && c != '\n') continue;
    out->append(help.data() + start, i - start);
    out->append(c == '\\' ? "\\\\" : "\\n");
    start = i + 1;
  }
  out->append(help.data() + start, help.size() - start);
}

namespace {

// `l1="v1",l2="v2"` (no braces) for one series.
void AppendLabelPairs(const MetricDefinition& definition, const Series& series, std::string* out) {
  for (size_t i = 0; i < definition.label_names.size(); ++i) {
    if (i > 0) out->push_back(',');
    out->append(definition.label_names[i]);
    out->append("=\"");
    AppendEscapedLabelValue(series.labels()[i], out);
    out->push_back('"');
  }
}

void AppendSample(absl::string_view name, absl::string_view suffix, absl::string_view pairs,
                  double value, std::string* out) {
  out->append(name.data(), name.size());
  out->append(suffix.data(), suffix.size());
  if (!pairs.empty()) {
    out->push_back('{');
    out->append(pairs.data(), pairs.size());
    out->push_back('}');
  }
  out->push_back(' ');
  AppendPromFloat(value, out);
  out->push_back('\n');
}

void AppendBucket(absl::string_view name, absl::string_view pairs, absl::string_view le,
                  uint64_t cumulative, std::string* out) {
  out->append(name.data(), name.size());
  out->append("_bucket{");
  if (!pairs.empty()) {
    out->append(pairs.data(), pairs.size());
    out->push_back(',');
  }
  out->append("le=\"");
  out->append(le.data(), le.size());
  out->append("\"} ");
  AppendPromFloat(static_cast<double>(cumulative), out);
  out->push_back('\n');
}

}  // namespace

void AppendFamily(const MetricDefinition& definition, const SeriesTable& table, std::string* out) {
  if (table.size() == 0) return;
  const std::string& name = definition.full_name;
  out->append("# HELP ");
  out->append(name);
  out->push_back(' ');
  AppendEscapedHelp(definition.help, out);
  out->append("\n# TYPE ");
  out->append(name);
  out->push_back(' ');
  out->append(MetricTypeName(definition.kind).data(), MetricTypeName(definition.kind).size());
  out->push_back('\n');

  std::string pairs;
  if (definition.kind != MetricKind::kDistribution) {
    const bool counter = definition.kind == MetricKind::kCounter;
    table.ForEachSorted([&](const Series& s) {
      pairs.clear();
      AppendLabelPairs(definition, s, &pairs);
      AppendSample(name, "", pairs, counter ? s.CounterValue() : s.GaugeValue(), out);
    });
    return;
  }
  std::vector<std::string> le;
  le.reserve(definition.bounds.size());
  for (double b : definition.bounds) le.push_back(FormatPromFloat(b));
  const size_t cells = table.bucket_cells();
  table.ForEachSorted([&](const Series& s) {
    pairs.clear();
    AppendLabelPairs(definition, s, &pairs);
    uint64_t cumulative = 0;
    for (size_t i = 0; i + 1 < cells; ++i) {
      cumulative += s.buckets[i].load(std::memory_order_relaxed);
      AppendBucket(name, pairs, le[i], cumulative, out);
    }
    cumulative += s.buckets[cells - 1].load(std::memory_order_relaxed);
    AppendBucket(name, pairs, "+Inf", cumulative, out);
    AppendSample(name, "_sum", pairs, s.HistogramSum(), out);
    // The count is the +Inf bucket, so the two always agree in one scrape.
    AppendSample(name, "_count", pairs, static_cast<double>(cumulative), out);
  });
}

}  // namespace mixlet::handler_internal
