#include "mixlet/config/config_issue.h"

#include "absl/strings/str_cat.h"

namespace mixlet {

std::string ConfigIssue::ToString() const {
  std::string out;
  if (!location.file.empty()) {
    if (location.line > 0) {
      absl::StrAppend(&out, location.file, ":", location.line, ": ");
    } else if (location.document > 0) {
      absl::StrAppend(&out, location.file, ":doc ", location.document, ": ");
    } else {
      absl::StrAppend(&out, location.file, ": ");
    }
  } else if (location.line > 0) {
    absl::StrAppend(&out, "line ", location.line, ": ");
  }
  if (!document.empty()) absl::StrAppend(&out, document, ": ");
  if (!field.empty()) absl::StrAppend(&out, field, ": ");
  absl::StrAppend(&out, message);
  if (column > 0) absl::StrAppend(&out, " at column ", column);
  return out;
}

absl::string_view ConfigIssueEffectName(ConfigIssue::Effect effect) {
  switch (effect) {
    case ConfigIssue::Effect::kNone:
      return "nothing dropped";
    case ConfigIssue::Effect::kDocumentSkipped:
      return "document skipped";
    case ConfigIssue::Effect::kInstanceInvalid:
      return "instance invalid";
    case ConfigIssue::Effect::kHandlerDropped:
      return "handler dropped";
    case ConfigIssue::Effect::kRuleDropped:
      return "rule dropped";
    case ConfigIssue::Effect::kActionDropped:
      return "action dropped";
    case ConfigIssue::Effect::kInstanceDroppedFromAction:
      return "instance dropped from action";
  }
  return "unknown effect";
}

}  // namespace mixlet
