// BuildConfig: ConfigResources -> Config, collecting every issue (config.md §1-§3).
//
// Issues are of two sorts. A root issue is a problem written in the configuration (an unknown
// attribute, a missing handler); it is always reported. A consequence of another issue (an action
// dropped because its handler is invalid) is reported only in lenient mode, where it tells what
// was left out; in strict mode it would only repeat the root issue.
#include "config/config_builder.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace mixlet {
namespace config_internal {

std::vector<std::string> ReferenceCandidates(absl::string_view ref, absl::string_view kind,
                                             absl::string_view ns) {
  const size_t dots = std::count(ref.begin(), ref.end(), '.');
  if (dots == 0) return {absl::StrCat(ref, ".", kind, ".", ns)};
  if (dots == 1) {
    const size_t dot = ref.find('.');
    return {absl::StrCat(ref, ".", ns),
            absl::StrCat(ref.substr(0, dot), ".", kind, ".", ref.substr(dot + 1))};
  }
  return {std::string(ref)};
}

namespace {

using Effect = ConfigIssue::Effect;

struct InstanceState {
  const InstanceResource* res = nullptr;
  std::string fqn;
  bool valid = false;
  int config_index = -1;
};

struct HandlerState {
  const HandlerResource* res = nullptr;
  std::string fqn;
  std::shared_ptr<const Adapter> adapter;
  bool valid = false;
  int config_index = -1;
};

std::string Document(absl::string_view kind, const ResourceMeta& meta) {
  return absl::StrCat(kind, "/", meta.name);
}

class Builder {
 public:
  Builder(const ConfigResources& resources, const AdapterRegistry& adapters,
          const ConfigOptions& options, const Config* previous)
      : resources_(resources), adapters_(adapters), options_(options), previous_(previous) {}

  ConfigBuildResult Run() {
    issues_ = resources_.issues;
    skipped_.insert(resources_.skipped.begin(), resources_.skipped.end());
    BuildVocabulary();
    config_ = ConfigBuilderAccess::New(vocabulary_, options_.compiler);
    ConfigBuilderAccess::lenient(*config_) = options_.lenient;
    CollectInstances();
    CollectHandlers();
    CollectRules();
    ValidatePairs();
    Finish();

    ConfigBuildResult result;
    result.issues = issues_;
    if (options_.lenient || issues_.empty()) {
      if (options_.lenient) ConfigBuilderAccess::issues(*config_) = issues_;
      result.config = std::move(config_);
    }
    return result;
  }

 private:
  void AddIssue(const SourceLocation& where, int line, std::string document, std::string field,
                std::string message, Effect effect, int column = 0) {
    ConfigIssue issue;
    issue.location = where;
    if (line > 0) issue.location.line = line;
    issue.document = std::move(document);
    issue.field = std::move(field);
    issue.message = std::move(message);
    issue.column = column;
    issue.effect = effect;
    issues_.push_back(std::move(issue));
  }
  // A consequence of another issue: reported in lenient mode only.
  void AddConsequence(const SourceLocation& where, int line, std::string document,
                      std::string field, std::string message, Effect effect) {
    if (options_.lenient) {
      AddIssue(where, line, std::move(document), std::move(field), std::move(message), effect);
    }
  }

  void BuildVocabulary() {
    std::shared_ptr<const Vocabulary> base =
        options_.base_vocabulary != nullptr ? options_.base_vocabulary : Vocabulary::Standard();
    bool changes = false;
    for (const AttributeManifestResource& m : resources_.manifests) {
      for (const auto& a : m.attributes) {
        absl::optional<AttributeInfo> info = base->Find(a.name);
        if (!info.has_value() || info->type != a.type) changes = true;
      }
    }
    if (!changes) {
      vocabulary_ = std::move(base);
      return;
    }
    VocabularyBuilder b;
    for (uint32_t i = 0; i < base->size(); ++i) {
      b.Add(base->name(AttributeId{i}), base->type(AttributeId{i})).IgnoreError();
    }
    for (const AttributeManifestResource& m : resources_.manifests) {
      for (const auto& a : m.attributes) {
        absl::Status s = b.Add(a.name, a.type);
        if (!s.ok()) {
          AddIssue(m.meta.location, a.line, Document("attributemanifest", m.meta),
                   absl::StrCat("spec.attributes.", a.name), std::string(s.message()),
                   Effect::kDocumentSkipped);
        }
      }
    }
    vocabulary_ = std::move(b).Build();
  }

