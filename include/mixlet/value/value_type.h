// ValueType: the 11 attribute value types of Istio's Mixer (`istio.policy.v1beta1.ValueType`),
// with the names and numbers of the protobuf enum.
//
// Every attribute in a vocabulary, every expression result and every instance field has one
// `ValueType`. The numbers are wire-visible (attribute manifests), so they never change.
//
// Example:
//   ValueType t = ValueType::kInt64;
//   ValueTypeName(t);                       // "INT64"
//   ParseValueTypeName("DNS_NAME");         // ValueType::kDnsName
#ifndef MIXLET_VALUE_VALUE_TYPE_H_
#define MIXLET_VALUE_VALUE_TYPE_H_

#include <cstdint>

#include "absl/strings/string_view.h"
#include "absl/types/optional.h"

namespace mixlet {

// The one table of value types: X(enumerator, spec name, spec number).
// ORDER: spec numbers ascending; `kValueTypeCount` below counts the rows.
#define MIXLET_VALUE_TYPES(X)                         \
  X(kUnspecified, "VALUE_TYPE_UNSPECIFIED", 0)        \
  X(kString, "STRING", 1)                             \
  X(kInt64, "INT64", 2)                               \
  X(kDouble, "DOUBLE", 3)                             \
  X(kBool, "BOOL", 4)                                 \
  X(kTimestamp, "TIMESTAMP", 5)                       \
  X(kIpAddress, "IP_ADDRESS", 6)                      \
  X(kEmailAddress, "EMAIL_ADDRESS", 7)                \
  X(kUri, "URI", 8)                                   \
  X(kDnsName, "DNS_NAME", 9)                          \
  X(kDuration, "DURATION", 10)                        \
  X(kStringMap, "STRING_MAP", 11)

enum class ValueType : uint8_t {
#define MIXLET_VALUE_TYPE_ENUM(e, name, num) e = num,
  MIXLET_VALUE_TYPES(MIXLET_VALUE_TYPE_ENUM)
#undef MIXLET_VALUE_TYPE_ENUM
};

// Number of enumerators, `kUnspecified` included (12).
inline constexpr int kValueTypeCount = 12;

// The spec name ("STRING", "INT64", ...). Never null; "VALUE_TYPE_UNSPECIFIED" for unknown values.
absl::string_view ValueTypeName(ValueType type);

// The type named `name` exactly as in the spec (upper case), or nullopt.
absl::optional<ValueType> ParseValueTypeName(absl::string_view name);

// True for the types carried as strings: STRING, EMAIL_ADDRESS, URI, DNS_NAME.
constexpr bool IsStringLike(ValueType type) {
  return type == ValueType::kString || type == ValueType::kEmailAddress ||
         type == ValueType::kUri || type == ValueType::kDnsName;
}

}  // namespace mixlet

#endif  // MIXLET_VALUE_VALUE_TYPE_H_
