#include "handler/prometheus/metric_params.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <initializer_list>
#include <limits>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "handler/prometheus/buckets.h"
#include "handler/prometheus/exposition.h"
#include "handler/prometheus/series_table.h"
#include "mixlet/value/value_json.h"

namespace mixlet::handler_internal {

absl::string_view MetricTypeName(MetricKind kind) {
  switch (kind) {
    case MetricKind::kCounter:
      return "counter";
    case MetricKind::kGauge:
      return "gauge";
    case MetricKind::kDistribution:
      return "histogram";
    case MetricKind::kUnspecified:
      break;
  }
  return "untyped";
}

absl::string_view MetricKindName(MetricKind kind) {
  switch (kind) {
    case MetricKind::kCounter:
      return "COUNTER";
    case MetricKind::kGauge:
      return "GAUGE";
    case MetricKind::kDistribution:
      return "DISTRIBUTION";
    case MetricKind::kUnspecified:
      break;
  }
  return "UNSPECIFIED";
}

bool MetricDefinition::Identical(const MetricDefinition& other) const {
  if (!SameFamily(other) || kind != other.kind ||
      unusable_reason.empty() != other.unusable_reason.empty() ||
      bounds.size() != other.bounds.size()) {
    return false;
  }
  // Bit-wise, so that NaN bounds compare equal to themselves.
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (DoubleBits(bounds[i]) != DoubleBits(other.bounds[i])) return false;
  }
  return true;
}

const MetricEntry* PrometheusParams::FindEntry(absl::string_view instance_name) const {
  for (auto it = metrics.rbegin(); it != metrics.rend(); ++it) {
    if (it->instance_name == instance_name) return &*it;
  }
  return nullptr;
}

std::string SafeName(absl::string_view name) {
  if (!name.empty() && name.front() == '/') name.remove_prefix(1);
  std::string out;
  out.reserve(name.size());
  for (char c : name) {
    if (c == '-') continue;
    out.push_back(c == '/' || c == '.' || c == ' ' ? '_' : c);
  }
  return out;
}

bool IsValidMetricName(absl::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = absl::ascii_isalpha(c) || c == '_' || c == ':' || (i > 0 && absl::ascii_isdigit(c));
    if (!ok) return false;
  }
  return true;
}

bool IsValidLabelName(absl::string_view name) {
  if (name.empty() || absl::StartsWith(name, "__")) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = absl::ascii_isalpha(c) || c == '_' || (i > 0 && absl::ascii_isdigit(c));
    if (!ok) return false;
  }
  return true;
}

namespace {

// A field of a params message: its proto (snake_case) and JSON (lowerCamelCase) spellings.
struct FieldName {
  absl::string_view proto;
  absl::string_view json;
};

class Decoder {
 public:
  explicit Decoder(std::vector<ParamIssue>* issues) : issues_(issues) {}

  void Issue(const std::string& path, const ParamValue& at, std::string message) {
    issues_->push_back(ParamIssue{path, std::move(message), at.line()});
  }

  // Walks the keys of the map `node` (at `path`): each known key (either spelling) is handed to
  // `on_field(field index, key path, value)`; unknown and repeated keys are issues. A null node
  // is an empty message. `unknown_ignored_by_mixer`: Mixer's JSON decoder had decoded every
  // known field of the params before it met an unknown key here (it checks for leftovers last,
  // and nothing after this object was left to decode), so it only logged it.
  template <typename F>
  void Fields(const ParamValue& node, const std::string& path,
              std::initializer_list<FieldName> fields, F on_field,
              bool unknown_ignored_by_mixer = false) {
    if (node.kind() == ParamValue::Kind::kNull) return;
    if (node.kind() != ParamValue::Kind::kMap) {
      Issue(path, node, absl::StrCat("expected a map, got a ", ParamValue::KindName(node.kind())));
      return;
    }
    std::vector<bool> seen(fields.size(), false);
    for (const auto& [key, value] : node.map()) {
      const std::string key_path = path.empty() ? key : absl::StrCat(path, ".", key);
      size_t index = 0;
      for (const FieldName& f : fields) {
        if (key == f.proto || key == f.json) break;
        ++index;
      }
      if (index == fields.size()) {
        std::vector<std::string> known;
        for (const FieldName& f : fields) known.emplace_back(f.proto);
        Issue(key_path, value,
              absl::StrCat("unknown field '", key, "'; known fields: ", absl::StrJoin(known, ", ")));
        issues_->back().mixer_ignored = unknown_ignored_by_mixer;
        continue;
      }
      if (seen[index]) {
        Issue(key_path, value,
              absl::StrCat("field '", (fields.begin() + index)->proto, "' is set twice"));
        continue;
      }
      seen[index] = true;
      on_field(index, key_path, value);
    }
  }

