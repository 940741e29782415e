// Internal: direct evaluation of the few expression shapes that make up most of Istio's
// configuration — `attr`, `attr | "default"`, `attr["key"] | "default"` for instance fields and
// `attr == "x"`, `attr != "x"`, `(attr | "d") == "x"` for rule matches — without the expression
// evaluator. A shape is recognised from the expression's text, and then checked by evaluating
// the compiled expression on probe bags: it is used only when the compiled program gives exactly
// the results the shortcut would give. Anything else keeps the general evaluator.
#ifndef MIXLET_LIB_ROUTER_FAST_PATH_H_
#define MIXLET_LIB_ROUTER_FAST_PATH_H_

#include <cstring>
#include <string>

#include "absl/base/attributes.h"
#include "mixlet/attribute/bag.h"
#include "mixlet/config/config.h"
#include "mixlet/expr/expression.h"
#include "mixlet/value/owned_value.h"

namespace mixlet::router_internal {

// Hot path: no allocation, no string hashing.
// String equality that skips the library call for the short strings routing compares most
// ("tcp", "outbound", namespaces).
ABSL_ATTRIBUTE_ALWAYS_INLINE inline bool SameBytes(absl::string_view a, absl::string_view b) {
  const size_t n = a.size();
  if (n != b.size()) return false;
  if (n >= 8) {
    // Names that differ mostly differ early (svc1.ns vs svc2.ns): check 8 bytes inline first.
    uint64_t x, y;
    std::memcpy(&x, a.data(), 8);
    std::memcpy(&y, b.data(), 8);
    if (x != y) return false;
    return n == 8 || std::memcmp(a.data() + 8, b.data() + 8, n - 8) == 0;
  }
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

struct FastExpression {
  enum class Kind : uint8_t {
    kNone,         // Not recognised: use the evaluator.
    kAttribute,    // attr: the value, or a lookup error.
    kAttributeOr,  // attr | K: the value, or K.
    kMapKeyOr,     // m["key"] | K: the entry, or K when m or the key is missing.
    kEquals,       // attr == "x" (STRING attr): error when absent.
    kNotEquals,    // attr != "x"
    kOrEquals,     // (attr | "d") == "x": compares "d" when absent.
    kChoose,       // conditional((attr | "d") == "x", K1, K2): K1 or K2, never an error.
  };
  Kind kind = Kind::kNone;
  AttributeId attribute;
  std::string key;               // kMapKeyOr
  OwnedValue fallback;           // kAttributeOr, kMapKeyOr
  std::string literal;           // kEquals, kNotEquals, kOrEquals
  std::string fallback_literal;  // kOrEquals, kChoose
  OwnedValue if_true;            // kChoose
  OwnedValue if_false;           // kChoose

  // Hot path: no allocation, no string hashing. Evaluates like the compiled expression: true
  // with `*out` set, or false for an evaluation error. Requires kind != kNone.
  ABSL_ATTRIBUTE_ALWAYS_INLINE bool Evaluate(const Bag& bag, Value* out) const {
    switch (kind) {
      case Kind::kAttribute: {
        const Value* v = bag.Get(attribute);
        if (v == nullptr) return false;
        *out = *v;
        return true;
      }
      case Kind::kAttributeOr: {
        const Value* v = bag.Get(attribute);
        *out = v != nullptr ? *v : fallback.value();
        return true;
      }
      case Kind::kMapKeyOr: {
        const Value* m = bag.Get(attribute);
        if (m != nullptr) {
          absl::optional<absl::string_view> e = m->string_map().Find(key);
          if (e.has_value()) {
            *out = Value::String(*e);
            return true;
          }
        }
        *out = fallback.value();
        return true;
      }
      case Kind::kChoose: {
        const Value* v = bag.Get(attribute);
        const bool c =
            SameBytes(v != nullptr ? v->string() : absl::string_view(fallback_literal), literal);
        *out = c ? if_true.value() : if_false.value();
        return true;
      }
      case Kind::kEquals:
      case Kind::kNotEquals:
      case Kind::kOrEquals: {
        const int m = Match(bag);
        if (m < 0) return false;
        *out = Value::Bool(m != 0);
        return true;
      }
      case Kind::kNone:
        break;
    }
    return false;
  }

  // Hot path: no allocation, no string hashing. For the match kinds: 1 true, 0 false, -1 an
  // evaluation error (the attribute is absent), without building a Value.
  ABSL_ATTRIBUTE_ALWAYS_INLINE int Match(const Bag& bag) const {
    const Value* v = bag.Get(attribute);
    switch (kind) {
      case Kind::kEquals:
        return v == nullptr ? -1 : SameBytes(v->string(), literal) ? 1 : 0;
      case Kind::kNotEquals:
        return v == nullptr ? -1 : SameBytes(v->string(), literal) ? 0 : 1;
      case Kind::kOrEquals:
        return SameBytes(v != nullptr ? v->string() : absl::string_view(fallback_literal), literal)
                   ? 1
                   : 0;
      default:
        return -1;
    }
  }
};

// Recognises `e` (compiled against `vocabulary`) as an instance-field shape, or kNone.
FastExpression RecognizeField(const Expression& e,
                              const std::shared_ptr<const Vocabulary>& vocabulary);
// Recognises `e` as a BOOL match shape, or kNone.
FastExpression RecognizeMatch(const Expression& e,
                              const std::shared_ptr<const Vocabulary>& vocabulary);

}  // namespace mixlet::router_internal

#endif  // MIXLET_LIB_ROUTER_FAST_PATH_H_
