#include "mixlet/proxy/connection_attributes.h"

#include <catch2/catch.hpp>

namespace mixlet {
namespace {

TEST_CASE("ReporterKindName: every kind", "[proxy]") {
  struct Case {
    ReporterKind kind;
    const char* name;
  };
  const Case cases[] = {
      {ReporterKind::kUnspecified, ""},
      {ReporterKind::kInbound, "inbound"},
      {ReporterKind::kOutbound, "outbound"},
  };
  for (const Case& c : cases) CHECK(ReporterKindName(c.kind) == c.name);
  CHECK(ReporterKindName(static_cast<ReporterKind>(99)).empty());
}

TEST_CASE("ConnectionAttributes: defaults report nothing but connection.mtls", "[proxy]") {
  const ConnectionAttributes a;
  CHECK(a.reporter_kind == ReporterKind::kUnspecified);
  CHECK(a.source_ip.empty());
  CHECK_FALSE(a.destination_port.has_value());
  CHECK_FALSE(a.mtls);
  CHECK(a.extra.empty());
}

}  // namespace
}  // namespace mixlet
