// Bag: the read interface of an attribute bag, the input of every expression and rule.
//
// A bag maps attribute names to at most one `Value` each. Attributes the vocabulary declares are
// stored in a dense array indexed by `AttributeId`, so `Get(id)` is an index, a generation check
// and (for a child bag) a walk up the parent chain: no hashing, no string compare, no allocation.
// Attributes the vocabulary does not know are carried by name (proxies send more than any config
// uses) and reached with `Find(name)` or `ForEach`.
//
// `Bag` is the const view of a `MutableBag` (the only implementation): functions that only read
// take `const Bag&`. A bag may have a parent: values set in the child shadow the parent's.
// Values returned are views valid until the bag (or its parent) is next modified. Concurrent
// const use is safe; modification needs exclusive access.
//
// Example:
//   const Value* v = bag.Get(id);                 // nullptr when absent
//   if (v != nullptr) use(v->int64());
//   bag.ForEach([](absl::string_view name, const Value& v) { ... });
#ifndef MIXLET_ATTRIBUTE_BAG_H_
#define MIXLET_ATTRIBUTE_BAG_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "mixlet/attribute/vocabulary.h"
#include "mixlet/value/value.h"

namespace mixlet {

class Bag {
 public:
  // Not copyable: a bag owns the bytes its values view.
  Bag(const Bag&) = delete;
  Bag& operator=(const Bag&) = delete;

  // The value of the attribute `id`, from this bag or else its parents; nullptr when absent.
  // Hot path: no allocation, no string hashing.
  const Value* Get(AttributeId id) const {
    const Bag* b = this;
    do {
      if (id.value < b->slots_.size()) {
        const Slot& s = b->slots_[id.value];
        if (s.generation == b->generation_) return &s.value;
      }
      b = b->parent_;
    } while (b != nullptr);
    return nullptr;
  }

  // The value of `name`, known to the vocabulary or not; nullptr when absent.
  const Value* Find(absl::string_view name) const;

  // Calls `fn` once for every present attribute (child values shadow the parent's), known
  // attributes first in id order, then unknown ones in insertion order.
  void ForEach(absl::FunctionRef<void(absl::string_view name, const Value& value)> fn) const;

  // Calls `fn` once for every attribute this bag itself holds, without visiting its parents:
  // known attributes in the order they were first set (with their id), then unknown ones in
  // insertion order (with `id` nullopt). Unlike ForEach it allocates nothing (encoders use it).
  void ForEachOwn(absl::FunctionRef<void(absl::optional<AttributeId> id, absl::string_view name,
                                         const Value& value)>
                      fn) const;

  // Number of present attributes, parents included (shadowed ones counted once).
  size_t size() const;

  const Vocabulary& vocabulary() const { return *vocabulary_; }
  const std::shared_ptr<const Vocabulary>& shared_vocabulary() const { return vocabulary_; }
  const Bag* parent() const { return parent_; }

  // A multi-line `name: TYPE(value)` dump, sorted by name, for logs and tests.
  std::string DebugString() const;

 protected:
  Bag(std::shared_ptr<const Vocabulary> vocabulary, const Bag* parent);
  ~Bag() = default;

  struct Slot {
    Value value;
    // The slot holds a value when `generation == Bag::generation_`; Reset() bumps the bag's
    // generation, which empties every slot at once.
    uint32_t generation = 0;
  };
  struct UnknownAttribute {
    absl::string_view name;  // Owned by the bag's arena.
    Value value;
  };

  const UnknownAttribute* FindUnknown(absl::string_view name) const;

  std::shared_ptr<const Vocabulary> vocabulary_;
  const Bag* parent_;
  uint32_t generation_ = 1;
  std::vector<Slot> slots_;
  // Ids of present known attributes, in the order they were first set (for ForEach and Reset).
  std::vector<uint32_t> present_;
  std::vector<UnknownAttribute> unknown_;
};

}  // namespace mixlet

#endif  // MIXLET_ATTRIBUTE_BAG_H_