  bool String(const ParamValue& v, const std::string& path, std::string* out) {
    if (v.kind() == ParamValue::Kind::kNull) return true;
    if (v.kind() != ParamValue::Kind::kString) {
      Issue(path, v, absl::StrCat("expected a string, got a ", ParamValue::KindName(v.kind())));
      return false;
    }
    *out = v.string();
    return true;
  }

  // A proto3 JSON double: a number, or a string holding one ("1.5", "NaN", "Infinity").
  bool Double(const ParamValue& v, const std::string& path, double* out) {
    if (v.kind() == ParamValue::Kind::kNull) return true;
    if (v.kind() == ParamValue::Kind::kNumber) {
      *out = v.number();
      return true;
    }
    if (v.kind() == ParamValue::Kind::kString) {
      const std::string& s = v.string();
      if (s == "NaN") {
        *out = std::numeric_limits<double>::quiet_NaN();
        return true;
      }
      if (s == "Infinity" || s == "-Infinity") {
        *out = s[0] == '-' ? -std::numeric_limits<double>::infinity()
                           : std::numeric_limits<double>::infinity();
        return true;
      }
      if (absl::SimpleAtod(s, out) && !std::isnan(*out) && !std::isinf(*out)) return true;
      Issue(path, v, absl::StrCat("expected a number, got the string \"", s, "\""));
      return false;
    }
    Issue(path, v, absl::StrCat("expected a number, got a ", ParamValue::KindName(v.kind())));
    return false;
  }

  // A proto3 JSON int32: an integral number (or a string holding one) in range.
  bool Int32(const ParamValue& v, const std::string& path, int* out) {
    if (v.kind() == ParamValue::Kind::kNull) return true;
    double d = 0;
    if (v.kind() == ParamValue::Kind::kNumber) {
      d = v.number();
    } else if (v.kind() == ParamValue::Kind::kString) {
      int64_t i = 0;
      if (!absl::SimpleAtoi(v.string(), &i)) {
        Issue(path, v, absl::StrCat("expected an integer, got the string \"", v.string(), "\""));
        return false;
      }
      d = static_cast<double>(i);
    } else {
      Issue(path, v, absl::StrCat("expected an integer, got a ", ParamValue::KindName(v.kind())));
      return false;
    }
    if (d != std::floor(d) || d < std::numeric_limits<int32_t>::min() ||
        d > std::numeric_limits<int32_t>::max()) {
      Issue(path, v, absl::StrCat("expected a 32-bit integer, got ", FormatPromFloat(d)));
      return false;
    }
    *out = static_cast<int>(d);
    return true;
  }

  // A google.protobuf.Duration as Mixer's JSON decoder read it: Go duration text ("10m", "600s").
  bool Duration(const ParamValue& v, const std::string& path, absl::optional<absl::Duration>* out) {
    if (v.kind() == ParamValue::Kind::kNull) return true;
    if (v.kind() != ParamValue::Kind::kString) {
      Issue(path, v,
            absl::StrCat("expected a duration string such as \"10m\", got a ",
                         ParamValue::KindName(v.kind())));
      return false;
    }
    absl::StatusOr<int64_t> nanos = ParseGoDuration(v.string());
    if (!nanos.ok()) {
      Issue(path, v, std::string(nanos.status().message()));
      return false;
    }
    *out = absl::Nanoseconds(*nanos);
    return true;
  }

