// MIXLET_DEFINE_TEMPLATE: how a template file declares a compiled-in template.
//
// Each `lib/config/<name>_template.cc` defines exactly one template:
//   MIXLET_DEFINE_TEMPLATE(metric) {
//     static constexpr TemplateField kFields[] = {...};
//     static const Template kTemplate{"metric", TemplateVariety::kReport, kFields, "..."};
//     return kTemplate;
//   }
// The build (lib/config/CMakeLists.txt) lists those files in a generated `templates.inc`, and the
// registry calls every definition: nothing else is edited to add a template. The identifier is
// the file name without `_template.cc`.
#ifndef MIXLET_LIB_CONFIG_TEMPLATE_DEFINITION_H_
#define MIXLET_LIB_CONFIG_TEMPLATE_DEFINITION_H_

#include "mixlet/config/template.h"

#define MIXLET_DEFINE_TEMPLATE(id) \
  const ::mixlet::Template& ::mixlet::config_internal::TemplateDefinition_##id()

namespace mixlet::config_internal {
// Declares one definition function per generated row.
#define MIXLET_TEMPLATE_FILE(id) const Template& TemplateDefinition_##id();
#include "config/templates.inc"
#undef MIXLET_TEMPLATE_FILE
}  // namespace mixlet::config_internal

#endif  // MIXLET_LIB_CONFIG_TEMPLATE_DEFINITION_H_
