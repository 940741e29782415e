// Internal to mixlet: how Go's time package quotes input in its error messages.
#ifndef MIXLET_LIB_VALUE_GO_QUOTE_H_
#define MIXLET_LIB_VALUE_GO_QUOTE_H_

#include <string>

#include "absl/strings/string_view.h"

namespace mixlet::value_internal {

// `s` in double quotes: printable ASCII as is (`"` and `\` backslash-escaped), every other byte
// (controls, DEL excepted, and each byte of non-ASCII text) as `\xNN` in lower-case hex.
inline std::string GoQuote(absl::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c < 0x20 || c >= 0x80) {
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    } else {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(static_cast<char>(c));
    }
  }
  out.push_back('"');
  return out;
}

}  // namespace mixlet::value_internal

#endif  // MIXLET_LIB_VALUE_GO_QUOTE_H_
