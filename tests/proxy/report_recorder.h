// Test helpers for the proxy layer: a sink that records every report as owned values, and a
// fake clock origin.
#ifndef MIXLET_TESTS_PROXY_REPORT_RECORDER_H_
#define MIXLET_TESTS_PROXY_REPORT_RECORDER_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "mixlet/attribute/bag.h"
#include "mixlet/proxy/report_sink.h"
#include "mixlet/value/owned_value.h"

namespace mixlet::testing {

// The fake clock: seconds after a fixed instant.
inline absl::Time At(double seconds) {
  return absl::FromUnixSeconds(1600000000) + absl::Milliseconds(seconds * 1000);
}

struct RecordedReport {
  std::map<std::string, OwnedValue> attributes;
  absl::Time poll_time;

  const Value* Find(absl::string_view name) const {
    auto it = attributes.find(std::string(name));
    return it == attributes.end() ? nullptr : &it->second.value();
  }
  std::set<std::string> Names() const {
    std::set<std::string> names;
    for (const auto& [name, value] : attributes) names.insert(name);
    return names;
  }
  std::string event() const {
    const Value* v = Find("connection.event");
    return v != nullptr ? std::string(v->string()) : "";
  }
  std::string id() const {
    const Value* v = Find("connection.id");
    return v != nullptr ? std::string(v->string()) : "";
  }
  int64_t Int(absl::string_view name) const {
    const Value* v = Find(name);
    return v != nullptr ? v->int64() : -1;
  }
  absl::Time time() const {
    const Value* v = Find("context.time");
    return v != nullptr ? v->timestamp().ToAbslTime() : absl::InfinitePast();
  }
};

class ReportRecorder : public ReportSink {
 public:
  void OnReport(const Bag& report, absl::Time now) override {
    RecordedReport r;
    r.poll_time = now;
    report.ForEach([&r](absl::string_view name, const Value& v) {
      r.attributes.emplace(std::string(name), OwnedValue::Of(v));
    });
    reports.push_back(std::move(r));
  }

  // Returns the reports recorded since the last call and forgets them.
  std::vector<RecordedReport> Take() {
    std::vector<RecordedReport> out = std::move(reports);
    reports.clear();
    return out;
  }

  std::vector<RecordedReport> reports;
};

// Counts reports without keeping them (allocation tests and benchmarks).
class CountingSink : public ReportSink {
 public:
  void OnReport(const Bag& report, absl::Time now) override {
    ++count;
    last_size = report.vocabulary().size();
  }
  uint64_t count = 0;
  size_t last_size = 0;
};

}  // namespace mixlet::testing

#endif  // MIXLET_TESTS_PROXY_REPORT_RECORDER_H_
