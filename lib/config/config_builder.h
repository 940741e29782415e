// Internal: the steps of BuildConfig (config.h), exposed for the Config class's friend.
#ifndef MIXLET_LIB_CONFIG_CONFIG_BUILDER_H_
#define MIXLET_LIB_CONFIG_CONFIG_BUILDER_H_

#include <memory>
#include <string>
#include <vector>

#include "mixlet/config/config.h"

namespace mixlet {

// Grants the builder access to Config's private state while it fills a new snapshot.
class ConfigBuilderAccess {
 public:
  static std::shared_ptr<Config> New(std::shared_ptr<const Vocabulary> vocabulary,
                                     const CompilerOptions& options) {
    return std::shared_ptr<Config>(new Config(std::move(vocabulary), options));
  }
  static bool& lenient(Config& c) { return c.lenient_; }
  static std::vector<ConfiguredInstance>& instances(Config& c) { return c.instances_; }
  static std::vector<ConfiguredHandler>& handlers(Config& c) { return c.handlers_; }
  static std::vector<ConfiguredRule>& rules(Config& c) { return c.rules_; }
  static std::vector<ConfigIssue>& issues(Config& c) { return c.issues_; }
};

namespace config_internal {

// Resolves a reference `ref` written in a rule of namespace `ns` to the FQNs to try, in order
// (config.md §2): 0 dots -> ref.kind.ns; 1 dot (a.b) -> a.b.ns, then a.kind.b; else ref.
std::vector<std::string> ReferenceCandidates(absl::string_view ref, absl::string_view kind,
                                             absl::string_view ns);

}  // namespace config_internal
}  // namespace mixlet

#endif  // MIXLET_LIB_CONFIG_CONFIG_BUILDER_H_