  // Reports every FQN defined more than once; the last definition wins (as a keyed store
  // would keep it). Returns, per resource, whether it is shadowed by a later one.
  template <typename R>
  std::vector<bool> FindShadowed(const std::vector<R>& list, absl::string_view kind_word) {
    std::vector<bool> shadowed(list.size(), false);
    absl::flat_hash_map<std::string, size_t> last;
    for (size_t i = 0; i < list.size(); ++i) last[list[i].Fqn()] = i;
    for (size_t i = 0; i < list.size(); ++i) {
      const size_t winner = last[list[i].Fqn()];
      if (winner == i) continue;
      shadowed[i] = true;
      const R& later = list[winner];
      AddIssue(
          list[i].meta.location, 0, Document(KindOf(list[i]), list[i].meta), "metadata.name",
          absl::StrCat("duplicate ", kind_word, " name '", list[i].Fqn(), "': defined again at ",
                       LocationText(later.meta.location), "; this definition is ignored"),
          Effect::kDocumentSkipped);
    }
    return shadowed;
  }
  static std::string KindOf(const InstanceResource& r) { return r.kind; }
  static std::string KindOf(const HandlerResource& r) { return r.kind; }
  static std::string KindOf(const RuleResource&) { return "rule"; }
  static std::string LocationText(const SourceLocation& l) {
    if (l.file.empty()) return "a later resource";
    if (l.line > 0) return absl::StrCat(l.file, ":", l.line);
    return l.file;
  }

  // --- instances ---------------------------------------------------------------------------

  void CollectInstances() {
    std::vector<bool> shadowed = FindShadowed(resources_.instances, "instance");
    for (size_t i = 0; i < resources_.instances.size(); ++i) {
      if (shadowed[i]) continue;
      const InstanceResource& res = resources_.instances[i];
      InstanceState state;
      state.res = &res;
      state.fqn = res.Fqn();
      ConfiguredInstance inst;
      if (CompileInstance(res, state.fqn, &inst)) {
        state.valid = true;
        state.config_index = static_cast<int>(ConfigBuilderAccess::instances(*config_).size());
        ConfigBuilderAccess::instances(*config_).push_back(std::move(inst));
      }
      instance_index_[state.fqn] = instances_.size();
      instances_.push_back(std::move(state));
    }
  }

