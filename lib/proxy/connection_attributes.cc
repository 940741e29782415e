#include "mixlet/proxy/connection_attributes.h"

namespace mixlet {

absl::string_view ReporterKindName(ReporterKind kind) {
  switch (kind) {
    case ReporterKind::kInbound:
      return "inbound";
    case ReporterKind::kOutbound:
      return "outbound";
    case ReporterKind::kUnspecified:
      break;
  }
  return "";
}

}  // namespace mixlet
