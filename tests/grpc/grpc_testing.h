// Helpers for the grpc layer's tests: a counting adapter, a runtime configured with it, report
// bags and requests, and a raw (bytes) Report call.
//
// The configuration, built in code, is the shape of the Bookinfo TCP sample: one `metric`
// instance `bytes` (value `connection.received.bytes | 0`, dimension `source` =
// `source.workload.name | "unknown"`) sent by a rule matching `context.protocol == "tcp"` to a
// handler of the `counting` adapter, which sums each instance's value per dimension value.
#ifndef MIXLET_TESTS_GRPC_GRPC_TESTING_H_
#define MIXLET_TESTS_GRPC_GRPC_TESTING_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "istio/mixer/v1/report.pb.h"
#include "mixlet/attribute/mutable_bag.h"
#include "mixlet/config/adapter.h"
#include "mixlet/config/adapter_registry.h"
#include "mixlet/config/resources.h"
#include "mixlet/router/runtime.h"
#include "mixlet/wire/compressed_attributes.h"
#include "mixlet/wire/report_batch.h"

namespace mixlet::testing {

// Sums the `value` field of every instance per text of its other fields. Thread-safe.
class CountingHandler : public Handler {
 public:
  void Handle(absl::Span<const Instance> instances) override {
    const int delay_ms = delay_ms_.load();
    if (delay_ms > 0) absl::SleepFor(absl::Milliseconds(delay_ms));
    std::lock_guard<std::mutex> lock(mu_);
    for (const Instance& instance : instances) {
      std::string key;
      for (size_t f = 1; f < instance.fields.size(); ++f) {
        if (instance.fields[f].has_value()) absl::StrAppend(&key, instance.fields[f].ToText());
      }
      sums_[key] += instance.fields[0].int64();
      ++instances_;
    }
  }
  int64_t sum(const std::string& key) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = sums_.find(key);
    return it == sums_.end() ? 0 : it->second;
  }
  uint64_t instances() const {
    std::lock_guard<std::mutex> lock(mu_);
    return instances_;
  }
  // Makes every Handle call take this long (a slow server).
  void set_delay(absl::Duration d) { delay_ms_.store(static_cast<int>(absl::ToInt64Milliseconds(d))); }

 private:
  std::atomic<int> delay_ms_{0};
  mutable std::mutex mu_;
  std::map<std::string, int64_t> sums_;
  uint64_t instances_ = 0;
};

class CountingAdapter : public Adapter {
 public:
  absl::string_view name() const override { return "counting"; }
  bool SupportsTemplate(absl::string_view template_name) const override {
    return template_name == "metric";
  }
  void Validate(const ParamValue&, std::vector<ParamIssue>*) const override {}
  void ValidateInstance(const ParamValue&, const InstanceDescriptor&,
                        std::vector<ParamIssue>*) const override {}
  absl::StatusOr<std::shared_ptr<Handler>> Build(
      const ParamValue&, absl::Span<const InstanceDescriptor* const>) const override {
    std::lock_guard<std::mutex> lock(mu_);
    // One handler object for every build, so sums survive reloads in these tests.
    if (handler_ == nullptr) handler_ = std::make_shared<CountingHandler>();
    return std::shared_ptr<Handler>(handler_);
  }
  // The handler (null before the first build).
  std::shared_ptr<CountingHandler> handler() const {
    std::lock_guard<std::mutex> lock(mu_);
    return handler_;
  }

 private:
  mutable std::mutex mu_;
  mutable std::shared_ptr<CountingHandler> handler_;
};

