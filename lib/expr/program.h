// Program: one compiled expression, immutable after the code generator builds it.
//
// It holds the instructions (opcode.h), the constants, the RE2 objects compiled from regular
// expression literals, the registered functions it calls, and what `Expression` reports: result
// type, source text, attributes read. A Program is shared by every copy of its Expression and
// evaluated concurrently; nothing in it changes after construction.
#ifndef MIXLET_LIB_EXPR_PROGRAM_H_
#define MIXLET_LIB_EXPR_PROGRAM_H_

#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <new>
#include <string>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "absl/base/attributes.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "expr/opcode.h"
#include "mixlet/attribute/vocabulary.h"
#include "mixlet/expr/function_registry.h"
#include "mixlet/value/owned_value.h"
#include "mixlet/value/value.h"
#include "re2/re2.h"

namespace mixlet::expr_internal {

// One stack slot or constant. The static type decides which member is meaningful (`Rep`):
// strings, DNS names, e-mail addresses, URIs and IP address bytes are byte views; INT64,
// DURATION (nanoseconds) and BOOL (0/1) are `i`.
union Slot {
  int64_t i;
  double d;
  struct {
    const char* data;
    size_t size;
  } s;
  struct {
    int64_t seconds;
    int32_t nanos;
  } t;
  struct {
    const StringMapEntry* entries;
    size_t size;
  } m;
};
static_assert(sizeof(Slot) == 16, "slots stay small");

inline absl::string_view SlotString(const Slot& s) { return absl::string_view(s.s.data, s.s.size); }
inline Slot StringSlot(absl::string_view v) {
  Slot s;
  s.s.data = v.data();
  s.s.size = v.size();
  return s;
}
inline Slot IntSlot(int64_t v) {
  Slot s;
  s.i = v;
  return s;
}
inline Slot DoubleSlot(double v) {
  Slot s;
  s.d = v;
  return s;
}
inline Slot TimeSlot(Timestamp t) {
  Slot s;
  s.t.seconds = t.seconds;
  s.t.nanos = t.nanos;
  return s;
}
inline Timestamp SlotTimestamp(const Slot& s) { return Timestamp{s.t.seconds, s.t.nanos}; }
inline Slot MapSlot(StringMapView m) {
  Slot s;
  s.m.entries = m.begin();
  s.m.size = m.size();
  return s;
}
inline StringMapView SlotMap(const Slot& s) { return StringMapView(s.m.entries, s.m.size); }

inline uint64_t LoadUnaligned64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline uint32_t LoadUnaligned32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

#if defined(__SSE2__)
inline __m128i Load128(const char* p) {
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
}
#endif

// Byte equality without a library call: attribute values and the constants they are compared
// with are short, and calling memcmp through the PLT cost more than the comparison.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline bool BytesEqual(absl::string_view x, absl::string_view y) {
  const size_t n = x.size();
  if (n != y.size()) return false;
  const char* a = x.data();
  const char* b = y.data();
#if defined(__SSE2__)
  if (n >= 16) {  // 16 bytes per comparison (a 33-byte service host: three instead of five)
    const char* const a_last = a + n - 16;
    const char* const b_last = b + n - 16;
    for (; a < a_last; a += 16, b += 16) {
      if (_mm_movemask_epi8(_mm_cmpeq_epi8(Load128(a), Load128(b))) != 0xFFFF) return false;
    }
    return _mm_movemask_epi8(_mm_cmpeq_epi8(Load128(a_last), Load128(b_last))) == 0xFFFF;
  }
#endif
  if (n >= 8) {
    const char* const a_last = a + n - 8;
    const char* const b_last = b + n - 8;
    for (; a < a_last; a += 8, b += 8) {
      if (LoadUnaligned64(a) != LoadUnaligned64(b)) return false;
    }
    return LoadUnaligned64(a_last) ==
           LoadUnaligned64(b_last);  // the last 8 bytes, overlapping if need be
  }
  if (n >= 4) {
    return LoadUnaligned32(a) == LoadUnaligned32(b) &&
           LoadUnaligned32(a + n - 4) == LoadUnaligned32(b + n - 4);
  }
  // 0 to 3 bytes: the first, middle and last byte cover them all.
  return n == 0 || (a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1]);
}

// The value of `key` in `m`, or nullopt: StringMapView::Find with the library-call-free
// comparison above (keys are short; most differ in length and are skipped without comparing).
ABSL_ATTRIBUTE_ALWAYS_INLINE inline absl::optional<absl::string_view> FindKey(StringMapView m,
                                                                          absl::string_view key) {
  for (const StringMapEntry& e : m) {
    if (BytesEqual(e.key, key)) return e.value;
  }
  return absl::nullopt;
}