  bool Kind(const ParamValue& v, const std::string& path, MetricKind* out) {
    if (v.kind() == ParamValue::Kind::kNull) return true;
    if (v.kind() == ParamValue::Kind::kString) {
      for (MetricKind k : {MetricKind::kUnspecified, MetricKind::kGauge, MetricKind::kCounter,
                           MetricKind::kDistribution}) {
        if (v.string() == MetricKindName(k)) {
          *out = k;
          return true;
        }
      }
      Issue(path, v,
            absl::StrCat("unknown metric kind \"", v.string(),
                         "\"; want COUNTER, GAUGE or DISTRIBUTION"));
      return false;
    }
    int number = 0;
    if (!Int32(v, path, &number)) return false;
    *out = static_cast<MetricKind>(number);
    return true;
  }

 private:
  std::vector<ParamIssue>* issues_;
};

struct BucketsSpec {
  enum class Type { kNone, kLinear, kExponential, kExplicit } type = Type::kNone;
  int num_finite_buckets = 0;
  double width = 0, offset = 0, growth_factor = 0, scale = 0;
  std::vector<double> bounds;
  std::string path;  // Of the definition actually set, for messages.
};

// Decodes `buckets` and computes the bounds; false when an issue was reported.
bool DecodeBuckets(Decoder& d, const ParamValue& node, const std::string& path,
                   std::vector<double>* bounds, std::string* unusable_reason) {
  BucketsSpec spec;
  bool ok = true;
  auto set_type = [&](BucketsSpec::Type type, const std::string& key_path, const ParamValue& v) {
    if (v.kind() == ParamValue::Kind::kNull) return false;
    if (spec.type != BucketsSpec::Type::kNone) {
      d.Issue(key_path, v,
              "only one of linear_buckets, exponential_buckets and explicit_buckets may be set");
      ok = false;
      return false;
    }
    spec.type = type;
    spec.path = key_path;
    return true;
  };
  d.Fields(node, path,
           {{"linear_buckets", "linearBuckets"},
            {"exponential_buckets", "exponentialBuckets"},
            {"explicit_buckets", "explicitBuckets"}},
           [&](size_t field, const std::string& key_path, const ParamValue& v) {
             if (field == 0) {
               if (!set_type(BucketsSpec::Type::kLinear, key_path, v)) return;
               d.Fields(v, key_path,
                        {{"num_finite_buckets", "numFiniteBuckets"}, {"width", "width"},
                         {"offset", "offset"}},
                        [&](size_t f, const std::string& p, const ParamValue& x) {
                          if (f == 0) ok &= d.Int32(x, p, &spec.num_finite_buckets);
                          if (f == 1) ok &= d.Double(x, p, &spec.width);
                          if (f == 2) ok &= d.Double(x, p, &spec.offset);
                        });
             } else if (field == 1) {
               if (!set_type(BucketsSpec::Type::kExponential, key_path, v)) return;
               d.Fields(v, key_path,
                        {{"num_finite_buckets", "numFiniteBuckets"},
                         {"growth_factor", "growthFactor"},
                         {"scale", "scale"}},
                        [&](size_t f, const std::string& p, const ParamValue& x) {
                          if (f == 0) ok &= d.Int32(x, p, &spec.num_finite_buckets);
                          if (f == 1) ok &= d.Double(x, p, &spec.growth_factor);
                          if (f == 2) ok &= d.Double(x, p, &spec.scale);
                        });
             } else {
               if (!set_type(BucketsSpec::Type::kExplicit, key_path, v)) return;
               d.Fields(v, key_path, {{"bounds", "bounds"}},
                        [&](size_t, const std::string& p, const ParamValue& x) {
                          if (x.kind() == ParamValue::Kind::kNull) return;
                          if (x.kind() != ParamValue::Kind::kList) {
                            d.Issue(p, x,
                                    absl::StrCat("expected a list of numbers, got a ",
                                                 ParamValue::KindName(x.kind())));
                            ok = false;
                            return;
                          }
                          for (size_t i = 0; i < x.list().size(); ++i) {
                            double b = 0;
                            if (d.Double(x.list()[i], absl::StrCat(p, "[", i, "]"), &b)) {
                              spec.bounds.push_back(b);
                            } else {
                              ok = false;
                            }
                          }
                        });
             }
           });
  if (!ok) return false;

  // Mixer's bucket helpers panicked on these while the handler was built, which discarded it.
  switch (spec.type) {
    case BucketsSpec::Type::kNone:
      *bounds = DefaultBuckets();
      break;
    case BucketsSpec::Type::kLinear:
      if (spec.num_finite_buckets < 0) {
        d.Issue(spec.path + ".num_finite_buckets", node, "num_finite_buckets must not be negative");
        return false;
      }
      *bounds = LinearBuckets(spec.offset, spec.width, spec.num_finite_buckets + 1);
      break;
    case BucketsSpec::Type::kExponential: {
      bool valid = true;
      if (spec.num_finite_buckets < 0) {
        d.Issue(spec.path + ".num_finite_buckets", node, "num_finite_buckets must not be negative");
        valid = false;
      }
      if (!(spec.growth_factor > 1)) {
        d.Issue(spec.path + ".growth_factor", node,
                absl::StrCat("growth_factor must be greater than 1, got ",
                             FormatPromFloat(spec.growth_factor)));
        valid = false;
      }
      if (!(spec.scale > 0)) {
        d.Issue(spec.path + ".scale", node,
                absl::StrCat("scale must be greater than 0, got ", FormatPromFloat(spec.scale)));
        valid = false;
      }
      if (!valid) return false;
      *bounds = ExponentialBuckets(spec.scale, spec.growth_factor, spec.num_finite_buckets + 1);
      break;
    }
    case BucketsSpec::Type::kExplicit:
      *bounds = spec.bounds.empty() ? DefaultBuckets() : ExplicitBuckets(spec.bounds);
      break;
  }
  std::string problem = CheckBounds(*bounds);
  if (!problem.empty() && unusable_reason->empty()) {
    *unusable_reason = absl::StrCat(path, ": ", problem);
  }
  return true;
}

void DecodeMetric(Decoder& d, const ParamValue& node, const std::string& path, bool last,
                  PrometheusParams* params) {
  std::string name_space, name, instance_name, description;
  bool namespace_set = false;
  MetricKind kind = MetricKind::kUnspecified;
  bool kind_ok = true;
  std::vector<std::string> label_names;
  std::vector<std::string> label_paths;
  const ParamValue* label_node = nullptr;
  const ParamValue* buckets = nullptr;
  std::string buckets_path;
  bool ok = true;
  d.Fields(node, path,
           {{"namespace", "namespace"},
            {"name", "name"},
            {"instance_name", "instanceName"},
            {"description", "description"},
            {"kind", "kind"},
            {"buckets", "buckets"},
            {"label_names", "labelNames"}},
           [&](size_t field, const std::string& key_path, const ParamValue& v) {
             switch (field) {
               case 0:
                 ok &= d.String(v, key_path, &name_space);
                 namespace_set = !name_space.empty();
                 break;
               case 1:
                 ok &= d.String(v, key_path, &name);
                 break;
               case 2:
                 ok &= d.String(v, key_path, &instance_name);
                 break;
               case 3:
                 ok &= d.String(v, key_path, &description);
                 break;
               case 4:
                 kind_ok = d.Kind(v, key_path, &kind);
                 ok &= kind_ok;
                 break;
               case 5:
                 buckets = &v;
                 buckets_path = key_path;
                 break;
               case 6:
                 if (v.kind() == ParamValue::Kind::kNull) break;
                 if (v.kind() != ParamValue::Kind::kList) {
                   d.Issue(key_path, v,
                           absl::StrCat("expected a list of strings, got a ",
                                        ParamValue::KindName(v.kind())));
                   ok = false;
                   break;
                 }
                 label_node = &v;
                 for (size_t i = 0; i < v.list().size(); ++i) {
                   std::string label;
                   const std::string label_path = absl::StrCat(key_path, "[", i, "]");
                   if (d.String(v.list()[i], label_path, &label)) {
                     label_names.push_back(std::move(label));
                     label_paths.push_back(label_path);
                   } else {
                     ok = false;
                   }
                 }
                 break;
             }
           },
           /*unknown_ignored_by_mixer=*/last);
  if (node.kind() != ParamValue::Kind::kMap && node.kind() != ParamValue::Kind::kNull) return;

  MetricEntry entry;
  entry.path = path;
  entry.instance_name = instance_name;
  MetricDefinition& def = entry.definition;
  def.kind = kind;
  // Mixer: the name defaults to the instance name; HELP defaults to the configured (unsanitised)
  // name; the namespace defaults to "istio".
  const std::string& configured_name = name.empty() ? instance_name : name;
  def.help = description.empty() ? configured_name : description;
  const std::string safe_name = SafeName(configured_name);
  const std::string safe_namespace = namespace_set ? SafeName(name_space) : "istio";
  if (safe_name.empty()) {
    d.Issue(path, node,
            configured_name.empty()
                ? "neither name nor instance_name is set"
                : absl::StrCat("name \"", configured_name, "\" is empty once sanitised"));
    ok = false;
  } else {
    def.full_name = safe_namespace.empty() ? safe_name : absl::StrCat(safe_namespace, "_", safe_name);
    if (!IsValidMetricName(def.full_name)) {
      d.Issue(path, node,
              absl::StrCat("\"", def.full_name,
                           "\" is not a valid Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)"));
      ok = false;
    }
  }
  if (instance_name.empty()) {
    d.Issue(path + ".instance_name", node, "instance_name is required");
    ok = false;
  }
  if (kind_ok && kind != MetricKind::kGauge && kind != MetricKind::kCounter &&
      kind != MetricKind::kDistribution) {
    d.Issue(path + ".kind", node,
            absl::StrCat("unknown metric kind (", static_cast<int>(kind),
                         "); want COUNTER, GAUGE or DISTRIBUTION"));
    ok = false;
  }
  for (size_t i = 0; i < label_names.size(); ++i) {
    std::string safe = SafeName(label_names[i]);
    if (!IsValidLabelName(safe)) {
      d.Issue(label_paths[i], label_node->list()[i],
              absl::StrCat("\"", safe, "\" is not a valid Prometheus label name ",
                           "([a-zA-Z_][a-zA-Z0-9_]*, not starting with __)"));
      ok = false;
    }
    if (std::find(def.label_names.begin(), def.label_names.end(), safe) != def.label_names.end()) {
      d.Issue(label_paths[i], label_node->list()[i],
              absl::StrCat("duplicate label name \"", safe, "\""));
      ok = false;
    }
    def.label_names.push_back(std::move(safe));
  }
  std::sort(def.label_names.begin(), def.label_names.end());
  if (kind == MetricKind::kDistribution) {
    ok &= DecodeBuckets(d, buckets != nullptr ? *buckets : ParamValue::Null(), buckets_path,
                        &def.bounds, &def.unusable_reason);
    if (std::binary_search(def.label_names.begin(), def.label_names.end(), "le")) {
      def.unusable_reason = absl::StrCat(
          path, ".label_names: a DISTRIBUTION cannot have a label named \"le\" (it is the "
                "bucket label)");
    }
  } else if (buckets != nullptr) {
    // Decoded for the unknown-key and type checks only; Mixer ignored buckets of non-histograms.
    std::vector<double> unused;
    std::string unused_reason;
    ok &= DecodeBuckets(d, *buckets, buckets_path, &unused, &unused_reason);
  }
  if (ok) params->metrics.push_back(std::move(entry));
}

}  // namespace

