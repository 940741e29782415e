// Router: dispatches attribute bags (one per report) through a Config snapshot to handlers.
//
// The router applies Mixer 1.4–1.7's rule selection (config.md §4) for the REPORT variety:
//   1. the identity namespace comes from `context.reporter.kind` (absent = "inbound"):
//      inbound -> `destination.namespace`, outbound -> `source.namespace`, other -> "";
//   2. the candidate rules are those of the default config namespace (`istio-system`) followed
//      by those of the identity namespace; rules of any other namespace never apply;
//   3. each candidate's match is evaluated (empty = true; an evaluation error counts as false);
//   4. every instance of a matching action is built from the bag, once per report even when
//      several actions use it; an instance whose field fails to evaluate is dropped, the others
//      are kept; each handler then receives its instances in one `Handle` call.
// On top of that it files each rule, when the snapshot is built, under the protocols it can
// match: every top-level `&&` conjunct of the match that reads nothing but `context.protocol`
// is evaluated for `tcp`, `http`, `grpc` and an absent protocol, and the rule is kept only where
// all of them are true (the conjuncts themselves are then dropped from the match evaluated at
// dispatch). A report whose `context.protocol` is any other value evaluates every candidate's
// full match, as Mixer did. The split never changes which rules match (`protocol_split = false`
// turns it off for comparison).
//
// A Router is immutable after `Build` and `Dispatch` is safe from many threads at once; each
// thread uses its own scratch space, so dispatch takes no lock and, once warm, allocates nothing
// itself (the handlers must not either). `Build` builds a handler for every handler a rule can
// reach, or keeps the previous router's handler object when its adapter, params and instance
// descriptors are unchanged, so handler state (counters) survives reloads.
//
// Example:
//   RouterBuildResult built = Router::Build(config);
//   if (!built.ok()) return;                      // built.issues says why
//   DispatchResult r = built.router->Dispatch(bag);
//   std::cout << built.router->Explain(bag).ToString();
#ifndef MIXLET_ROUTER_ROUTER_H_
#define MIXLET_ROUTER_ROUTER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "mixlet/attribute/bag.h"
#include "mixlet/config/adapter.h"
#include "mixlet/config/config.h"
#include "mixlet/config/config_issue.h"

namespace mixlet {

// How the router classifies a report's `context.protocol`.
enum class ReportProtocol : uint8_t {
  kAbsent = 0,  // No `context.protocol` in the bag.
  kTcp = 1,     // "tcp"
  kHttp = 2,    // "http"
  kGrpc = 3,    // "grpc"
  kOther = 4,   // Any other value: undecided, every candidate's full match is evaluated.
};
// The protocol classes decided at config time (kAbsent .. kGrpc).
inline constexpr int kDecidedProtocolCount = 4;

// A set of decided protocol classes, bit `1 << int(protocol)`.
using ProtocolSet = uint8_t;
inline constexpr ProtocolSet kAllProtocols = 0x0f;
constexpr ProtocolSet ProtocolBit(ReportProtocol p) {
  return static_cast<ProtocolSet>(1u << static_cast<int>(p));
}

// "absent", "tcp", "http", "grpc", "other".
absl::string_view ReportProtocolName(ReportProtocol p);
// "any" for kAllProtocols, "none" for 0, else names joined by "|" in class order ("http|grpc").
std::string ProtocolSetText(ProtocolSet set);

struct RouterOptions {
  // Mixer's `--configDefaultNamespace`: its rules apply to every report.
  std::string default_namespace = "istio-system";
  // File rules under the protocols their match allows (see the header comment).
  bool protocol_split = true;
};

// What one `Dispatch` did. Cheap to return; no allocation.
struct DispatchResult {
  uint32_t rules_evaluated = 0;  // Candidate rules whose match was evaluated (or empty).
  uint32_t rules_matched = 0;
  uint32_t match_errors = 0;     // Matches that failed to evaluate (counted as false).
  uint32_t instances_built = 0;  // Distinct instances built successfully.
  uint32_t instance_errors = 0;  // Distinct instances dropped because a field failed.
  uint32_t handler_calls = 0;    // `Handler::Handle` calls made.
};

// Why one rule did or did not apply to a bag (`Router::Explain`).
struct RuleExplanation {
  enum class Outcome {
    kMatched,         // The match was true: its instances were built.
    kMatchFalse,      // A candidate whose match evaluated to false.
    kMatchError,      // A candidate whose match failed to evaluate (counts as false).
    kWrongProtocol,   // Filed away from this report's protocol by the protocol split.
    kWrongNamespace,  // Its namespace is neither the default nor the identity namespace.
    kNoActions,       // Every action was dropped (its handler failed to build, lenient mode).
  };
  struct InstanceResult {
    std::string instance;  // FQN
    std::string handler;   // FQN
    bool built = false;
    std::string error;  // Why it was dropped, when !built.
    // Field name -> canonical text of its value ("<none>" for an empty field).
    std::vector<std::pair<std::string, std::string>> fields;
  };

