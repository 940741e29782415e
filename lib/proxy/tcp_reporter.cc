#include "mixlet/proxy/tcp_reporter.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "internal/status_macros.h"
#include "mixlet/attribute/mutable_bag.h"
#include "proxy/connection_record.h"
#include "proxy/tcp_attribute_table.h"

namespace mixlet {

using proxy_internal::AttributeSetter;
using proxy_internal::AttributeSlot;
using proxy_internal::ConnectionCounters;
using proxy_internal::ConnectionRecord;
using proxy_internal::FixedAttribute;
using proxy_internal::kTcpAttributeCount;
using proxy_internal::kTcpAttributeRows;
using proxy_internal::TcpAttribute;

namespace {

using RecordPtr = std::shared_ptr<ConnectionRecord>;
using SlotTable = std::array<AttributeSlot, kTcpAttributeCount>;

// The namespace named by an Istio identity `<trust domain>/ns/<name>/sa/<account>`: after the
// domain, the principal is read as `/`-separated key/value pairs and the value of the first key
// `ns` is returned (istio/proxy's rule for `source.namespace` on mTLS connections).
absl::optional<absl::string_view> NamespaceFromPrincipal(absl::string_view principal) {
  size_t begin = principal.find('/');
  if (begin == absl::string_view::npos) return absl::nullopt;
  ++begin;
  while (true) {
    const size_t key_end = principal.find('/', begin);
    if (key_end == absl::string_view::npos) return absl::nullopt;
    const size_t value_begin = key_end + 1;
    const size_t value_end = principal.find('/', value_begin);
    if (principal.substr(begin, key_end - begin) == "ns") {
      return principal.substr(value_begin, value_end == absl::string_view::npos
                                               ? absl::string_view::npos
                                               : value_end - value_begin);
    }
    if (value_end == absl::string_view::npos) return absl::nullopt;
    begin = value_end + 1;
  }
}

absl::Status CheckIp(absl::string_view field, absl::string_view bytes) {
  if (bytes.empty() || bytes.size() == 4 || bytes.size() == 16) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "ConnectionAttributes.", field,
      ": an IP address must be 4 or 16 raw bytes (see ParseIpText), got ", bytes.size(), " bytes"));
}

absl::Status CheckLabels(absl::string_view field, const LabelList& labels) {
  for (size_t i = 0; i < labels.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (labels[i].first == labels[j].first) {
        return absl::InvalidArgumentError(absl::StrCat("ConnectionAttributes.", field,
                                                       ": duplicate key '", labels[i].first, "'"));
      }
    }
  }
  return absl::OkStatus();
}

// A string-like value of the type the slot expects (a vocabulary may declare, say,
// `destination.service.host` as DNS_NAME; the reporter's strings then carry that type).
Value StringValue(const AttributeSlot& slot, absl::string_view s) {
  return Value::StringOfType(IsStringLike(slot.type) ? slot.type : ValueType::kString, s);
}

absl::Status SetInBag(MutableBag& bag, const AttributeSlot& slot, const Value& value) {
  // Known attributes borrow: the bytes live in the connection record (or static storage), which
  // outlives the report. Unknown ones are copied into the bag's arena, reused once warm.
  // Hot path: no allocation once warm.
  if (slot.known) return bag.SetBorrowedInline(slot.id, value);
  return bag.Set(slot.name, value);
}

}  // namespace

absl::Duration ReportIntervalFromConfig(const absl::optional<ProtoDuration>& report_interval) {
  if (!report_interval.has_value() || report_interval->seconds < 0 || report_interval->nanos < 0) {
    return kDefaultReportInterval;
  }
  const absl::Duration interval = absl::Seconds(report_interval->seconds) +
                                  absl::Milliseconds(report_interval->nanos / 1000000);
  return std::max(interval, kMinReportInterval);
}

class TcpReporter::Impl {
 public:
  Impl(TcpReporterOptions options, absl::Duration interval, ReportSink* sink, SlotTable slots)
      : options_(std::move(options)),
        interval_(interval),
        sink_(sink),
        slots_(slots),
        bag_(options_.vocabulary) {}

