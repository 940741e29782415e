// MutableBag: an attribute bag that owns its values, with an optional parent.
//
// Use a MutableBag to build a report (the proxy side), to decode one (the wire layer), or to
// layer attributes over another bag (`MutableBag child(vocab, &parent)`: the child's values
// shadow the parent's; the parent must use the same vocabulary, since ids are per vocabulary,
// and must outlive the child and not change while the child is read). `Set` copies the bytes of strings, IP addresses and string maps into the bag's own
// arena; `SetBorrowed` does not (the caller keeps them alive). `Reset` empties the bag but keeps
// its memory, so a bag reused per report allocates nothing once warm.
//
// Values of known attributes must have the vocabulary's type: a mismatch is refused with
// InvalidArgument, so code that reads a bag can trust `Get(id)->type()`. Attributes the
// vocabulary does not know are accepted with any type and carried by name.
//
// Example:
//   MutableBag bag(Vocabulary::Standard());
//   bag.Set("context.protocol", Value::String("tcp")).IgnoreError();
//   bag.Set(received_bytes_id, Value::Int64(1200)).IgnoreError();
//   bag.Reset();                                  // ready for the next report
#ifndef MIXLET_ATTRIBUTE_MUTABLE_BAG_H_
#define MIXLET_ATTRIBUTE_MUTABLE_BAG_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/base/optimization.h"
#include "absl/status/status.h"
#include "mixlet/attribute/bag.h"

namespace mixlet {

class MutableBag : public Bag {
 public:
  explicit MutableBag(std::shared_ptr<const Vocabulary> vocabulary, const Bag* parent = nullptr);
  ~MutableBag();

  // Sets `id` to a copy of `value`. InvalidArgument when `id` is out of range or the type is not
  // the vocabulary's. Hot path once warm: no allocation, no string hashing.
  absl::Status Set(AttributeId id, const Value& value);
  // Sets by name: a known name goes through `Set(id, ...)`, an unknown one is carried as is.
  absl::Status Set(absl::string_view name, const Value& value);
  // Like Set but keeps `value`'s borrowed bytes instead of copying them: they must stay valid
  // and unchanged until the bag is reset or destroyed.
  absl::Status SetBorrowed(AttributeId id, const Value& value);

  // SetBorrowed and Set(id, ...) with the checks and the slot update inlined, for decoders that
  // set many attributes in a loop. Same semantics and errors (an invalid call takes the
  // out-of-line path, which reports it).
  // Hot path once warm: no allocation, no string hashing.
  absl::Status SetBorrowedInline(AttributeId id, const Value& value) {
    if (ABSL_PREDICT_FALSE(id.value >= slots_.size() || value.type() != vocabulary_->type(id))) {
      return SetBorrowed(id, value);
    }
    SetSlotInline(id.value, value);
    return absl::OkStatus();
  }
  absl::Status SetInline(AttributeId id, const Value& value) {
    if (ABSL_PREDICT_FALSE(id.value >= slots_.size() || value.type() != vocabulary_->type(id))) {
      return Set(id, value);
    }
    SetSlotInline(id.value, CopyValue(value));
    return absl::OkStatus();
  }

  // Removes the attribute from this bag (a parent's value, if any, becomes visible again).
  // Returns false when this bag did not hold it.
  bool Delete(AttributeId id);
  bool Delete(absl::string_view name);

  // Removes every attribute of this bag (not of the parent); keeps the memory for reuse.
  void Reset();

  // Copies every attribute of `other` (parents included) into this bag, overwriting.
  // Used to apply a delta-encoded report on top of an accumulated bag.
  absl::Status Merge(const Bag& other);

  // Copies `bytes` into the bag's arena and returns the copy, valid until Reset or destruction.
  // Lets callers build values (e.g. string maps) that live as long as the bag.
  absl::string_view CopyToArena(absl::string_view bytes);

 private:
  class Arena;
  Value CopyValue(const Value& value);
  absl::Status CheckSlot(AttributeId id, const Value& value) const;
  void SetSlot(uint32_t id, const Value& value);
  // SetSlot, inline.
  void SetSlotInline(uint32_t id, const Value& value) {
    Slot& s = slots_[id];
    if (s.generation != generation_) {
      s.generation = generation_;
      present_.push_back(id);
    }
    s.value = value;
  }

  std::unique_ptr<Arena> arena_;
};

}  // namespace mixlet

#endif  // MIXLET_ATTRIBUTE_MUTABLE_BAG_H_