inline ConfigResources CountingConfig() {
  ConfigResources r;
  InstanceResource& instance = r.instances.emplace_back();
  instance.meta = {"bytes", "istio-system", {}};
  instance.template_name = "metric";
  instance.params = ParamValue::Map(
      {{"value", ParamValue::String("connection.received.bytes | 0")},
       {"dimensions", ParamValue::Map({{"source", ParamValue::String(
                                                      "source.workload.name | \"unknown\"")}})}});
  HandlerResource& handler = r.handlers.emplace_back();
  handler.meta = {"counter", "istio-system", {}};
  handler.adapter_name = "counting";
  handler.params = ParamValue::Map({});
  RuleResource& rule = r.rules.emplace_back();
  rule.meta = {"count", "istio-system", {}};
  rule.match = "context.protocol == \"tcp\"";
  rule.actions.push_back({"counter", {"bytes"}, "", 0, {}});
  return r;
}

// A runtime with CountingConfig applied.
struct CountingRuntime {
  CountingRuntime() : adapter(std::make_shared<CountingAdapter>()) {
    AdapterRegistry adapters;
    adapters.Register(adapter).IgnoreError();
    runtime = std::make_unique<Runtime>(std::move(adapters));
  }
  // Applies CountingConfig; false (with the issues in `last_issues`) if it was refused.
  bool Configure() {
    ApplyResult r = runtime->Apply(CountingConfig());
    last_issues = std::move(r.issues);
    return r.applied;
  }
  int64_t sum(const std::string& source) const {
    std::shared_ptr<CountingHandler> h = adapter->handler();
    return h == nullptr ? 0 : h->sum(source);
  }

  std::shared_ptr<CountingAdapter> adapter;
  std::unique_ptr<Runtime> runtime;
  std::vector<ConfigIssue> last_issues;
};

// A TCP report of `received` bytes from workload `source` (none when empty).
inline std::unique_ptr<MutableBag> TcpBag(int64_t received, const std::string& source = "") {
  auto bag = std::make_unique<MutableBag>(Vocabulary::Standard());
  bag->Set("context.protocol", Value::String("tcp")).IgnoreError();
  bag->Set("connection.received.bytes", Value::Int64(received)).IgnoreError();
  if (!source.empty()) bag->Set("source.workload.name", Value::String(source)).IgnoreError();
  return bag;
}

// A request holding one TCP report per entry of `received`, all from `source`.
inline istio::mixer::v1::ReportRequest TcpRequest(
    const std::vector<int64_t>& received, const std::string& source = "",
    ReportBatchOptions options = ReportBatchOptions()) {
  auto encoder =
      ReportBatchEncoder::Create(WireCodec::Create(Vocabulary::Standard()), options).value();
  for (int64_t n : received) encoder->Add(*TcpBag(n, source)).IgnoreError();
  istio::mixer::v1::ReportRequest request;
  if (!request.ParseFromString(std::string(encoder->bytes()))) {
    throw std::runtime_error("TcpRequest: the encoder's bytes do not parse");
  }
  return request;
}

inline std::shared_ptr<::grpc::Channel> Connect(int port) {
  return ::grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                               ::grpc::InsecureChannelCredentials());
}

// Sends `bytes` as the body of a Report call and waits for the answer.
inline ::grpc::Status RawReport(const std::shared_ptr<::grpc::Channel>& channel,
                                const std::string& bytes, const std::string& report_id = "") {
  ::grpc::GenericStub stub(channel);
  ::grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  if (!report_id.empty()) context.AddMetadata("mixlet-report-id", report_id);
  ::grpc::Slice slice(bytes);
  ::grpc::ByteBuffer request(&slice, 1);
  ::grpc::ByteBuffer response;
  ::grpc::Status status;
  absl::Notification done;
  stub.UnaryCall(&context, "/istio.mixer.v1.Mixer/Report", ::grpc::StubOptions(), &request,
                 &response, [&](::grpc::Status s) {
                   status = std::move(s);
                   done.Notify();
                 });
  done.WaitForNotification();
  return status;
}

inline ::grpc::Status Report(const std::shared_ptr<::grpc::Channel>& channel,
                             const istio::mixer::v1::ReportRequest& request,
                             const std::string& report_id = "") {
  return RawReport(channel, request.SerializeAsString(), report_id);
}

}  // namespace mixlet::testing

#endif  // MIXLET_TESTS_GRPC_GRPC_TESTING_H_