  const AttributeSlot& slot(TcpAttribute a) const { return slots_[static_cast<int>(a)]; }

  absl::StatusOr<RecordPtr> NewRecord(const ConnectionAttributes& attributes, absl::Time now);
  void Publish(RecordPtr record);
  absl::Status Close(const RecordPtr& record, absl::Time now);
  void CloseAll(absl::Time now);
  absl::Status Poll(absl::Time now);
  TcpReporterStats stats() const;
  absl::Duration interval() const { return interval_; }

 private:
  enum class Event { kOpen, kContinue, kClose };

  void BuildFixed(ConnectionRecord& r) const;
  absl::Status CheckExtra(const ConnectionAttributes& attributes) const;
  // Marks `r` closed at `now` with the totals counted so far; false if it already was.
  bool MarkClosed(ConnectionRecord& r, absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status Emit(ConnectionRecord& r, Event event, absl::Time report_time, absl::Time now,
                    uint64_t received_total, uint64_t sent_total)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(poll_mu_);
  absl::Status EmitClose(ConnectionRecord& r, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(poll_mu_);
  void RemoveActive(ConnectionRecord& r) ABSL_EXCLUSIVE_LOCKS_REQUIRED(poll_mu_);

  const TcpReporterOptions options_;
  const absl::Duration interval_;
  ReportSink* const sink_;
  const SlotTable slots_;
  std::atomic<uint64_t> next_number_{1};

  std::atomic<uint64_t> opened_count_{0};
  std::atomic<uint64_t> closed_count_{0};
  std::atomic<uint64_t> open_reports_{0};
  std::atomic<uint64_t> continue_reports_{0};
  std::atomic<uint64_t> close_reports_{0};

  // Serializes polls; taken before `mu_` when both are needed.
  mutable absl::Mutex poll_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  // Connections whose open report went out and whose close report did not.
  std::vector<RecordPtr> active_ ABSL_GUARDED_BY(poll_mu_);
  // What a poll took from `opened_` / `closed_`; kept to reuse their capacity.
  std::vector<RecordPtr> opened_batch_ ABSL_GUARDED_BY(poll_mu_);
  std::vector<RecordPtr> closed_batch_ ABSL_GUARDED_BY(poll_mu_);
  // The one bag every report is built in, reset per report.
  MutableBag bag_ ABSL_GUARDED_BY(poll_mu_);

  // Guards the hand-over from Open/Close to the next poll.
  mutable absl::Mutex mu_;
  std::vector<RecordPtr> opened_ ABSL_GUARDED_BY(mu_);
  std::vector<RecordPtr> closed_ ABSL_GUARDED_BY(mu_);
};

absl::Status TcpReporter::Impl::CheckExtra(const ConnectionAttributes& attributes) const {
  const Vocabulary& vocabulary = *options_.vocabulary;
  for (size_t i = 0; i < attributes.extra.size(); ++i) {
    const auto& [name, owned] = attributes.extra[i];
    const std::string where = absl::StrCat("ConnectionAttributes.extra['", name, "']");
    if (name.empty()) {
      return absl::InvalidArgumentError("ConnectionAttributes.extra: empty attribute name");
    }
    for (const auto& row : kTcpAttributeRows) {
      if (row.setter == AttributeSetter::kReporter && row.name == name) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": the TCP reporter sets this attribute itself"));
      }
    }
    for (size_t j = 0; j < i; ++j) {
      if (attributes.extra[j].first == name) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": given twice"));
      }
    }
    const Value& v = owned.value();
    if (!v.has_value()) return absl::InvalidArgumentError(absl::StrCat(where, ": no value"));
    if (absl::optional<AttributeInfo> info = vocabulary.Find(name)) {
      if (info->type != v.type()) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": the vocabulary declares type ", ValueTypeName(info->type),
                         ", got a value of type ", ValueTypeName(v.type())));
      }
    }
  }
  return absl::OkStatus();
}

