// Internal: the dispatch tables of one Router, decided when it is built. Everything the hot path
// touches is an index into flat arrays.
#ifndef MIXLET_LIB_ROUTER_ROUTER_TABLES_H_
#define MIXLET_LIB_ROUTER_ROUTER_TABLES_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/types/optional.h"
#include "mixlet/config/config.h"
#include "mixlet/expr/expression.h"
#include "mixlet/router/router.h"
#include "mixlet/value/owned_value.h"
#include "router/fast_path.h"

namespace mixlet::router_internal {

// Number of protocol classes a table row has: the decided ones plus kOther.
inline constexpr int kProtocolClasses = kDecidedProtocolCount + 1;

// Where one instance field's value comes from. The shapes FastExpression recognises are
// spelled out here, in as few kinds as possible (the hot loop branches on the kind of every
// field); they cost a bag lookup, so they are recomputed per field rather than memoised.
struct FieldSource {
  enum class Kind : uint8_t {
    kAttributeOr,  // bag[attribute], else `*value`, else (value null) an error. With the
                   // attribute kNoAttribute it is a constant (or `Value()` for an empty field).
    kMapKeyOr,     // bag[attribute][text], or `*value`.
    kChoose,       // (bag[attribute] | text2) == text ? *value : *value2.
    kExpression,   // The evaluator, memoised per report: `expressions[index]`.
  };
  // An id no vocabulary issues: a bag never holds it.
  static constexpr AttributeId kNoAttribute{UINT32_MAX};

  Kind kind = Kind::kAttributeOr;
  AttributeId attribute = kNoAttribute;
  uint32_t index = 0;
  const Value* value = nullptr;
  const Value* value2 = nullptr;
  absl::string_view text;
  absl::string_view text2;

  // Same source: the field always has the same value as the other in one report.
  bool SameAs(const FieldSource& o) const {
    return kind == o.kind && attribute == o.attribute && index == o.index && value == o.value &&
           value2 == o.value2 && text.data() == o.text.data() && text.size() == o.text.size() &&
           text2.data() == o.text2.data() && text2.size() == o.text2.size();
  }
};

struct InstanceEntry {
  const InstanceDescriptor* descriptor = nullptr;
  uint32_t first_field = 0;  // Into Tables::fields and the scratch field values.
  uint32_t field_count = 0;
  uint32_t config_index = 0;
  // Istio's instances repeat the same dimensions: fields [shared_begin, shared_end) have the
  // very sources of the same fields of instance `donor` (an earlier entry), so when the donor
  // was built for this report they are copied from it instead of computed. -1: no donor.
  int32_t donor = -1;
  uint32_t shared_begin = 0;
  uint32_t shared_end = 0;
};

struct HandlerEntry {
  Handler* handler = nullptr;
  uint32_t batch_offset = 0;    // Into the scratch batch array.
  uint32_t batch_capacity = 0;  // Number of (rule action, instance) pairs reaching it.
  uint32_t config_index = 0;
};

// One instance sent to one handler by one rule action.
struct Delivery {
  uint32_t handler = 0;   // Into Tables::handlers.
  uint32_t instance = 0;  // Into Tables::instances.
};

struct RuleEntry {
  uint32_t config_index = 0;
  uint32_t first_delivery = 0;
  uint32_t delivery_count = 0;
  ProtocolSet protocols = kAllProtocols;
  const Expression* full_match = nullptr;  // Null: always true.
  const Expression* residual = nullptr;    // For the protocols in `protocols`; null: always true.
  const FastExpression* fast_full = nullptr;  // Shortcuts for the two, or null.
  const FastExpression* fast_residual = nullptr;
};

// A run of consecutive candidates whose matches all read `attr == "literal"` for one STRING
// attribute (typically `destination.service.host`, one rule per service): dispatch reads the
// attribute once and finds the rules with that literal by binary search over integer keys (the
// length and first 8 bytes), then confirms each with a byte comparison. No hashing.
struct EqualityGroup {
  struct Entry {
    uint64_t length = 0;
    uint64_t prefix = 0;  // The first 8 bytes, zero-padded.
    std::string literal;
    uint32_t position = 0;  // In the run, to keep rule order among equal literals.
    uint32_t rule = 0;      // Into Tables::rules.
    bool operator<(const Entry& o) const {
      if (length != o.length) return length < o.length;
      if (prefix != o.prefix) return prefix < o.prefix;
      return position < o.position;
    }
  };
  AttributeId attribute;
  std::vector<Entry> entries;  // Sorted.

