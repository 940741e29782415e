// ConnectionRecord: the reporter's state for one connection. Lib-private.
//
// The record is shared between the reporter (its lists) and the proxy's `ConnectionHandle` (an
// aliasing pointer to the `ConnectionCounters` base), and freed when both are done with it. Its
// fields fall into four groups by who may touch them, noted on each group.
#ifndef MIXLET_LIB_PROXY_CONNECTION_RECORD_H_
#define MIXLET_LIB_PROXY_CONNECTION_RECORD_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "mixlet/attribute/vocabulary.h"
#include "mixlet/proxy/connection_attributes.h"
#include "mixlet/proxy/connection_handle.h"
#include "mixlet/value/string_map.h"
#include "mixlet/value/value.h"

namespace mixlet::proxy_internal {

// Where an attribute goes in a report bag: by id when the vocabulary declares it (`known`), by
// name otherwise. `type` is the type the bag expects (the vocabulary's, else the reported one).
struct AttributeSlot {
  absl::string_view name;
  ValueType type = ValueType::kUnspecified;
  bool known = false;
  AttributeId id;
};

// An attribute fixed when the connection opened. `value` borrows bytes owned by the record.
struct FixedAttribute {
  AttributeSlot slot;
  Value value;
};

struct ConnectionRecord : ConnectionCounters {
  ConnectionRecord() = default;
  // Not copyable or movable: `fixed` points into the record's own strings.
  ConnectionRecord(const ConnectionRecord&) = delete;
  ConnectionRecord& operator=(const ConnectionRecord&) = delete;

  // --- Written by Open before the record is published, then read-only. ---
  uint64_t number = 0;
  std::string id;  // `connection.id`
  absl::Time open_time;
  ConnectionAttributes attributes;  // owns the bytes `fixed` borrows
  std::string source_namespace;     // the reported `source.namespace` (may come from principal)
  std::vector<StringMapEntry> source_labels;
  std::vector<StringMapEntry> destination_labels;
  std::vector<FixedAttribute> fixed;

  // --- Close state: written under the reporter's `mu_`; `close_requested` is also read without
  // it by the polling thread (to skip `continue` reports of a connection being closed). ---
  std::atomic<bool> close_requested{false};
  absl::Time close_time;
  uint64_t close_received = 0;
  uint64_t close_sent = 0;

  // --- Owned by the polling thread (under the reporter's `poll_mu_`). ---
  uint64_t reported_received = 0;  // the watermark: totals carried by the previous report
  uint64_t reported_sent = 0;
  absl::Time next_report;   // when the next `continue` is due
  size_t active_index = 0;  // position in the reporter's active list
};

}  // namespace mixlet::proxy_internal

#endif  // MIXLET_LIB_PROXY_CONNECTION_RECORD_H_