void TcpReporter::Impl::BuildFixed(ConnectionRecord& r) const {
  const ConnectionAttributes& a = r.attributes;
  std::vector<FixedAttribute>& fixed = r.fixed;
  fixed.reserve(kTcpAttributeCount + a.extra.size());
  auto add_string = [&](TcpAttribute attr, absl::string_view s) {
    if (!s.empty()) fixed.push_back({slot(attr), StringValue(slot(attr), s)});
  };
  auto add_ip = [&](TcpAttribute attr, absl::string_view bytes) {
    if (!bytes.empty()) fixed.push_back({slot(attr), Value::IpAddress(bytes)});
  };
  auto add_labels = [&](TcpAttribute attr, const LabelList& labels,
                        std::vector<StringMapEntry>& entries) {
    if (labels.empty()) return;
    entries.reserve(labels.size());
    for (const auto& [k, v] : labels) entries.push_back({k, v});
    fixed.push_back({slot(attr), Value::StringMap(StringMapView(entries.data(), entries.size()))});
  };

  add_string(TcpAttribute::kContextReporterKind, ReporterKindName(a.reporter_kind));
  add_ip(TcpAttribute::kSourceIp, a.source_ip);
  add_ip(TcpAttribute::kOriginIp, a.source_ip);
  add_string(TcpAttribute::kSourceUid, a.source_uid);
  r.source_namespace = a.source_namespace;
  if (absl::optional<absl::string_view> ns = NamespaceFromPrincipal(a.source_principal)) {
    r.source_namespace = std::string(*ns);
  }
  add_string(TcpAttribute::kSourceNamespace, r.source_namespace);
  add_string(TcpAttribute::kSourcePrincipal, a.source_principal);
  add_string(TcpAttribute::kSourceUser, a.source_principal);
  add_string(TcpAttribute::kSourceWorkloadName, a.source_workload_name);
  add_string(TcpAttribute::kSourceWorkloadNamespace, a.source_workload_namespace);
  add_labels(TcpAttribute::kSourceLabels, a.source_labels, r.source_labels);
  add_ip(TcpAttribute::kDestinationIp, a.destination_ip);
  if (a.destination_port.has_value()) {
    fixed.push_back({slot(TcpAttribute::kDestinationPort), Value::Int64(*a.destination_port)});
  }
  add_string(TcpAttribute::kDestinationUid, a.destination_uid);
  add_string(TcpAttribute::kDestinationNamespace, a.destination_namespace);
  add_string(TcpAttribute::kDestinationPrincipal, a.destination_principal);
  add_string(TcpAttribute::kDestinationWorkloadName, a.destination_workload_name);
  add_string(TcpAttribute::kDestinationWorkloadNamespace, a.destination_workload_namespace);
  add_labels(TcpAttribute::kDestinationLabels, a.destination_labels, r.destination_labels);
  add_string(TcpAttribute::kDestinationServiceHost, a.destination_service_host);
  add_string(TcpAttribute::kDestinationServiceName, a.destination_service_name);
  add_string(TcpAttribute::kDestinationServiceNamespace, a.destination_service_namespace);
  add_string(TcpAttribute::kDestinationServiceUid, a.destination_service_uid);
  fixed.push_back({slot(TcpAttribute::kConnectionMtls), Value::Bool(a.mtls)});
  add_string(TcpAttribute::kConnectionRequestedServerName, a.requested_server_name);

  const Vocabulary& vocabulary = *options_.vocabulary;
  for (const auto& [name, owned] : a.extra) {
    AttributeSlot s;
    s.name = name;  // The record's own copy of the name.
    s.type = owned.value().type();
    if (absl::optional<AttributeInfo> info = vocabulary.Find(name)) {
      s.known = true;
      s.id = info->id;
    }
    fixed.push_back({s, owned.value()});
  }
}

