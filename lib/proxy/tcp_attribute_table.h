// The attributes a TCP report carries (attributes.md §4), in one table. Lib-private.
#ifndef MIXLET_LIB_PROXY_TCP_ATTRIBUTE_TABLE_H_
#define MIXLET_LIB_PROXY_TCP_ATTRIBUTE_TABLE_H_

#include <cstddef>

#include "absl/strings/string_view.h"
#include "mixlet/value/value_type.h"

namespace mixlet::proxy_internal {

// X(enumerator, attribute name, value type, who sets it).
// `kConnection`: from `ConnectionAttributes`, fixed when the connection opens.
// `kReporter`: computed by the reporter; `ConnectionAttributes::extra` may not set it.
// ORDER: free; `kTcpAttributeCount` counts the rows.
#define MIXLET_TCP_ATTRIBUTES(X)                                                              \
  X(kContextReporterKind, "context.reporter.kind", kString, kConnection)                      \
  X(kSourceIp, "source.ip", kIpAddress, kConnection)                                          \
  X(kOriginIp, "origin.ip", kIpAddress, kConnection)                                          \
  X(kSourceUid, "source.uid", kString, kConnection)                                           \
  X(kSourceNamespace, "source.namespace", kString, kConnection)                               \
  X(kSourcePrincipal, "source.principal", kString, kConnection)                               \
  X(kSourceUser, "source.user", kString, kConnection)                                         \
  X(kSourceWorkloadName, "source.workload.name", kString, kConnection)                        \
  X(kSourceWorkloadNamespace, "source.workload.namespace", kString, kConnection)              \
  X(kSourceLabels, "source.labels", kStringMap, kConnection)                                  \
  X(kDestinationIp, "destination.ip", kIpAddress, kConnection)                                \
  X(kDestinationPort, "destination.port", kInt64, kConnection)                                \
  X(kDestinationUid, "destination.uid", kString, kConnection)                                 \
  X(kDestinationNamespace, "destination.namespace", kString, kConnection)                     \
  X(kDestinationPrincipal, "destination.principal", kString, kConnection)                     \
  X(kDestinationWorkloadName, "destination.workload.name", kString, kConnection)              \
  X(kDestinationWorkloadNamespace, "destination.workload.namespace", kString, kConnection)    \
  X(kDestinationLabels, "destination.labels", kStringMap, kConnection)                        \
  X(kDestinationServiceHost, "destination.service.host", kString, kConnection)                \
  X(kDestinationServiceName, "destination.service.name", kString, kConnection)                \
  X(kDestinationServiceNamespace, "destination.service.namespace", kString, kConnection)      \
  X(kDestinationServiceUid, "destination.service.uid", kString, kConnection)                  \
  X(kConnectionMtls, "connection.mtls", kBool, kConnection)                                   \
  X(kConnectionRequestedServerName, "connection.requested_server_name", kString, kConnection) \
  X(kContextReporterUid, "context.reporter.uid", kString, kReporter)                          \
  X(kContextProxyVersion, "context.proxy_version", kString, kReporter)                        \
  X(kContextProtocol, "context.protocol", kString, kReporter)                                 \
  X(kContextTime, "context.time", kTimestamp, kReporter)                                      \
  X(kConnectionId, "connection.id", kString, kReporter)                                       \
  X(kConnectionEvent, "connection.event", kString, kReporter)                                 \
  X(kReceivedBytes, "connection.received.bytes", kInt64, kReporter)                           \
  X(kReceivedBytesTotal, "connection.received.bytes_total", kInt64, kReporter)                \
  X(kSentBytes, "connection.sent.bytes", kInt64, kReporter)                                   \
  X(kSentBytesTotal, "connection.sent.bytes_total", kInt64, kReporter)                        \
  X(kConnectionDuration, "connection.duration", kDuration, kReporter)

enum class TcpAttribute : int {
#define MIXLET_TCP_ATTRIBUTE_ENUM(e, name, type, setter) e,
  MIXLET_TCP_ATTRIBUTES(MIXLET_TCP_ATTRIBUTE_ENUM)
#undef MIXLET_TCP_ATTRIBUTE_ENUM
};

inline constexpr int kTcpAttributeCount = 35;

enum class AttributeSetter { kConnection, kReporter };

struct TcpAttributeRow {
  absl::string_view name;
  ValueType type;
  AttributeSetter setter;
};

inline constexpr TcpAttributeRow kTcpAttributeRows[] = {
#define MIXLET_TCP_ATTRIBUTE_ROW(e, name, type, setter) \
  {name, ValueType::type, AttributeSetter::setter},
    MIXLET_TCP_ATTRIBUTES(MIXLET_TCP_ATTRIBUTE_ROW)
#undef MIXLET_TCP_ATTRIBUTE_ROW
};
static_assert(sizeof(kTcpAttributeRows) / sizeof(kTcpAttributeRows[0]) == kTcpAttributeCount,
              "kTcpAttributeCount must count the rows of MIXLET_TCP_ATTRIBUTES");

inline const TcpAttributeRow& TcpAttributeInfo(TcpAttribute a) {
  return kTcpAttributeRows[static_cast<int>(a)];
}

// The values of `connection.event`.
inline constexpr absl::string_view kEventOpen = "open";
inline constexpr absl::string_view kEventContinue = "continue";
inline constexpr absl::string_view kEventClose = "close";
// The value of `context.protocol` on every TCP report.
inline constexpr absl::string_view kProtocolTcp = "tcp";

}  // namespace mixlet::proxy_internal

#endif  // MIXLET_LIB_PROXY_TCP_ATTRIBUTE_TABLE_H_
