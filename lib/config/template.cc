#include "mixlet/config/template.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "config/template_definition.h"

namespace mixlet {

std::string TemplateField::CamelName() const {
  std::string out;
  out.reserve(name.size());
  bool upper_next = false;
  for (char c : name) {
    if (c == '_') {
      upper_next = true;
      continue;
    }
    out.push_back(upper_next ? absl::ascii_toupper(c) : c);
    upper_next = false;
  }
  return out;
}

const TemplateField* Template::FindField(absl::string_view key) const {
  for (const TemplateField& f : fields) {
    if (f.name == key || f.CamelName() == key) return &f;
  }
  return nullptr;
}

const TemplateRegistry& TemplateRegistry::CompiledIn() {
  static const TemplateRegistry* const kRegistry = [] {
    auto* r = new TemplateRegistry();
#define MIXLET_TEMPLATE_FILE(id) \
  r->templates_.push_back(&config_internal::TemplateDefinition_##id());
#include "config/templates.inc"
#undef MIXLET_TEMPLATE_FILE
    return r;
  }();
  return *kRegistry;
}

const Template* TemplateRegistry::Find(absl::string_view name) const {
  for (const Template* t : templates_) {
    if (t->name == name) return t;
  }
  return nullptr;
}

std::string ValueTypeSetText(ValueTypeSet set) {
  if ((set & kAnyValueType) == kAnyValueType) return "any type";
  std::vector<absl::string_view> names;
  for (int i = 1; i < kValueTypeCount; ++i) {
    if (set & (ValueTypeSet{1} << i)) names.push_back(ValueTypeName(static_cast<ValueType>(i)));
  }
  if (names.empty()) return "no type";
  if (names.size() == 1) return std::string(names[0]);
  std::string head = absl::StrJoin(names.begin(), names.end() - 1, ", ");
  return absl::StrCat(head, " or ", names.back());
}

}  // namespace mixlet
