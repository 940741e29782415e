#include "expr/program.h"

namespace mixlet::expr_internal {

Rep RepOf(ValueType type) {
  switch (type) {
    case ValueType::kInt64:
    case ValueType::kDuration:
      return Rep::kInt;
    case ValueType::kDouble:
      return Rep::kDouble;
    case ValueType::kBool:
      return Rep::kBool;
    case ValueType::kTimestamp:
      return Rep::kTime;
    case ValueType::kStringMap:
      return Rep::kMap;
    default:  // string-like types and IP address bytes
      return Rep::kStr;
  }
}

Slot ToSlot(const Value& v) {
  switch (v.type()) {
    case ValueType::kInt64:
      return IntSlot(v.int64());
    case ValueType::kDuration:
      return IntSlot(v.duration_nanos());
    case ValueType::kBool:
      return IntSlot(v.bool_value() ? 1 : 0);
    case ValueType::kDouble:
      return DoubleSlot(v.double_value());
    case ValueType::kTimestamp:
      return TimeSlot(v.timestamp());
    case ValueType::kStringMap:
      return MapSlot(v.string_map());
    default:
      return StringSlot(v.string());
  }
}

}  // namespace mixlet::expr_internal
