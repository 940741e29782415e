// ConnectionAttributes: what the embedding proxy knows about a TCP connection when it accepts it.
//
// The TCP reporter puts these attributes into every report of the connection (`open`,
// `continue`, `close`), next to the ones it computes itself (`connection.event`, the byte
// counters, `connection.duration`, `connection.id`, `context.protocol`, `context.time`,
// `context.reporter.uid`, `context.proxy_version`). They are the static attributes of Istio's
// listener config plus the check-time attributes of attributes.md §4; because mixlet has no
// Kubernetes attribute generator, the workload names and pod labels that Mixer's `kubernetesenv`
// adapter used to add can be given here too, so the standard TCP metrics get their labels.
//
// A field left empty (or `nullopt`) is not reported. Strings are copied when the connection is
// opened; the struct can be reused or discarded right after `TcpReporter::Open` returns. A proxy
// typically keeps one prototype per listener (reporter kind, service attributes) and copies it
// per connection, filling in the peer addresses.
//
// Example:
//   ConnectionAttributes attrs;
//   attrs.reporter_kind = ReporterKind::kOutbound;
//   attrs.source_ip = *ParseIpText("10.1.2.3");          // raw bytes, see value_json.h
//   attrs.destination_service_host = "mongodb.default.svc.cluster.local";
//   attrs.source_labels = {{"app", "ratings"}, {"version", "v2"}};
#ifndef MIXLET_PROXY_CONNECTION_ATTRIBUTES_H_
#define MIXLET_PROXY_CONNECTION_ATTRIBUTES_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "mixlet/value/owned_value.h"

namespace mixlet {

// Which side of the connection the reporting proxy is on (`context.reporter.kind`).
enum class ReporterKind : uint8_t {
  kUnspecified = 0,  // `context.reporter.kind` not reported
  kInbound = 1,      // server-side sidecar: "inbound"
  kOutbound = 2,     // client-side sidecar or gateway: "outbound"
};

// "inbound", "outbound", or "" for kUnspecified.
absl::string_view ReporterKindName(ReporterKind kind);

// Pod labels and similar maps, in the order given. Keys must be unique.
using LabelList = std::vector<std::pair<std::string, std::string>>;

struct ConnectionAttributes {
  // `context.reporter.kind`.
  ReporterKind reporter_kind = ReporterKind::kUnspecified;

  // --- The downstream peer (the client). ---
  // `source.ip` and `origin.ip`: the remote address as raw bytes (4 or 16), as `ParseIpText`
  // returns them.
  std::string source_ip;
  std::string source_uid;  // `source.uid`, e.g. "kubernetes://ratings-v2-5d8c8d7c8-x2x7p.default"
  // `source.namespace`. When `source_principal` names a namespace (an Istio identity
  // `<trust domain>/ns/<name>/sa/<account>`: the value of the first key `ns` among the
  // `/`-separated key/value pairs after the domain), `<name>` is reported instead, as
  // istio/proxy did for mTLS peers.
  std::string source_namespace;
  // `source.principal` and its deprecated alias `source.user` (both reported, as istio/proxy did):
  // the peer certificate's identity, e.g. "cluster.local/ns/default/sa/bookinfo-ratings-v2".
  std::string source_principal;
  std::string source_workload_name;       // `source.workload.name`, e.g. "ratings-v2"
  std::string source_workload_namespace;  // `source.workload.namespace`
  LabelList source_labels;                // `source.labels` (reported when non-empty)

  // --- The destination (the server, or the local address when there is no upstream yet). ---
  std::string destination_ip;                  // `destination.ip`: raw bytes (4 or 16)
  absl::optional<int64_t> destination_port;    // `destination.port`: 0..65535
  std::string destination_uid;                 // `destination.uid`
  std::string destination_namespace;           // `destination.namespace`
  std::string destination_principal;           // `destination.principal` (local certificate)
  std::string destination_workload_name;       // `destination.workload.name`
  std::string destination_workload_namespace;  // `destination.workload.namespace`
  LabelList destination_labels;                // `destination.labels` (reported when non-empty)
  std::string destination_service_host;        // `destination.service.host` (outbound listeners)
  std::string destination_service_name;        // `destination.service.name`
  std::string destination_service_namespace;   // `destination.service.namespace`
  std::string destination_service_uid;         // `destination.service.uid`

  // --- The connection itself. ---
  // `connection.mtls`: always reported, as istio/proxy did.
  bool mtls = false;
  // `connection.requested_server_name`: the TLS SNI, if any.
  std::string requested_server_name;

  // Any other attribute, applied after the fields above (a name given here replaces the
  // field's value): dynamic metadata, `destination.mesh.id`, `context.proxy_error_code`,
  // `source.owner`, ... A name the vocabulary declares must carry the declared type; names it
  // does not declare are carried as given. The attributes the reporter computes (see the top of
  // this file) cannot be set here.
  std::vector<std::pair<std::string, OwnedValue>> extra;
};

}  // namespace mixlet

#endif  // MIXLET_PROXY_CONNECTION_ATTRIBUTES_H_
