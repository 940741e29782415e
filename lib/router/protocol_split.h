// Internal: the protocol split — which protocols a rule's match can be true for, decided when
// the config snapshot is built (router.h explains the rule).
#ifndef MIXLET_LIB_ROUTER_PROTOCOL_SPLIT_H_
#define MIXLET_LIB_ROUTER_PROTOCOL_SPLIT_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "mixlet/config/config.h"
#include "mixlet/expr/expression.h"
#include "mixlet/router/router.h"

namespace mixlet::router_internal {

// The top-level `&&` operands of CEXL `text`, trimmed, after removing parentheses that wrap the
// whole text. `&&` binds tighter than `||`, so a text with a top-level `||` is one operand; so is
// a text with a comment or unbalanced brackets (not split, to stay on the safe side).
// Strings, raw strings and character literals are skipped.
std::vector<std::string> SplitTopLevelConjuncts(absl::string_view text);

struct MatchAnalysis {
  // The protocols for which every protocol-only conjunct evaluates to true.
  ProtocolSet protocols = kAllProtocols;
  // True when at least one conjunct reads nothing but `context.protocol`.
  bool has_protocol_conjunct = false;
  // The match without its protocol-only conjuncts, valid for every protocol in `protocols`:
  // nullopt with `residual_always` when nothing is left (always true).
  absl::optional<Expression> residual;
  bool residual_always = false;
};

// Analyses `rule`'s match against `config`'s vocabulary. A rule without a match gets every
// protocol and an always-true residual. Conjuncts are evaluated with expressions compiled by
// `config.compiler()`; functions are assumed to be pure.
MatchAnalysis AnalyzeMatch(const ConfiguredRule& rule, const Config& config);

}  // namespace mixlet::router_internal

#endif  // MIXLET_LIB_ROUTER_PROTOCOL_SPLIT_H_
