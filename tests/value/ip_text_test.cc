// Expected values were produced by Go 1.19's net.ParseIP and net.IP.String().
#include <catch2/catch.hpp>
#include <string>

#include "absl/strings/escaping.h"
#include "mixlet/value/value_json.h"

namespace mixlet {
namespace {

std::string Bytes(const char* hex) { return absl::HexStringToBytes(hex); }

TEST_CASE("ParseIpText: Go's net.ParseIP, IPv4 as the mapped 16 bytes", "[value]") {
  struct Row {
    const char* text;
    const char* hex;
  };
  const Row rows[] = {
      {"1.2.3.4", "00000000000000000000ffff01020304"},
      {"10.0.0.1", "00000000000000000000ffff0a000001"},
      {"0.0.0.0", "00000000000000000000ffff00000000"},
      {"255.255.255.255", "00000000000000000000ffffffffffff"},
      {"::", "00000000000000000000000000000000"},
      {"::1", "00000000000000000000000000000001"},
      {"1::", "00010000000000000000000000000000"},
      {"2001:db8::1", "20010db8000000000000000000000001"},
      {"2001:DB8::1", "20010db8000000000000000000000001"},
      {"::ffff:1.2.3.4", "00000000000000000000ffff01020304"},
      {"::1.2.3.4", "00000000000000000000000001020304"},
      {"1:2:3:4:5:6:1.2.3.4", "00010002000300040005000601020304"},
      {"1:2:3:4:5:6:7:8", "00010002000300040005000600070008"},
      {"1:2:3:4:5:6:7::", "00010002000300040005000600070000"},
      {"::2:3:4:5:6:7:8", "00000002000300040005000600070008"},
      {"fe80::1:2", "fe800000000000000000000000010002"},
      {"0001:0db8::00ff", "00010db80000000000000000000000ff"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.text);
    absl::StatusOr<std::string> ip = ParseIpText(row.text);
    REQUIRE(ip.ok());
    CHECK(absl::BytesToHexString(*ip) == row.hex);
  }
}

TEST_CASE("ParseIpText: rejects malformed text", "[value]") {
  const char* const rejected[] = {
      "010.1.2.3",  // Leading zeros: Go >= 1.17 refuses to guess octal.
      "1.2.3.04",
      "00.1.2.3",
      "256.1.1.1",
      "1.2.3",
      "1.2.3.4.5",
      " 1.2.3.4",
      "1.2.3.4 ",
      "1.2.3.-4",
      "1.2.3.4/24",
      "1.2.3.4:80",
      "fe80::1%eth0",
      "[::1]",
      "1:2:3:4:5:6:7:8:9",
      "1:2:3:4:5:6:7",
      "1::2::3",
      ":1::",
      ":::",
      "1:::2",
      "12345::",
      "::g",
      "1:2:3:4:5:6:7:1.2.3.4",
      "1:2:3:4:5:1.2.3.4",
      "::ffff:01.2.3.4",
      "::ffff:1.2.3",
      "1:2:3:4:5:6:7:8::",
      "1:2:3:4:5:6:7:8:",
      "",
      "abc",
      "localhost",
      "1",
      "::1.2.3.4.5",
      "00001::",  // Go 1.19 took five-digit groups; RFC 4291 and Go's netip do not.
  };
  for (const char* text : rejected) {
    CAPTURE(text);
    absl::StatusOr<std::string> ip = ParseIpText(text);
    REQUIRE_FALSE(ip.ok());
    CHECK(ip.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(ip.status().message() == std::string("invalid IP address '") + text + "'");
  }
}

TEST_CASE("FormatIp: Go's net.IP.String()", "[value]") {
  struct Row {
    const char* hex;
    const char* text;
  };
  const Row rows[] = {
      {"", "<nil>"},
      {"01020304", "1.2.3.4"},
      {"00000000000000000000ffff01020304", "1.2.3.4"},
      {"00000000000000000000000000000001", "::1"},
      {"00000000000000000000000000000000", "::"},
      {"20010db8000000000000000000000001", "2001:db8::1"},
      {"20010db8000000010000000000000001", "2001:db8:0:1::1"},
      {"20010db8000000000001000000000001", "2001:db8::1:0:0:1"},  // First of equal runs.
      {"20010db8000100000001000000000001", "2001:db8:1:0:1::1"},  // One zero group stays.
      {"000000000000ffff0000000000000000", "0:0:0:ffff::"},
      {"fe800000000000000000000000000001", "fe80::1"},
      {"00010000000000000000000000000000", "1::"},
      {"00000000000000000000fffe01020304", "::fffe:102:304"},
      {"00000000000000000000000001020304", "::102:304"},
      {"00000001000000000000000000000000", "0:1::"},
      {"00010002000300040005000600070008", "1:2:3:4:5:6:7:8"},
      {"0001000000000002000000000003ffff", "1::2:0:0:3:ffff"},
      {"0102", "?0102"},
      {"0102030405", "?0102030405"},
      {"abcdef", "?abcdef"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.hex);
    CHECK(FormatIp(Bytes(row.hex)) == row.text);
  }
}

TEST_CASE("ParseIpText: reads back what FormatIp writes", "[value]") {
  const char* const texts[] = {"1.2.3.4",         "::1",       "2001:db8::1",
                               "fe80::1:2",       "::102:304", "1:2:3:4:5:6:7:8",
                               "1::2:0:0:3:ffff", "::"};
  for (const char* text : texts) {
    CAPTURE(text);
    absl::StatusOr<std::string> ip = ParseIpText(text);
    REQUIRE(ip.ok());
    CHECK(FormatIp(*ip) == text);
  }
}

}  // namespace
}  // namespace mixlet
