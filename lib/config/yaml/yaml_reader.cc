#include "config/yaml/yaml_reader.h"

#include <cmath>
#include <cstdlib>
#include <exception>
#include <limits>
#include <sstream>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "re2/re2.h"
#include "yaml-cpp/eventhandler.h"
#include "yaml-cpp/exceptions.h"
#include "yaml-cpp/mark.h"
#include "yaml-cpp/parser.h"

namespace mixlet::config_internal {
namespace {

constexpr absl::string_view kTagPrefix = "tag:yaml.org,2002:";

bool IsNullText(absl::string_view s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

absl::optional<bool> BoolText(absl::string_view s) {
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  return absl::nullopt;
}

// The YAML 1.2 core schema's integer and float forms.
absl::optional<double> NumberText(absl::string_view s) {
  static const RE2* const kDecimal = new RE2(R"([-+]?[0-9]+)");
  static const RE2* const kOctal = new RE2(R"(0o[0-7]+)");
  static const RE2* const kHex = new RE2(R"(0x[0-9a-fA-F]+)");
  static const RE2* const kFloat =
      new RE2(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  static const RE2* const kInf = new RE2(R"([-+]?\.(inf|Inf|INF))");
  static const RE2* const kNan = new RE2(R"(\.(nan|NaN|NAN))");
  const re2::StringPiece text(s.data(), s.size());
  if (RE2::FullMatch(text, *kOctal) || RE2::FullMatch(text, *kHex)) {
    const std::string digits(s.substr(2));
    return static_cast<double>(std::strtoull(digits.c_str(), nullptr, s[1] == 'o' ? 8 : 16));
  }
  if (RE2::FullMatch(text, *kDecimal) || RE2::FullMatch(text, *kFloat)) {
    double d = 0;
    if (absl::SimpleAtod(s, &d)) return d;
    return absl::nullopt;
  }
  if (RE2::FullMatch(text, *kInf)) {
    return s[0] == '-' ? -std::numeric_limits<double>::infinity()
                       : std::numeric_limits<double>::infinity();
  }
  if (RE2::FullMatch(text, *kNan)) return std::numeric_limits<double>::quiet_NaN();
  return absl::nullopt;
}

size_t CountNodes(const ParamValue& v) {
  size_t n = 1;
  for (const ParamValue& item : v.list()) n += CountNodes(item);
  for (const auto& entry : v.map()) n += CountNodes(entry.second);
  return n;
}

// Thrown from inside yaml-cpp's callbacks to stop a parse that must not go on; caught in
// ReadYamlDocuments, like yaml-cpp's own exceptions.
struct StopParsing : std::exception {
  StopParsing(std::string m, int l) : message(std::move(m)), line(l) {}
  const char* what() const noexcept override { return message.c_str(); }
  std::string message;
  int line;
};

// Builds ParamValue trees from yaml-cpp's parse events with an explicit stack (no recursion
// over the input). A problem inside a document marks it failed; its remaining events are
// ignored and the document is dropped at its end.
class TreeBuilder : public YAML::EventHandler {
 public:
  explicit TreeBuilder(const YamlLimits& limits) : limits_(limits) {}

  struct Finished {
    YamlDocument document;
    bool failed = false;
    std::string error;
    int error_line = 0;
  };

  void OnDocumentStart(const YAML::Mark& mark) override {
    // yaml-cpp 0.7 can report empty documents forever at one position (a stray `,` in block
    // context, upstream issue 1040): a document must start past the previous one.
    if (index_ > 0 && mark.pos <= last_start_) {
      throw StopParsing("the parser stopped making progress (a stray ',' or flow indicator?)",
                        mark.line + 1);
    }
    if (index_ >= limits_.max_documents) {
      throw StopParsing(absl::StrCat("more than ", limits_.max_documents, " documents"),
                        mark.line + 1);
    }
    last_start_ = mark.pos;
    ++index_;
    stack_.clear();
    anchors_.clear();
    root_ = ParamValue();
    root_line_ = mark.line + 1;
    has_root_ = false;
    failed_ = false;
    error_.clear();
    nodes_ = 0;
  }

  void OnDocumentEnd() override {
    Finished f;
    f.document.root = std::move(root_);
    f.document.line = root_line_;
    f.document.index = index_;
    f.failed = failed_;
    f.error = std::move(error_);
    f.error_line = error_line_;
    finished_.push_back(std::move(f));
  }

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (failed_) return;
    if (ExpectingKey()) {
      Fail(mark, "a map key must not be empty");
      return;
    }
    ParamValue v;
    v.set_position(mark.line + 1, mark.column + 1);
    Deliver(std::move(v), anchor, 1);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (failed_) return;
    if (ExpectingKey()) {
      Fail(mark, "an alias cannot be a map key");
      return;
    }
    if (anchor >= anchors_.size() || !anchors_[anchor].has_value()) {
      Fail(mark, "alias to an anchor that is not complete here");
      return;
    }
    const auto& [value, count] = *anchors_[anchor];
    Deliver(ParamValue(value), 0, count);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& text) override {
    if (failed_) return;
    if (ExpectingKey()) {
      Frame& f = stack_.back();
      if (!f.keys.insert(text).second) {
        Fail(mark, absl::StrCat("duplicate key '", text, "'"));
        return;
      }
      f.key = text;
      f.has_key = true;
      return;
    }
    ParamValue v;
    if (!Resolve(tag, text, &v)) {
      Fail(mark, absl::StrCat("'", text, "' is not a valid ", tag.substr(kTagPrefix.size())));
      return;
    }
    v.set_position(mark.line + 1, mark.column + 1);
    Deliver(std::move(v), anchor, 1);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Open(mark, anchor, /*is_map=*/false);
  }
  void OnSequenceEnd() override { Close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Open(mark, anchor, /*is_map=*/true);
  }
  void OnMapEnd() override { Close(); }

  std::vector<Finished>& finished() { return finished_; }
  int documents_seen() const { return index_; }

 private:
  struct Frame {
    bool is_map = false;
    int line = 0;
    int column = 0;
    YAML::anchor_t anchor = 0;
    size_t nodes = 1;
    std::vector<ParamValue> items;
    std::vector<std::pair<std::string, ParamValue>> entries;
    absl::flat_hash_set<std::string> keys;
    std::string key;
    bool has_key = false;
  };

  bool ExpectingKey() const {
    return !stack_.empty() && stack_.back().is_map && !stack_.back().has_key;
  }

  void Open(const YAML::Mark& mark, YAML::anchor_t anchor, bool is_map) {
    if (failed_) {
      ++ignored_depth_;
      return;
    }
    if (ExpectingKey()) {
      Fail(mark, "a map key must be a plain value, not a map or a list");
      ++ignored_depth_;
      return;
    }
    if (static_cast<int>(stack_.size()) >= limits_.max_depth) {
      Fail(mark, absl::StrCat("nested deeper than ", limits_.max_depth, " levels"));
      ++ignored_depth_;
      return;
    }
    Frame f;
    f.is_map = is_map;
    f.line = mark.line + 1;
    f.column = mark.column + 1;
    f.anchor = anchor;
    stack_.push_back(std::move(f));
  }

  void Close() {
    if (ignored_depth_ > 0) {
      --ignored_depth_;
      return;
    }
    if (failed_ || stack_.empty()) return;
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    ParamValue v =
        f.is_map ? ParamValue::Map(std::move(f.entries)) : ParamValue::List(std::move(f.items));
    v.set_position(f.line, f.column);
    Deliver(std::move(v), f.anchor, f.nodes);
  }

  // Hands a finished node to its parent (or makes it the root) and records its anchor.
  void Deliver(ParamValue v, YAML::anchor_t anchor, size_t count) {
    nodes_ += count;
    if (nodes_ > limits_.max_nodes) {
      Fail(YAML::Mark(),
           absl::StrCat("more than ", limits_.max_nodes, " nodes (after expanding aliases)"));
      return;
    }
    if (anchor != 0) {
      if (anchors_.size() <= anchor) anchors_.resize(anchor + 1);
      anchors_[anchor].emplace(v, count);
    }
    if (stack_.empty()) {
      if (v.line() > 0) root_line_ = v.line();
      root_ = std::move(v);
      has_root_ = true;
      return;
    }
    Frame& parent = stack_.back();
    parent.nodes += count;
    if (parent.is_map) {
      parent.entries.emplace_back(std::move(parent.key), std::move(v));
      parent.key.clear();
      parent.has_key = false;
    } else {
      parent.items.push_back(std::move(v));
    }
  }

  static bool Resolve(const std::string& tag, const std::string& text, ParamValue* out) {
    if (tag == "?") {  // A plain scalar: the core schema decides.
      if (IsNullText(text)) return true;
      if (absl::optional<bool> b = BoolText(text)) {
        *out = ParamValue::Bool(*b);
      } else if (absl::optional<double> d = NumberText(text)) {
        *out = ParamValue::Number(*d);
      } else {
        *out = ParamValue::String(text);
      }
      return true;
    }
    if (!absl::StartsWith(tag, kTagPrefix)) {  // "!" (quoted or block) or a local tag.
      *out = ParamValue::String(text);
      return true;
    }
    const absl::string_view kind = absl::string_view(tag).substr(kTagPrefix.size());
    if (kind == "str") {
      *out = ParamValue::String(text);
    } else if (kind == "null") {
      if (!IsNullText(text)) return false;
    } else if (kind == "bool") {
      absl::optional<bool> b = BoolText(text);
      if (!b.has_value()) return false;
      *out = ParamValue::Bool(*b);
    } else if (kind == "int" || kind == "float") {
      absl::optional<double> d = NumberText(text);
      if (!d.has_value()) return false;
      *out = ParamValue::Number(*d);
    } else {
      *out = ParamValue::String(text);
    }
    return true;
  }

  void Fail(const YAML::Mark& mark, std::string message) {
    if (failed_) return;
    failed_ = true;
    error_ = std::move(message);
    error_line_ = mark.line >= 0 && (mark.line > 0 || mark.column > 0) ? mark.line + 1 : 0;
    // Frames still open are closed by their end events, which the failed state ignores.
    ignored_depth_ = static_cast<int>(stack_.size());
    stack_.clear();
  }

  const YamlLimits& limits_;
  int index_ = 0;
  int last_start_ = -1;
  std::vector<Frame> stack_;
  std::vector<absl::optional<std::pair<ParamValue, size_t>>> anchors_;
  ParamValue root_;
  int root_line_ = 0;
  bool has_root_ = false;
  bool failed_ = false;
  std::string error_;
  int error_line_ = 0;
  int ignored_depth_ = 0;
  size_t nodes_ = 0;
  std::vector<Finished> finished_;
};

}  // namespace

std::vector<YamlDocument> ReadYamlDocuments(absl::string_view text, absl::string_view file,
                                            std::vector<ConfigIssue>* issues,
                                            const YamlLimits& limits) {
  std::vector<YamlDocument> out;
  TreeBuilder builder(limits);
  auto issue = [&](int line, int document, std::string message) {
    ConfigIssue i;
    i.location.file = std::string(file);
    i.location.line = line;
    i.location.document = document;
    i.message = std::move(message);
    i.effect = ConfigIssue::Effect::kDocumentSkipped;
    issues->push_back(std::move(i));
  };
  // yaml-cpp reports errors by throwing; they stop here.
  try {
    std::istringstream in{std::string(text)};
    YAML::Parser parser(in);
    while (parser.HandleNextDocument(builder)) {
    }
  } catch (const StopParsing& e) {
    issue(e.line, builder.documents_seen(),
          absl::StrCat("invalid YAML: ", e.message, "; the rest of the file is skipped"));
  } catch (const YAML::Exception& e) {
    const int line = e.mark.is_null() ? 0 : e.mark.line + 1;
    const int column = e.mark.is_null() ? 0 : e.mark.column + 1;
    issue(line, builder.documents_seen(),
          absl::StrCat("invalid YAML: ", e.msg,
                       column > 0 ? absl::StrCat(" (column ", column, ")") : "",
                       "; this document and the rest of the file are skipped"));
  } catch (const std::exception& e) {
    issue(0, builder.documents_seen(),
          absl::StrCat("cannot read YAML: ", e.what(), "; the rest of the file is skipped"));
  }
  for (TreeBuilder::Finished& f : builder.finished()) {
    if (f.failed) {
      issue(f.error_line > 0 ? f.error_line : f.document.line, f.document.index,
            absl::StrCat("invalid YAML: ", f.error, "; the document is skipped"));
      continue;
    }
    out.push_back(std::move(f.document));
  }
  return out;
}

}  // namespace mixlet::config_internal
