#include "mixlet/grpc/report_server.h"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/strings/string_view.h"
#include "grpc/report_id.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/support/byte_buffer.h"
#include "internal/status_macros.h"
#include "istio/mixer/v1/mixer.grpc.pb.h"
#include "mixlet/wire/compressed_attributes.h"
#include "mixlet/wire/report_batch.h"

namespace mixlet {
namespace {

using istio::mixer::v1::Mixer;

// How long a retried request waits for the answer of an attempt still being applied.
constexpr absl::Duration kDuplicateWait = absl::Seconds(2);

::grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return ::grpc::Status::OK;
  return ::grpc::Status(static_cast<::grpc::StatusCode>(status.code()),
                        std::string(status.message()));
}

// Splits "host:port" / "[v6]:port". The host may be empty (all interfaces, as gRPC reads it).
absl::Status SplitHostPort(absl::string_view address, std::string* host, int* port) {
  const size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("address '", address, "' is not host:port"));
  }
  absl::string_view h = address.substr(0, colon);
  if (absl::ConsumePrefix(&h, "[")) {
    if (!absl::ConsumeSuffix(&h, "]")) {
      return absl::InvalidArgumentError(
          absl::StrCat("address '", address, "': unbalanced '[' in the host"));
    }
  } else if (h.find(':') != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("address '", address, "': write an IPv6 host in brackets, [::1]:9091"));
  }
  int p = 0;
  if (!absl::SimpleAtoi(address.substr(colon + 1), &p) || p < 0 || p > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("address '", address, "': port '", address.substr(colon + 1),
                     "' is not a number in 0..65535"));
  }
  *host = std::string(h);
  *port = p;
  return absl::OkStatus();
}

// Binds a plain socket the way gRPC will, and returns why that fails ("" when it works). gRPC
// itself says only that it could not bind (and logs a long error line), so a port that is taken
// or not local is found out here first, with the reason.
std::string WhyCannotListen(const std::string& host, int port) {
  addrinfo hints;
  std::memset(&hints, 0, sizeof(hints));
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  const int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints,
                             &found);
  if (rc != 0) return absl::StrCat("cannot resolve '", host, "': ", gai_strerror(rc));
  std::string reason;
  for (addrinfo* a = found; a != nullptr && reason.empty(); a = a->ai_next) {
    const int fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd < 0) {
      reason = std::strerror(errno);
      break;
    }
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, a->ai_addr, a->ai_addrlen) != 0) reason = std::strerror(errno);
    close(fd);
  }
  freeaddrinfo(found);
  return reason;
}

// What one thread keeps between requests: the decoder (bags and scratch space, warm after the
// first request) for the codec of the vocabulary it last decoded with.
struct ThreadDecodeState {
  std::shared_ptr<const WireCodec> codec;  // Keeps the vocabulary alive, so no pointer reuse.
  std::unique_ptr<ReportBatchDecoder> decoder;
};

ReportBatchDecoder& DecoderFor(const std::shared_ptr<const Vocabulary>& vocabulary) {
  thread_local ThreadDecodeState state;
  if (state.codec == nullptr || state.codec->shared_vocabulary() != vocabulary) {
    // A new thread, or a reload changed the vocabulary: build once, then reuse.
    state.decoder.reset();
    state.codec = WireCodec::Create(vocabulary);
    state.decoder = std::make_unique<ReportBatchDecoder>(state.codec);
  }
  return *state.decoder;
}

}  // namespace