  std::string rule;  // FQN
  Outcome outcome = Outcome::kMatchFalse;
  std::string reason;                     // One line for every outcome but kMatched.
  std::vector<InstanceResult> instances;  // For kMatched.
};

struct Explanation {
  std::string reporter_kind;       // As used ("inbound" when absent).
  std::string identity_namespace;  // "" when none.
  std::string protocol;            // The bag's `context.protocol`, or "<absent>".
  ReportProtocol protocol_class = ReportProtocol::kAbsent;
  // Candidates in evaluation order first, then every other rule in config order.
  std::vector<RuleExplanation> rules;

  // A readable multi-line report (for `mixlet report --explain`).
  std::string ToString() const;
};

class Router;

struct RouterBuildResult {
  std::shared_ptr<const Router> router;  // Null when a handler failed to build (strict mode).
  // Handlers that failed to build. In lenient mode (`Config::lenient()`) the router is still
  // built without them and without the actions that use them.
  std::vector<ConfigIssue> issues;
  bool ok() const { return router != nullptr; }
};

namespace router_internal {
struct Tables;
}  // namespace router_internal

class Router {
 public:
  // Builds the dispatch tables and the handlers for `config`. `previous` (optional) lends its
  // handler objects where nothing about them changed.
  static RouterBuildResult Build(std::shared_ptr<const Config> config,
                                 RouterOptions options = RouterOptions(),
                                 const Router* previous = nullptr);

  // Not copyable: share it as std::shared_ptr<const Router>.
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;
  ~Router();

  // Hot path: selects the candidate rules, evaluates their matches, builds the instances of
  // matching actions and calls each handler once with its batch. No allocation once this thread
  // has dispatched through this router, provided the bag uses the config's vocabulary (or the
  // standard vocabulary the config extends); a bag of another vocabulary is converted first
  // (slow path). Handlers must not call Dispatch on the same thread from `Handle`
  // (it works, through a slow path).
  DispatchResult Dispatch(const Bag& bag) const;

  // Slow path, no handler is called: what `Dispatch` would do with `bag`, and why.
  Explanation Explain(const Bag& bag) const;

  const Config& config() const;
  const std::shared_ptr<const Config>& shared_config() const;
  const RouterOptions& options() const;

  // The protocols under which config().rules()[rule] is filed (kAllProtocols when the split is
  // off or the match has no protocol-only conjunct).
  ProtocolSet rule_protocols(size_t rule) const;
  // The handler built for config().handlers()[handler], or null when no surviving action uses
  // it (or it failed to build in lenient mode).
  const std::shared_ptr<Handler>& handler(size_t handler) const;

 private:
  explicit Router(std::unique_ptr<const router_internal::Tables> tables);
  std::unique_ptr<const router_internal::Tables> tables_;
};

}  // namespace mixlet

#endif  // MIXLET_ROUTER_ROUTER_H_