PrometheusParams DecodePrometheusParams(const ParamValue& params,
                                        std::vector<ParamIssue>* issues) {
  Decoder d(issues);
  PrometheusParams out;
  d.Fields(params, "",
           {{"metrics", "metrics"}, {"metrics_expiration_policy", "metricsExpirationPolicy"}},
           [&](size_t field, const std::string& key_path, const ParamValue& v) {
             if (field == 0) {
               if (v.kind() == ParamValue::Kind::kNull) return;
               if (v.kind() != ParamValue::Kind::kList) {
                 d.Issue(key_path, v,
                         absl::StrCat("expected a list of metrics, got a ",
                                      ParamValue::KindName(v.kind())));
                 return;
               }
               for (size_t i = 0; i < v.list().size(); ++i) {
                 DecodeMetric(d, v.list()[i], absl::StrCat(key_path, "[", i, "]"),
                              i + 1 == v.list().size(), &out);
               }
               return;
             }
             if (v.kind() == ParamValue::Kind::kNull) return;
             absl::optional<absl::Duration> expiry, interval;
             bool ok = true;
             d.Fields(v, key_path,
                      {{"metrics_expiry_duration", "metricsExpiryDuration"},
                       {"expiry_check_interval_duration", "expiryCheckIntervalDuration"}},
                      [&](size_t f, const std::string& p, const ParamValue& x) {
                        ok &= d.Duration(x, p, f == 0 ? &expiry : &interval);
                      },
                      /*unknown_ignored_by_mixer=*/true);
             if (!ok || v.kind() != ParamValue::Kind::kMap) return;
             if (!expiry.has_value() || *expiry <= absl::ZeroDuration()) {
               d.Issue(key_path + ".metrics_expiry_duration", v,
                       "metrics_expiry_duration must be greater than 0 when a "
                       "metrics_expiration_policy is given");
               return;
             }
             if (interval.has_value() && *interval < absl::ZeroDuration()) {
               d.Issue(key_path + ".expiry_check_interval_duration", v,
                       "expiry_check_interval_duration must not be negative");
               return;
             }
             ExpiryPolicy policy;
             policy.expiry = *expiry;
             policy.check_interval = interval.has_value() && *interval > absl::ZeroDuration()
                                         ? *interval
                                         : *expiry / 2;
             if (policy.check_interval <= absl::ZeroDuration()) {
               // A 1ns expiry halves to 0: Go's ticker would have panicked.
               d.Issue(key_path + ".metrics_expiry_duration", v,
                       "metrics_expiry_duration is too small to derive a check interval");
               return;
             }
             out.expiry = policy;
           },
           /*unknown_ignored_by_mixer=*/true);

  // Entries that register the same name must agree, as Go's registry required (same HELP and
  // label set); mixlet also requires the same kind (Mixer's handler panicked at run time).
  for (size_t i = 0; i < out.metrics.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      const MetricDefinition& a = out.metrics[j].definition;
      const MetricDefinition& b = out.metrics[i].definition;
      if (a.full_name != b.full_name) continue;
      if (!a.SameFamily(b)) {
        issues->push_back(ParamIssue{
            out.metrics[i].path,
            absl::StrCat("metric \"", b.full_name, "\" is already registered by ",
                         out.metrics[j].path, " with a different description or label names"),
            params.line()});
      } else if (a.kind != b.kind) {
        issues->push_back(ParamIssue{
            out.metrics[i].path,
            absl::StrCat("metric \"", b.full_name, "\" is already registered by ",
                         out.metrics[j].path, " as ", MetricKindName(a.kind), ", not ",
                         MetricKindName(b.kind)),
            params.line()});
      }
      break;
    }
  }
  return out;
}

}  // namespace mixlet::handler_internal
