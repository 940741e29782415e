#include "tcp_proxy.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"

namespace mixlet::tcp_proxy {
namespace {

constexpr int kMaxEvents = 256;
// After accept() runs out of descriptors, wait this long before accepting again (the pending
// connections stay in the kernel's backlog meanwhile).
constexpr absl::Duration kAcceptPause = absl::Milliseconds(100);

std::string ErrnoText(int error) { return std::strerror(error); }

// The raw address bytes (4 for IPv4, 16 for IPv6) and port of a socket address.
void AddressOf(const sockaddr_storage& addr, std::string* ip, int* port) {
  if (addr.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(addr);
    ip->assign(reinterpret_cast<const char*>(&v4.sin_addr), 4);
    *port = ntohs(v4.sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(addr);
    ip->assign(reinterpret_cast<const char*>(&v6.sin6_addr), 16);
    *port = ntohs(v6.sin6_port);
  } else {
    ip->clear();
    *port = 0;
  }
}

absl::StatusOr<std::vector<sockaddr_storage>> Resolve(const std::string& host, int port,
                                                      bool passive, socklen_t* length) {
  addrinfo hints;
  std::memset(&hints, 0, sizeof(hints));
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  if (passive) hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  const int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints,
                             &found);
  if (rc != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot resolve '", host, "': ", gai_strerror(rc)));
  }
  std::vector<sockaddr_storage> out;
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    sockaddr_storage s;
    std::memset(&s, 0, sizeof(s));
    std::memcpy(&s, a->ai_addr, a->ai_addrlen);
    out.push_back(s);
    *length = a->ai_addrlen;
    break;  // the first address is the one used
  }
  freeaddrinfo(found);
  return out;
}

// A fixed-size byte queue: bytes are appended at the end and taken from the front.
class Buffer {
 public:
  explicit Buffer(size_t capacity) : data_(new char[capacity]), capacity_(capacity) {}
  size_t size() const { return end_ - begin_; }
  const char* data() const { return data_.get() + begin_; }
  // Room at the end, moving the bytes to the front first when that makes more room.
  size_t space() {
    if (end_ == capacity_ && begin_ > 0) {
      std::memmove(data_.get(), data_.get() + begin_, size());
      end_ -= begin_;
      begin_ = 0;
    }
    return capacity_ - end_;
  }
  char* tail() { return data_.get() + end_; }
  void Produced(size_t n) { end_ += n; }
  void Consumed(size_t n) {
    begin_ += n;
    if (begin_ == end_) begin_ = end_ = 0;
  }

 private:
  std::unique_ptr<char[]> data_;
  size_t capacity_;
  size_t begin_ = 0;
  size_t end_ = 0;
};

struct Connection;

// What an epoll event points at: one socket of a connection.
struct Endpoint {
  Connection* connection;
  bool is_client;
};

struct Connection {
  explicit Connection(size_t buffer_bytes) : to_upstream(buffer_bytes), to_client(buffer_bytes) {}

  uint64_t id = 0;
  int client_fd = -1;
  int upstream_fd = -1;
  Endpoint client_endpoint{this, true};
  Endpoint upstream_endpoint{this, false};
  bool connecting = true;
  bool client_eof = false;        // the client sent FIN (read returned 0)
  bool upstream_eof = false;      // the upstream sent FIN
  bool upstream_shut = false;     // we sent FIN to the upstream
  bool client_shut = false;       // we sent FIN to the client
  bool dead = false;
  Buffer to_upstream;
  Buffer to_client;
  ConnectionHandle handle;
};

enum class Step { kIdle, kProgress, kError };

}  // namespace

absl::Status SplitHostPort(absl::string_view address, absl::string_view flag, std::string* host,
                           int* port) {
  const size_t colon = address.rfind(':');
  int p = -1;
  if (colon == absl::string_view::npos || !absl::SimpleAtoi(address.substr(colon + 1), &p) ||
      p < 0 || p > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, " '", address, "' is not HOST:PORT with a port in 0..65535"));
  }
  absl::string_view h = address.substr(0, colon);
  if (absl::ConsumePrefix(&h, "[") && !absl::ConsumeSuffix(&h, "]")) {
    return absl::InvalidArgumentError(absl::StrCat(flag, " '", address, "': unbalanced '['"));
  }
  *host = std::string(h);
  *port = p;
  return absl::OkStatus();
}

