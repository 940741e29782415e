#include "e2e/malformed_reports.h"

#include <cstdlib>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "mixlet/attribute/mutable_bag.h"
#include "mixlet/value/owned_value.h"
#include "mixlet/wire/compressed_attributes.h"
#include "mixlet/wire/report_batch.h"

namespace mixlet::e2e {
namespace {

::grpc::Status Call(const std::shared_ptr<::grpc::Channel>& channel, const std::string& bytes) {
  ::grpc::GenericStub stub(channel);
  ::grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
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

// The sample's inbound TCP report: 7 bytes received from ratings-v2 by mongodb-v1.
istio::mixer::v1::ReportRequest GoodAndBadRequest() {
  MutableBag bag(Vocabulary::Standard());
  bag.Set("context.protocol", Value::String("tcp")).IgnoreError();
  bag.Set("context.reporter.kind", Value::String("inbound")).IgnoreError();
  bag.Set("destination.namespace", Value::String("default")).IgnoreError();
  bag.Set("destination.service.host", Value::String("mongodb.default.svc.cluster.local"))
      .IgnoreError();
  bag.Set("source.workload.name", Value::String("ratings-v2")).IgnoreError();
  OwnedValue source_labels = OwnedValue::StringMapOf({{"version", "v2"}});
  OwnedValue destination_labels = OwnedValue::StringMapOf({{"version", "v1"}});
  bag.Set("source.labels", source_labels.value()).IgnoreError();
  bag.Set("destination.labels", destination_labels.value()).IgnoreError();
  bag.Set("connection.received.bytes", Value::Int64(7)).IgnoreError();
  bag.Set("connection.sent.bytes", Value::Int64(0)).IgnoreError();
  auto encoder = ReportBatchEncoder::Create(WireCodec::Create(Vocabulary::Standard())).value();
  encoder->Add(bag).IgnoreError();
  encoder->Add(bag).IgnoreError();
  istio::mixer::v1::ReportRequest request;
  if (!request.ParseFromString(std::string(encoder->bytes()))) std::abort();
  (*request.mutable_attributes(1)->mutable_strings())[9999] = 124;
  return request;
}

}  // namespace

int SendMalformedReports(const std::string& address, std::string* answers) {
  auto channel = ::grpc::CreateChannel(address, ::grpc::InsecureChannelCredentials());
  istio::mixer::v1::ReportRequest newer = GoodAndBadRequest();
  newer.mutable_attributes()->RemoveLast();
  newer.set_global_word_count(kGlobalDictionarySize + 1);
  istio::mixer::v1::ReportRequest unknown_semantics = newer;
  unknown_semantics.set_global_word_count(kGlobalDictionarySize);
  std::string unknown_semantics_bytes = unknown_semantics.SerializeAsString();
  unknown_semantics_bytes += std::string("\x20\x05", 2);  // repeated_attributes_semantics = 5

  const std::vector<std::string> calls = {
      std::string("\x0a\x7f\x01\x02", 4),  // attributes: 127 bytes announced, 2 present
      newer.SerializeAsString(),
      unknown_semantics_bytes,
      GoodAndBadRequest().SerializeAsString(),
  };
  int invalid_argument = 0;
  for (const std::string& bytes : calls) {
    const ::grpc::Status status = Call(channel, bytes);
    absl::StrAppend(answers, status.error_code(), " ", status.error_message(), "\n");
    if (status.error_code() == ::grpc::StatusCode::INVALID_ARGUMENT) ++invalid_argument;
  }
  return invalid_argument;
}

}  // namespace mixlet::e2e
