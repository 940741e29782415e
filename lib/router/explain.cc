// Router::Explain: the slow, talkative twin of Dispatch, for `mixlet report --explain`.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "mixlet/attribute/mutable_bag.h"
#include "mixlet/router/router.h"
#include "router/router_tables.h"

namespace mixlet {

using router_internal::Candidate;
using router_internal::kProtocolClasses;
using router_internal::RuleEntry;
using router_internal::Tables;

namespace {

absl::string_view OutcomeName(RuleExplanation::Outcome o) {
  switch (o) {
    case RuleExplanation::Outcome::kMatched:
      return "matched";
    case RuleExplanation::Outcome::kMatchFalse:
      return "no match";
    case RuleExplanation::Outcome::kMatchError:
      return "match error";
    case RuleExplanation::Outcome::kWrongProtocol:
      return "not for this protocol";
    case RuleExplanation::Outcome::kWrongNamespace:
      return "other namespace";
    case RuleExplanation::Outcome::kNoActions:
      return "no actions";
  }
  return "?";
}

}  // namespace

Explanation Router::Explain(const Bag& bag) const {
  const Tables& t = *tables_;
  if (&bag.vocabulary() != t.vocabulary && &bag.vocabulary() != t.compatible_vocabulary) {
    MutableBag converted(t.config->vocabulary());
    bag.ForEach([&converted](absl::string_view name, const Value& value) {
      converted.Set(name, value).IgnoreError();
    });
    return Explain(converted);
  }
  const Config& c = *t.config;
  Explanation ex;
  absl::string_view kind;
  const absl::string_view ns = t.IdentityNamespace(bag, &kind);
  ex.reporter_kind = std::string(kind);
  ex.identity_namespace = std::string(ns);
  ex.protocol_class = t.Classify(bag);
  const Value* protocol = t.protocol.has_value() ? bag.Get(*t.protocol) : nullptr;
  ex.protocol = protocol != nullptr ? protocol->ToText() : "<absent>";

  const uint32_t row = t.Row(ns);
  const uint32_t list = row * kProtocolClasses + static_cast<uint32_t>(ex.protocol_class);
  std::vector<bool> explained(c.rules().size(), false);
  for (uint32_t k = t.row_offsets[list]; k < t.row_offsets[list + 1]; ++k) {
    const Candidate& cand = t.candidates[k];
    const RuleEntry& rule = t.rules[cand.rule];
    const ConfiguredRule& cr = c.rules()[rule.config_index];
    explained[rule.config_index] = true;
    RuleExplanation re;
    re.rule = cr.fqn;
    if (cand.match != nullptr) {
      absl::StatusOr<OwnedValue> v = cand.match->Evaluate(bag);
      if (!v.ok()) {
        re.outcome = RuleExplanation::Outcome::kMatchError;
        re.reason =
            absl::StrCat("match failed to evaluate (counts as false): ", v.status().message());
      } else if (!v->value().bool_value()) {
        re.outcome = RuleExplanation::Outcome::kMatchFalse;
        re.reason = cand.match == rule.full_match
                        ? absl::StrCat("match '", cr.match_text, "' is false")
                        : absl::StrCat("match '", cand.match->text(),
                                       "' is false (its protocol conjuncts were decided at "
                                       "config time)");
      } else {
        re.outcome = RuleExplanation::Outcome::kMatched;
      }
    } else {
      re.outcome = RuleExplanation::Outcome::kMatched;
    }
    if (re.outcome == RuleExplanation::Outcome::kMatched) {
      for (uint32_t d = 0; d < rule.delivery_count; ++d) {
        const router_internal::Delivery& delivery = t.deliveries[rule.first_delivery + d];
        const router_internal::InstanceEntry& inst = t.instances[delivery.instance];
        const ConfiguredInstance& ci = c.instances()[inst.config_index];
        RuleExplanation::InstanceResult ir;
        ir.instance = inst.descriptor->name;
        ir.handler = c.handlers()[t.handlers[delivery.handler].config_index].fqn;
        ir.built = true;
        for (size_t f = 0; f < ci.fields.size(); ++f) {
          std::string text = "<none>";
          if (ci.fields[f].has_value()) {
            absl::StatusOr<OwnedValue> v = ci.fields[f]->Evaluate(bag);
            if (!v.ok()) {
              ir.built = false;
              ir.error = absl::StrCat(inst.descriptor->field_names[f], ": ", v.status().message());
              ir.fields.clear();
              break;
            }
            text = v->value().ToText();
          }
          ir.fields.emplace_back(inst.descriptor->field_names[f], std::move(text));
        }
        re.instances.push_back(std::move(ir));
      }
    }
    ex.rules.push_back(std::move(re));
  }

  for (size_t r = 0; r < c.rules().size(); ++r) {
    if (explained[r]) continue;
    const ConfiguredRule& cr = c.rules()[r];
    RuleExplanation re;
    re.rule = cr.fqn;
    if (t.rule_of_config[r] < 0) {
      re.outcome = RuleExplanation::Outcome::kNoActions;
      re.reason = "no action is left: every handler it uses failed to build";
    } else if (cr.namespace_name != t.options.default_namespace &&
               (cr.namespace_name != ns || row == 0)) {
      re.outcome = RuleExplanation::Outcome::kWrongNamespace;
      re.reason =
          absl::StrCat("its namespace '", cr.namespace_name, "' is neither the default namespace '",
                       t.options.default_namespace, "' nor the identity namespace '", ns,
                       "' (reporter kind '", kind, "')");
    } else {
      re.outcome = RuleExplanation::Outcome::kWrongProtocol;
      re.reason = absl::StrCat("protocol ", ReportProtocolName(ex.protocol_class),
                               " cannot satisfy the match's protocol conjuncts (filed under ",
                               ProtocolSetText(t.config_rule_protocols[r]), ")");
    }
    ex.rules.push_back(std::move(re));
  }
  return ex;
}

std::string Explanation::ToString() const {
  std::string out =
      absl::StrCat("reporter kind '", reporter_kind, "', identity namespace '", identity_namespace,
                   "', protocol ", protocol, " (", ReportProtocolName(protocol_class), ")\n");
  for (const RuleExplanation& r : rules) {
    absl::StrAppend(&out, "rule ", r.rule, ": ", OutcomeName(r.outcome));
    if (!r.reason.empty()) absl::StrAppend(&out, ": ", r.reason);
    absl::StrAppend(&out, "\n");
    for (const RuleExplanation::InstanceResult& i : r.instances) {
      absl::StrAppend(&out, "  instance ", i.instance, " -> handler ", i.handler);
      if (!i.built) {
        absl::StrAppend(&out, ": dropped: ", i.error, "\n");
        continue;
      }
      absl::StrAppend(&out, "\n");
      for (const auto& [name, value] : i.fields) {
        absl::StrAppend(&out, "    ", name, " = ", value, "\n");
      }
    }
  }
  return out;
}

}  // namespace mixlet
