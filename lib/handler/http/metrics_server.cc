// The only file that includes cpp-httplib.
#include "mixlet/handler/metrics_server.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>

#include <httplib.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace mixlet {
namespace {

// httplib only says that binding failed; find out why by trying the same bind ourselves.
std::string BindFailureReason(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* result = nullptr;
  const std::string service = std::to_string(port);
  if (const int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &result); rc != 0) {
    return absl::StrCat("cannot resolve host: ", gai_strerror(rc));
  }
  std::string reason = "unknown error";
  for (addrinfo* ai = result; ai != nullptr; ai = ai->ai_next) {
    const int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd < 0) {
      reason = std::strerror(errno);
      continue;
    }
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
      reason = errno == EADDRINUSE ? "address already in use" : std::strerror(errno);
    } else if (listen(fd, 1) != 0) {
      reason = errno == EADDRINUSE ? "address already in use" : std::strerror(errno);
    }
    close(fd);
  }
  freeaddrinfo(result);
  return reason;
}

}  // namespace

struct MetricsServer::Impl {
  MetricsServerOptions options;
  std::shared_ptr<const MetricsRegistry> registry;
  httplib::Server server;
  std::thread thread;
  std::once_flag stopped;
  int port = 0;
};

MetricsServer::MetricsServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

MetricsServer::~MetricsServer() { Stop(); }

int MetricsServer::port() const { return impl_->port; }

std::string MetricsServer::address() const {
  return absl::StrCat(impl_->options.host, ":", impl_->port);
}

void MetricsServer::Stop() {
  std::call_once(impl_->stopped, [this] {
    impl_->server.stop();
    if (impl_->thread.joinable()) impl_->thread.join();
  });
}

absl::StatusOr<std::unique_ptr<MetricsServer>> MetricsServer::Start(
    std::shared_ptr<const MetricsRegistry> registry, MetricsServerOptions options) {
  if (registry == nullptr) return absl::InvalidArgumentError("metrics server: registry is null");
  if (options.port < 0 || options.port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("metrics server: port ", options.port, " is outside 0..65535"));
  }
  if (options.host.empty()) return absl::InvalidArgumentError("metrics server: host is empty");
  if (options.path.empty() || options.path[0] != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("metrics server: path \"", options.path, "\" does not start with '/'"));
  }
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->registry = std::move(registry);
  Impl* raw = impl.get();
  try {
    // httplib sets SO_REUSEPORT by default, which would let a second server share a taken port
    // silently; SO_REUSEADDR alone still allows a quick restart over TIME_WAIT sockets.
    raw->server.set_socket_options([](socket_t sock) {
      int yes = 1;
      setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    // httplib matches the pattern as a regular expression: serve the path literally.
    std::string pattern;
    for (char c : options.path) {
      if (std::strchr("\\^$.|?*+()[]{}", c) != nullptr) pattern.push_back('\\');
      pattern.push_back(c);
    }
    raw->server.Get(pattern, [raw](const httplib::Request&, httplib::Response& response) {
      std::string body;
      raw->registry->AppendTextExposition(&body);
      response.set_content(body, std::string(MetricsRegistry::kContentType));
    });
    if (options.port == 0) {
      raw->port = raw->server.bind_to_any_port(options.host);
      if (raw->port <= 0) {
        return absl::FailedPreconditionError(
            absl::StrCat("metrics server: cannot listen on ", options.host,
                         " (any port): ", BindFailureReason(options.host, 0)));
      }
    } else {
      if (!raw->server.bind_to_port(options.host, options.port)) {
        return absl::FailedPreconditionError(
            absl::StrCat("metrics server: cannot listen on ", options.host, ":", options.port,
                         ": ", BindFailureReason(options.host, options.port)));
      }
      raw->port = options.port;
    }
    raw->thread = std::thread([raw] { raw->server.listen_after_bind(); });
    // Stop() is a no-op until the server runs; wait so that a quick Stop() cannot miss it.
    for (int i = 0; i < 5000 && !raw->server.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("metrics server: ", e.what()));
  }
  return std::unique_ptr<MetricsServer>(new MetricsServer(std::move(impl)));
}

}  // namespace mixlet
