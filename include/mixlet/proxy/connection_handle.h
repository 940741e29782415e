// ConnectionHandle: the proxy's reference to one connection open in a `TcpReporter`.
//
// The proxy keeps the handle next to its connection and counts bytes on it as they flow:
// `AddReceived` for bytes read from the downstream peer, `AddSent` for bytes written to it. Each
// call is one relaxed atomic add on a cache-line-aligned counter: no lock, no lookup, no
// allocation, safe from any number of threads. Everything else (building, encoding and sending
// reports) happens on the reporter's `Poll`, off the data path (DESIGN.md item 7).
//
// A handle is move-only. Destroying (or moving over) a handle whose connection was not closed
// tells the reporter the connection is gone: its `close` report goes out at the next `Poll`, so
// an error path that forgets `Close` still reports. A handle stays usable after `Close` (bytes
// counted then are not reported) and may outlive its reporter.
//
// Example:
//   absl::StatusOr<ConnectionHandle> conn = reporter->Open(attrs, now);
//   conn->AddReceived(bytes_read);
//   conn->AddSent(bytes_written);
//   reporter->Close(*conn, now).IgnoreError();
#ifndef MIXLET_PROXY_CONNECTION_HANDLE_H_
#define MIXLET_PROXY_CONNECTION_HANDLE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <utility>

namespace mixlet {

namespace proxy_internal {
// The part of a connection record the data path touches. Each counter has a cache line of its
// own, so two connections, or the reading and the writing side of one connection, never share
// one.
struct ConnectionCounters {
  alignas(64) std::atomic<uint64_t> received{0};
  alignas(64) std::atomic<uint64_t> sent{0};
  // Set when the handle goes away; the reporter then closes the connection at its next poll.
  alignas(64) std::atomic<bool> handle_released{false};
  // The reporter that opened the connection (compared, never dereferenced).
  const void* owner = nullptr;
};
}  // namespace proxy_internal

class ConnectionHandle {
 public:
  // An empty handle: counting on it does nothing.
  ConnectionHandle() = default;
  ConnectionHandle(ConnectionHandle&& other) noexcept = default;
  ConnectionHandle& operator=(ConnectionHandle&& other) noexcept {
    if (this != &other) {
      Release();
      counters_ = std::move(other.counters_);
    }
    return *this;
  }
  // Not copyable: the one owner going away is what tells the reporter the connection is gone.
  ConnectionHandle(const ConnectionHandle&) = delete;
  ConnectionHandle& operator=(const ConnectionHandle&) = delete;
  ~ConnectionHandle() { Release(); }

  // Adds `bytes` read from the downstream peer (client -> server direction).
  // Hot path: no allocation, no string hashing, no lock: one relaxed atomic add.
  void AddReceived(uint64_t bytes) const {
    if (counters_ != nullptr) counters_->received.fetch_add(bytes, std::memory_order_relaxed);
  }
  // Adds `bytes` written to the downstream peer (server -> client direction).
  // Hot path: no allocation, no string hashing, no lock: one relaxed atomic add.
  void AddSent(uint64_t bytes) const {
    if (counters_ != nullptr) counters_->sent.fetch_add(bytes, std::memory_order_relaxed);
  }

  // Running totals counted so far (0 for an empty handle).
  uint64_t received_total() const {
    return counters_ != nullptr ? counters_->received.load(std::memory_order_relaxed) : 0;
  }
  uint64_t sent_total() const {
    return counters_ != nullptr ? counters_->sent.load(std::memory_order_relaxed) : 0;
  }

  // False for a default-constructed or moved-from handle.
  bool valid() const { return counters_ != nullptr; }

 private:
  friend class TcpReporter;
  explicit ConnectionHandle(std::shared_ptr<proxy_internal::ConnectionCounters> counters)
      : counters_(std::move(counters)) {}
  const proxy_internal::ConnectionCounters* counters() const { return counters_.get(); }
  void Release() {
    if (counters_ != nullptr) {
      counters_->handle_released.store(true, std::memory_order_release);
      counters_.reset();
    }
  }

  // Shares ownership of the reporter's connection record (an aliasing pointer to its counters).
  std::shared_ptr<proxy_internal::ConnectionCounters> counters_;
};

}  // namespace mixlet

#endif  // MIXLET_PROXY_CONNECTION_HANDLE_H_
