// mixlet-demo-client: the traffic and the checks of mixlet's end-to-end demo.
//
//   mixlet-demo-client traffic --target HOST:PORT --source-ip IP [--connections N]
//       [--long-lived-seconds S] [--metrics HOST:PORT]
//     Plays the ratings-v2 client: opens N short connections and one long-lived one to a Redis
//     server (reached through mixlet-tcp-proxy), each from --source-ip, and speaks RESP (SET then
//     GET of a payload whose size differs per connection). Counts every byte it writes and reads.
//     While the long-lived connection is still open it polls /metrics (--metrics) until the
//     periodic `continue` reports have brought its bytes into the counters. Prints the totals as
//     `client_wrote=<n> client_read=<n>`.
//
//   mixlet-demo-client expect --prometheus HOST:PORT --query PROMQL --value N [--timeout S]
//     Polls Prometheus' HTTP API until the instant query returns exactly one series with value N.
//     Prints the series. Exit 0 on success, 1 on timeout.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace {

struct Totals {
  uint64_t wrote = 0;
  uint64_t read = 0;
};

[[noreturn]] void Fail(const std::string& message) {
  std::cerr << "mixlet-demo-client: error: " << message << "\n";
  std::exit(2);
}

bool SplitHostPort(const std::string& s, std::string* host, int* port) {
  size_t colon = s.rfind(':');
  if (colon == std::string::npos) return false;
  *host = s.substr(0, colon);
  *port = std::atoi(s.c_str() + colon + 1);
  return *port > 0 && *port < 65536;
}

class Connection {
 public:
  Connection(const std::string& target, const std::string& source_ip, Totals* totals)
      : totals_(totals) {
    std::string host;
    int port;
    if (!SplitHostPort(target, &host, &port)) Fail("bad --target " + target);
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) Fail("socket: " + std::string(std::strerror(errno)));
    sockaddr_in local{};
    local.sin_family = AF_INET;
    if (inet_pton(AF_INET, source_ip.c_str(), &local.sin_addr) != 1) Fail("bad --source-ip");
    if (bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
      Fail("bind " + source_ip + ": " + std::strerror(errno));
    }
    sockaddr_in remote{};
    remote.sin_family = AF_INET;
    remote.sin_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET, host.c_str(), &remote.sin_addr) != 1) Fail("bad target host " + host);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&remote), sizeof remote) != 0) {
      Fail("connect " + target + ": " + std::strerror(errno));
    }
  }
  ~Connection() { close(fd_); }

  void Write(const std::string& bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
      if (n <= 0) Fail("write: " + std::string(std::strerror(errno)));
      done += static_cast<size_t>(n);
    }
    totals_->wrote += bytes.size();
  }

  // Reads exactly `n` bytes.
  std::string ReadExactly(size_t n) {
    std::string out(n, '\0');
    size_t done = 0;
    while (done < n) {
      ssize_t r = ::read(fd_, &out[done], n - done);
      if (r <= 0) Fail("read: connection closed early");
      done += static_cast<size_t>(r);
    }
    totals_->read += n;
    return out;
  }

  // SET key payload, then GET key; checks both replies.
  void SetAndGet(const std::string& key, const std::string& payload) {
    Write("*3\r\n$3\r\nSET\r\n$" + std::to_string(key.size()) + "\r\n" + key + "\r\n$" +
          std::to_string(payload.size()) + "\r\n" + payload + "\r\n");
    if (ReadExactly(5) != "+OK\r\n") Fail("unexpected reply to SET");
    Write("*2\r\n$3\r\nGET\r\n$" + std::to_string(key.size()) + "\r\n" + key + "\r\n");
    std::string header = "$" + std::to_string(payload.size()) + "\r\n";
    if (ReadExactly(header.size()) != header) Fail("unexpected reply header to GET");
    if (ReadExactly(payload.size() + 2) != payload + "\r\n") Fail("unexpected GET payload");
  }

 private:
  int fd_ = -1;
  Totals* totals_;
};

// The sum of one metric's samples in a Prometheus text exposition, for lines whose labels
// contain `label_filter`.
double SumMetric(const std::string& exposition, const std::string& metric,
                 const std::string& label_filter) {
  double sum = 0;
  size_t pos = 0;
  while (pos < exposition.size()) {
    size_t end = exposition.find('\n', pos);
    if (end == std::string::npos) end = exposition.size();
    std::string line = exposition.substr(pos, end - pos);
    pos = end + 1;
    if (line.rfind(metric + "{", 0) != 0 || line.find(label_filter) == std::string::npos) continue;
    size_t space = line.rfind(' ');
    sum += std::strtod(line.c_str() + space + 1, nullptr);
  }
  return sum;
}

