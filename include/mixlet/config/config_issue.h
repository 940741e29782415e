// ConfigIssue: one problem found in a configuration, with where it was written.
//
// Validating a configuration never stops at the first problem: every check runs and each problem
// becomes one `ConfigIssue` naming the file, the line, the document (`kind/name`), the field path
// below the document (`spec.params.dimensions.source_version`) and, for an expression, the
// 1-based column inside the expression text. `ToString()` renders the one-line form used by
// `mixlet validate`:
//   tcp.yaml:12: instance/mongosentbytes: spec.params.value: unknown attribute 'x' at column 1
//
// In lenient mode (`ConfigOptions::lenient`) a configuration with issues is still applied the way
// Mixer applied it, and `effect` says which piece was left out because of the issue.
//
// Example:
//   for (const ConfigIssue& issue : result.issues) std::cerr << "error: " << issue << "\n";
#ifndef MIXLET_CONFIG_CONFIG_ISSUE_H_
#define MIXLET_CONFIG_CONFIG_ISSUE_H_

#include <ostream>
#include <string>

#include "absl/strings/string_view.h"

namespace mixlet {

// Where a resource (or one of its fields) was written. All zero/empty when built in code.
struct SourceLocation {
  std::string file;  // As given to the loader; "" when the resource was built in code.
  int line = 0;      // 1-based; 0 when unknown.
  int document = 0;  // 1-based index of the YAML document in `file`; 0 when unknown.
};

struct ConfigIssue {
  // What lenient mode left out because of this issue (Mixer's behaviour, config.md §1.3). In the
  // default strict mode any issue refuses the whole configuration, whatever its effect.
  enum class Effect {
    kNone,                       // Mixer logged it and applied everything (e.g. an unused handler).
    kDocumentSkipped,            // The YAML document or resource was not loaded at all.
    kInstanceInvalid,            // The instance is invalid: rules referencing it lose it.
    kHandlerDropped,             // The handler is not built: every action using it is dropped.
    kRuleDropped,                // The whole rule is skipped.
    kActionDropped,              // One action of a rule is dropped.
    kInstanceDroppedFromAction,  // One instance reference of an action is dropped.
  };

  SourceLocation location;
  std::string document;  // "kind/name", e.g. "rule/mongoprom"; "" for a file-level problem.
  std::string field;     // Path below the document, e.g. "spec.actions[0].handler"; may be "".
  int column = 0;        // For expression problems: 1-based column in the expression; else 0.
  std::string message;   // What is wrong, e.g. "unknown attribute 'x'".
  Effect effect = Effect::kNone;

  // `file:line: kind/name: field: message[ at column N]`; parts that are unknown are left out
  // (`file:doc N:` stands in for the line when only the document index is known).
  std::string ToString() const;
};

// A short description of `effect` for lenient-mode reports, e.g. "rule dropped".
absl::string_view ConfigIssueEffectName(ConfigIssue::Effect effect);

inline std::ostream& operator<<(std::ostream& os, const ConfigIssue& issue) {
  return os << issue.ToString();
}

}  // namespace mixlet

#endif  // MIXLET_CONFIG_CONFIG_ISSUE_H_
