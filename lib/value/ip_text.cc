// IP address text as Go's net package reads and writes it: net.ParseIP and net.IP.String().
#include <cstdint>
#include <cstring>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "mixlet/value/value_json.h"

namespace mixlet {
namespace {

constexpr char kV4MappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '\xff', '\xff'};

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A dotted quad: four decimal octets in [0, 255], no leading zeros (Go >= 1.17 rejects "010"
// rather than guess octal), nothing after the last one.
bool ParseIpv4(absl::string_view s, uint8_t out[4]) {
  for (int i = 0; i < 4; ++i) {
    if (i > 0) {
      if (s.empty() || s[0] != '.') return false;
      s.remove_prefix(1);
    }
    size_t n = 0;
    int value = 0;
    while (n < s.size() && s[n] >= '0' && s[n] <= '9' && n < 4) {
      value = value * 10 + (s[n] - '0');
      ++n;
    }
    if (n == 0 || value > 255 || (n > 1 && s[0] == '0')) return false;
    out[i] = static_cast<uint8_t>(value);
    s.remove_prefix(n);
  }
  return s.empty();
}

// IPv6 text: groups of one to four hex digits separated by ':', at most one "::" standing for
// one or more zero groups, optionally ending in a dotted quad that fills the last 32 bits.
bool ParseIpv6(absl::string_view s, uint8_t out[16]) {
  std::memset(out, 0, 16);
  int ellipsis = -1;  // Byte index where "::" stands.
  int i = 0;          // Bytes written.
  if (s.size() >= 2 && s[0] == ':' && s[1] == ':') {
    ellipsis = 0;
    s.remove_prefix(2);
    if (s.empty()) return true;
  }
  while (i < 16) {
    size_t n = 0;
    int group = 0;
    while (n < s.size() && HexDigit(s[n]) >= 0) {
      if (n == 4) return false;
      group = group * 16 + HexDigit(s[n]);
      ++n;
    }
    if (n == 0) return false;
    if (n < s.size() && s[n] == '.') {
      // Embedded IPv4: only as the last 32 bits, in full or after "::".
      if ((ellipsis < 0 && i != 12) || i + 4 > 16) return false;
      if (!ParseIpv4(s, out + i)) return false;
      i += 4;
      s = absl::string_view();
      break;
    }
    out[i] = static_cast<uint8_t>(group >> 8);
    out[i + 1] = static_cast<uint8_t>(group);
    i += 2;
    s.remove_prefix(n);
    if (s.empty()) break;
    if (s[0] != ':' || s.size() == 1) return false;
    s.remove_prefix(1);
    if (s[0] == ':') {
      if (ellipsis >= 0) return false;
      ellipsis = i;
      s.remove_prefix(1);
      if (s.empty()) break;
    }
  }
  if (!s.empty()) return false;
  if (i < 16) {
    if (ellipsis < 0) return false;
    // Slide the groups after "::" to the end; the gap is zeros.
    const int gap = 16 - i;
    for (int j = i - 1; j >= ellipsis; --j) out[j + gap] = out[j];
    for (int j = ellipsis; j < ellipsis + gap; ++j) out[j] = 0;
  } else if (ellipsis >= 0) {
    return false;  // "::" must stand for at least one group.
  }
  return true;
}

void AppendDottedQuad(std::string* out, const uint8_t* b) {
  absl::StrAppend(out, b[0], ".", b[1], ".", b[2], ".", b[3]);
}

}  // namespace

absl::StatusOr<std::string> ParseIpText(absl::string_view text) {
  // Go decides by the first '.' or ':' it meets.
  const size_t sep = text.find_first_of(".:");
  uint8_t bytes[16];
  if (sep != absl::string_view::npos) {
    if (text[sep] == '.') {
      if (ParseIpv4(text, bytes + 12)) {
        std::memcpy(bytes, kV4MappedPrefix, 12);
        return std::string(reinterpret_cast<const char*>(bytes), 16);
      }
    } else if (ParseIpv6(text, bytes)) {
      return std::string(reinterpret_cast<const char*>(bytes), 16);
    }
  }
  return absl::InvalidArgumentError(absl::StrCat("invalid IP address '", text, "'"));
}

std::string FormatIp(absl::string_view bytes) {
  if (bytes.empty()) return "<nil>";
  const auto* b = reinterpret_cast<const uint8_t*>(bytes.data());
  std::string out;
  if (bytes.size() == 4) {
    AppendDottedQuad(&out, b);
    return out;
  }
  if (bytes.size() != 16) {
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('?');
    for (uint8_t c : bytes) {
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
    return out;
  }
  if (std::memcmp(b, kV4MappedPrefix, 12) == 0) {
    AppendDottedQuad(&out, b + 12);
    return out;
  }
  // RFC 5952: the longest run of two or more zero groups (the first on a tie) becomes "::".
  int best_start = -1, best_end = -1;
  for (int i = 0; i < 16; i += 2) {
    int j = i;
    while (j < 16 && b[j] == 0 && b[j + 1] == 0) j += 2;
    if (j - i > best_end - best_start) {
      best_start = i;
      best_end = j;
    }
    if (j > i) i = j;
  }
  if (best_end - best_start <= 2) best_start = best_end = -1;
  for (int i = 0; i < 16; i += 2) {
    if (i == best_start) {
      out += "::";
      i = best_end;
      if (i >= 16) break;
    } else if (i > 0) {
      out.push_back(':');
    }
    absl::StrAppend(&out, absl::Hex((b[i] << 8) | b[i + 1]));
  }
  return out;
}

}  // namespace mixlet