std::map<std::string, std::string> ParseFlags(int argc, char** argv, int first) {
  std::map<std::string, std::string> flags;
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) != 0 || i + 1 >= argc) Fail("bad argument " + a);
    flags[a.substr(2)] = argv[++i];
  }
  return flags;
}

int Traffic(std::map<std::string, std::string> flags) {
  const std::string target = flags["target"];
  const std::string source_ip = flags.count("source-ip") ? flags["source-ip"] : "127.0.0.2";
  const int connections = flags.count("connections") ? std::atoi(flags["connections"].c_str()) : 10;
  const int hold = flags.count("long-lived-seconds") ? std::atoi(flags["long-lived-seconds"].c_str())
                                                     : 0;
  Totals totals;
  for (int c = 0; c < connections; ++c) {
    Connection conn(target, source_ip, &totals);
    for (int k = 0; k <= c % 3; ++k) {
      conn.SetAndGet("ratings:" + std::to_string(c) + ":" + std::to_string(k),
                     std::string(100 + 37 * c + k, static_cast<char>('a' + c % 26)));
    }
  }
  std::cerr << "short connections: " << connections << " done, client wrote " << totals.wrote
            << " bytes, read " << totals.read << "\n";
  if (hold > 0) {
    Totals before_long = totals;
    Connection conn(target, source_ip, &totals);
    conn.SetAndGet("ratings:long", std::string(4096, 'L'));
    std::cerr << "long-lived connection open, holding it for up to " << hold << " s\n";
    bool seen = false;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(hold);
    std::string host;
    int port = 0;
    const bool check = flags.count("metrics") && SplitHostPort(flags["metrics"], &host, &port);
    while (std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      if (!check || seen) continue;
      httplib::Client http(host, port);
      auto res = http.Get("/metrics");
      if (!res || res->status != 200) continue;
      double received = SumMetric(res->body, "istio_mongo_received_bytes",
                                  "source_service=\"ratings-v2\"");
      if (received >= static_cast<double>(totals.wrote)) {
        std::cerr << "while the long-lived connection is still open, /metrics already counts "
                  << static_cast<uint64_t>(received) << " received bytes (everything so far: "
                  << before_long.wrote << " from closed connections + "
                  << totals.wrote - before_long.wrote << " from the open one)\n";
        seen = true;
      }
    }
    if (check && !seen) Fail("the open connection's bytes never reached /metrics");
    conn.SetAndGet("ratings:long:2", std::string(512, 'M'));
  }
  std::cout << "client_wrote=" << totals.wrote << " client_read=" << totals.read << "\n";
  return 0;
}

int Expect(std::map<std::string, std::string> flags) {
  std::string host;
  int port;
  if (!SplitHostPort(flags["prometheus"], &host, &port)) Fail("bad --prometheus");
  const std::string query = flags["query"];
  const double want = std::strtod(flags["value"].c_str(), nullptr);
  const int timeout = flags.count("timeout") ? std::atoi(flags["timeout"].c_str()) : 60;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout);
  std::string last = "no answer";
  while (std::chrono::steady_clock::now() < deadline) {
    httplib::Client http(host, port);
    auto res = http.Get("/api/v1/query", httplib::Params{{"query", query}}, httplib::Headers{});
    if (res && res->status == 200) {
      auto body = nlohmann::json::parse(res->body, nullptr, false);
      if (!body.is_discarded() && body["status"] == "success") {
        const auto& result = body["data"]["result"];
        last = result.dump();
        if (result.size() == 1 &&
            std::strtod(result[0]["value"][1].get<std::string>().c_str(), nullptr) == want) {
          std::cout << "prometheus: " << query << " =>\n  " << result[0]["metric"].dump() << " "
                    << result[0]["value"][1].get<std::string>() << "\n";
          return 0;
        }
      }
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  std::cerr << "mixlet-demo-client: error: prometheus never answered " << query << " = "
            << flags["value"] << "; last answer: " << last << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) Fail("usage: mixlet-demo-client traffic|expect --flag value ...");
  std::string command = argv[1];
  auto flags = ParseFlags(argc, argv, 2);
  if (command == "traffic") return Traffic(flags);
  if (command == "expect") return Expect(flags);
  Fail("unknown command " + command);
}
