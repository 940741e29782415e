#include "mixlet/config/config.h"

#include "absl/strings/str_cat.h"

namespace mixlet {

Config::Config(std::shared_ptr<const Vocabulary> vocabulary, CompilerOptions compiler_options)
    : vocabulary_(vocabulary), compiler_(std::move(vocabulary), compiler_options) {}

Config::~Config() = default;

int Config::FindInstance(absl::string_view fqn) const {
  for (size_t i = 0; i < instances_.size(); ++i) {
    if (instances_[i].descriptor->name == fqn) return static_cast<int>(i);
  }
  return -1;
}

int Config::FindHandler(absl::string_view fqn) const {
  for (size_t i = 0; i < handlers_.size(); ++i) {
    if (handlers_[i].fqn == fqn) return static_cast<int>(i);
  }
  return -1;
}

std::string Config::Summary() const {
  auto count = [](size_t n, absl::string_view one, absl::string_view many) {
    return absl::StrCat(n, " ", n == 1 ? one : many);
  };
  return absl::StrCat(count(instances_.size(), "instance", "instances"), ", ",
                      count(handlers_.size(), "handler", "handlers"), ", ",
                      count(rules_.size(), "rule", "rules"));
}

absl::Status ConfigBuildResult::status() const {
  if (ok()) return absl::OkStatus();  // Lenient mode applied it: its issues are reports.
  std::string message = absl::StrCat("configuration refused: ", issues.size(),
                                     issues.size() == 1 ? " problem" : " problems");
  for (const ConfigIssue& issue : issues) absl::StrAppend(&message, "\n", issue.ToString());
  return absl::InvalidArgumentError(message);
}

}  // namespace mixlet
