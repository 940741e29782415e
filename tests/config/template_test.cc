#include "mixlet/config/template.h"

#include <catch2/catch.hpp>

namespace mixlet {
namespace {

TEST_CASE("TemplateRegistry: the metric template is compiled in", "[config]") {
  const Template* metric = TemplateRegistry::CompiledIn().Find("metric");
  REQUIRE(metric != nullptr);
  CHECK(metric->variety == TemplateVariety::kReport);
  REQUIRE(metric->fields.size() == 4);
  struct Row {
    const char* name;
    const char* camel;
    TemplateField::Kind kind;
    ValueTypeSet allowed;
  } rows[] = {
      {"value", "value", TemplateField::Kind::kExpression, kAnyValueType},
      {"dimensions", "dimensions", TemplateField::Kind::kExpressionMap, kAnyValueType},
      {"monitored_resource_type", "monitoredResourceType", TemplateField::Kind::kExpression,
       ValueTypeBit(ValueType::kString)},
      {"monitored_resource_dimensions", "monitoredResourceDimensions",
       TemplateField::Kind::kExpressionMap, kAnyValueType},
  };
  for (size_t i = 0; i < 4; ++i) {
    const TemplateField& f = metric->fields[i];
    CHECK(f.name == rows[i].name);
    CHECK(f.CamelName() == rows[i].camel);
    CHECK(f.kind == rows[i].kind);
    CHECK(f.allowed_types == rows[i].allowed);
    CHECK(metric->FindField(rows[i].name) == &f);
    CHECK(metric->FindField(rows[i].camel) == &f);
  }
  CHECK(metric->FindField("monitoredresourcetype") == nullptr);
  CHECK(TemplateRegistry::CompiledIn().Find("logentry") == nullptr);
  CHECK(TemplateRegistry::CompiledIn().templates().size() >= 1);
}

TEST_CASE("TemplateField: Allows checks the declared types", "[config]") {
  TemplateField f;
  f.allowed_types = ValueTypeBit(ValueType::kString);
  CHECK(f.Allows(ValueType::kString));
  CHECK_FALSE(f.Allows(ValueType::kDnsName));
  CHECK_FALSE(f.Allows(ValueType::kUnspecified));
  f.allowed_types = kAnyValueType;
  for (int t = 1; t < kValueTypeCount; ++t) CHECK(f.Allows(static_cast<ValueType>(t)));
  CHECK_FALSE(f.Allows(ValueType::kUnspecified));
}

TEST_CASE("ValueTypeSetText: names the types", "[config]") {
  CHECK(ValueTypeSetText(kAnyValueType) == "any type");
  CHECK(ValueTypeSetText(ValueTypeBit(ValueType::kString)) == "STRING");
  CHECK(ValueTypeSetText(ValueTypeBit(ValueType::kInt64) | ValueTypeBit(ValueType::kDouble)) ==
        "INT64 or DOUBLE");
  CHECK(ValueTypeSetText(ValueTypeBit(ValueType::kString) | ValueTypeBit(ValueType::kInt64) |
                         ValueTypeBit(ValueType::kDouble)) == "STRING, INT64 or DOUBLE");
  CHECK(ValueTypeSetText(0) == "no type");
}

}  // namespace
}  // namespace mixlet
