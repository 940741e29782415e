// Helpers for the end-to-end tests: child processes (mixlet-server, mixlet-tcp-proxy) with their
// output captured, a TCP upstream that answers every byte with two, TCP clients with a chosen
// source address, and reading counters from a /metrics endpoint.
#ifndef MIXLET_TESTS_E2E_E2E_TESTING_H_
#define MIXLET_TESTS_E2E_E2E_TESTING_H_

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace mixlet::e2e {

// A scratch directory, removed with its files at the end.
class TempDir {
 public:
  TempDir() {
    std::string pattern = "/tmp/mixlet-e2e-XXXXXX";
    char* made = mkdtemp(pattern.data());
    path_ = made != nullptr ? made : "/tmp";
  }
  ~TempDir() {
    if (path_ != "/tmp") std::system(("rm -rf '" + path_ + "'").c_str());
  }
  const std::string& path() const { return path_; }
  std::string File(absl::string_view name) const { return absl::StrCat(path_, "/", name); }
  std::string Write(absl::string_view name, absl::string_view text) const {
    const std::string file = File(name);
    std::ofstream(file, std::ios::binary) << text;
    return file;
  }

 private:
  std::string path_;
};

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Polls `condition` every 50 ms until it holds or `timeout` passes; returns its last value.
inline bool WaitFor(const std::function<bool()>& condition, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!condition()) {
    if (absl::Now() >= deadline) return condition();
    absl::SleepFor(absl::Milliseconds(50));
  }
  return true;
}

