#include "mixlet/router/router.h"

#include <algorithm>
#include <atomic>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "mixlet/attribute/mutable_bag.h"
#include "router/protocol_split.h"
#include "router/router_tables.h"

namespace mixlet {
namespace router_internal {
namespace {

std::atomic<uint64_t> next_router_id{1};

// True when every id of `base` means the same name and type in `extended`.
bool Extends(const Vocabulary& extended, const Vocabulary& base) {
  if (extended.size() < base.size()) return false;
  for (uint32_t i = 0; i < base.size(); ++i) {
    const AttributeId id{i};
    if (extended.name(id) != base.name(id) || extended.type(id) != base.type(id)) return false;
  }
  return true;
}

absl::optional<AttributeId> StringAttribute(const Vocabulary& v, absl::string_view name) {
  absl::optional<AttributeInfo> info = v.Find(name);
  if (!info.has_value() || info->type != ValueType::kString) return absl::nullopt;
  return info->id;
}

// Per-thread working memory for one router at a time: memoised expression values, built
// instance fields and handler batches. Sized when the thread first dispatches through a router
// (or switches routers) and reused after that, so a warm dispatch allocates nothing. Entries are
// valid for the current `generation` only, so nothing is cleared between reports.
class Scratch {
 public:
  void Prepare(const Tables& t) {
    if (tables_id_ == t.id) return;
    tables_id_ = t.id;
    generation_ = 0;
    expr_generation_.assign(t.expressions.size(), 0);
    expr_ok_.assign(t.expressions.size(), 0);
    expr_value_.assign(t.expressions.size(), nullptr);
    while (expr_ctx_.size() < t.expressions.size()) {
      expr_ctx_.push_back(std::make_unique<EvalContext>());
    }
    instance_generation_.assign(t.instances.size(), 0);
    instance_ok_.assign(t.instances.size(), 0);
    field_values_.assign(t.fields.size(), Value());
    handler_generation_.assign(t.handlers.size(), 0);
    handler_count_.assign(t.handlers.size(), 0);
    batch_.assign(t.batch_size, Instance());
    touched_.assign(t.handlers.size(), 0);
  }

  // Starts a report: every memo entry becomes stale at once.
  void NextReport() {
    if (++generation_ == 0) {
      std::fill(expr_generation_.begin(), expr_generation_.end(), 0);
      std::fill(instance_generation_.begin(), instance_generation_.end(), 0);
      std::fill(handler_generation_.begin(), handler_generation_.end(), 0);
      generation_ = 1;
    }
    touched_count_ = 0;
  }

  // Hot path: no allocation, no string hashing.
  // Builds instance `i` once per report; false when a field failed to evaluate.
  bool BuildInstance(const Tables& t, const Bag& bag, uint32_t i, DispatchResult* result) {
    if (instance_generation_[i] == generation_) return instance_ok_[i] != 0;
    instance_generation_[i] = generation_;
    const InstanceEntry& inst = t.instances[i];
    // The fields shared with a donor built (successfully) for this report are copied from it.
    uint32_t skip_begin = inst.field_count, skip_end = inst.field_count;
    if (inst.donor >= 0 && instance_generation_[inst.donor] == generation_ &&
        instance_ok_[inst.donor] != 0) {
      const InstanceEntry& donor = t.instances[inst.donor];
      std::copy(field_values_.data() + donor.first_field + inst.shared_begin,
                field_values_.data() + donor.first_field + inst.shared_end,
                field_values_.data() + inst.first_field + inst.shared_begin);
      skip_begin = inst.shared_begin;
      skip_end = inst.shared_end;
    }
    bool ok = true;
    for (uint32_t f = 0; f < inst.field_count && ok; ++f) {
      if (f == skip_begin) {
        f = skip_end - 1;
        continue;
      }
      const FieldSource& src = t.fields[inst.first_field + f];
      Value& out = field_values_[inst.first_field + f];
      // Ordered by frequency in Istio's configurations.
      if (src.kind == FieldSource::Kind::kAttributeOr) {
        const Value* v = bag.Get(src.attribute);
        if (v == nullptr) v = src.value;
        if (v != nullptr) {
          out = *v;
        } else {
          ok = false;
        }
      } else if (src.kind == FieldSource::Kind::kMapKeyOr) {
        const Value* m = bag.Get(src.attribute);
        out = *src.value;
        if (m != nullptr) {
          for (const StringMapEntry& e : m->string_map()) {
            if (SameBytes(e.key, src.text)) {
              out = Value::String(e.value);
              break;
            }
          }
        }
      } else if (src.kind == FieldSource::Kind::kChoose) {
        const Value* v = bag.Get(src.attribute);
        out =
            SameBytes(v != nullptr ? v->string() : src.text2, src.text) ? *src.value : *src.value2;
      } else {
        // Each distinct expression has its own context, so a value it derives (a
        // concatenation, ...) stays valid until the handlers have seen it. The first use
        // evaluates straight into its field; later uses copy from there.
        if (expr_generation_[src.index] != generation_) {
          expr_generation_[src.index] = generation_;
          expr_ok_[src.index] = t.expressions[src.index].Evaluate(bag, *expr_ctx_[src.index], &out);
          expr_value_[src.index] = &out;
        } else {
          out = *expr_value_[src.index];
        }
        ok = expr_ok_[src.index] != 0;
      }
    }
    instance_ok_[i] = ok ? 1 : 0;
    if (ok) {
      ++result->instances_built;
    } else {
      ++result->instance_errors;
    }
    return ok;
  }