absl::StatusOr<RecordPtr> TcpReporter::Impl::NewRecord(const ConnectionAttributes& attributes,
                                                       absl::Time now) {
  MIXLET_RETURN_IF_ERROR(CheckIp("source_ip", attributes.source_ip));
  MIXLET_RETURN_IF_ERROR(CheckIp("destination_ip", attributes.destination_ip));
  if (attributes.destination_port.has_value() &&
      (*attributes.destination_port < 0 || *attributes.destination_port > 65535)) {
    return absl::InvalidArgumentError(
        absl::StrCat("ConnectionAttributes.destination_port: ", *attributes.destination_port,
                     " is outside 0..65535"));
  }
  MIXLET_RETURN_IF_ERROR(CheckLabels("source_labels", attributes.source_labels));
  MIXLET_RETURN_IF_ERROR(CheckLabels("destination_labels", attributes.destination_labels));
  MIXLET_RETURN_IF_ERROR(CheckExtra(attributes));

  auto record = std::make_shared<ConnectionRecord>();
  record->owner = this;
  record->number = next_number_.fetch_add(1, std::memory_order_relaxed);
  record->id = absl::StrCat(options_.reporter_uid, "-", record->number);
  record->open_time = now;
  record->attributes = attributes;
  BuildFixed(*record);
  return record;
}

void TcpReporter::Impl::Publish(RecordPtr record) {
  opened_count_.fetch_add(1, std::memory_order_relaxed);
  absl::MutexLock lock(&mu_);
  opened_.push_back(std::move(record));
}