  bool CompileInstance(const InstanceResource& res, const std::string& fqn,
                       ConfiguredInstance* out) {
    const bool legacy = res.kind != "instance";
    const Effect effect = legacy ? Effect::kDocumentSkipped : Effect::kInstanceInvalid;
    const std::string doc = Document(res.kind, res.meta);
    const std::string params_path = legacy ? "spec" : "spec.params";
    const size_t issues_before = issues_.size();

    const Template* tmpl = TemplateRegistry::CompiledIn().Find(res.template_name);
    if (tmpl == nullptr) {
      std::vector<absl::string_view> known;
      for (const Template* t : TemplateRegistry::CompiledIn().templates()) known.push_back(t->name);
      AddIssue(res.meta.location, res.template_line, doc,
               legacy ? std::string("kind") : std::string("spec.compiled_template"),
               absl::StrCat("unknown template '", res.template_name,
                            "'; compiled-in templates: ", absl::StrJoin(known, ", ")),
               effect);
      return false;
    }
    if (res.params.kind() != ParamValue::Kind::kMap &&
        res.params.kind() != ParamValue::Kind::kNull) {
      AddIssue(res.meta.location, res.params.line(), doc, params_path,
               absl::StrCat("expected a map, got a ", ParamValue::KindName(res.params.kind())),
               effect);
      return false;
    }

    // The expression text written for each field (nullptr when absent), in template order.
    struct Written {
      const ParamValue* node = nullptr;
      std::string key;  // As written, for field paths.
    };
    std::vector<Written> written(tmpl->fields.size());
    for (const auto& [key, node] : res.params.map()) {
      const TemplateField* field = tmpl->FindField(key);
      if (field == nullptr) {
        std::vector<std::string> names;
        for (const TemplateField& f : tmpl->fields) names.emplace_back(f.name);
        AddIssue(res.meta.location, node.line(), doc, absl::StrCat(params_path, ".", key),
                 absl::StrCat("unknown field '", key, "' of template '", tmpl->name,
                              "'; its fields are ", absl::StrJoin(names, ", ")),
                 effect);
        continue;
      }
      Written& w = written[field - tmpl->fields.data()];
      if (w.node != nullptr) {
        AddIssue(res.meta.location, node.line(), doc, absl::StrCat(params_path, ".", key),
                 absl::StrCat("field '", field->name, "' is given more than once"), effect);
        continue;
      }
      w.node = &node;
      w.key = key;
    }

    auto descriptor = std::make_shared<InstanceDescriptor>();
    descriptor->name = fqn;
    descriptor->template_name = std::string(tmpl->name);
    std::vector<absl::optional<Expression>> fields;
    for (size_t f = 0; f < tmpl->fields.size(); ++f) {
      const TemplateField& field = tmpl->fields[f];
      const Written& w = written[f];
      const std::string path =
          absl::StrCat(params_path, ".", w.node != nullptr ? w.key : std::string(field.name));
      if (field.kind == TemplateField::Kind::kExpression) {
        descriptor->field_names.emplace_back(field.name);
        fields.push_back(CompileField(res, doc, path, field, w.node, effect));
        descriptor->field_types.push_back(fields.back().has_value() ? fields.back()->result_type()
                                                                    : ValueType::kUnspecified);
        continue;
      }
      if (w.node == nullptr || w.node->kind() == ParamValue::Kind::kNull) continue;
      if (w.node->kind() != ParamValue::Kind::kMap) {
        AddIssue(res.meta.location, w.node->line(), doc, path,
                 absl::StrCat("expected a map of expressions, got a ",
                              ParamValue::KindName(w.node->kind())),
                 effect);
        continue;
      }
      absl::flat_hash_set<std::string> seen;
      for (const auto& [key, node] : w.node->map()) {
        const std::string entry_path = absl::StrCat(path, ".", key);
        if (!seen.insert(key).second) {
          AddIssue(res.meta.location, node.line(), doc, entry_path,
                   absl::StrCat("'", key, "' is given more than once"), effect);
          continue;
        }
        descriptor->field_names.push_back(absl::StrCat(field.name, ".", key));
        fields.push_back(CompileField(res, doc, entry_path, field, &node, effect));
        descriptor->field_types.push_back(fields.back().has_value() ? fields.back()->result_type()
                                                                    : ValueType::kUnspecified);
      }
    }
    if (issues_.size() != issues_before) return false;

    out->name = res.meta.name;
    out->namespace_name = std::string(res.meta.effective_namespace());
    out->kind = res.kind;
    out->template_def = tmpl;
    out->descriptor = Intern(std::move(descriptor));
    out->fields = std::move(fields);
    out->location = res.meta.location;
    return true;
  }

