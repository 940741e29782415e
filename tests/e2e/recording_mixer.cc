#include "e2e/recording_mixer.h"

#include <mutex>
#include <utility>

#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"
#include "istio/mixer/v1/mixer.grpc.pb.h"
#include "mixlet/attribute/bag_json.h"
#include "mixlet/wire/report_batch.h"

namespace mixlet::e2e {

class RecordingMixer::Impl final : public istio::mixer::v1::Mixer::Service {
 public:
  Impl() : codec_(WireCodec::Create(Vocabulary::Standard())) {
    ::grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", ::grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(this);
    server_ = builder.BuildAndStart();
  }
  ~Impl() override {
    if (server_ != nullptr) server_->Shutdown();
  }

  ::grpc::Status Report(::grpc::ServerContext*, const istio::mixer::v1::ReportRequest* request,
                        istio::mixer::v1::ReportResponse*) override {
    std::vector<std::string> bags;
    absl::StatusOr<ReportBatchResult> result = DecodeReportBatch(
        *request, codec_, [&](const Bag& bag) { bags.push_back(BagToJson(bag)); });
    if (!result.ok() || !result->ok()) {
      return ::grpc::Status(::grpc::StatusCode::INVALID_ARGUMENT, "undecodable");
    }
    std::lock_guard<std::mutex> lock(mu_);
    for (std::string& b : bags) reports_.push_back(std::move(b));
    return ::grpc::Status::OK;
  }

  int port_ = 0;
  std::shared_ptr<const WireCodec> codec_;
  std::unique_ptr<::grpc::Server> server_;
  mutable std::mutex mu_;
  std::vector<std::string> reports_;
};

RecordingMixer::RecordingMixer() : impl_(std::make_unique<Impl>()) {}
RecordingMixer::~RecordingMixer() = default;

std::string RecordingMixer::address() const { return absl::StrCat("127.0.0.1:", impl_->port_); }

std::vector<std::string> RecordingMixer::reports() const {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  return impl_->reports_;
}

}  // namespace mixlet::e2e
