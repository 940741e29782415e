// TcpProxy: the forwarding engine of `mixlet-tcp-proxy`: one epoll loop over non-blocking
// sockets that accepts client connections, connects each to the upstream, copies bytes both ways
// (with back-pressure: a side is read only while the buffer towards the other side has room) and
// passes half-closes through (a client's FIN reaches the upstream once its bytes have).
//
// Every connection is reported through a `TcpReporter`, as Istio's server-side (inbound) sidecar
// did: it is opened in the reporter when accepted (with the attributes `attributes_for` gives
// for the client's address, `context.reporter.kind = inbound`, `source.ip` = the client's
// address, `destination.ip` / `destination.port` = the address the client connected to), bytes
// read from the client count as received and bytes written to it as sent, and it is closed in
// the reporter when both directions are done, when either side fails, or at shutdown.
//
// Example:
//   absl::StatusOr<std::unique_ptr<TcpProxy>> proxy = TcpProxy::Create(options, reporter, fn);
//   std::cout << "listening on " << (*proxy)->listen_address() << "\n";
//   (*proxy)->Run(stop_fd);     // until stop_fd is readable; closes every connection
#ifndef MIXLET_EXAMPLES_TCP_PROXY_TCP_PROXY_H_
#define MIXLET_EXAMPLES_TCP_PROXY_TCP_PROXY_H_

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mixlet/proxy/connection_attributes.h"
#include "mixlet/proxy/tcp_reporter.h"

namespace mixlet::tcp_proxy {

// "host:port" / "[v6]:port" into its parts. InvalidArgument (naming `flag`) when malformed.
absl::Status SplitHostPort(absl::string_view address, absl::string_view flag, std::string* host,
                           int* port);

struct TcpProxyOptions {
  std::string listen_host = "127.0.0.1";
  int listen_port = 0;  // 0: a free port
  std::string upstream_host;
  int upstream_port = 0;
  // Bytes buffered per direction of a connection. At least 1024.
  size_t buffer_bytes = 64 * 1024;
};

struct TcpProxyStats {
  uint64_t accepted = 0;
  uint64_t upstream_failures = 0;  // upstream connect failed: the client was closed
  uint64_t resets = 0;             // connections ended by an error on either side
  uint64_t closed = 0;             // connections finished (all causes)
  uint64_t active = 0;
  uint64_t bytes_from_clients = 0;
  uint64_t bytes_to_clients = 0;
};

class TcpProxy {
 public:
  using AttributesFor = std::function<ConnectionAttributes(absl::string_view peer_ip)>;

  // Binds and listens. `reporter` is borrowed and must outlive the proxy. FailedPrecondition
  // when the listen address cannot be bound (`cannot listen on 127.0.0.1:9000: Address already
  // in use`) or the upstream host does not resolve; InvalidArgument for bad options.
  static absl::StatusOr<std::unique_ptr<TcpProxy>> Create(TcpProxyOptions options,
                                                          TcpReporter* reporter,
                                                          AttributesFor attributes_for);

  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;
  ~TcpProxy();

  // The address listened on, with the port picked when 0 was asked ("127.0.0.1:41234").
  const std::string& listen_address() const;

  // Runs the loop on the calling thread until `stop_fd` becomes readable (an eventfd or
  // signalfd, say), then stops accepting, closes every connection, closes each in the reporter
  // (their `close` reports go out at the reporter's next Poll) and returns. Internal on an
  // epoll failure.
  absl::Status Run(int stop_fd);

  // Safe from any thread.
  TcpProxyStats stats() const;

 private:
  class Impl;
  explicit TcpProxy(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mixlet::tcp_proxy

#endif  // MIXLET_EXAMPLES_TCP_PROXY_TCP_PROXY_H_