  // Compiles one field expression; nullopt when it is absent or empty (its value is `Value()`)
  // or has an issue (reported).
  absl::optional<Expression> CompileField(const InstanceResource& res, const std::string& doc,
                                          const std::string& path, const TemplateField& field,
                                          const ParamValue* node, Effect effect) {
    if (node == nullptr || node->kind() == ParamValue::Kind::kNull) return absl::nullopt;
    if (node->kind() != ParamValue::Kind::kString) {
      AddIssue(res.meta.location, node->line(), doc, path,
               absl::StrCat("expected an expression written as a string, got a ",
                            ParamValue::KindName(node->kind()),
                            " (quote it: a YAML number or boolean is not an expression)"),
               effect);
      return absl::nullopt;
    }
    if (node->string().empty()) return absl::nullopt;
    CompileError error;
    absl::StatusOr<Expression> expr = config_->compiler().Compile(node->string(), &error);
    if (!expr.ok()) {
      AddIssue(res.meta.location, node->line(), doc, path,
               error.message.empty() ? std::string(expr.status().message()) : error.message, effect,
               error.column);
      return absl::nullopt;
    }
    if (!field.Allows(expr->result_type())) {
      AddIssue(res.meta.location, node->line(), doc, path,
               absl::StrCat("expression '", node->string(), "' has type ",
                            ValueTypeName(expr->result_type()), "; field '", field.name,
                            "' must be ", ValueTypeSetText(field.allowed_types)),
               effect);
      return absl::nullopt;
    }
    return std::move(expr).value();
  }

  // Returns the previous configuration's descriptor when it is equal, so that a handler kept
  // across a reload sees the very objects it was built with.
  std::shared_ptr<const InstanceDescriptor> Intern(std::shared_ptr<InstanceDescriptor> d) {
    if (previous_ != nullptr) {
      const int i = previous_->FindInstance(d->name);
      if (i >= 0) {
        const std::shared_ptr<const InstanceDescriptor>& old = previous_->instances()[i].descriptor;
        if (old->template_name == d->template_name && old->field_names == d->field_names &&
            old->field_types == d->field_types) {
          return old;
        }
      }
    }
    return d;
  }

  // --- handlers ----------------------------------------------------------------------------

  void CollectHandlers() {
    std::vector<bool> shadowed = FindShadowed(resources_.handlers, "handler");
    for (size_t i = 0; i < resources_.handlers.size(); ++i) {
      if (shadowed[i]) continue;
      const HandlerResource& res = resources_.handlers[i];
      HandlerState state;
      state.res = &res;
      state.fqn = res.Fqn();
      state.valid = CheckHandler(res, &state.adapter);
      handler_index_[state.fqn] = handlers_.size();
      handlers_.push_back(std::move(state));
    }
  }

  bool CheckHandler(const HandlerResource& res, std::shared_ptr<const Adapter>* adapter) {
    const std::string doc = Document(res.kind, res.meta);
    const std::shared_ptr<const Adapter>* found = adapters_.Find(res.adapter_name);
    if (found == nullptr) {
      std::vector<absl::string_view> known;
      for (const auto& a : adapters_.adapters()) known.push_back(a->name());
      const std::string known_text =
          known.empty() ? "no adapters are registered"
                        : absl::StrCat("registered adapters: ", absl::StrJoin(known, ", "));
      if (res.is_legacy()) {
        AddIssue(res.meta.location, res.adapter_line, doc, "kind",
                 absl::StrCat("unknown kind '", res.kind,
                              "': not instance, handler, rule or attributemanifest, nor a "
                              "compiled-in template or a registered adapter (",
                              known_text, ")"),
                 Effect::kDocumentSkipped);
      } else {
        AddIssue(res.meta.location, res.adapter_line, doc, "spec.compiled_adapter",
                 absl::StrCat("unknown adapter '", res.adapter_name, "'; ", known_text),
                 Effect::kHandlerDropped);
      }
      return false;
    }
    *adapter = *found;
    std::vector<ParamIssue> param_issues;
    (*found)->Validate(res.params, &param_issues);
    const std::string params_path = res.is_legacy() ? "spec" : "spec.params";
    bool valid = true;
    for (const ParamIssue& p : param_issues) {
      // A legacy spec is decoded strictly, so any problem skips the resource; in new style,
      // problems Mixer only logged keep the handler.
      Effect effect = res.is_legacy() ? Effect::kDocumentSkipped
                                      : (p.mixer_ignored ? Effect::kNone : Effect::kHandlerDropped);
      if (effect != Effect::kNone) valid = false;
      AddIssue(res.meta.location, p.line, doc,
               p.field.empty() ? params_path : absl::StrCat(params_path, ".", p.field), p.message,
               effect);
    }
    return valid;
  }