  // Hot path: no allocation, no string hashing.
  void Deliver(const Tables& t, const Delivery& d) {
    const uint32_t h = d.handler;
    if (handler_generation_[h] != generation_) {
      handler_generation_[h] = generation_;
      handler_count_[h] = 0;
      touched_[touched_count_++] = h;
    }
    const HandlerEntry& entry = t.handlers[h];
    const InstanceEntry& inst = t.instances[d.instance];
    batch_[entry.batch_offset + handler_count_[h]++] = Instance{
        inst.descriptor,
        absl::Span<const Value>(field_values_.data() + inst.first_field, inst.field_count)};
  }

  // Hot path: no allocation, no string hashing.
  void CallHandlers(const Tables& t, DispatchResult* result) {
    for (uint32_t k = 0; k < touched_count_; ++k) {
      const uint32_t h = touched_[k];
      const HandlerEntry& entry = t.handlers[h];
      entry.handler->Handle(
          absl::Span<const Instance>(batch_.data() + entry.batch_offset, handler_count_[h]));
      ++result->handler_calls;
    }
  }

  EvalContext& match_context() { return match_ctx_; }
  bool busy = false;

 private:
  uint64_t tables_id_ = 0;
  uint32_t generation_ = 0;
  EvalContext match_ctx_;
  std::vector<std::unique_ptr<EvalContext>> expr_ctx_;
  std::vector<uint32_t> expr_generation_;
  std::vector<uint8_t> expr_ok_;
  std::vector<const Value*> expr_value_;  // Where this report's value was first stored.
  std::vector<uint32_t> instance_generation_;
  std::vector<uint8_t> instance_ok_;
  std::vector<Value> field_values_;
  std::vector<uint32_t> handler_generation_;
  std::vector<uint32_t> handler_count_;
  std::vector<Instance> batch_;
  std::vector<uint32_t> touched_;
  uint32_t touched_count_ = 0;
};

// Hot path: no allocation, no string hashing.
DispatchResult DispatchWith(const Tables& t, const Bag& bag, Scratch& s) {
  DispatchResult result;
  s.Prepare(t);
  s.NextReport();
  absl::string_view reporter_kind;
  const uint32_t row = t.Row(t.IdentityNamespace(bag, &reporter_kind));
  const uint32_t list = row * kProtocolClasses + static_cast<uint32_t>(t.Classify(bag));
  const Candidate* const begin = t.dispatch_candidates.data() + t.dispatch_offsets[list];
  const Candidate* const end = t.dispatch_candidates.data() + t.dispatch_offsets[list + 1];
  for (const Candidate* c = begin; c != end; ++c) {
    if (c->group != nullptr) {
      const EqualityGroup& g = *c->group;
      const uint32_t n = static_cast<uint32_t>(g.entries.size());
      result.rules_evaluated += n;
      const Value* v = bag.Get(g.attribute);
      if (v == nullptr) {
        result.match_errors += n;
        continue;
      }
      const absl::string_view value = v->string();
      EqualityGroup::Entry key;
      key.length = value.size();
      key.prefix = EqualityGroup::Prefix(value);
      const EqualityGroup::Entry* e = std::lower_bound(g.entries.data(), g.entries.data() + n, key);
      for (; e != g.entries.data() + n && e->length == key.length && e->prefix == key.prefix; ++e) {
        if (!SameBytes(e->literal, value)) continue;
        ++result.rules_matched;
        const RuleEntry& rule = t.rules[e->rule];
        for (uint32_t k = 0; k < rule.delivery_count; ++k) {
          const Delivery& d = t.deliveries[rule.first_delivery + k];
          if (s.BuildInstance(t, bag, d.instance, &result)) s.Deliver(t, d);
        }
      }
      continue;
    }
    ++result.rules_evaluated;
    if (c->fast != nullptr) {
      const int m = c->fast->Match(bag);
      if (m < 0) {
        ++result.match_errors;
        continue;
      }
      if (m == 0) continue;
    } else if (c->match != nullptr) {
      Value v;
      if (!c->match->Evaluate(bag, s.match_context(), &v)) {
        ++result.match_errors;
        continue;
      }
      if (!v.bool_value()) continue;
    }
    ++result.rules_matched;
    const RuleEntry& rule = t.rules[c->rule];
    for (uint32_t k = 0; k < rule.delivery_count; ++k) {
      const Delivery& d = t.deliveries[rule.first_delivery + k];
      if (s.BuildInstance(t, bag, d.instance, &result)) s.Deliver(t, d);
    }
  }
  s.CallHandlers(t, &result);
  return result;
}

thread_local Scratch tls_scratch;

}  // namespace

uint32_t Tables::Row(absl::string_view ns) const {
  // Hot path: no allocation, no string hashing.
  if (ns.empty() || SameBytes(ns, options.default_namespace)) return 0;
  if (namespaces.size() <= 8) {  // A scan that mostly compares sizes beats a binary search.
    for (size_t i = 0; i < namespaces.size(); ++i) {
      if (SameBytes(namespaces[i], ns)) return static_cast<uint32_t>(i) + 1;
    }
    return 0;
  }
  auto it = std::lower_bound(namespaces.begin(), namespaces.end(), ns,
                             [](const std::string& a, absl::string_view b) { return a < b; });
  if (it == namespaces.end() || !SameBytes(*it, ns)) return 0;
  return static_cast<uint32_t>(it - namespaces.begin()) + 1;
}

absl::string_view Tables::IdentityNamespace(const Bag& bag, absl::string_view* kind_out) const {
  // Hot path: no allocation, no string hashing.
  absl::string_view kind = "inbound";
  if (reporter_kind.has_value()) {
    const Value* v = bag.Get(*reporter_kind);
    if (v != nullptr && v->type() == ValueType::kString) kind = v->string();
  }
  *kind_out = kind;
  absl::optional<AttributeId> id;
  if (SameBytes(kind, "inbound")) {
    id = destination_namespace;
  } else if (SameBytes(kind, "outbound")) {
    id = source_namespace;
  } else {
    return "";
  }
  if (!id.has_value()) return "";
  const Value* ns = bag.Get(*id);
  return ns != nullptr && ns->type() == ValueType::kString ? ns->string() : absl::string_view();
}

ReportProtocol Tables::Classify(const Bag& bag) const {
  // Hot path: no allocation, no string hashing.
  if (!protocol.has_value()) return ReportProtocol::kOther;
  const Value* v = bag.Get(*protocol);
  if (v == nullptr) return ReportProtocol::kAbsent;
  if (v->type() != ValueType::kString) return ReportProtocol::kOther;
  const absl::string_view p = v->string();
  if (SameBytes(p, "tcp")) return ReportProtocol::kTcp;
  if (SameBytes(p, "http")) return ReportProtocol::kHttp;
  if (SameBytes(p, "grpc")) return ReportProtocol::kGrpc;
  return ReportProtocol::kOther;
}

}  // namespace router_internal

using router_internal::Candidate;
using router_internal::Delivery;
using router_internal::EqualityGroup;
using router_internal::FastExpression;
using router_internal::FieldSource;
using router_internal::HandlerEntry;
using router_internal::InstanceEntry;
using router_internal::kProtocolClasses;
using router_internal::RuleEntry;
using router_internal::Tables;

absl::string_view ReportProtocolName(ReportProtocol p) {
  switch (p) {
    case ReportProtocol::kAbsent:
      return "absent";
    case ReportProtocol::kTcp:
      return "tcp";
    case ReportProtocol::kHttp:
      return "http";
    case ReportProtocol::kGrpc:
      return "grpc";
    case ReportProtocol::kOther:
      return "other";
  }
  return "other";
}

std::string ProtocolSetText(ProtocolSet set) {
  if ((set & kAllProtocols) == kAllProtocols) return "any";
  std::vector<absl::string_view> names;
  // Listed as a user thinks of them: the named protocols first, then "absent".
  for (ReportProtocol p : {ReportProtocol::kTcp, ReportProtocol::kHttp, ReportProtocol::kGrpc,
                           ReportProtocol::kAbsent}) {
    if (set & ProtocolBit(p)) names.push_back(ReportProtocolName(p));
  }
  if (names.empty()) return "none";
  return absl::StrJoin(names, "|");
}

Router::Router(std::unique_ptr<const Tables> tables) : tables_(std::move(tables)) {}
Router::~Router() = default;

const Config& Router::config() const { return *tables_->config; }
const std::shared_ptr<const Config>& Router::shared_config() const { return tables_->config; }
const RouterOptions& Router::options() const { return tables_->options; }
ProtocolSet Router::rule_protocols(size_t rule) const {
  return tables_->config_rule_protocols[rule];
}
const std::shared_ptr<Handler>& Router::handler(size_t handler) const {
  return tables_->handler_objects[handler];
}

RouterBuildResult Router::Build(std::shared_ptr<const Config> config, RouterOptions options,
                                const Router* previous) {
  RouterBuildResult result;
  auto t = std::make_unique<Tables>();
  t->id = router_internal::next_router_id.fetch_add(1);
  t->config = config;
  t->options = std::move(options);
  const Config& c = *config;
  const Vocabulary& vocab = *c.vocabulary();
  t->vocabulary = &vocab;
  const Vocabulary* standard = Vocabulary::Standard().get();
  if (standard != &vocab && router_internal::Extends(vocab, *standard)) {
    t->compatible_vocabulary = standard;
  }
  t->reporter_kind = router_internal::StringAttribute(vocab, "context.reporter.kind");
  t->destination_namespace = router_internal::StringAttribute(vocab, "destination.namespace");
  t->source_namespace = router_internal::StringAttribute(vocab, "source.namespace");
  t->protocol = router_internal::StringAttribute(vocab, "context.protocol");

  // Handlers: one per handler that a surviving action uses, kept from `previous` when its
  // adapter, params and instance descriptors are the same objects/values as before.
  t->handler_objects.resize(c.handlers().size());
  for (size_t h = 0; h < c.handlers().size(); ++h) {
    const ConfiguredHandler& ch = c.handlers()[h];
    if (ch.instances.empty()) continue;
    std::vector<const InstanceDescriptor*> descriptors;
    for (int i : ch.instances) descriptors.push_back(c.instances()[i].descriptor.get());
    if (previous != nullptr) {
      const Config& pc = previous->config();
      const int ph = pc.FindHandler(ch.fqn);
      if (ph >= 0 && previous->handler(ph) != nullptr) {
        const ConfiguredHandler& old = pc.handlers()[ph];
        std::vector<const InstanceDescriptor*> old_descriptors;
        for (int i : old.instances) old_descriptors.push_back(pc.instances()[i].descriptor.get());
        if (old.adapter == ch.adapter && old.params == ch.params &&
            old_descriptors == descriptors) {
          t->handler_objects[h] = previous->handler(ph);
          continue;
        }
      }
    }
    absl::StatusOr<std::shared_ptr<Handler>> built = ch.adapter->Build(ch.params, descriptors);
    if (!built.ok() || *built == nullptr) {
      ConfigIssue issue;
      issue.location = ch.location;
      issue.document = absl::StrCat(ch.kind, "/", ch.name);
      issue.field = ch.kind == "handler" ? "spec.params" : "spec";
      issue.message = absl::StrCat(
          "adapter '", ch.adapter->name(), "' could not build the handler: ",
          built.ok() ? "it returned no handler" : std::string(built.status().message()));
      issue.effect = ConfigIssue::Effect::kHandlerDropped;
      result.issues.push_back(std::move(issue));
      continue;
    }
    t->handler_objects[h] = std::move(built).value();
  }
  if (!result.issues.empty() && !c.lenient()) return result;
  // Lenient mode: report each action (and rule) the failed handlers take with them.
  for (const ConfiguredRule& rule : c.rules()) {
    size_t dropped = 0;
    for (size_t a = 0; a < rule.actions.size(); ++a) {
      const ConfiguredAction& action = rule.actions[a];
      if (t->handler_objects[action.handler] != nullptr) continue;
      ++dropped;
      ConfigIssue issue;
      issue.location = rule.location;
      issue.document = absl::StrCat("rule/", rule.name);
      issue.field = absl::StrCat("spec.actions[", a, "]");
      issue.message =
          absl::StrCat("handler '", c.handlers()[action.handler].fqn, "' failed to build");
      issue.effect = ConfigIssue::Effect::kActionDropped;
      result.issues.push_back(std::move(issue));
    }
    if (dropped > 0 && dropped == rule.actions.size()) {
      ConfigIssue issue;
      issue.location = rule.location;
      issue.document = absl::StrCat("rule/", rule.name);
      issue.field = "spec.actions";
      issue.message = "no usable action is left; the rule has no effect";
      issue.effect = ConfigIssue::Effect::kRuleDropped;
      result.issues.push_back(std::move(issue));
    }
  }

  // Instances and their fields, created when a delivery first needs them.
  std::vector<int> instance_entry(c.instances().size(), -1);
  absl::flat_hash_map<std::string, uint32_t> expression_index;
  absl::flat_hash_map<std::string, FieldSource> source_of_text;
  MutableBag empty_bag(c.vocabulary());
  auto instance_of = [&](int ci) -> uint32_t {
    if (instance_entry[ci] >= 0) return static_cast<uint32_t>(instance_entry[ci]);
    const ConfiguredInstance& inst = c.instances()[ci];
    InstanceEntry e;
    e.descriptor = inst.descriptor.get();
    e.first_field = static_cast<uint32_t>(t->fields.size());
    e.field_count = static_cast<uint32_t>(inst.fields.size());
    e.config_index = static_cast<uint32_t>(ci);
    for (const absl::optional<Expression>& f : inst.fields) {
      // One source per distinct expression text, so that equal fields are SameAs each other.
      if (f.has_value()) {
        auto known = source_of_text.find(f->text());
        if (known != source_of_text.end()) {
          t->fields.push_back(known->second);
          continue;
        }
      }
      FieldSource src;
      absl::StatusOr<OwnedValue> folded = absl::InvalidArgumentError("not constant");
      if (f.has_value() && f->is_constant()) folded = f->Evaluate(empty_bag);
      static const Value kEmptyValue;
      if (!f.has_value()) {
        src.value = &kEmptyValue;
      } else if (folded.ok()) {
        t->constants.push_back(std::move(folded).value());
        src.value = &t->constants.back().value();
      } else if (FastExpression fast = router_internal::RecognizeField(*f, c.vocabulary());
                 fast.kind != FastExpression::Kind::kNone) {
        const FastExpression& stored = t->fast_fields.emplace_back(std::move(fast));
        src.attribute = stored.attribute;
        switch (stored.kind) {
          case FastExpression::Kind::kAttribute:
            break;  // No fallback: absent is an error.
          case FastExpression::Kind::kAttributeOr:
            src.value = &stored.fallback.value();
            break;
          case FastExpression::Kind::kMapKeyOr:
            src.kind = FieldSource::Kind::kMapKeyOr;
            src.value = &stored.fallback.value();
            src.text = stored.key;
            break;
          case FastExpression::Kind::kChoose:
            src.kind = FieldSource::Kind::kChoose;
            src.value = &stored.if_true.value();
            src.value2 = &stored.if_false.value();
            src.text = stored.literal;
            src.text2 = stored.fallback_literal;
            break;
          default:  // Match shapes are never recognised as fields.
            src.kind = FieldSource::Kind::kExpression;
            break;
        }
        if (src.kind == FieldSource::Kind::kExpression) {
          auto [it, inserted] =
              expression_index.emplace(f->text(), static_cast<uint32_t>(t->expressions.size()));
          if (inserted) t->expressions.push_back(*f);
          src.index = it->second;
        }
      } else {
        auto [it, inserted] =
            expression_index.emplace(f->text(), static_cast<uint32_t>(t->expressions.size()));
        if (inserted) t->expressions.push_back(*f);
        src.kind = FieldSource::Kind::kExpression;
        src.index = it->second;
      }
      if (f.has_value()) source_of_text.emplace(f->text(), src);
      t->fields.push_back(src);
    }
    // The earlier instance sharing the longest run of field sources at the same positions.
    for (size_t p = 0; p < t->instances.size(); ++p) {
      const InstanceEntry& other = t->instances[p];
      const uint32_t n = std::min(other.field_count, e.field_count);
      for (uint32_t f = 0; f < n;) {
        uint32_t g = f;
        while (g < n && t->fields[e.first_field + g].SameAs(t->fields[other.first_field + g])) ++g;
        if (g - f > e.shared_end - e.shared_begin) {
          e.donor = static_cast<int32_t>(p);
          e.shared_begin = f;
          e.shared_end = g;
        }
        f = g + 1;
      }
    }
    // A short run is cheaper to recompute than to copy.
    if (e.shared_end - e.shared_begin < 4) e.donor = -1;
    instance_entry[ci] = static_cast<int>(t->instances.size());
    t->instances.push_back(e);
    return static_cast<uint32_t>(t->instances.size() - 1);
  };
  std::vector<int> handler_entry(c.handlers().size(), -1);
  auto handler_of = [&](int ch) -> uint32_t {
    if (handler_entry[ch] >= 0) return static_cast<uint32_t>(handler_entry[ch]);
    HandlerEntry e;
    e.handler = t->handler_objects[ch].get();
    e.config_index = static_cast<uint32_t>(ch);
    handler_entry[ch] = static_cast<int>(t->handlers.size());
    t->handlers.push_back(e);
    return static_cast<uint32_t>(t->handlers.size() - 1);
  };

  // Rules: their deliveries (instance to handler, per action) and their protocols.
  t->rule_of_config.assign(c.rules().size(), -1);
  t->config_rule_protocols.assign(c.rules().size(), kAllProtocols);
  t->residuals.resize(c.rules().size());
  t->fast_full_matches.resize(c.rules().size());
  t->fast_residuals.resize(c.rules().size());
  auto fast_match =
      [&](const Expression* e,
          router_internal::FastExpression* slot) -> const router_internal::FastExpression* {
    if (e == nullptr) return nullptr;
    *slot = router_internal::RecognizeMatch(*e, c.vocabulary());
    return slot->kind == router_internal::FastExpression::Kind::kNone ? nullptr : slot;
  };
  for (size_t r = 0; r < c.rules().size(); ++r) {
    const ConfiguredRule& rule = c.rules()[r];
    RuleEntry e;
    e.config_index = static_cast<uint32_t>(r);
    e.first_delivery = static_cast<uint32_t>(t->deliveries.size());
    for (const ConfiguredAction& action : rule.actions) {
      if (t->handler_objects[action.handler] == nullptr) continue;  // Failed to build.
      for (int inst : action.instances) {
        t->deliveries.push_back(Delivery{handler_of(action.handler), instance_of(inst)});
      }
    }
    e.delivery_count = static_cast<uint32_t>(t->deliveries.size()) - e.first_delivery;
    if (e.delivery_count == 0) continue;
    e.full_match = rule.match.has_value() ? &*rule.match : nullptr;
    e.residual = e.full_match;
    if (t->options.protocol_split) {
      router_internal::MatchAnalysis a = router_internal::AnalyzeMatch(rule, c);
      e.protocols = a.protocols;
      if (a.residual_always) {
        e.residual = nullptr;
      } else {
        t->residuals[r] = std::move(a.residual);
        e.residual = &*t->residuals[r];
      }
    }
    e.fast_full = fast_match(e.full_match, &t->fast_full_matches[r]);
    e.fast_residual =
        e.residual == e.full_match ? e.fast_full : fast_match(e.residual, &t->fast_residuals[r]);
    t->config_rule_protocols[r] = e.protocols;
    t->rule_of_config[r] = static_cast<int>(t->rules.size());
    t->rules.push_back(e);
  }
  for (const Delivery& d : t->deliveries) ++t->handlers[d.handler].batch_capacity;
  for (HandlerEntry& h : t->handlers) {
    h.batch_offset = t->batch_size;
    t->batch_size += h.batch_capacity;
  }

  // Rows of candidates: the default namespace's rules, then the identity namespace's.
  for (const RuleEntry& e : t->rules) {
    const std::string& ns = c.rules()[e.config_index].namespace_name;
    if (ns != t->options.default_namespace) t->namespaces.push_back(ns);
  }
  std::sort(t->namespaces.begin(), t->namespaces.end());
  t->namespaces.erase(std::unique(t->namespaces.begin(), t->namespaces.end()), t->namespaces.end());
  auto append = [&](absl::string_view ns, int cls) {
    for (uint32_t i = 0; i < t->rules.size(); ++i) {
      const RuleEntry& e = t->rules[i];
      if (c.rules()[e.config_index].namespace_name != ns) continue;
      if (cls == static_cast<int>(ReportProtocol::kOther) || !t->options.protocol_split) {
        t->candidates.push_back(Candidate{i, e.full_match, e.fast_full});
      } else if (e.protocols & ProtocolBit(static_cast<ReportProtocol>(cls))) {
        t->candidates.push_back(Candidate{i, e.residual, e.fast_residual});
      }
    }
  };
  for (size_t row = 0; row <= t->namespaces.size(); ++row) {
    for (int cls = 0; cls < kProtocolClasses; ++cls) {
      t->row_offsets.push_back(static_cast<uint32_t>(t->candidates.size()));
      append(t->options.default_namespace, cls);
      if (row > 0) append(t->namespaces[row - 1], cls);
    }
  }
  t->row_offsets.push_back(static_cast<uint32_t>(t->candidates.size()));

  // Fold runs of equality matches on one attribute into groups (worth it from 4 rules on).
  constexpr size_t kMinGroup = 4;
  auto equality_on = [](const Candidate& c) -> absl::optional<AttributeId> {
    if (c.fast == nullptr || c.fast->kind != FastExpression::Kind::kEquals) return absl::nullopt;
    return c.fast->attribute;
  };
  for (size_t list = 0; list + 1 < t->row_offsets.size(); ++list) {
    t->dispatch_offsets.push_back(static_cast<uint32_t>(t->dispatch_candidates.size()));
    size_t i = t->row_offsets[list];
    const size_t end = t->row_offsets[list + 1];
    while (i < end) {
      const absl::optional<AttributeId> attr = equality_on(t->candidates[i]);
      size_t j = i + 1;
      while (attr.has_value() && j < end && equality_on(t->candidates[j]) == attr) ++j;
      if (!attr.has_value() || j - i < kMinGroup) {
        t->dispatch_candidates.push_back(t->candidates[i]);
        ++i;
        continue;
      }
      router_internal::EqualityGroup& g = t->groups.emplace_back();
      g.attribute = *attr;
      for (size_t k = i; k < j; ++k) {
        router_internal::EqualityGroup::Entry e;
        e.literal = t->candidates[k].fast->literal;
        e.length = e.literal.size();
        e.prefix = router_internal::EqualityGroup::Prefix(e.literal);
        e.position = static_cast<uint32_t>(k - i);
        e.rule = t->candidates[k].rule;
        g.entries.push_back(std::move(e));
      }
      std::sort(g.entries.begin(), g.entries.end());
      Candidate head;
      head.group = &g;
      t->dispatch_candidates.push_back(head);
      i = j;
    }
  }
  t->dispatch_offsets.push_back(static_cast<uint32_t>(t->dispatch_candidates.size()));

  result.router = std::shared_ptr<const Router>(new Router(std::move(t)));
  return result;
}

DispatchResult Router::Dispatch(const Bag& bag) const {
  // Hot path: no allocation, no string hashing.
  const Tables& t = *tables_;
  const Vocabulary* v = &bag.vocabulary();
  if (v != t.vocabulary && (v != t.compatible_vocabulary || v == nullptr)) {
    // Slow path: ids of another vocabulary mean nothing here; copy the bag by name.
    MutableBag converted(t.config->vocabulary());
    bag.ForEach([&converted](absl::string_view name, const Value& value) {
      converted.Set(name, value).IgnoreError();  // A value of the wrong type counts as absent.
    });
    return Dispatch(converted);
  }
  router_internal::Scratch& s = router_internal::tls_scratch;
  if (s.busy) {
    // Slow path: a handler dispatches from inside Handle; give it scratch of its own.
    router_internal::Scratch nested;
    nested.busy = true;
    return router_internal::DispatchWith(t, bag, nested);
  }
  struct BusyScope {
    explicit BusyScope(router_internal::Scratch& s) : s(s) { s.busy = true; }
    ~BusyScope() { s.busy = false; }
    router_internal::Scratch& s;
  } busy(s);
  return router_internal::DispatchWith(t, bag, s);
}

}  // namespace mixlet