bool TcpReporter::Impl::MarkClosed(ConnectionRecord& r, absl::Time now) {
  if (r.close_requested.load(std::memory_order_relaxed)) return false;
  r.close_time = std::max(now, r.open_time);
  r.close_received = r.received.load(std::memory_order_relaxed);
  r.close_sent = r.sent.load(std::memory_order_relaxed);
  r.close_requested.store(true, std::memory_order_release);
  closed_count_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

absl::Status TcpReporter::Impl::Close(const RecordPtr& record, absl::Time now) {
  absl::MutexLock lock(&mu_);
  if (MarkClosed(*record, now)) closed_.push_back(record);
  return absl::OkStatus();
}

void TcpReporter::Impl::CloseAll(absl::Time now) {
  absl::MutexLock poll_lock(&poll_mu_);
  absl::MutexLock lock(&mu_);
  for (const RecordPtr& r : opened_) {
    if (MarkClosed(*r, now)) closed_.push_back(r);
  }
  for (const RecordPtr& r : active_) {
    if (MarkClosed(*r, now)) closed_.push_back(r);
  }
}

// Hot path: no allocation, no string hashing (once the bag is warm; attributes the vocabulary
// does not declare are copied into the bag's reused arena).
absl::Status TcpReporter::Impl::Emit(ConnectionRecord& r, Event event, absl::Time report_time,
                                     absl::Time now, uint64_t received_total, uint64_t sent_total) {
  // Totals never go backwards: a close snapshot taken before a racing `continue` read the
  // counters is raised to that report's totals, so no delta is negative.
  received_total = std::max(received_total, r.reported_received);
  sent_total = std::max(sent_total, r.reported_sent);
  const uint64_t received_delta = received_total - r.reported_received;
  const uint64_t sent_delta = sent_total - r.reported_sent;
  r.reported_received = received_total;
  r.reported_sent = sent_total;

  absl::string_view event_name;
  switch (event) {
    case Event::kOpen:
      event_name = proxy_internal::kEventOpen;
      open_reports_.fetch_add(1, std::memory_order_relaxed);
      break;
    case Event::kContinue:
      event_name = proxy_internal::kEventContinue;
      continue_reports_.fetch_add(1, std::memory_order_relaxed);
      break;
    case Event::kClose:
      event_name = proxy_internal::kEventClose;
      close_reports_.fetch_add(1, std::memory_order_relaxed);
      break;
  }

  bag_.Reset();
  absl::Status status;
  auto set = [&](TcpAttribute a, const Value& v) {
    absl::Status s = SetInBag(bag_, slot(a), v);
    if (status.ok() && !s.ok()) status = s;
  };
  for (const FixedAttribute& f : r.fixed) {
    absl::Status s = SetInBag(bag_, f.slot, f.value);
    if (status.ok() && !s.ok()) status = s;
  }
  set(TcpAttribute::kContextReporterUid,
      StringValue(slot(TcpAttribute::kContextReporterUid), options_.reporter_uid));
  if (!options_.proxy_version.empty()) {
    set(TcpAttribute::kContextProxyVersion,
        StringValue(slot(TcpAttribute::kContextProxyVersion), options_.proxy_version));
  }
  set(TcpAttribute::kContextProtocol,
      StringValue(slot(TcpAttribute::kContextProtocol), proxy_internal::kProtocolTcp));
  set(TcpAttribute::kConnectionId, StringValue(slot(TcpAttribute::kConnectionId), r.id));
  set(TcpAttribute::kConnectionEvent,
      StringValue(slot(TcpAttribute::kConnectionEvent), event_name));
  set(TcpAttribute::kContextTime, Value::TimestampValue(Timestamp::FromAbslTime(report_time)));
  set(TcpAttribute::kReceivedBytes, Value::Int64(static_cast<int64_t>(received_delta)));
  set(TcpAttribute::kReceivedBytesTotal, Value::Int64(static_cast<int64_t>(received_total)));
  set(TcpAttribute::kSentBytes, Value::Int64(static_cast<int64_t>(sent_delta)));
  set(TcpAttribute::kSentBytesTotal, Value::Int64(static_cast<int64_t>(sent_total)));
  if (event == Event::kClose) {
    set(TcpAttribute::kConnectionDuration, Value::Duration(report_time - r.open_time));
  }
  if (!status.ok()) {
    return absl::InternalError(
        absl::StrCat("TCP report for connection ", r.id, ": ", status.message()));
  }
  sink_->OnReport(bag_, now);
  return absl::OkStatus();
}

absl::Status TcpReporter::Impl::EmitClose(ConnectionRecord& r, absl::Time now) {
  // close_* were written under `mu_`, which this thread has taken since (to swap the lists, or
  // to mark the connection closed itself), so they are visible here.
  absl::Status s = Emit(r, Event::kClose, r.close_time, now, r.close_received, r.close_sent);
  RemoveActive(r);
  return s;
}

void TcpReporter::Impl::RemoveActive(ConnectionRecord& r) {
  const size_t i = r.active_index;
  if (i >= active_.size() || active_[i].get() != &r) return;
  if (i + 1 != active_.size()) {
    active_[i] = std::move(active_.back());
    active_[i]->active_index = i;
  }
  active_.pop_back();
}

absl::Status TcpReporter::Impl::Poll(absl::Time now) {
  absl::MutexLock poll_lock(&poll_mu_);
  {
    absl::MutexLock lock(&mu_);
    opened_batch_.swap(opened_);
    closed_batch_.swap(closed_);
  }
  absl::Status status;
  auto keep_first = [&status](absl::Status s) {
    if (status.ok() && !s.ok()) status = std::move(s);
  };

  for (RecordPtr& r : opened_batch_) {
    r->active_index = active_.size();
    r->next_report = r->open_time + interval_;
    ConnectionRecord& rec = *r;
    active_.push_back(std::move(r));
    // A connection already closed reports no byte counted after its close.
    const bool closed = rec.close_requested.load(std::memory_order_acquire);
    keep_first(Emit(rec, Event::kOpen, rec.open_time, now,
                    closed ? rec.close_received : rec.received.load(std::memory_order_relaxed),
                    closed ? rec.close_sent : rec.sent.load(std::memory_order_relaxed)));
  }
  opened_batch_.clear();

  for (RecordPtr& r : closed_batch_) keep_first(EmitClose(*r, now));
  closed_batch_.clear();

  for (size_t i = 0; i < active_.size();) {
    ConnectionRecord& r = *active_[i];
    if (r.close_requested.load(std::memory_order_acquire)) {
      // Closed after this poll took the closed list: its close report goes out next poll.
      ++i;
      continue;
    }
    if (r.handle_released.load(std::memory_order_acquire)) {
      bool closed_here;
      {
        absl::MutexLock lock(&mu_);
        closed_here = MarkClosed(r, now);
      }
      if (closed_here) {
        // EmitClose swaps the last active record into slot i: look at slot i again.
        keep_first(EmitClose(r, now));
      } else {
        ++i;
      }
      continue;
    }
    if (now >= r.next_report) {
      keep_first(Emit(r, Event::kContinue, now, now, r.received.load(std::memory_order_relaxed),
                      r.sent.load(std::memory_order_relaxed)));
      // Keep the cadence of the schedule; a poll that comes late emits one report, not a burst.
      r.next_report += interval_;
      if (r.next_report <= now) r.next_report = now + interval_;
    }
    ++i;
  }
  return status;
}

TcpReporterStats TcpReporter::Impl::stats() const {
  TcpReporterStats s;
  s.opened = opened_count_.load(std::memory_order_relaxed);
  s.closed = closed_count_.load(std::memory_order_relaxed);
  s.open_reports = open_reports_.load(std::memory_order_relaxed);
  s.continue_reports = continue_reports_.load(std::memory_order_relaxed);
  s.close_reports = close_reports_.load(std::memory_order_relaxed);
  s.active = s.opened - s.close_reports;
  return s;
}

absl::StatusOr<std::unique_ptr<TcpReporter>> TcpReporter::Create(TcpReporterOptions options,
                                                                 ReportSink* sink) {
  if (options.reporter_uid.empty()) {
    return absl::InvalidArgumentError("TcpReporterOptions.reporter_uid must not be empty");
  }
  if (sink == nullptr) return absl::InvalidArgumentError("TcpReporter: the sink is null");
  if (options.vocabulary == nullptr) {
    return absl::InvalidArgumentError("TcpReporterOptions.vocabulary is null");
  }
  absl::Duration interval = options.report_interval;
  if (interval == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError("TcpReporterOptions.report_interval must be finite");
  }
  if (interval < absl::ZeroDuration()) {
    interval = kDefaultReportInterval;
  } else {
    interval = std::max(absl::Trunc(interval, absl::Milliseconds(1)), kMinReportInterval);
  }

  SlotTable slots;
  for (int i = 0; i < kTcpAttributeCount; ++i) {
    const proxy_internal::TcpAttributeRow& row = kTcpAttributeRows[i];
    AttributeSlot& s = slots[i];
    s.name = row.name;
    s.type = row.type;
    if (absl::optional<AttributeInfo> info = options.vocabulary->Find(row.name)) {
      const bool compatible =
          info->type == row.type || (row.type == ValueType::kString && IsStringLike(info->type));
      if (!compatible) {
        return absl::InvalidArgumentError(absl::StrCat(
            "TcpReporterOptions.vocabulary declares '", row.name, "' as ",
            ValueTypeName(info->type), "; TCP reports carry it as ", ValueTypeName(row.type)));
      }
      s.known = true;
      s.id = info->id;
      s.type = info->type;
    }
  }
  return std::unique_ptr<TcpReporter>(
      new TcpReporter(std::make_unique<Impl>(std::move(options), interval, sink, slots)));
}

TcpReporter::TcpReporter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TcpReporter::~TcpReporter() = default;

absl::StatusOr<ConnectionHandle> TcpReporter::Open(const ConnectionAttributes& attributes,
                                                   absl::Time now) {
  absl::StatusOr<RecordPtr> record = impl_->NewRecord(attributes, now);
  if (!record.ok()) return record.status();
  std::shared_ptr<ConnectionCounters> counters(*record, record->get());
  impl_->Publish(std::move(*record));
  return ConnectionHandle(std::move(counters));
}

absl::Status TcpReporter::Close(const ConnectionHandle& handle, absl::Time now) {
  if (!handle.valid()) {
    return absl::InvalidArgumentError(
        "TcpReporter::Close: the handle is empty (default-constructed or moved from)");
  }
  if (handle.counters()->owner != impl_.get()) {
    return absl::InvalidArgumentError(
        "TcpReporter::Close: the handle belongs to another TcpReporter");
  }
  // The owner check above guarantees the counters are the base of one of our records.
  RecordPtr record(handle.counters_, static_cast<ConnectionRecord*>(handle.counters_.get()));
  return impl_->Close(record, now);
}

void TcpReporter::CloseAll(absl::Time now) { impl_->CloseAll(now); }

absl::Status TcpReporter::Poll(absl::Time now) { return impl_->Poll(now); }

absl::Duration TcpReporter::report_interval() const { return impl_->interval(); }

TcpReporterStats TcpReporter::stats() const { return impl_->stats(); }

}  // namespace mixlet