class TcpProxy::Impl {
 public:
  Impl(TcpProxyOptions options, TcpReporter* reporter, AttributesFor attributes_for)
      : options_(std::move(options)),
        reporter_(reporter),
        attributes_for_(std::move(attributes_for)) {}

  ~Impl() {
    CloseAll();
    if (listen_fd_ >= 0) close(listen_fd_);
    if (epoll_fd_ >= 0) close(epoll_fd_);
  }

  absl::Status Init() {
    socklen_t upstream_length = 0;
    absl::StatusOr<std::vector<sockaddr_storage>> upstream =
        Resolve(options_.upstream_host, options_.upstream_port, false, &upstream_length);
    if (!upstream.ok()) {
      return absl::FailedPreconditionError(
          absl::StrCat("--upstream: ", upstream.status().message()));
    }
    upstream_ = upstream->front();
    upstream_length_ = upstream_length;

    const std::string listen_text =
        absl::StrCat(options_.listen_host, ":", options_.listen_port);
    socklen_t listen_length = 0;
    absl::StatusOr<std::vector<sockaddr_storage>> listen_at =
        Resolve(options_.listen_host, options_.listen_port, true, &listen_length);
    if (!listen_at.ok()) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot listen on ", listen_text, ": ", listen_at.status().message()));
    }
    const sockaddr_storage& addr = listen_at->front();
    listen_fd_ = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot listen on ", listen_text, ": ", ErrnoText(errno)));
    }
    const int one = 1;
    setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(listen_fd_, reinterpret_cast<const sockaddr*>(&addr), listen_length) != 0 ||
        listen(listen_fd_, SOMAXCONN) != 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot listen on ", listen_text, ": ", ErrnoText(errno)));
    }
    sockaddr_storage bound;
    socklen_t bound_length = sizeof(bound);
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &bound_length);
    std::string ip;
    int port = 0;
    AddressOf(bound, &ip, &port);
    char text[INET6_ADDRSTRLEN] = {0};
    inet_ntop(bound.ss_family, ip.data(), text, sizeof(text));
    listen_address_ = bound.ss_family == AF_INET6 ? absl::StrCat("[", text, "]:", port)
                                                  : absl::StrCat(text, ":", port);

    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd_ < 0) return absl::InternalError(absl::StrCat("epoll: ", ErrnoText(errno)));
    return absl::OkStatus();
  }

  const std::string& listen_address() const { return listen_address_; }

  absl::Status Run(int stop_fd) {
    int stop_marker = 0;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = &stop_marker;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, stop_fd, &ev) != 0) {
      return absl::InternalError(absl::StrCat("epoll_ctl(stop fd): ", ErrnoText(errno)));
    }
    absl::Status watching = WatchListener(true);
    if (!watching.ok()) return watching;
    std::vector<epoll_event> events(kMaxEvents);
    bool stopping = false;
    while (!stopping) {
      int timeout_ms = -1;
      if (accept_paused_) {
        timeout_ms = static_cast<int>(std::max<int64_t>(
            0, absl::ToInt64Milliseconds(accept_resume_ - absl::Now()) + 1));
      }
      const int n = epoll_wait(epoll_fd_, events.data(), kMaxEvents, timeout_ms);
      if (n < 0) {
        if (errno == EINTR) continue;
        return absl::InternalError(absl::StrCat("epoll_wait: ", ErrnoText(errno)));
      }
      if (accept_paused_ && absl::Now() >= accept_resume_) {
        accept_paused_ = false;
        watching = WatchListener(true);
        if (!watching.ok()) return watching;
        AcceptAll();
      }
      for (int i = 0; i < n; ++i) {
        void* ptr = events[i].data.ptr;
        if (ptr == &stop_marker) {
          stopping = true;
        } else if (ptr == &listen_marker_) {
          AcceptAll();
        } else {
          Endpoint* endpoint = static_cast<Endpoint*>(ptr);
          if (!endpoint->connection->dead) OnEvent(*endpoint, events[i].events);
        }
      }
      graveyard_.clear();  // connections ended in this round; no event points at them now
    }
    epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, stop_fd, nullptr);
    CloseAll();
    return absl::OkStatus();
  }

  TcpProxyStats stats() const {
    TcpProxyStats s;
    s.accepted = accepted_.load(std::memory_order_relaxed);
    s.upstream_failures = upstream_failures_.load(std::memory_order_relaxed);
    s.resets = resets_.load(std::memory_order_relaxed);
    s.closed = closed_.load(std::memory_order_relaxed);
    s.active = s.accepted - s.closed;
    s.bytes_from_clients = bytes_from_clients_.load(std::memory_order_relaxed);
    s.bytes_to_clients = bytes_to_clients_.load(std::memory_order_relaxed);
    return s;
  }

 private:
  absl::Status WatchListener(bool watch) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = &listen_marker_;
    if (epoll_ctl(epoll_fd_, watch ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, listen_fd_, &ev) != 0) {
      return absl::InternalError(absl::StrCat("epoll_ctl(listener): ", ErrnoText(errno)));
    }
    return absl::OkStatus();
  }

  void AcceptAll() {
    for (;;) {
      sockaddr_storage peer;
      socklen_t peer_length = sizeof(peer);
      const int fd = accept4(listen_fd_, reinterpret_cast<sockaddr*>(&peer), &peer_length,
                             SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
          Warn(absl::StrCat("accept: ", ErrnoText(errno), "; pausing accepts"));
          accept_paused_ = true;
          accept_resume_ = absl::Now() + kAcceptPause;
          WatchListener(false).IgnoreError();
        }
        return;  // EAGAIN: accepted everything pending
      }
      Accept(fd, peer);
    }
  }

  void Accept(int client_fd, const sockaddr_storage& peer) {
    const absl::Time now = absl::Now();
    accepted_.fetch_add(1, std::memory_order_relaxed);
    auto conn = std::make_unique<Connection>(options_.buffer_bytes);
    conn->id = ++next_id_;
    conn->client_fd = client_fd;
    const int one = 1;
    setsockopt(client_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

    std::string peer_ip;
    int peer_port = 0;
    AddressOf(peer, &peer_ip, &peer_port);
    sockaddr_storage local;
    socklen_t local_length = sizeof(local);
    std::string local_ip;
    int local_port = 0;
    if (getsockname(client_fd, reinterpret_cast<sockaddr*>(&local), &local_length) == 0) {
      AddressOf(local, &local_ip, &local_port);
    }
    ConnectionAttributes attributes = attributes_for_(peer_ip);
    attributes.reporter_kind = ReporterKind::kInbound;
    attributes.source_ip = peer_ip;
    // As an inbound sidecar: the destination is the address the client connected to.
    attributes.destination_ip = local_ip;
    attributes.destination_port = local_port;
    absl::StatusOr<ConnectionHandle> handle = reporter_->Open(attributes, now);
    if (handle.ok()) {
      conn->handle = *std::move(handle);
    } else {
      Warn(absl::StrCat("connection not reported: ", handle.status().message()));
    }

    conn->upstream_fd =
        socket(upstream_.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int connect_error = 0;
    if (conn->upstream_fd < 0) {
      connect_error = errno;
    } else {
      setsockopt(conn->upstream_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      if (connect(conn->upstream_fd, reinterpret_cast<const sockaddr*>(&upstream_),
                  upstream_length_) == 0) {
        conn->connecting = false;
      } else if (errno != EINPROGRESS) {
        connect_error = errno;
      }
    }
    Connection* c = conn.get();
    connections_.emplace(c->id, std::move(conn));
    if (connect_error != 0) {
      UpstreamFailed(*c, connect_error);
      return;
    }
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLET;
    ev.data.ptr = &c->client_endpoint;
    const bool client_ok = epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, c->client_fd, &ev) == 0;
    ev.data.ptr = &c->upstream_endpoint;
    const bool upstream_ok = epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, c->upstream_fd, &ev) == 0;
    if (!client_ok || !upstream_ok) {
      Warn(absl::StrCat("epoll_ctl(connection): ", ErrnoText(errno)));
      End(*c, /*reset=*/true);
    }
  }

  void OnEvent(Endpoint& endpoint, uint32_t events) {
    Connection& c = *endpoint.connection;
    if (!endpoint.is_client && c.connecting) {
      int error = 0;
      socklen_t length = sizeof(error);
      getsockopt(c.upstream_fd, SOL_SOCKET, SO_ERROR, &error, &length);
      if (error != 0) {
        UpstreamFailed(c, error);
        return;
      }
      if ((events & EPOLLOUT) == 0) return;  // not connected yet
      c.connecting = false;
    }
    if ((events & EPOLLERR) != 0) {
      // A reset or another socket error: the connection cannot go on.
      End(c, /*reset=*/true);
      return;
    }
    Pump(c);
  }

  // Moves bytes both ways until neither direction can make progress (the sockets are
  // edge-triggered, so every readable or writable byte is taken now).
  void Pump(Connection& c) {
    for (;;) {
      const Step to_upstream = Transfer(c, /*from_client=*/true);
      if (to_upstream == Step::kError) return End(c, /*reset=*/true);
      const Step to_client = Transfer(c, /*from_client=*/false);
      if (to_client == Step::kError) return End(c, /*reset=*/true);
      if (to_upstream == Step::kIdle && to_client == Step::kIdle) break;
    }
    if (c.client_eof && c.upstream_eof && c.upstream_shut && c.client_shut) End(c, false);
  }

  Step Transfer(Connection& c, bool from_client) {
    const int src = from_client ? c.client_fd : c.upstream_fd;
    const int dst = from_client ? c.upstream_fd : c.client_fd;
    bool& src_eof = from_client ? c.client_eof : c.upstream_eof;
    bool& dst_shut = from_client ? c.upstream_shut : c.client_shut;
    Buffer& buffer = from_client ? c.to_upstream : c.to_client;
    const bool src_ready = from_client || !c.connecting;
    const bool dst_ready = !from_client || !c.connecting;
    Step step = Step::kIdle;

    while (src_ready && !src_eof && buffer.space() > 0) {
      const ssize_t n = read(src, buffer.tail(), buffer.space());
      if (n > 0) {
        buffer.Produced(static_cast<size_t>(n));
        if (from_client) {
          c.handle.AddReceived(static_cast<uint64_t>(n));
          bytes_from_clients_.fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed);
        }
        step = Step::kProgress;
      } else if (n == 0) {
        src_eof = true;
        step = Step::kProgress;
      } else if (errno == EINTR) {
        continue;
      } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
        break;
      } else {
        return Step::kError;
      }
    }
    while (dst_ready && buffer.size() > 0) {
      const ssize_t n = send(dst, buffer.data(), buffer.size(), MSG_NOSIGNAL);
      if (n > 0) {
        buffer.Consumed(static_cast<size_t>(n));
        if (!from_client) {
          c.handle.AddSent(static_cast<uint64_t>(n));
          bytes_to_clients_.fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed);
        }
        step = Step::kProgress;
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        break;
      } else {
        return Step::kError;
      }
    }
    // Pass the half-close on once every byte before it has been passed on.
    if (dst_ready && src_eof && buffer.size() == 0 && !dst_shut) {
      shutdown(dst, SHUT_WR);
      dst_shut = true;
      step = Step::kProgress;
    }
    return step;
  }

  void UpstreamFailed(Connection& c, int error) {
    const uint64_t n = upstream_failures_.fetch_add(1, std::memory_order_relaxed) + 1;
    if ((n & (n - 1)) == 0) {  // the 1st, 2nd, 4th, 8th ... failure
      Warn(absl::StrCat("cannot connect to the upstream: ", ErrnoText(error), " (", n,
                        n == 1 ? " failure)" : " failures)"));
    }
    End(c, /*reset=*/false);
  }

  // Ends a connection: closes both sockets (which also takes them out of epoll) and closes it in
  // the reporter. The object itself is freed after the current round of events.
  void End(Connection& c, bool reset) {
    if (c.dead) return;
    c.dead = true;
    if (reset) resets_.fetch_add(1, std::memory_order_relaxed);
    closed_.fetch_add(1, std::memory_order_relaxed);
    if (c.client_fd >= 0) close(c.client_fd);
    if (c.upstream_fd >= 0) close(c.upstream_fd);
    c.client_fd = c.upstream_fd = -1;
    if (c.handle.valid()) reporter_->Close(c.handle, absl::Now()).IgnoreError();
    auto it = connections_.find(c.id);
    if (it != connections_.end()) {
      graveyard_.push_back(std::move(it->second));
      connections_.erase(it);
    }
  }

  void CloseAll() {
    std::vector<Connection*> open;
    for (auto& [id, c] : connections_) open.push_back(c.get());
    for (Connection* c : open) End(*c, /*reset=*/false);
    graveyard_.clear();
  }

  void Warn(const std::string& message) {
    std::cerr << "mixlet-tcp-proxy: warning: " << message << std::endl;
  }

  const TcpProxyOptions options_;
  TcpReporter* const reporter_;
  const AttributesFor attributes_for_;
  sockaddr_storage upstream_{};
  socklen_t upstream_length_ = 0;
  int listen_fd_ = -1;
  int epoll_fd_ = -1;
  int listen_marker_ = 0;
  std::string listen_address_;
  bool accept_paused_ = false;
  absl::Time accept_resume_;
  uint64_t next_id_ = 0;
  std::unordered_map<uint64_t, std::unique_ptr<Connection>> connections_;
  std::vector<std::unique_ptr<Connection>> graveyard_;

  std::atomic<uint64_t> accepted_{0};
  std::atomic<uint64_t> upstream_failures_{0};
  std::atomic<uint64_t> resets_{0};
  std::atomic<uint64_t> closed_{0};
  std::atomic<uint64_t> bytes_from_clients_{0};
  std::atomic<uint64_t> bytes_to_clients_{0};
};

