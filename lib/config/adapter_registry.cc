#include "mixlet/config/adapter_registry.h"

#include "absl/strings/str_cat.h"

namespace mixlet {

absl::Status AdapterRegistry::Register(std::shared_ptr<const Adapter> adapter) {
  if (adapter == nullptr) return absl::InvalidArgumentError("adapter must not be null");
  if (adapter->name().empty()) return absl::InvalidArgumentError("adapter name must not be empty");
  if (Find(adapter->name()) != nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("adapter '", adapter->name(), "' is already registered"));
  }
  adapters_.push_back(std::move(adapter));
  return absl::OkStatus();
}

const std::shared_ptr<const Adapter>* AdapterRegistry::Find(absl::string_view name) const {
  for (const auto& a : adapters_) {
    if (a->name() == name) return &a;
  }
  return nullptr;
}

}  // namespace mixlet