  // --- rules -------------------------------------------------------------------------------

  // Index of the resource a reference resolves to, or -1; `tried` lists the FQNs looked up.
  template <typename State>
  int Resolve(const absl::flat_hash_map<std::string, size_t>& index, absl::string_view ref,
              absl::string_view kind, absl::string_view ns, std::string* tried) {
    std::vector<std::string> candidates = ReferenceCandidates(ref, kind, ns);
    for (const std::string& c : candidates) {
      auto it = index.find(c);
      if (it != index.end()) return static_cast<int>(it->second);
    }
    *tried = absl::StrJoin(candidates, ", ");
    return -1;
  }

  // The FQN of a skipped document the reference would have found, or "".
  std::string SkippedTarget(absl::string_view ref, absl::string_view kind, absl::string_view ns) {
    for (const std::string& c : ReferenceCandidates(ref, kind, ns)) {
      if (skipped_.contains(c)) return c;
    }
    return "";
  }

  void CollectRules() {
    std::vector<bool> shadowed = FindShadowed(resources_.rules, "rule");
    for (size_t i = 0; i < resources_.rules.size(); ++i) {
      if (!shadowed[i]) CompileRule(resources_.rules[i]);
    }
  }

  void CompileRule(const RuleResource& res) {
    const std::string doc = Document("rule", res.meta);
    const absl::string_view ns = res.meta.effective_namespace();
    ConfiguredRule rule;
    rule.name = res.meta.name;
    rule.namespace_name = std::string(ns);
    rule.fqn = res.Fqn();
    rule.match_text = res.match;
    rule.location = res.meta.location;
    bool rule_ok = true;

    const absl::string_view trimmed = absl::StripAsciiWhitespace(res.match);
    if (!trimmed.empty() && res.match != "true") {
      CompileError error;
      absl::StatusOr<Expression> match = config_->compiler().Compile(res.match, &error);
      if (!match.ok()) {
        AddIssue(res.meta.location, res.match_line, doc, "spec.match",
                 error.message.empty() ? std::string(match.status().message()) : error.message,
                 Effect::kRuleDropped, error.column);
        rule_ok = false;
      } else if (match->result_type() != ValueType::kBool) {
        AddIssue(res.meta.location, res.match_line, doc, "spec.match",
                 absl::StrCat("expression '", res.match, "' evaluated to type ",
                              ValueTypeName(match->result_type()), ", expected type BOOL"),
                 Effect::kRuleDropped);
        rule_ok = false;
      } else {
        rule.match = std::move(match).value();
      }
    }

    if (res.actions.empty()) {
      if (res.header_operation_count == 0) {
        AddIssue(res.meta.location, 0, doc, "spec.actions", "a rule needs at least one action",
                 Effect::kRuleDropped);
      }
      return;
    }
    for (size_t a = 0; a < res.actions.size(); ++a) {
      absl::optional<ConfiguredAction> action = ResolveAction(res, doc, ns, a);
      if (action.has_value()) rule.actions.push_back(std::move(*action));
    }
    if (!rule_ok) return;
    if (rule.actions.empty()) {
      AddConsequence(res.meta.location, 0, doc, "spec.actions",
                     "no usable action is left; the rule has no effect", Effect::kRuleDropped);
      return;
    }
    for (const ConfiguredAction& action : rule.actions) {
      for (int inst : action.instances) used_pairs_.emplace_back(action.handler, inst);
    }
    ConfigBuilderAccess::rules(*config_).push_back(std::move(rule));
  }

