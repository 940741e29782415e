// AdapterRegistry: the adapters an embedding program links in, by name.
//
// The config layer cannot link the adapters (they sit in higher layers), so the program that
// embeds mixlet registers the ones it has (e.g. the Prometheus adapter) and passes the registry
// to the config builder. A `handler` resource's `compiledAdapter` (or a legacy kind such as
// `kind: prometheus`) is looked up here. Adapters are shared: configurations built with the
// registry keep them alive. Fill the registry before use; after that it is immutable and
// thread-safe.
//
// Example:
//   AdapterRegistry adapters;
//   adapters.Register(std::make_shared<PrometheusAdapter>()).IgnoreError();
//   ConfigBuildResult result = BuildConfig(resources, adapters);
#ifndef MIXLET_CONFIG_ADAPTER_REGISTRY_H_
#define MIXLET_CONFIG_ADAPTER_REGISTRY_H_

#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "mixlet/config/adapter.h"

namespace mixlet {

class AdapterRegistry {
 public:
  AdapterRegistry() = default;

  // Adds `adapter`. InvalidArgument when it is null, its name is empty or already registered.
  absl::Status Register(std::shared_ptr<const Adapter> adapter);

  // The adapter named `name`, or nullptr.
  const std::shared_ptr<const Adapter>* Find(absl::string_view name) const;

  const std::vector<std::shared_ptr<const Adapter>>& adapters() const { return adapters_; }

 private:
  std::vector<std::shared_ptr<const Adapter>> adapters_;
};

}  // namespace mixlet

#endif  // MIXLET_CONFIG_ADAPTER_REGISTRY_H_
