// ProxyIdentity: who `mixlet-tcp-proxy` says it is and who its clients are, read from the
// `--identity FILE.yaml` file.
//
// The file plays the part of Istio's static proxy attributes (`TcpClientConfig.mixer_attributes`)
// and of Mixer's kubernetes environment adapter, which derived a client's workload attributes
// from its pod IP:
//
//   attributes:               # on every report of this proxy
//     destination.workload.name: mongodb-v1
//     destination.namespace: default
//     destination.service.host: mongodb.default.svc.cluster.local
//     destination.labels: {app: mongodb, version: v1}
//   sources:                  # added for connections from a known client IP
//     127.0.0.2:
//       source.workload.name: ratings-v2
//       source.labels: {app: ratings, version: v2}
//
// Each value is read as the type the attribute vocabulary declares, with the conventions of JSON
// bag files (value_json.h): strings (a plain scalar that YAML reads as a number, boolean or null
// is not a string: quote it), integers, numbers, booleans, RFC 3339 timestamps, Go durations,
// IP addresses as text, string maps as maps of strings. Refused, with the file, line and
// attribute named: an attribute the vocabulary does not declare, a value of the wrong type, an
// attribute the proxy sets itself for each connection (`source.ip`, `origin.ip`,
// `destination.ip`, `destination.port`, `context.protocol`, `context.reporter.kind`,
// `context.reporter.uid`, `context.proxy_version`, `context.time`, every `connection.*`), a
// source key that is not an IP address, a key other than `attributes` and `sources`.
//
// Example:
//   absl::StatusOr<ProxyIdentity> identity = LoadProxyIdentity("identity.yaml");
//   ConnectionAttributes attrs = identity->AttributesFor(peer_ip_bytes);
#ifndef MIXLET_EXAMPLES_TCP_PROXY_IDENTITY_H_
#define MIXLET_EXAMPLES_TCP_PROXY_IDENTITY_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mixlet/attribute/vocabulary.h"
#include "mixlet/proxy/connection_attributes.h"

namespace mixlet::tcp_proxy {

class ProxyIdentity {
 public:
  // No attributes at all (no --identity file).
  ProxyIdentity() = default;

  // The attributes of a connection from `peer_ip` (raw 4 or 16 bytes): the proxy's own, then
  // those of the source with that address, if any (an IPv4 peer matches its IPv4-mapped IPv6
  // form too). Reporter kind, addresses and ports are left for the caller.
  ConnectionAttributes AttributesFor(absl::string_view peer_ip) const;

  // The address of every known source (16 bytes each, IPv4 in IPv4-mapped form).
  std::vector<std::string> source_addresses() const {
    std::vector<std::string> out;
    for (const auto& source : sources_) out.push_back(source.first);
    return out;
  }

 private:
  friend absl::StatusOr<ProxyIdentity> ParseProxyIdentity(absl::string_view, absl::string_view,
                                                         const Vocabulary&);
  using Attributes = std::vector<std::pair<std::string, OwnedValue>>;
  Attributes attributes_;
  // (16-byte address, that source's attributes merged over `attributes_`).
  std::vector<std::pair<std::string, Attributes>> sources_;
};

// Reads an identity file from `yaml_text`; `file_name` prefixes every error
// (`identity.yaml:4: attribute 'destination.port': ...`). InvalidArgument for everything the
// header comment lists and for YAML that does not parse.
absl::StatusOr<ProxyIdentity> ParseProxyIdentity(absl::string_view yaml_text,
                                                 absl::string_view file_name,
                                                 const Vocabulary& vocabulary);

// Reads the file at `path` (NotFound / InvalidArgument when it cannot be read or parsed).
absl::StatusOr<ProxyIdentity> LoadProxyIdentity(const std::string& path,
                                                const Vocabulary& vocabulary);

}  // namespace mixlet::tcp_proxy

#endif  // MIXLET_EXAMPLES_TCP_PROXY_IDENTITY_H_
