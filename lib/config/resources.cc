// Decoding of Kubernetes-style documents into ConfigResources, as strictly as Mixer's JSON ->
// protobuf conversion (config.md §1): unknown keys and wrongly typed values skip the resource.
#include "mixlet/config/resources.h"

#include <cmath>
#include <initializer_list>
#include <iterator>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "mixlet/config/template.h"

namespace mixlet {
namespace {

std::string MakeFqn(const ResourceMeta& meta, absl::string_view kind) {
  return absl::StrCat(meta.name, ".", kind, ".", meta.effective_namespace());
}

// Collects the issues of one document; every decoding step reports through it.
class DocumentContext {
 public:
  DocumentContext(const SourceLocation& where, std::vector<ConfigIssue>* issues)
      : where_(where), issues_(issues) {}

  void set_document(std::string document) { document_ = std::move(document); }
  bool failed() const { return failed_; }

  // Records a problem at `node` (its line, else the document's) in `field`; the document is
  // skipped.
  void Fail(const ParamValue* node, absl::string_view field, std::string message) {
    failed_ = true;
    ConfigIssue issue;
    issue.location = where_;
    if (node != nullptr && node->line() > 0) issue.location.line = node->line();
    issue.document = document_;
    issue.field = std::string(field);
    issue.message = std::move(message);
    issue.effect = ConfigIssue::Effect::kDocumentSkipped;
    issues_->push_back(std::move(issue));
  }

 private:
  SourceLocation where_;
  std::vector<ConfigIssue>* issues_;
  std::string document_;
  bool failed_ = false;
};

std::string Join(absl::string_view path, absl::string_view key) {
  return path.empty() ? std::string(key) : absl::StrCat(path, ".", key);
}

std::string KindText(const ParamValue& v) { return std::string(ParamValue::KindName(v.kind())); }

// Reads the keys of one JSON object against the fields of a proto message. Every field is known
// by its snake_case and lowerCamelCase spellings; `Finish` reports every key that names no field,
// and a field written twice (once in each spelling, or a repeated key) is an error.
class MessageReader {
 public:
  MessageReader(const ParamValue& map, std::string path, DocumentContext* ctx)
      : map_(map), path_(std::move(path)), ctx_(ctx), used_(map.map().size(), false) {}

  // The value written for the field with these spellings, or nullptr (also for a JSON null,
  // which protobuf's JSON reader treats as "not set").
  const ParamValue* Get(std::initializer_list<absl::string_view> spellings) {
    const ParamValue* found = nullptr;
    const auto& entries = map_.map();
    for (size_t i = 0; i < entries.size(); ++i) {
      for (absl::string_view s : spellings) {
        if (entries[i].first != s) continue;
        used_[i] = true;
        if (found != nullptr) {
          ctx_->Fail(&entries[i].second, Join(path_, entries[i].first),
                     absl::StrCat("field '", *spellings.begin(), "' is given more than once"));
        }
        found = &entries[i].second;
      }
    }
    if (found != nullptr && found->kind() == ParamValue::Kind::kNull) return nullptr;
    return found;
  }

  // A string field: "" when absent.
  std::string GetString(std::initializer_list<absl::string_view> spellings, int* line = nullptr) {
    const ParamValue* v = Get(spellings);
    if (v == nullptr) return "";
    if (line != nullptr) *line = v->line();
    if (v->kind() != ParamValue::Kind::kString) {
      ctx_->Fail(v, Join(path_, *spellings.begin()),
                 absl::StrCat("expected a string, got a ", KindText(*v),
                              " (quote the value to make it a YAML string)"));
      return "";
    }
    return v->string();
  }

  // A message field: nullptr when absent; a non-map is reported.
  const ParamValue* GetMessage(std::initializer_list<absl::string_view> spellings) {
    const ParamValue* v = Get(spellings);
    if (v == nullptr) return nullptr;
    if (v->kind() != ParamValue::Kind::kMap) {
      ctx_->Fail(v, Join(path_, *spellings.begin()),
                 absl::StrCat("expected a map, got a ", KindText(*v)));
      return nullptr;
    }
    return v;
  }

