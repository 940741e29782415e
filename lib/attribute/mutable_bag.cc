#include "mixlet/attribute/mutable_bag.h"

#include <algorithm>
#include <cstring>
#include <map>

#include "absl/strings/str_cat.h"
#include "internal/status_macros.h"

namespace mixlet {

// A bump allocator in chunks. Reset() keeps the largest chunk, so a bag reused for reports of
// similar size stops allocating after the first one.
class MutableBag::Arena {
 public:
  char* Allocate(size_t n, size_t align) {
    size_t offset = (used_ + align - 1) & ~(align - 1);
    if (chunks_.empty() || offset + n > capacity_) {
      NewChunk(n + align);
      offset = 0;
    }
    used_ = offset + n;
    return chunks_.back().get() + offset;
  }

  void Reset() {
    if (chunks_.size() > 1) {
      // Keep one chunk as large as everything used so far, so the next fill fits in it.
      size_t total = total_;
      chunks_.clear();
      capacity_ = 0;
      total_ = 0;
      NewChunk(total);
    }
    used_ = 0;
  }

 private:
  void NewChunk(size_t at_least) {
    size_t size = std::max<size_t>(at_least, std::max<size_t>(capacity_ * 2, 1024));
    chunks_.emplace_back(new char[size]);
    capacity_ = size;
    total_ += size;
    used_ = 0;
  }

  std::vector<std::unique_ptr<char[]>> chunks_;
  size_t capacity_ = 0;
  size_t used_ = 0;
  size_t total_ = 0;
};

Bag::Bag(std::shared_ptr<const Vocabulary> vocabulary, const Bag* parent)
    : vocabulary_(std::move(vocabulary)), parent_(parent), slots_(vocabulary_->size()) {
  for (Slot& s : slots_) s.generation = 0;
}

const Bag::UnknownAttribute* Bag::FindUnknown(absl::string_view name) const {
  for (const UnknownAttribute& u : unknown_) {
    if (u.name == name) return &u;
  }
  return nullptr;
}

const Value* Bag::Find(absl::string_view name) const {
  if (absl::optional<AttributeInfo> info = vocabulary_->Find(name)) return Get(info->id);
  for (const Bag* b = this; b != nullptr; b = b->parent_) {
    if (const UnknownAttribute* u = b->FindUnknown(name)) return &u->value;
  }
  return nullptr;
}

void Bag::ForEach(absl::FunctionRef<void(absl::string_view, const Value&)> fn) const {
  // Known attributes in id order: gather the ids present anywhere in the chain.
  std::vector<uint32_t> ids;
  for (const Bag* b = this; b != nullptr; b = b->parent_) {
    ids.insert(ids.end(), b->present_.begin(), b->present_.end());
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  for (uint32_t id : ids) {
    if (const Value* v = Get(AttributeId{id})) fn(vocabulary_->name(AttributeId{id}), *v);
  }
  // Unknown attributes: the child's first, then parents' not shadowed.
  std::vector<absl::string_view> seen;
  for (const Bag* b = this; b != nullptr; b = b->parent_) {
    for (const UnknownAttribute& u : b->unknown_) {
      if (std::find(seen.begin(), seen.end(), u.name) != seen.end()) continue;
      seen.push_back(u.name);
      fn(u.name, u.value);
    }
  }
}

void Bag::ForEachOwn(
    absl::FunctionRef<void(absl::optional<AttributeId>, absl::string_view, const Value&)> fn)
    const {
  for (uint32_t id : present_) {
    fn(AttributeId{id}, vocabulary_->name(AttributeId{id}), slots_[id].value);
  }
  for (const UnknownAttribute& u : unknown_) fn(absl::nullopt, u.name, u.value);
}

size_t Bag::size() const {
  size_t n = 0;
  ForEach([&n](absl::string_view, const Value&) { ++n; });
  return n;
}

std::string Bag::DebugString() const {
  std::map<std::string, std::string> sorted;
  ForEach([&sorted](absl::string_view name, const Value& v) {
    sorted[std::string(name)] = v.DebugString();
  });
  std::string out;
  for (const auto& [name, text] : sorted) absl::StrAppend(&out, name, ": ", text, "\n");
  return out;
}

MutableBag::MutableBag(std::shared_ptr<const Vocabulary> vocabulary, const Bag* parent)
    : Bag(std::move(vocabulary), parent), arena_(std::make_unique<Arena>()) {}

MutableBag::~MutableBag() = default;

absl::string_view MutableBag::CopyToArena(absl::string_view bytes) {
  if (bytes.empty()) return absl::string_view();
  char* p = arena_->Allocate(bytes.size(), 1);
  std::memcpy(p, bytes.data(), bytes.size());
  return absl::string_view(p, bytes.size());
}

Value MutableBag::CopyValue(const Value& value) {
  switch (value.type()) {
    case ValueType::kString:
    case ValueType::kEmailAddress:
    case ValueType::kUri:
    case ValueType::kDnsName:
      return Value::StringOfType(value.type(), CopyToArena(value.string()));
    case ValueType::kIpAddress:
      return Value::IpAddress(CopyToArena(value.string()));
    case ValueType::kStringMap: {
      StringMapView m = value.string_map();
      if (m.empty()) return Value::StringMap(StringMapView());
      auto* entries = reinterpret_cast<StringMapEntry*>(
          arena_->Allocate(sizeof(StringMapEntry) * m.size(), alignof(StringMapEntry)));
      size_t i = 0;
      for (const StringMapEntry& e : m) {
        new (&entries[i++]) StringMapEntry{CopyToArena(e.key), CopyToArena(e.value)};
      }
      return Value::StringMap(StringMapView(entries, m.size()));
    }
    default:
      return value;
  }
}

absl::Status MutableBag::CheckSlot(AttributeId id, const Value& value) const {
  if (id.value >= slots_.size()) {
    return absl::InvalidArgumentError(absl::StrCat("attribute id ", id.value,
                                                   " is outside the vocabulary (size ",
                                                   slots_.size(), ")"));
  }
  if (value.type() != vocabulary_->type(id)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "attribute '", vocabulary_->name(id), "' has type ", ValueTypeName(vocabulary_->type(id)),
        ", got a value of type ", ValueTypeName(value.type())));
  }
  return absl::OkStatus();
}

