// ReportSink: where a `TcpReporter` delivers the report bags it builds.
//
// The reporter calls `OnReport` from `TcpReporter::Poll`, on the polling thread, once per
// `open`, `continue` or `close` report. The bag is the reporter's reused bag: it is valid only
// during the call, so a sink encodes or copies what it keeps. `ReportBatcher` is the sink that
// compresses reports into `istio.mixer.v1.ReportRequest` batches; tests use a sink that records.
//
// Example:
//   class Recorder : public ReportSink {
//    public:
//     void OnReport(const Bag& report, absl::Time now) override {
//       lines_.push_back(report.DebugString());
//     }
//     std::vector<std::string> lines_;
//   };
#ifndef MIXLET_PROXY_REPORT_SINK_H_
#define MIXLET_PROXY_REPORT_SINK_H_

#include "absl/time/time.h"
#include "mixlet/attribute/bag.h"

namespace mixlet {

class ReportSink {
 public:
  virtual ~ReportSink() = default;
  // One report. `report` is valid only during the call; `now` is the time given to `Poll`.
  // Called by one thread at a time per reporter (concurrent polls of a reporter are serialized).
  virtual void OnReport(const Bag& report, absl::Time now) = 0;
};

}  // namespace mixlet

#endif  // MIXLET_PROXY_REPORT_SINK_H_