// `s` T `k` for attr_test's string tests.
inline bool StringTest(Test test, absl::string_view s, absl::string_view k) {
  switch (test) {
    case Test::kEquals:
      return BytesEqual(s, k);
    case Test::kPrefix:
      return s.size() >= k.size() && BytesEqual(s.substr(0, k.size()), k);
    case Test::kSuffix:
      return s.size() >= k.size() && BytesEqual(s.substr(s.size() - k.size()), k);
    case Test::kContains:
      return s.find(k) != absl::string_view::npos;
  }
  return false;
}

// How values of `type` sit in a slot.
Rep RepOf(ValueType type);
// The slot for `v` (views stay owned by whoever owns `v`).
Slot ToSlot(const Value& v);

// Stores the value of static type `type` held in `s` into `*out`. Inline, and constructed in
// place (`new (out) Value(prvalue)` elides the temporary), because it ends every evaluation:
// assigning a temporary Value made the copy's 16-byte load wait on the temporary's narrow
// stores (a store-forwarding stall that cost more than the rest of a small evaluation).
inline void StoreValue(const Slot& s, ValueType type, Value* out) {
  switch (type) {
    case ValueType::kInt64:
      ::new (out) Value(Value::Int64(s.i));
      return;
    case ValueType::kDuration:
      ::new (out) Value(Value::Duration(s.i));
      return;
    case ValueType::kBool:
      ::new (out) Value(Value::Bool(s.i != 0));
      return;
    case ValueType::kDouble:
      ::new (out) Value(Value::Double(s.d));
      return;
    case ValueType::kTimestamp:
      ::new (out) Value(Value::TimestampValue(SlotTimestamp(s)));
      return;
    case ValueType::kStringMap:
      ::new (out) Value(Value::StringMap(SlotMap(s)));
      return;
    case ValueType::kIpAddress:
      ::new (out) Value(Value::IpAddress(SlotString(s)));
      return;
    case ValueType::kString:
    case ValueType::kDnsName:
    case ValueType::kEmailAddress:
    case ValueType::kUri:
      ::new (out) Value(Value::StringOfType(type, SlotString(s)));
      return;
    case ValueType::kUnspecified:
      break;
  }
  ::new (out) Value();
}

// The value of static type `type` held in `s`.
inline Value ToValue(const Slot& s, ValueType type) {
  Value v;
  StoreValue(s, type, &v);
  return v;
}

// Programs of one instruction and a return, evaluated without entering the dispatch loop.
enum class FastPath : uint8_t {
  kNone,
  kConst,             // const K[a]
  kLoad,              // load_* A (strict)
  kLoadOrConst,       // A | K[b]
  kLoadIndex,         // A[K[b]] (strict)
  kLoadIndexOrConst,  // A[K[b]] | K[c]
  // attr_test / index_test instructions joined by `&&` (each fused with branch-if-false to the
  // return) or by `||` (branch-if-true), then return: `a == "x" && m["k"] == "y"`, the usual
  // rule match.
  kAttrTestChain,
};

// One test of an attr_test / index_test chain, decoded once for the fast paths.
struct ChainTerm {
  uint32_t attribute = 0;
  absl::string_view key;      // index_test: the map key; attr_test: unused
  absl::string_view operand;  // the constant the string is tested against
};

// The operands of a fast-path program, decoded once so that evaluation reads them directly
// instead of through the instruction and constant vectors.
struct FastOperands {
  uint32_t attribute = 0;  // the attribute read (kLoad* shapes)
  absl::string_view key;   // the map key (kLoadIndex*)
  Value constant;          // kConst's value; the `| K` of kLoadOrConst and kLoadIndexOrConst
  ChainTerm terms[2];      // a chain of two un-negated tests (see SelectEvalFn)
};

struct Program {
  Program() = default;
  // Not copyable: it owns RE2 objects and the bytes its constants view.
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;

  std::string text;
  ValueType result_type = ValueType::kUnspecified;
  std::shared_ptr<const Vocabulary> vocabulary;

  std::vector<Instruction> code;
  std::vector<Slot> constants;
  std::vector<ValueType> constant_types;    // parallel to `constants`
  std::deque<OwnedValue> constant_storage;  // owns the bytes string constants view
  std::vector<Value> constant_values;       // the constants as Values (for fast paths)
  std::vector<std::unique_ptr<RE2>> regexes;
  std::vector<const FunctionRegistry::Entry*> functions;

  // Every attribute the program may read, ascending, without duplicates.
  std::vector<AttributeId> attributes;
  // Deepest the value stack gets.
  int max_stack = 0;
  // The whole expression was folded to one constant.
  bool is_constant = false;
  FastPath fast_path = FastPath::kNone;
  FastOperands fast;
};

}  // namespace mixlet::expr_internal

#endif  // MIXLET_LIB_EXPR_PROGRAM_H_