  absl::optional<ConfiguredAction> ResolveAction(const RuleResource& res, const std::string& doc,
                                                 absl::string_view ns, size_t a) {
    const ActionResource& ar = res.actions[a];
    const std::string path = absl::StrCat("spec.actions[", a, "]");
    const SourceLocation& where = res.meta.location;
    bool action_ok = true;

    const HandlerState* handler = nullptr;
    if (ar.handler.empty()) {
      AddIssue(where, ar.handler_line, doc, path + ".handler", "missing: an action names a handler",
               Effect::kActionDropped);
      action_ok = false;
    } else {
      std::string tried;
      const int h = Resolve<HandlerState>(handler_index_, ar.handler, "handler", ns, &tried);
      if (h < 0) {
        const std::string skipped = SkippedTarget(ar.handler, "handler", ns);
        if (skipped.empty()) {
          AddIssue(where, ar.handler_line, doc, path + ".handler",
                   absl::StrCat("handler '", ar.handler, "' not found (looked for ", tried, ")"),
                   Effect::kActionDropped);
        } else {
          AddConsequence(where, ar.handler_line, doc, path + ".handler",
                         absl::StrCat("handler '", skipped, "' was not loaded"),
                         Effect::kActionDropped);
        }
        action_ok = false;
      } else if (!handlers_[h].valid) {
        AddConsequence(where, ar.handler_line, doc, path + ".handler",
                       absl::StrCat("handler '", handlers_[h].fqn, "' is invalid"),
                       Effect::kActionDropped);
        action_ok = false;
      } else {
        handler = &handlers_[h];
      }
    }
    if (ar.instances.empty()) {
      AddIssue(where, ar.handler_line, doc, path + ".instances",
               "an action needs at least one instance", Effect::kActionDropped);
      return absl::nullopt;
    }

    ConfiguredAction action;
    action.name = ar.name;
    absl::flat_hash_set<int> seen;
    for (size_t j = 0; j < ar.instances.size(); ++j) {
      const std::string ipath = absl::StrCat(path, ".instances[", j, "]");
      const int line = j < ar.instance_lines.size() ? ar.instance_lines[j] : ar.handler_line;
      std::string tried;
      const int i =
          Resolve<InstanceState>(instance_index_, ar.instances[j], "instance", ns, &tried);
      if (i < 0) {
        const std::string skipped = SkippedTarget(ar.instances[j], "instance", ns);
        if (skipped.empty()) {
          AddIssue(
              where, line, doc, ipath,
              absl::StrCat("instance '", ar.instances[j], "' not found (looked for ", tried, ")"),
              Effect::kInstanceDroppedFromAction);
        } else {
          AddConsequence(where, line, doc, ipath,
                         absl::StrCat("instance '", skipped, "' was not loaded"),
                         Effect::kInstanceDroppedFromAction);
        }
        continue;
      }
      const InstanceState& inst = instances_[i];
      if (!seen.insert(i).second) {
        AddIssue(where, line, doc, ipath,
                 absl::StrCat("instance '", inst.fqn, "' is listed twice in this action"),
                 Effect::kInstanceDroppedFromAction);
        continue;
      }
      if (!inst.valid) {
        AddConsequence(where, line, doc, ipath,
                       absl::StrCat("instance '", inst.fqn, "' is invalid"),
                       Effect::kInstanceDroppedFromAction);
        continue;
      }
      if (handler != nullptr) {
        const ConfiguredInstance& ci = ConfigBuilderAccess::instances(*config_)[inst.config_index];
        if (!handler->adapter->SupportsTemplate(ci.template_def->name)) {
          AddIssue(
              where, line, doc, ipath,
              absl::StrCat("adapter '", handler->adapter->name(), "' of handler '", handler->fqn,
                           "' does not take instances of template '", ci.template_def->name, "'"),
              Effect::kInstanceDroppedFromAction);
          continue;
        }
      }
      action.instances.push_back(inst.config_index);
    }
    if (!action_ok) return absl::nullopt;
    if (action.instances.empty()) {
      AddConsequence(where, ar.handler_line, doc, path,
                     "no valid instance is left; the action is dropped", Effect::kActionDropped);
      return absl::nullopt;
    }
    action.handler = static_cast<int>(handler - handlers_.data());  // Fixed up in Finish().
    return action;
  }