absl::StatusOr<std::unique_ptr<TcpProxy>> TcpProxy::Create(TcpProxyOptions options,
                                                           TcpReporter* reporter,
                                                           AttributesFor attributes_for) {
  if (reporter == nullptr) return absl::InvalidArgumentError("TcpProxy: reporter is null");
  if (!attributes_for) return absl::InvalidArgumentError("TcpProxy: attributes_for is empty");
  if (options.buffer_bytes < 1024) {
    return absl::InvalidArgumentError(
        absl::StrCat("TcpProxy: buffer_bytes ", options.buffer_bytes, " is below 1024"));
  }
  if (options.upstream_host.empty() || options.upstream_port <= 0 ||
      options.upstream_port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("--upstream '", options.upstream_host, ":",
                                                   options.upstream_port,
                                                   "' needs a host and a port in 1..65535"));
  }
  auto impl = std::make_unique<Impl>(std::move(options), reporter, std::move(attributes_for));
  absl::Status status = impl->Init();
  if (!status.ok()) return status;
  return std::unique_ptr<TcpProxy>(new TcpProxy(std::move(impl)));
}

TcpProxy::TcpProxy(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TcpProxy::~TcpProxy() = default;
const std::string& TcpProxy::listen_address() const { return impl_->listen_address(); }
absl::Status TcpProxy::Run(int stop_fd) { return impl_->Run(stop_fd); }
TcpProxyStats TcpProxy::stats() const { return impl_->stats(); }

}  // namespace mixlet::tcp_proxy
