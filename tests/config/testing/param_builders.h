// Short builders for ParamValue trees in tests: M({{"k", S("v")}}), L({N(1)}), ...
#ifndef MIXLET_TESTS_CONFIG_TESTING_PARAM_BUILDERS_H_
#define MIXLET_TESTS_CONFIG_TESTING_PARAM_BUILDERS_H_

#include <string>
#include <utility>
#include <vector>

#include "mixlet/config/params.h"
#include "mixlet/config/resources.h"

namespace mixlet::testing {

inline ParamValue S(std::string s) { return ParamValue::String(std::move(s)); }
inline ParamValue N(double d) { return ParamValue::Number(d); }
inline ParamValue B(bool b) { return ParamValue::Bool(b); }
inline ParamValue Null() { return ParamValue(); }
inline ParamValue L(std::vector<ParamValue> items) { return ParamValue::List(std::move(items)); }
inline ParamValue M(std::vector<std::pair<std::string, ParamValue>> entries) {
  return ParamValue::Map(std::move(entries));
}

// A Kubernetes-style document of `kind`.
inline ParamValue Doc(const std::string& kind, const std::string& name, const std::string& ns,
                      ParamValue spec) {
  std::vector<std::pair<std::string, ParamValue>> metadata = {{"name", S(name)}};
  if (!ns.empty()) metadata.emplace_back("namespace", S(ns));
  return M({{"apiVersion", S("config.istio.io/v1alpha2")},
            {"kind", S(kind)},
            {"metadata", M(std::move(metadata))},
            {"spec", std::move(spec)}});
}

// A metric instance with `value` and dimensions given as name/expression pairs.
inline InstanceResource MetricInstance(std::string name, std::string ns, std::string value,
                                       std::vector<std::pair<std::string, std::string>> dims = {}) {
  InstanceResource i;
  i.meta.name = std::move(name);
  i.meta.namespace_name = std::move(ns);
  i.template_name = "metric";
  std::vector<std::pair<std::string, ParamValue>> d;
  for (auto& [k, v] : dims) d.emplace_back(k, S(v));
  i.params = M({{"value", S(std::move(value))}, {"dimensions", M(std::move(d))}});
  return i;
}

inline HandlerResource TestHandler(std::string name, std::string ns, ParamValue params = M({}),
                                   std::string adapter = "prometheus") {
  HandlerResource h;
  h.meta.name = std::move(name);
  h.meta.namespace_name = std::move(ns);
  h.adapter_name = std::move(adapter);
  h.params = std::move(params);
  return h;
}

inline RuleResource TestRule(std::string name, std::string ns, std::string match,
                             std::vector<ActionResource> actions) {
  RuleResource r;
  r.meta.name = std::move(name);
  r.meta.namespace_name = std::move(ns);
  r.match = std::move(match);
  r.actions = std::move(actions);
  return r;
}

}  // namespace mixlet::testing

#endif  // MIXLET_TESTS_CONFIG_TESTING_PARAM_BUILDERS_H_