// A child process whose stdout and stderr go to files in `dir`.
class Process {
 public:
  Process(const std::vector<std::string>& argv, const TempDir& dir, absl::string_view name)
      : stdout_path_(dir.File(absl::StrCat(name, ".out"))),
        stderr_path_(dir.File(absl::StrCat(name, ".err"))) {
    // Everything the child needs is prepared before fork: after it, in a threaded parent, the
    // child may only make async-signal-safe calls until exec.
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    sigset_t none;
    sigemptyset(&none);
    pid_ = fork();
    if (pid_ == 0) {
      const int out = open(stdout_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int err = open(stderr_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(out, 1);
      dup2(err, 2);
      // The test may block signals in its threads; the child must start with none blocked.
      sigprocmask(SIG_SETMASK, &none, nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
  }
  ~Process() {
    if (running()) {
      kill(pid_, SIGKILL);
      Wait(absl::Seconds(10));
    }
  }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  bool running() const { return pid_ > 0 && !exited_; }
  void Signal(int signal_number) const {
    if (running()) kill(pid_, signal_number);
  }

  // Waits for the process to exit; returns its exit code, 128 + signal if killed, or -1 (after
  // killing it) when it did not exit within `timeout`.
  int Wait(absl::Duration timeout) {
    if (exited_) return exit_code_;
    const absl::Time deadline = absl::Now() + timeout;
    for (;;) {
      int status = 0;
      const pid_t r = waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        exited_ = true;
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return exit_code_;
      }
      if (absl::Now() >= deadline) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        exited_ = true;
        exit_code_ = -1;
        return exit_code_;
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
  }

  std::string out() const { return ReadFile(stdout_path_); }
  std::string err() const { return ReadFile(stderr_path_); }

  // The rest of the first stdout line that starts with `prefix`, waiting up to `timeout` for it
  // (empty if it never came or the process exited first).
  std::string WaitForLine(absl::string_view prefix, absl::Duration timeout) {
    std::string found;
    WaitFor(
        [&] {
          for (absl::string_view line : absl::StrSplit(out(), '\n')) {
            if (absl::StartsWith(line, prefix) && line.size() > prefix.size()) {
              found = std::string(line.substr(prefix.size()));
              return true;
            }
          }
          int status = 0;
          if (!exited_ && waitpid(pid_, &status, WNOHANG) == pid_) {
            exited_ = true;
            exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
          }
          return exited_;
        },
        timeout);
    return found;
  }

 private:
  std::string stdout_path_;
  std::string stderr_path_;
  pid_t pid_ = -1;
  bool exited_ = false;
  int exit_code_ = -1;
};

inline int PortOf(absl::string_view host_port) {
  int port = 0;
  const size_t colon = host_port.rfind(':');
  if (colon == absl::string_view::npos) return 0;
  absl::SimpleAtoi(host_port.substr(colon + 1), &port);
  return port;
}

// A mixlet-server on free ports.
struct Server {
  Server(const TempDir& dir, const std::vector<std::string>& configs,
         const std::string& grpc_address = "127.0.0.1:0", absl::string_view name = "server") {
    std::vector<std::string> argv = {MIXLET_SERVER_BIN, "--grpc-address", grpc_address,
                                     "--metrics-address", "127.0.0.1:0"};
    for (const std::string& c : configs) {
      argv.push_back("--config");
      argv.push_back(c);
    }
    process = std::make_unique<Process>(argv, dir, name);
    grpc_address_bound =
        process->WaitForLine("mixlet-server: serving istio.mixer.v1.Mixer/Report on ",
                             absl::Seconds(30));
    metrics_url = process->WaitForLine("mixlet-server: serving /metrics on ", absl::Seconds(30));
  }
  bool ok() const { return !grpc_address_bound.empty() && !metrics_url.empty(); }

  std::unique_ptr<Process> process;
  std::string grpc_address_bound;  // "127.0.0.1:PORT"
  std::string metrics_url;         // "http://127.0.0.1:PORT/metrics"
};

// A mixlet-tcp-proxy in front of `upstream_port`, reporting to `mixer`.
struct Proxy {
  Proxy(const TempDir& dir, int upstream_port, const std::string& mixer,
        const std::string& identity, const std::vector<std::string>& extra = {},
        absl::string_view name = "proxy") {
    std::vector<std::string> argv = {MIXLET_TCP_PROXY_BIN,
                                     "--listen",
                                     "127.0.0.1:0",
                                     "--upstream",
                                     absl::StrCat("127.0.0.1:", upstream_port),
                                     "--mixer",
                                     mixer,
                                     "--identity",
                                     identity};
    argv.insert(argv.end(), extra.begin(), extra.end());
    process = std::make_unique<Process>(argv, dir, name);
    const std::string line =
        process->WaitForLine("mixlet-tcp-proxy: listening on ", absl::Seconds(30));
    port = PortOf(line.substr(0, line.find(',')));
  }
  bool ok() const { return port > 0; }

  // Stops it with SIGTERM and returns the `key=value` counters of its last line.
  std::vector<std::pair<std::string, uint64_t>> Stop() {
    process->Signal(SIGTERM);
    exit_code = process->Wait(absl::Seconds(30));
    std::vector<std::pair<std::string, uint64_t>> counters;
    const std::string text = process->out();
    const size_t at = text.find("mixlet-tcp-proxy: stopped: ");
    if (at == std::string::npos) return counters;
    const std::string line = text.substr(at, text.find('\n', at) - at);
    for (absl::string_view field : absl::StrSplit(line, ' ')) {
      std::pair<std::string, std::string> kv = absl::StrSplit(field, absl::MaxSplits('=', 1));
      uint64_t value = 0;
      if (!kv.second.empty() && absl::SimpleAtoi(kv.second, &value)) {
        counters.emplace_back(kv.first, value);
      }
    }
    return counters;
  }

  std::unique_ptr<Process> process;
  int port = 0;
  int exit_code = -1;
};

inline uint64_t Counter(const std::vector<std::pair<std::string, uint64_t>>& counters,
                        absl::string_view key) {
  for (const auto& [k, v] : counters) {
    if (k == key) return v;
  }
  return ~uint64_t{0};
}

inline int ConnectFrom(const std::string& source_ip, int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in from{};
  from.sin_family = AF_INET;
  inet_pton(AF_INET, source_ip.c_str(), &from.sin_addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof(from)) != 0) {
    close(fd);
    return -1;
  }
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof(to)) != 0) {
    close(fd);
    return -1;
  }
  timeval timeout{30, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  return fd;
}

inline bool SendAll(int fd, size_t n, char fill = 'x') {
  std::string chunk(16384, fill);
  while (n > 0) {
    const ssize_t w = send(fd, chunk.data(), std::min(n, chunk.size()), MSG_NOSIGNAL);
    if (w <= 0) return false;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// Reads exactly `n` bytes (false on EOF or error first).
inline bool ReadExactly(int fd, size_t n) {
  char buffer[16384];
  while (n > 0) {
    const ssize_t r = recv(fd, buffer, std::min(n, sizeof(buffer)), 0);
    if (r <= 0) return false;
    n -= static_cast<size_t>(r);
  }
  return true;
}

// Reads until EOF; returns the number of bytes read, or -1 on error.
inline int64_t ReadToEof(int fd) {
  char buffer[16384];
  int64_t total = 0;
  for (;;) {
    const ssize_t r = recv(fd, buffer, sizeof(buffer), 0);
    if (r == 0) return total;
    if (r < 0) return -1;
    total += r;
  }
}

// The upstream: for every chunk of k bytes a client sends, it sends back 2k bytes; when the
// client half-closes, it closes. So a connection's server->client count is twice its
// client->server count: different in each direction.
class DoublingUpstream {
 public:
  DoublingUpstream() {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    const int one = 1;
    setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    listen(listen_fd_, 256);
    socklen_t length = sizeof(addr);
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &length);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }
  ~DoublingUpstream() {
    stopping_.store(true);
    shutdown(listen_fd_, SHUT_RDWR);
    close(listen_fd_);
    acceptor_.join();
    std::lock_guard<std::mutex> lock(mu_);
    for (int fd : open_) shutdown(fd, SHUT_RDWR);
    for (std::thread& t : workers_) t.join();
  }
  int port() const { return port_; }

 private:
  void AcceptLoop() {
    while (!stopping_.load()) {
      const int fd = accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) {
        if (stopping_.load()) return;
        continue;
      }
      std::lock_guard<std::mutex> lock(mu_);
      open_.push_back(fd);
      workers_.emplace_back([fd] {
        char buffer[16384];
        for (;;) {
          const ssize_t r = recv(fd, buffer, sizeof(buffer), 0);
          if (r <= 0) break;
          for (int twice = 0; twice < 2; ++twice) {
            ssize_t off = 0;
            while (off < r) {
              const ssize_t w = send(fd, buffer + off, r - off, MSG_NOSIGNAL);
              if (w <= 0) break;
              off += w;
            }
          }
        }
        shutdown(fd, SHUT_WR);
      });
    }
  }

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<int> open_;
  std::vector<std::thread> workers_;
};

// GET `url` (http://127.0.0.1:PORT/path); the body, or "" on failure.
inline std::string HttpGet(const std::string& url) {
  absl::string_view rest = url;
  if (!absl::ConsumePrefix(&rest, "http://")) return "";
  const size_t slash = rest.find('/');
  const std::string host_port(rest.substr(0, slash));
  const std::string path(slash == absl::string_view::npos ? "/" : rest.substr(slash));
  const int fd = ConnectFrom("127.0.0.1", PortOf(host_port));
  if (fd < 0) return "";
  const std::string request =
      absl::StrCat("GET ", path, " HTTP/1.1\r\nHost: ", host_port, "\r\nConnection: close\r\n\r\n");
  send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string response;
  char buffer[16384];
  for (;;) {
    const ssize_t r = recv(fd, buffer, sizeof(buffer), 0);
    if (r <= 0) break;
    response.append(buffer, static_cast<size_t>(r));
  }
  close(fd);
  const size_t body = response.find("\r\n\r\n");
  if (body == std::string::npos || !absl::StartsWith(response, "HTTP/1.1 200")) return "";
  // The exposition is small and sent with Content-Length (no chunking) by the metrics server.
  return response.substr(body + 4);
}

// The value of the series `name{labels}` in an exposition; -1 when it is absent.
inline double SeriesValue(absl::string_view exposition, absl::string_view series) {
  for (absl::string_view line : absl::StrSplit(exposition, '\n')) {
    if (absl::StartsWith(line, series) && line.size() > series.size() &&
        line[series.size()] == ' ') {
      double value = -1;
      if (absl::SimpleAtod(line.substr(series.size() + 1), &value)) return value;
    }
  }
  return -1;
}

// The sample's series (istio_mongo_{received,sent}_bytes) for one source workload.
inline std::string MongoSeries(absl::string_view metric, absl::string_view source_service,
                               absl::string_view source_version) {
  return absl::StrCat("istio_mongo_", metric, "_bytes{destination_version=\"v1\",source_service=\"",
                      source_service, "\",source_version=\"", source_version, "\"}");
}

}  // namespace mixlet::e2e

#endif  // MIXLET_TESTS_E2E_E2E_TESTING_H_
