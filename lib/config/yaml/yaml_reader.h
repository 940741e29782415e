// Internal: YAML text -> ParamValue documents with source positions. The only code of mixlet
// that includes yaml-cpp (component mixlet::yaml).
#ifndef MIXLET_LIB_CONFIG_YAML_YAML_READER_H_
#define MIXLET_LIB_CONFIG_YAML_YAML_READER_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "mixlet/config/config_issue.h"
#include "mixlet/config/params.h"

namespace mixlet::config_internal {

struct YamlDocument {
  ParamValue root;  // kNull for an empty document.
  int line = 0;     // 1-based line of the document's first node.
  int index = 0;    // 1-based position among the file's documents.
};

// Limits that keep hostile input from exhausting the stack or memory.
struct YamlLimits {
  int max_depth = 200;         // Nesting of maps and lists.
  size_t max_nodes = 1000000;  // Nodes per document, aliases expanded.
  int max_documents = 100000;  // Documents per file.
};

// Reads every document of `text`. Plain scalars resolve by the YAML 1.2 core schema (null,
// booleans, integers including 0x/0o forms, floats including .inf/.nan); quoted and block
// scalars are strings; `!!str`, `!!int`, `!!float`, `!!bool` and `!!null` tags are honoured.
// Map keys must be scalars and unique. A syntax error ends the file: the documents before it
// are returned and one issue (with `file`, line and column) is appended to `issues`; a
// document with a structural problem (duplicate key, too deep) is left out with an issue.
std::vector<YamlDocument> ReadYamlDocuments(absl::string_view text, absl::string_view file,
                                            std::vector<ConfigIssue>* issues,
                                            const YamlLimits& limits = YamlLimits());

}  // namespace mixlet::config_internal

#endif  // MIXLET_LIB_CONFIG_YAML_YAML_READER_H_