class ReportServer::Impl final
    : public Mixer::WithCallbackMethod_Check<Mixer::WithRawCallbackMethod_Report<Mixer::Service>> {
 public:
  Impl(ReportServerOptions options, const Runtime* runtime)
      : options_(std::move(options)), runtime_(runtime) {
    if (options_.recent_report_ids > 0) {
      recent_ids_ = std::make_unique<grpc_internal::RecentReportIds>(options_.recent_report_ids);
    }
  }

  ~Impl() override { Shutdown(absl::Seconds(5)); }

  absl::Status Start() {
    std::string host;
    int requested_port = 0;
    MIXLET_RETURN_IF_ERROR(SplitHostPort(options_.address, &host, &requested_port));
    const std::string why_not = WhyCannotListen(host, requested_port);
    if (!why_not.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot listen on ", options_.address, ": ", why_not));
    }
    ::grpc::ServerBuilder builder;
    int selected_port = 0;
    builder.AddListeningPort(options_.address, ::grpc::InsecureServerCredentials(),
                             &selected_port);
    builder.RegisterService(this);
    builder.SetMaxReceiveMessageSize(static_cast<int>(options_.max_message_bytes));
    builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, options_.max_concurrent_streams);
    // gRPC sets SO_REUSEPORT by default, which would let a second server take the same port
    // silently and share its connections; a taken port must be an error instead.
    builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    server_ = builder.BuildAndStart();
    if (server_ == nullptr || selected_port == 0) {
      if (server_ != nullptr) server_->Shutdown();
      server_.reset();
      // Taken between the check above and gRPC's bind, or refused for a reason only gRPC sees.
      std::string reason = WhyCannotListen(host, requested_port);
      if (reason.empty()) reason = "gRPC could not listen there";
      return absl::FailedPreconditionError(
          absl::StrCat("cannot listen on ", options_.address, ": ", reason));
    }
    port_ = selected_port;
    const size_t colon = options_.address.rfind(':');
    address_ = absl::StrCat(options_.address.substr(0, colon), ":", port_);
    return absl::OkStatus();
  }

  void Shutdown(absl::Duration grace) {
    absl::MutexLock lock(&shutdown_mu_);
    if (server_ == nullptr) return;
    server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
    server_->Wait();
    server_.reset();
  }

  ::grpc::ServerUnaryReactor* Report(::grpc::CallbackServerContext* context,
                                     const ::grpc::ByteBuffer* request,
                                     ::grpc::ByteBuffer* response) override {
    ::grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    const absl::Status status = Handle(*context, *request);
    if (status.ok()) {
      // ReportResponse is empty: its serialized form is zero bytes.
      ::grpc::Slice empty;
      *response = ::grpc::ByteBuffer(&empty, 1);
    }
    reactor->Finish(ToGrpcStatus(status));
    return reactor;
  }

  int port() const { return port_; }
  const std::string& address() const { return address_; }

  ReportServerStats stats() const {
    ReportServerStats s;
    s.requests = requests_.load(std::memory_order_relaxed);
    s.requests_refused = requests_refused_.load(std::memory_order_relaxed);
    s.requests_with_refused_reports =
        requests_with_refused_reports_.load(std::memory_order_relaxed);
    s.duplicate_requests = duplicate_requests_.load(std::memory_order_relaxed);
    s.unconfigured_requests = unconfigured_requests_.load(std::memory_order_relaxed);
    s.reports_dispatched = reports_dispatched_.load(std::memory_order_relaxed);
    s.reports_refused = reports_refused_.load(std::memory_order_relaxed);
    return s;
  }

 private:
  absl::Status Handle(const ::grpc::CallbackServerContext& context,
                      const ::grpc::ByteBuffer& request) {
    requests_.fetch_add(1, std::memory_order_relaxed);
    // The report id, if the client sent a usable one.
    absl::string_view report_id;
    if (recent_ids_ != nullptr) {
      const auto& metadata = context.client_metadata();
      auto it = metadata.find(::grpc::string_ref(kReportIdKey.data(), kReportIdKey.size()));
      if (it != metadata.end() && it->second.size() > 0 &&
          it->second.size() <= grpc_internal::kMaxReportIdLength) {
        report_id = absl::string_view(it->second.data(), it->second.size());
      }
    }
    if (!report_id.empty()) {
      absl::Status previous;
      if (!recent_ids_->Begin(report_id, kDuplicateWait, &previous)) {
        duplicate_requests_.fetch_add(1, std::memory_order_relaxed);
        return previous;
      }
    }
    const absl::Status answer = Apply(request);
    if (!report_id.empty()) {
      if (answer.code() == absl::StatusCode::kUnavailable) {
        recent_ids_->Abandon(report_id);  // Nothing applied: a retry must be applied.
      } else {
        recent_ids_->Finish(report_id, answer);
      }
    }
    return answer;
  }

  absl::Status Apply(const ::grpc::ByteBuffer& request) {
    // One snapshot for the whole request: its vocabulary decodes, its router dispatches.
    const std::shared_ptr<const Router> router = runtime_->router();
    if (router == nullptr) {
      unconfigured_requests_.fetch_add(1, std::memory_order_relaxed);
      return absl::UnavailableError(
          "no configuration is applied yet; the request was not applied");
    }
    ::grpc::Slice slice;
    // Small requests arrive in one slice and are read in place; larger ones are joined once.
    if (!request.TrySingleSlice(&slice).ok() && !request.DumpToSingleSlice(&slice).ok()) {
      requests_refused_.fetch_add(1, std::memory_order_relaxed);
      return absl::InternalError("could not read the request bytes");
    }
    const absl::string_view bytes(reinterpret_cast<const char*>(slice.begin()), slice.size());
    ReportBatchDecoder& decoder = DecoderFor(router->config().vocabulary());
    const Router& r = *router;
    absl::StatusOr<ReportBatchResult> result =
        decoder.DecodeBytes(bytes, [&r](const Bag& bag) { r.Dispatch(bag); });
    if (!result.ok()) {
      requests_refused_.fetch_add(1, std::memory_order_relaxed);
      return result.status();
    }
    reports_dispatched_.fetch_add(result->delivered, std::memory_order_relaxed);
    if (!result->ok()) {
      requests_with_refused_reports_.fetch_add(1, std::memory_order_relaxed);
      reports_refused_.fetch_add(result->refused.size(), std::memory_order_relaxed);
    }
    return result->ToStatus();
  }

  static constexpr absl::string_view kReportIdKey = grpc_internal::kReportIdMetadataKey;

  const ReportServerOptions options_;
  const Runtime* const runtime_;
  std::unique_ptr<grpc_internal::RecentReportIds> recent_ids_;
  absl::Mutex shutdown_mu_;
  std::unique_ptr<::grpc::Server> server_;
  int port_ = 0;
  std::string address_;

  std::atomic<uint64_t> requests_{0};
  std::atomic<uint64_t> requests_refused_{0};
  std::atomic<uint64_t> requests_with_refused_reports_{0};
  std::atomic<uint64_t> duplicate_requests_{0};
  std::atomic<uint64_t> unconfigured_requests_{0};
  std::atomic<uint64_t> reports_dispatched_{0};
  std::atomic<uint64_t> reports_refused_{0};
};

absl::StatusOr<std::unique_ptr<ReportServer>> ReportServer::Start(ReportServerOptions options,
                                                                  const Runtime* runtime) {
  if (runtime == nullptr) return absl::InvalidArgumentError("ReportServer: runtime is null");
  if (options.max_message_bytes < 1024 || options.max_message_bytes > (1u << 31) - 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ReportServer: max_message_bytes ", options.max_message_bytes,
        " is outside 1024..2147483647"));
  }
  if (options.max_concurrent_streams < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ReportServer: max_concurrent_streams ", options.max_concurrent_streams,
        " must be at least 1"));
  }
  auto impl = std::make_unique<Impl>(std::move(options), runtime);
  absl::Status started = impl->Start();
  if (!started.ok()) return started;
  return std::unique_ptr<ReportServer>(new ReportServer(std::move(impl)));
}

ReportServer::ReportServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ReportServer::~ReportServer() = default;

void ReportServer::Shutdown(absl::Duration grace) { impl_->Shutdown(grace); }
int ReportServer::port() const { return impl_->port(); }
const std::string& ReportServer::address() const { return impl_->address(); }
ReportServerStats ReportServer::stats() const { return impl_->stats(); }

}  // namespace mixlet