  // Lets each adapter check the instances its handler will receive.
  void ValidatePairs() {
    std::sort(used_pairs_.begin(), used_pairs_.end());
    used_pairs_.erase(std::unique(used_pairs_.begin(), used_pairs_.end()), used_pairs_.end());
    for (const auto& [h, i] : used_pairs_) {
      const HandlerState& handler = handlers_[h];
      const ConfiguredInstance& inst = ConfigBuilderAccess::instances(*config_)[i];
      std::vector<ParamIssue> param_issues;
      handler.adapter->ValidateInstance(handler.res->params, *inst.descriptor, &param_issues);
      const std::string params_path = handler.res->is_legacy() ? "spec" : "spec.params";
      for (const ParamIssue& p : param_issues) {
        AddIssue(handler.res->meta.location, p.line, Document(handler.res->kind, handler.res->meta),
                 p.field.empty() ? params_path : absl::StrCat(params_path, ".", p.field),
                 absl::StrCat("instance '", inst.descriptor->name, "': ", p.message),
                 Effect::kNone);
      }
    }
  }

  // Files the valid handlers and maps rule actions from handler states to config indices.
  void Finish() {
    std::vector<ConfiguredHandler>& out = ConfigBuilderAccess::handlers(*config_);
    for (HandlerState& h : handlers_) {
      if (!h.valid) continue;
      h.config_index = static_cast<int>(out.size());
      ConfiguredHandler ch;
      ch.name = h.res->meta.name;
      ch.namespace_name = std::string(h.res->meta.effective_namespace());
      ch.kind = h.res->kind;
      ch.fqn = h.fqn;
      ch.adapter = h.adapter;
      ch.params = h.res->params;
      ch.location = h.res->meta.location;
      out.push_back(std::move(ch));
    }
    for (ConfiguredRule& rule : ConfigBuilderAccess::rules(*config_)) {
      for (ConfiguredAction& action : rule.actions) {
        action.handler = handlers_[action.handler].config_index;
        std::vector<int>& list = out[action.handler].instances;
        list.insert(list.end(), action.instances.begin(), action.instances.end());
      }
    }
    for (ConfiguredHandler& h : out) {
      std::sort(h.instances.begin(), h.instances.end());
      h.instances.erase(std::unique(h.instances.begin(), h.instances.end()), h.instances.end());
    }
  }

  const ConfigResources& resources_;
  const AdapterRegistry& adapters_;
  const ConfigOptions& options_;
  const Config* previous_;

  std::vector<ConfigIssue> issues_;
  std::shared_ptr<const Vocabulary> vocabulary_;
  std::shared_ptr<Config> config_;
  std::vector<InstanceState> instances_;
  std::vector<HandlerState> handlers_;
  absl::flat_hash_map<std::string, size_t> instance_index_;
  absl::flat_hash_map<std::string, size_t> handler_index_;
  std::vector<std::pair<int, int>> used_pairs_;  // (handler state index, config instance index)
  absl::flat_hash_set<std::string> skipped_;     // FQNs of documents that were not loaded.
};

}  // namespace
}  // namespace config_internal

ConfigBuildResult BuildConfig(const ConfigResources& resources, const AdapterRegistry& adapters,
                              const ConfigOptions& options, const Config* previous) {
  return config_internal::Builder(resources, adapters, options, previous).Run();
}

}  // namespace mixlet
