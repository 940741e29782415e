#include "mixlet/config/config_loader.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "config/yaml/yaml_reader.h"

namespace mixlet {

ConfigResources ParseConfigYaml(absl::string_view text, absl::string_view file_name) {
  ConfigResources resources;
  std::vector<config_internal::YamlDocument> documents =
      config_internal::ReadYamlDocuments(text, file_name, &resources.issues);
  for (const config_internal::YamlDocument& d : documents) {
    SourceLocation where;
    where.file = std::string(file_name);
    where.line = d.line;
    where.document = d.index;
    resources.AddDocument(d.root, where);
  }
  return resources;
}

ConfigResources LoadConfigResources(absl::Span<const std::string> paths) {
  ConfigResources all;
  for (const std::string& path : paths) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    if (in) text << in.rdbuf();
    if (!in || in.bad()) {
      ConfigIssue issue;
      issue.location.file = path;
      issue.message = absl::StrCat("cannot read file: ", std::strerror(errno));
      issue.effect = ConfigIssue::Effect::kDocumentSkipped;
      all.issues.push_back(std::move(issue));
      continue;
    }
    all.Append(ParseConfigYaml(text.str(), path));
  }
  return all;
}

ConfigBuildResult LoadConfig(absl::Span<const std::string> paths, const AdapterRegistry& adapters,
                             const ConfigOptions& options) {
  return BuildConfig(LoadConfigResources(paths), adapters, options);
}

}  // namespace mixlet
