#include "router/protocol_split.h"

#include <array>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "mixlet/attribute/mutable_bag.h"

namespace mixlet::router_internal {
namespace {

// One pass over CEXL text at the level of brackets, skipping literals.
struct Scan {
  bool ok = true;                              // Balanced, literals closed, no comment.
  bool top_level_or = false;                   // A `||` outside every bracket.
  std::vector<size_t> top_level_and;           // Positions of `&&` outside every bracket.
  size_t first_group_end = std::string::npos;  // Where the bracket opened at 0 closes.
};

Scan ScanText(absl::string_view t) {
  Scan s;
  int depth = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    const char next = i + 1 < t.size() ? t[i + 1] : '\0';
    switch (c) {
      case '"':
      case '\'': {
        size_t j = i + 1;
        while (j < t.size() && t[j] != c) j += t[j] == '\\' ? 2 : 1;
        if (j >= t.size()) {
          s.ok = false;
          return s;
        }
        i = j;
        break;
      }
      case '`': {
        const size_t j = t.find('`', i + 1);
        if (j == absl::string_view::npos) {
          s.ok = false;
          return s;
        }
        i = j;
        break;
      }
      case '/':
        if (next == '/' || next == '*') {
          s.ok = false;  // Comments can hide line breaks; not worth splitting.
          return s;
        }
        break;
      case '(':
      case '[':
      case '{':
        ++depth;
        break;
      case ')':
      case ']':
      case '}':
        if (--depth < 0) {
          s.ok = false;
          return s;
        }
        if (depth == 0 && s.first_group_end == std::string::npos && t[0] == '(') {
          s.first_group_end = i;
        }
        break;
      case '&':
        if (next == '&') {
          if (depth == 0) s.top_level_and.push_back(i);
          ++i;
        }
        break;
      case '|':
        if (next == '|') {
          if (depth == 0) s.top_level_or = true;
          ++i;
        }
        break;
      default:
        break;
    }
  }
  if (depth != 0) s.ok = false;
  return s;
}

}  // namespace

std::vector<std::string> SplitTopLevelConjuncts(absl::string_view text) {
  absl::string_view t = absl::StripAsciiWhitespace(text);
  Scan scan = ScanText(t);
  // Parentheses around the whole text group nothing: look inside them.
  while (scan.ok && !t.empty() && t.front() == '(' && scan.first_group_end == t.size() - 1) {
    t = absl::StripAsciiWhitespace(t.substr(1, t.size() - 2));
    scan = ScanText(t);
  }
  if (!scan.ok || scan.top_level_or || scan.top_level_and.empty()) return {std::string(t)};
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t pos : scan.top_level_and) {
    out.emplace_back(absl::StripAsciiWhitespace(t.substr(start, pos - start)));
    start = pos + 2;
  }
  out.emplace_back(absl::StripAsciiWhitespace(t.substr(start)));
  return out;
}

MatchAnalysis AnalyzeMatch(const ConfiguredRule& rule, const Config& config) {
  MatchAnalysis a;
  if (!rule.match.has_value()) {
    a.residual_always = true;
    return a;
  }
  const std::shared_ptr<const Vocabulary>& vocabulary = config.vocabulary();
  const absl::optional<AttributeInfo> protocol = vocabulary->Find("context.protocol");
  const bool protocol_usable = protocol.has_value() && protocol->type == ValueType::kString;
  static constexpr std::array<absl::string_view, kDecidedProtocolCount> kValues = {"", "tcp",
                                                                                   "http", "grpc"};

  const std::vector<std::string> conjuncts = SplitTopLevelConjuncts(rule.match_text);
  std::vector<absl::string_view> kept;
  for (const std::string& c : conjuncts) {
    absl::StatusOr<Expression> e = config.compiler().Compile(c);
    if (!e.ok() || e->result_type() != ValueType::kBool) {
      kept.push_back(c);
      continue;
    }
    bool protocol_only = true;
    for (AttributeId id : e->attributes()) {
      if (!protocol_usable || id != protocol->id) protocol_only = false;
    }
    if (!protocol_only) {
      kept.push_back(c);
      continue;
    }
    ProtocolSet set = 0;
    for (int p = 0; p < kDecidedProtocolCount; ++p) {
      MutableBag bag(vocabulary);
      if (p != static_cast<int>(ReportProtocol::kAbsent) && protocol_usable) {
        if (!bag.Set(protocol->id, Value::String(kValues[p])).ok()) continue;
      }
      EvalContext ctx;
      Value v;
      if (e->Evaluate(bag, ctx, &v) && v.type() == ValueType::kBool && v.bool_value()) {
        set |= ProtocolBit(static_cast<ReportProtocol>(p));
      }
    }
    a.protocols &= set;
    a.has_protocol_conjunct = true;
  }
  if (!a.has_protocol_conjunct) {
    a.residual = rule.match;
    return a;
  }
  if (kept.empty()) {
    a.residual_always = true;
    return a;
  }
  std::string text;
  if (kept.size() == 1) {
    text = std::string(kept[0]);
  } else {
    text = absl::StrJoin(kept, " && ", [](std::string* out, absl::string_view k) {
      absl::StrAppend(out, "(", k, ")");
    });
  }
  absl::StatusOr<Expression> residual = config.compiler().Compile(text);
  if (residual.ok() && residual->result_type() == ValueType::kBool) {
    a.residual = std::move(residual).value();
  } else {
    a.residual = rule.match;  // Cannot happen for a valid match; the full match is always right.
  }
  return a;
}

}  // namespace mixlet::router_internal
