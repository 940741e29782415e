// The `metric` template (metric-and-prometheus.md §1): a measured value plus named dimensions.
// This file is the only place its fields are declared.
#include "config/template_definition.h"

namespace mixlet {

MIXLET_DEFINE_TEMPLATE(metric) {
  static constexpr TemplateField kFields[] = {
      {"value", TemplateField::Kind::kExpression, kAnyValueType,
       "the measured value; an empty expression gives a null value"},
      {"dimensions", TemplateField::Kind::kExpressionMap, kAnyValueType,
       "dimension name -> value; Prometheus turns them into labels"},
      {"monitored_resource_type", TemplateField::Kind::kExpression,
       ValueTypeBit(ValueType::kString), "monitored resource type (ignored by Prometheus)"},
      {"monitored_resource_dimensions", TemplateField::Kind::kExpressionMap, kAnyValueType,
       "monitored resource dimensions (ignored by Prometheus)"},
  };
  static const Template kTemplate{"metric", TemplateVariety::kReport, kFields,
                                  "a value and dimensions reported to metric backends"};
  return kTemplate;
}

}  // namespace mixlet