  static uint64_t Prefix(absl::string_view s) {
    uint64_t p = 0;
    for (size_t i = 0; i < s.size() && i < 8; ++i)
      p |= uint64_t{static_cast<uint8_t>(s[i])} << (8 * i);
    return p;
  }
};

struct Candidate {
  uint32_t rule = 0;                     // Into Tables::rules.
  const Expression* match = nullptr;     // Null: always true.
  const FastExpression* fast = nullptr;  // `match` without the evaluator, when recognised.
  const EqualityGroup* group = nullptr;  // Dispatch only: stands for a whole run of rules.
};

struct Tables {
  uint64_t id = 0;  // Unique per Router for the process; keys the per-thread scratch.
  std::shared_ptr<const Config> config;
  RouterOptions options;
  const Vocabulary* vocabulary = nullptr;
  // A second vocabulary whose ids this one extends unchanged (the standard one), or null.
  const Vocabulary* compatible_vocabulary = nullptr;

  absl::optional<AttributeId> reporter_kind;
  absl::optional<AttributeId> destination_namespace;
  absl::optional<AttributeId> source_namespace;
  absl::optional<AttributeId> protocol;

  // Distinct field expressions left to the evaluator (by text), recognised shapes and folded
  // constants; FieldSource points into the deques, whose elements never move.
  std::vector<Expression> expressions;
  std::deque<FastExpression> fast_fields;
  std::deque<OwnedValue> constants;
  std::vector<FieldSource> fields;
  std::vector<InstanceEntry> instances;
  std::vector<HandlerEntry> handlers;
  std::vector<Delivery> deliveries;
  std::vector<RuleEntry> rules;                       // Rules with at least one delivery.
  std::vector<int> rule_of_config;                    // Config rule index -> rules index, or -1.
  std::vector<ProtocolSet> config_rule_protocols;     // Per config rule.
  std::vector<absl::optional<Expression>> residuals;  // Owned residual matches (stable).
  std::vector<FastExpression> fast_full_matches;      // Per config rule (stable).
  std::vector<FastExpression> fast_residuals;         // Per config rule (stable).
  std::vector<std::shared_ptr<Handler>> handler_objects;  // Per config handler (may be null).
  uint32_t batch_size = 0;                                // Sum of the handlers' batch capacities.

  // Rows: 0 = only the default namespace's rules; 1 + i = default rules then those of
  // `namespaces[i]` (sorted). Each row has kProtocolClasses candidate lists.
  std::vector<std::string> namespaces;
  std::vector<Candidate> candidates;
  std::vector<uint32_t> row_offsets;  // rows * kProtocolClasses + 1 entries.
  // The same lists with runs of equality matches folded into groups, for Dispatch (Explain
  // walks `candidates`).
  std::vector<Candidate> dispatch_candidates;
  std::vector<uint32_t> dispatch_offsets;
  std::deque<EqualityGroup> groups;

  // The row for an identity namespace (config.md §4 step 2).
  uint32_t Row(absl::string_view ns) const;
  // The identity namespace (config.md §4 step 1) and the protocol class of a bag.
  absl::string_view IdentityNamespace(const Bag& bag, absl::string_view* kind_out) const;
  ReportProtocol Classify(const Bag& bag) const;
};

}  // namespace mixlet::router_internal

#endif  // MIXLET_LIB_ROUTER_ROUTER_TABLES_H_
