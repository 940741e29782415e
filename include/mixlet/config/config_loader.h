// Loading Istio's YAML configuration files (component mixlet::yaml, which links yaml-cpp).
//
// A file holds any number of `---`-separated documents, each one Mixer resource (`kind:
// instance`, `handler`, `rule`, `attributemanifest`, or a legacy per-template / per-adapter
// kind). Loading never stops at the first problem: a YAML syntax error skips the rest of its
// file, a document that does not decode is skipped, and each becomes a `ConfigIssue` in
// `ConfigResources::issues` with the file, line and document. `BuildConfig` (config.h) then
// validates everything; `LoadConfig` does both.
//
// Example:
//   ConfigBuildResult r = LoadConfig({"tcp-metrics.yaml"}, adapters);
//   if (!r.ok()) for (const ConfigIssue& i : r.issues) std::cerr << "error: " << i << "\n";
#ifndef MIXLET_CONFIG_CONFIG_LOADER_H_
#define MIXLET_CONFIG_CONFIG_LOADER_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "mixlet/config/config.h"
#include "mixlet/config/resources.h"

namespace mixlet {

// Decodes YAML `text` as if read from a file named `file_name` (used in issues).
ConfigResources ParseConfigYaml(absl::string_view text, absl::string_view file_name);

// Reads and decodes every file in order. A file that cannot be read becomes an issue.
ConfigResources LoadConfigResources(absl::Span<const std::string> paths);

// LoadConfigResources + BuildConfig. The issues of both steps are in the result.
ConfigBuildResult LoadConfig(absl::Span<const std::string> paths, const AdapterRegistry& adapters,
                             const ConfigOptions& options = ConfigOptions());

}  // namespace mixlet

#endif  // MIXLET_CONFIG_CONFIG_LOADER_H_