void MutableBag::SetSlot(uint32_t id, const Value& value) {
  Slot& s = slots_[id];
  if (s.generation != generation_) {
    s.generation = generation_;
    present_.push_back(id);
  }
  s.value = value;
}

absl::Status MutableBag::Set(AttributeId id, const Value& value) {
  // Hot path once warm: no allocation, no string hashing.
  MIXLET_RETURN_IF_ERROR(CheckSlot(id, value));
  SetSlot(id.value, CopyValue(value));
  return absl::OkStatus();
}

absl::Status MutableBag::SetBorrowed(AttributeId id, const Value& value) {
  // Hot path once warm: no allocation, no string hashing.
  MIXLET_RETURN_IF_ERROR(CheckSlot(id, value));
  SetSlot(id.value, value);
  return absl::OkStatus();
}

absl::Status MutableBag::Set(absl::string_view name, const Value& value) {
  if (absl::optional<AttributeInfo> info = vocabulary_->Find(name)) return Set(info->id, value);
  if (!value.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat("attribute '", name, "': value has no type"));
  }
  Value copy = CopyValue(value);
  for (UnknownAttribute& u : unknown_) {
    if (u.name == name) {
      u.value = copy;
      return absl::OkStatus();
    }
  }
  unknown_.push_back({CopyToArena(name), copy});
  return absl::OkStatus();
}

bool MutableBag::Delete(AttributeId id) {
  if (id.value >= slots_.size() || slots_[id.value].generation != generation_) return false;
  slots_[id.value].generation = 0;
  present_.erase(std::find(present_.begin(), present_.end(), id.value));
  return true;
}

bool MutableBag::Delete(absl::string_view name) {
  if (absl::optional<AttributeInfo> info = vocabulary_->Find(name)) return Delete(info->id);
  for (auto it = unknown_.begin(); it != unknown_.end(); ++it) {
    if (it->name == name) {
      unknown_.erase(it);
      return true;
    }
  }
  return false;
}

void MutableBag::Reset() {
  // Hot path once warm: no allocation (the arena keeps one chunk as large as the last fill).
  present_.clear();
  unknown_.clear();
  arena_->Reset();
  if (++generation_ == 0) {
    // Wrapped after 2^32 resets: clear the stamps so no stale slot looks present.
    for (Slot& s : slots_) s.generation = 0;
    generation_ = 1;
  }
}

absl::Status MutableBag::Merge(const Bag& other) {
  absl::Status status;
  other.ForEach([&](absl::string_view name, const Value& v) {
    if (status.ok()) status = Set(name, v);
  });
  return status;
}

}  // namespace mixlet
