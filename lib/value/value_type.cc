#include "mixlet/value/value_type.h"

namespace mixlet {
namespace {

struct Row {
  ValueType type;
  absl::string_view name;
};

constexpr Row kRows[] = {
#define MIXLET_VALUE_TYPE_ROW(e, name, num) {ValueType::e, name},
    MIXLET_VALUE_TYPES(MIXLET_VALUE_TYPE_ROW)
#undef MIXLET_VALUE_TYPE_ROW
};
static_assert(sizeof(kRows) / sizeof(kRows[0]) == kValueTypeCount,
              "kValueTypeCount must count the rows of MIXLET_VALUE_TYPES");

}  // namespace

absl::string_view ValueTypeName(ValueType type) {
  const int n = static_cast<int>(type);
  if (n < 0 || n >= kValueTypeCount) return kRows[0].name;
  return kRows[n].name;
}

absl::optional<ValueType> ParseValueTypeName(absl::string_view name) {
  for (const Row& row : kRows) {
    if (row.name == name) return row.type;
  }
  return absl::nullopt;
}

}  // namespace mixlet