  // A repeated field: nullptr when absent; a non-list is reported.
  const ParamValue* GetList(std::initializer_list<absl::string_view> spellings) {
    const ParamValue* v = Get(spellings);
    if (v == nullptr) return nullptr;
    if (v->kind() != ParamValue::Kind::kList) {
      ctx_->Fail(v, Join(path_, *spellings.begin()),
                 absl::StrCat("expected a list, got a ", KindText(*v)));
      return nullptr;
    }
    return v;
  }

  // Reports every key that names no field.
  void Finish() {
    const auto& entries = map_.map();
    for (size_t i = 0; i < entries.size(); ++i) {
      if (!used_[i]) {
        ctx_->Fail(&entries[i].second, Join(path_, entries[i].first),
                   absl::StrCat("unknown field '", entries[i].first, "'"));
      }
    }
  }

  const std::string& path() const { return path_; }

 private:
  const ParamValue& map_;
  std::string path_;
  DocumentContext* ctx_;
  std::vector<bool> used_;
};

// Repeated strings: every element must be a string.
std::vector<std::string> ReadStringList(const ParamValue& list, absl::string_view path,
                                        DocumentContext* ctx, std::vector<int>* lines) {
  std::vector<std::string> out;
  for (size_t i = 0; i < list.list().size(); ++i) {
    const ParamValue& item = list.list()[i];
    if (item.kind() != ParamValue::Kind::kString) {
      ctx->Fail(&item, absl::StrCat(path, "[", i, "]"),
                absl::StrCat("expected a string, got a ", KindText(item)));
      continue;
    }
    out.push_back(item.string());
    if (lines != nullptr) lines->push_back(item.line());
  }
  return out;
}

// A proto enum in JSON: its name, or its number.
bool ReadEnum(const ParamValue& v, std::initializer_list<absl::string_view> names,
              absl::string_view path, DocumentContext* ctx) {
  if (v.kind() == ParamValue::Kind::kString) {
    for (absl::string_view n : names) {
      if (v.string() == n) return true;
    }
    ctx->Fail(&v, path,
              absl::StrCat("unknown value '", v.string(), "'; expected one of ",
                           absl::StrJoin(names, ", ")));
    return false;
  }
  if (v.kind() == ParamValue::Kind::kNumber && v.number() == std::floor(v.number()) &&
      v.number() >= 0 && v.number() < static_cast<double>(names.size())) {
    return true;
  }
  ctx->Fail(&v, path, absl::StrCat("expected one of ", absl::StrJoin(names, ", ")));
  return false;
}

void CheckNumber(const ParamValue* v, absl::string_view path, DocumentContext* ctx) {
  if (v != nullptr && v->kind() != ParamValue::Kind::kNumber) {
    ctx->Fail(v, path, absl::StrCat("expected a number, got a ", KindText(*v)));
  }
}

void CheckBool(const ParamValue* v, absl::string_view path, DocumentContext* ctx) {
  if (v != nullptr && v->kind() != ParamValue::Kind::kBool) {
    ctx->Fail(v, path, absl::StrCat("expected a boolean, got a ", KindText(*v)));
  }
}

// A google.protobuf.Duration in JSON: a string such as "10s".
void CheckDurationString(const ParamValue* v, absl::string_view path, DocumentContext* ctx) {
  if (v == nullptr) return;
  if (v->kind() != ParamValue::Kind::kString || !absl::EndsWith(v->string(), "s")) {
    ctx->Fail(v, path, "expected a duration string such as \"10s\"");
  }
}

// istio.policy.v1beta1.Rule.header operations: {name, values, operation}.
int ReadHeaderOperations(const ParamValue* list, absl::string_view path, DocumentContext* ctx) {
  if (list == nullptr) return 0;
  for (size_t i = 0; i < list->list().size(); ++i) {
    const ParamValue& op = list->list()[i];
    std::string op_path = absl::StrCat(path, "[", i, "]");
    if (op.kind() != ParamValue::Kind::kMap) {
      ctx->Fail(&op, op_path, absl::StrCat("expected a map, got a ", KindText(op)));
      continue;
    }
    MessageReader r(op, op_path, ctx);
    r.GetString({"name"});
    if (const ParamValue* values = r.GetList({"values"})) {
      ReadStringList(*values, Join(op_path, "values"), ctx, nullptr);
    }
    if (const ParamValue* kind = r.Get({"operation"})) {
      ReadEnum(*kind, {"REPLACE", "REMOVE", "APPEND"}, Join(op_path, "operation"), ctx);
    }
    r.Finish();
  }
  return static_cast<int>(list->list().size());
}

// istio.policy.v1beta1.Sampling: declared but without effect in Mixer 1.4-1.7.
void ReadSampling(const ParamValue& sampling, absl::string_view path, DocumentContext* ctx) {
  MessageReader r(sampling, std::string(path), ctx);
  if (const ParamValue* random = r.GetMessage({"random"})) {
    std::string rp = Join(path, "random");
    MessageReader rr(*random, rp, ctx);
    rr.GetString({"attribute_expression", "attributeExpression"});
    if (const ParamValue* pct = rr.GetMessage({"percent_sampled", "percentSampled"})) {
      std::string pp = Join(rp, "percent_sampled");
      MessageReader pr(*pct, pp, ctx);
      CheckNumber(pr.Get({"numerator"}), Join(pp, "numerator"), ctx);
      if (const ParamValue* d = pr.Get({"denominator"})) {
        ReadEnum(*d, {"HUNDRED", "TEN_THOUSAND"}, Join(pp, "denominator"), ctx);
      }
      pr.Finish();
    }
    CheckBool(rr.Get({"use_independent_randomness", "useIndependentRandomness"}),
              Join(rp, "use_independent_randomness"), ctx);
    rr.Finish();
  }
  if (const ParamValue* rate = r.GetMessage({"rate_limit", "rateLimit"})) {
    std::string rp = Join(path, "rate_limit");
    MessageReader rr(*rate, rp, ctx);
    CheckDurationString(rr.Get({"sampling_duration", "samplingDuration"}),
                        Join(rp, "sampling_duration"), ctx);
    CheckNumber(rr.Get({"max_unsampled_entries", "maxUnsampledEntries"}),
                Join(rp, "max_unsampled_entries"), ctx);
    CheckNumber(rr.Get({"sampling_rate", "samplingRate"}), Join(rp, "sampling_rate"), ctx);
    rr.Finish();
  }
  r.Finish();
}

void DecodeInstance(const ParamValue& spec, ResourceMeta meta, ConfigResources* out,
                    DocumentContext* ctx) {
  MessageReader r(spec, "spec", ctx);
  InstanceResource inst;
  inst.meta = std::move(meta);
  inst.template_name = r.GetString({"compiled_template", "compiledTemplate"}, &inst.template_line);
  std::string external = r.GetString({"template"});
  r.GetString({"name"});
  if (const ParamValue* params = r.Get({"params"})) {
    if (params->kind() != ParamValue::Kind::kMap) {
      ctx->Fail(params, "spec.params", absl::StrCat("expected a map, got a ", KindText(*params)));
    } else {
      inst.params = *params;
    }
  } else {
    inst.params = ParamValue::Map({});
  }
  if (const ParamValue* bindings = r.GetMessage({"attribute_bindings", "attributeBindings"})) {
    for (const auto& [k, v] : bindings->map()) {
      if (v.kind() != ParamValue::Kind::kString) {
        ctx->Fail(&v, absl::StrCat("spec.attribute_bindings.", k),
                  absl::StrCat("expected a string, got a ", KindText(v)));
      }
    }
    if (!bindings->map().empty()) {
      ctx->Fail(bindings, "spec.attribute_bindings",
                "attribute bindings belong to attribute-generator templates, which mixlet does "
                "not implement");
    }
  }
  r.Finish();
  if (!external.empty()) {
    ctx->Fail(&spec, "spec.template",
              "templates of out-of-process adapters are not supported; use compiledTemplate");
  } else if (inst.template_name.empty() && !ctx->failed()) {
    ctx->Fail(&spec, "spec.compiled_template",
              "missing: an instance must name its template (compiledTemplate: metric)");
  }
  if (!ctx->failed()) out->instances.push_back(std::move(inst));
}

void DecodeHandler(const ParamValue& spec, ResourceMeta meta, ConfigResources* out,
                   DocumentContext* ctx) {
  MessageReader r(spec, "spec", ctx);
  HandlerResource h;
  h.meta = std::move(meta);
  h.adapter_name = r.GetString({"compiled_adapter", "compiledAdapter"}, &h.adapter_line);
  std::string external = r.GetString({"adapter"});
  r.GetString({"name"});
  const ParamValue* connection = r.GetMessage({"connection"});
  if (const ParamValue* params = r.Get({"params"})) {
    if (params->kind() != ParamValue::Kind::kMap) {
      ctx->Fail(params, "spec.params", absl::StrCat("expected a map, got a ", KindText(*params)));
    } else {
      h.params = *params;
    }
  } else {
    h.params = ParamValue::Map({});
  }
  r.Finish();
  if (!external.empty() || connection != nullptr) {
    ctx->Fail(&spec, !external.empty() ? "spec.adapter" : "spec.connection",
              "out-of-process adapters are not supported; use compiledAdapter");
  } else if (h.adapter_name.empty() && !ctx->failed()) {
    ctx->Fail(&spec, "spec.compiled_adapter",
              "missing: a handler must name its adapter (compiledAdapter: prometheus)");
  }
  if (!ctx->failed()) out->handlers.push_back(std::move(h));
}

void DecodeRule(const ParamValue& spec, ResourceMeta meta, ConfigResources* out,
                DocumentContext* ctx) {
  MessageReader r(spec, "spec", ctx);
  RuleResource rule;
  rule.meta = std::move(meta);
  rule.match = r.GetString({"match"}, &rule.match_line);
  if (const ParamValue* actions = r.GetList({"actions"})) {
    for (size_t i = 0; i < actions->list().size(); ++i) {
      const ParamValue& a = actions->list()[i];
      std::string path = absl::StrCat("spec.actions[", i, "]");
      if (a.kind() != ParamValue::Kind::kMap) {
        ctx->Fail(&a, path, absl::StrCat("expected a map, got a ", KindText(a)));
        continue;
      }
      MessageReader ar(a, path, ctx);
      ActionResource action;
      action.handler = ar.GetString({"handler"}, &action.handler_line);
      if (action.handler_line == 0) action.handler_line = a.line();
      if (const ParamValue* instances = ar.GetList({"instances"})) {
        action.instances =
            ReadStringList(*instances, path + ".instances", ctx, &action.instance_lines);
      }
      action.name = ar.GetString({"name"});
      ar.Finish();
      rule.actions.push_back(std::move(action));
    }
  }
  rule.header_operation_count +=
      ReadHeaderOperations(r.GetList({"request_header_operations", "requestHeaderOperations"}),
                           "spec.request_header_operations", ctx);
  rule.header_operation_count +=
      ReadHeaderOperations(r.GetList({"response_header_operations", "responseHeaderOperations"}),
                           "spec.response_header_operations", ctx);
  if (const ParamValue* sampling = r.GetMessage({"sampling"})) {
    ReadSampling(*sampling, "spec.sampling", ctx);
  }
  r.Finish();
  if (!ctx->failed()) out->rules.push_back(std::move(rule));
}

void DecodeManifest(const ParamValue& spec, ResourceMeta meta, ConfigResources* out,
                    DocumentContext* ctx) {
  MessageReader r(spec, "spec", ctx);
  AttributeManifestResource m;
  m.meta = std::move(meta);
  r.GetString({"revision"});
  r.GetString({"name"});
  if (const ParamValue* attributes = r.GetMessage({"attributes"})) {
    for (const auto& [name, info] : attributes->map()) {
      std::string path = absl::StrCat("spec.attributes.", name);
      if (info.kind() == ParamValue::Kind::kNull) {
        ctx->Fail(&info, path, "missing value_type");
        continue;
      }
      if (info.kind() != ParamValue::Kind::kMap) {
        ctx->Fail(&info, path, absl::StrCat("expected a map, got a ", KindText(info)));
        continue;
      }
      MessageReader ir(info, path, ctx);
      ir.GetString({"description"});
      AttributeManifestResource::Attribute attr;
      attr.name = name;
      attr.line = info.line();
      const ParamValue* type = ir.Get({"value_type", "valueType"});
      if (type == nullptr) {
        ctx->Fail(&info, path + ".value_type", "missing value_type");
      } else if (type->kind() == ParamValue::Kind::kString) {
        absl::optional<ValueType> t = ParseValueTypeName(type->string());
        if (!t.has_value() || *t == ValueType::kUnspecified) {
          ctx->Fail(type, path + ".value_type",
                    absl::StrCat("unknown value type '", type->string(), "'"));
        } else {
          attr.type = *t;
        }
      } else if (type->kind() == ParamValue::Kind::kNumber && type->number() >= 1 &&
                 type->number() < kValueTypeCount && type->number() == std::floor(type->number())) {
        attr.type = static_cast<ValueType>(static_cast<int>(type->number()));
      } else {
        ctx->Fail(type, path + ".value_type", "expected a value type name such as STRING");
      }
      ir.Finish();
      if (attr.type != ValueType::kUnspecified) m.attributes.push_back(std::move(attr));
    }
  }
  r.Finish();
  if (!ctx->failed()) out->manifests.push_back(std::move(m));
}

}  // namespace

std::string InstanceResource::Fqn() const { return MakeFqn(meta, kind); }
std::string HandlerResource::Fqn() const { return MakeFqn(meta, kind); }
std::string RuleResource::Fqn() const { return MakeFqn(meta, "rule"); }
std::string AttributeManifestResource::Fqn() const { return MakeFqn(meta, "attributemanifest"); }

void ConfigResources::AddDocument(const ParamValue& document, const SourceLocation& where) {
  if (document.kind() == ParamValue::Kind::kNull) return;
  DocumentContext ctx(where, &issues);
  if (document.kind() != ParamValue::Kind::kMap) {
    ctx.Fail(&document, "",
             absl::StrCat("a document must be a map with apiVersion, kind, metadata and spec; "
                          "got a ",
                          KindText(document)));
    return;
  }
  const ParamValue* kind_node = document.Find("kind");
  const ParamValue* metadata = document.Find("metadata");
  const ParamValue* name_node = metadata != nullptr && metadata->kind() == ParamValue::Kind::kMap
                                    ? metadata->Find("name")
                                    : nullptr;
  std::string kind = kind_node != nullptr && kind_node->kind() == ParamValue::Kind::kString
                         ? kind_node->string()
                         : "";
  std::string name = name_node != nullptr && name_node->kind() == ParamValue::Kind::kString
                         ? name_node->string()
                         : "";
  ctx.set_document(absl::StrCat(kind.empty() ? "?" : kind, "/", name.empty() ? "?" : name));

  const ParamValue* api = document.Find("apiVersion");
  if (api == nullptr || api->kind() != ParamValue::Kind::kString) {
    ctx.Fail(api != nullptr ? api : &document, "apiVersion",
             absl::StrCat("missing or not a string; expected ", kMixerApiVersion));
  } else if (api->string() != kMixerApiVersion) {
    ctx.Fail(
        api, "apiVersion",
        absl::StrCat("unsupported apiVersion '", api->string(), "'; expected ", kMixerApiVersion));
  }
  if (kind.empty()) {
    ctx.Fail(kind_node != nullptr ? kind_node : &document, "kind", "missing or not a string");
  }
  ResourceMeta meta;
  meta.location = where;
  if (metadata == nullptr || metadata->kind() != ParamValue::Kind::kMap) {
    ctx.Fail(metadata != nullptr ? metadata : &document, "metadata",
             "missing or not a map; metadata.name is required");
  } else {
    if (name.empty()) {
      ctx.Fail(name_node != nullptr ? name_node : metadata, "metadata.name",
               "missing or not a non-empty string");
    }
    meta.name = name;
    if (const ParamValue* ns = metadata->Find("namespace")) {
      if (ns->kind() == ParamValue::Kind::kString) {
        meta.namespace_name = ns->string();
      } else if (ns->kind() != ParamValue::Kind::kNull) {
        ctx.Fail(ns, "metadata.namespace",
                 absl::StrCat("expected a string, got a ", KindText(*ns)));
      }
    }
    if (const ParamValue* annotations = metadata->Find("annotations")) {
      if (const ParamValue* lang = annotations->Find("policy.istio.io/lang")) {
        std::string mode = absl::AsciiStrToUpper(lang->string());
        if (mode == "CEL" || mode == "COMPAT") {
          ctx.Fail(lang, "metadata.annotations.policy.istio.io/lang",
                   absl::StrCat("expression runtime '", lang->string(),
                                "' is not supported; mixlet implements CEXL only"));
        }
      }
    }
  }
  // However the document ends, a failure is remembered under its FQN when it has one.
  struct SkipRecorder {
    ~SkipRecorder() {
      if (ctx.failed() && !fqn.empty()) list->push_back(fqn);
    }
    const DocumentContext& ctx;
    std::string fqn;
    std::vector<std::string>* list;
  } recorder{ctx,
             kind.empty() || meta.name.empty()
                 ? std::string()
                 : absl::StrCat(meta.name, ".", kind, ".", meta.effective_namespace()),
             &skipped};
  const ParamValue* spec = document.Find("spec");
  ParamValue empty_spec = ParamValue::Map({});
  if (spec == nullptr || spec->kind() == ParamValue::Kind::kNull) {
    spec = &empty_spec;
  } else if (spec->kind() != ParamValue::Kind::kMap) {
    ctx.Fail(spec, "spec", absl::StrCat("expected a map, got a ", KindText(*spec)));
  }
  if (ctx.failed()) return;

  if (kind == "instance") {
    DecodeInstance(*spec, std::move(meta), this, &ctx);
  } else if (kind == "handler") {
    DecodeHandler(*spec, std::move(meta), this, &ctx);
  } else if (kind == "rule") {
    DecodeRule(*spec, std::move(meta), this, &ctx);
  } else if (kind == "attributemanifest") {
    DecodeManifest(*spec, std::move(meta), this, &ctx);
  } else if (kind == "adapter" || kind == "template") {
    ctx.Fail(kind_node, "kind",
             absl::StrCat("kind '", kind,
                          "' describes an out-of-process adapter or template, which mixlet does "
                          "not support"));
  } else if (const Template* t = TemplateRegistry::CompiledIn().Find(kind)) {
    // A legacy per-template kind: the spec is the template's params.
    InstanceResource inst;
    inst.meta = std::move(meta);
    inst.kind = kind;
    inst.template_name = std::string(t->name);
    inst.template_line = kind_node->line();
    inst.params = *spec;
    instances.push_back(std::move(inst));
  } else {
    // A legacy per-adapter kind (or an unknown kind): resolved against the adapters when the
    // configuration is built, which reports kinds that name no adapter.
    HandlerResource h;
    h.meta = std::move(meta);
    h.kind = kind;
    h.adapter_name = kind;
    h.adapter_line = kind_node->line();
    h.params = *spec;
    handlers.push_back(std::move(h));
  }
}

void ConfigResources::Append(ConfigResources other) {
  auto move_all = [](auto& to, auto& from) {
    to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
  };
  move_all(manifests, other.manifests);
  move_all(instances, other.instances);
  move_all(handlers, other.handlers);
  move_all(rules, other.rules);
  move_all(issues, other.issues);
  move_all(skipped, other.skipped);
}

}  // namespace mixlet
