#include "expr/unicode.h"

#include <algorithm>
#include <cstring>

namespace mixlet::expr_internal {
namespace {

struct LowerCaseRange {
  char32_t lo;
  char32_t hi;
  int32_t delta;
  int32_t stride;
};
struct CodePointRange {
  char32_t lo;
  char32_t hi;
};

#include "expr/unicode_tables.inc"

template <typename Range, size_t N>
const Range* FindRange(const Range (&table)[N], char32_t rune) {
  const Range* it = std::upper_bound(table, table + N, rune,
                                     [](char32_t r, const Range& range) { return r < range.lo; });
  if (it == table) return nullptr;
  --it;
  return rune <= it->hi ? it : nullptr;
}

bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

}  // namespace

int DecodeRune(absl::string_view s, char32_t* rune) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  const unsigned char c0 = p[0];
  if (c0 < 0x80) {
    *rune = c0;
    return 1;
  }
  *rune = kRuneError;
  if (c0 < 0xC2 || c0 > 0xF4) return 1;
  if (c0 < 0xE0) {
    if (n < 2 || !IsContinuation(p[1])) return 1;
    *rune = (char32_t{c0} & 0x1F) << 6 | (p[1] & 0x3F);
    return 2;
  }
  // The second byte's range depends on the first: it rules out overlong forms, surrogates and
  // values above U+10FFFF.
  unsigned char lo = 0x80, hi = 0xBF;
  if (c0 == 0xE0) lo = 0xA0;
  if (c0 == 0xED) hi = 0x9F;
  if (c0 == 0xF0) lo = 0x90;
  if (c0 == 0xF4) hi = 0x8F;
  if (n < 2 || p[1] < lo || p[1] > hi) return 1;
  if (n < 3 || !IsContinuation(p[2])) return 1;
  if (c0 < 0xF0) {
    *rune = (char32_t{c0} & 0x0F) << 12 | (char32_t{p[1]} & 0x3F) << 6 | (p[2] & 0x3F);
    return 3;
  }
  if (n < 4 || !IsContinuation(p[3])) return 1;
  *rune = (char32_t{c0} & 0x07) << 18 | (char32_t{p[1]} & 0x3F) << 12 |
          (char32_t{p[2]} & 0x3F) << 6 | (p[3] & 0x3F);
  return 4;
}

int RuneLength(char32_t rune) {
  if (rune < 0x80) return 1;
  if (rune < 0x800) return 2;
  if (rune >= 0xD800 && rune <= 0xDFFF) return 3;  // Written as U+FFFD.
  if (rune < 0x10000) return 3;
  if (rune <= 0x10FFFF) return 4;
  return 3;
}

namespace {

// Writes the encoding of `rune` at `out`; returns the bytes written.
int EncodeRune(char32_t rune, char* out) {
  if ((rune >= 0xD800 && rune <= 0xDFFF) || rune > 0x10FFFF) rune = kRuneError;
  if (rune < 0x80) {
    out[0] = static_cast<char>(rune);
    return 1;
  }
  if (rune < 0x800) {
    out[0] = static_cast<char>(0xC0 | (rune >> 6));
    out[1] = static_cast<char>(0x80 | (rune & 0x3F));
    return 2;
  }
  if (rune < 0x10000) {
    out[0] = static_cast<char>(0xE0 | (rune >> 12));
    out[1] = static_cast<char>(0x80 | ((rune >> 6) & 0x3F));
    out[2] = static_cast<char>(0x80 | (rune & 0x3F));
    return 3;
  }
  out[0] = static_cast<char>(0xF0 | (rune >> 18));
  out[1] = static_cast<char>(0x80 | ((rune >> 12) & 0x3F));
  out[2] = static_cast<char>(0x80 | ((rune >> 6) & 0x3F));
  out[3] = static_cast<char>(0x80 | (rune & 0x3F));
  return 4;
}

bool IsAscii(absl::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

}  // namespace

void AppendRune(char32_t rune, std::string* out) {
  char buf[4];
  out->append(buf, EncodeRune(rune, buf));
}

bool IsUnicodeLetter(char32_t rune) {
  if (rune < 0x80) {
    return (rune >= 'a' && rune <= 'z') || (rune >= 'A' && rune <= 'Z');
  }
  return FindRange(kLetterRanges, rune) != nullptr;
}

bool IsUnicodeDigit(char32_t rune) {
  if (rune < 0x80) return rune >= '0' && rune <= '9';
  return FindRange(kDigitRanges, rune) != nullptr;
}

char32_t ToLowerRune(char32_t rune) {
  if (rune < 0x80) return rune >= 'A' && rune <= 'Z' ? rune + 32 : rune;
  const LowerCaseRange* r = FindRange(kLowerCaseRanges, rune);
  if (r == nullptr || (rune - r->lo) % r->stride != 0) return rune;
  return static_cast<char32_t>(static_cast<int32_t>(rune) + r->delta);
}

size_t LowerCaseSize(absl::string_view s) {
  if (IsAscii(s)) return s.size();
  size_t n = 0;
  while (!s.empty()) {
    char32_t r;
    int w = DecodeRune(s, &r);
    n += RuneLength(ToLowerRune(r));
    s.remove_prefix(w);
  }
  return n;
}

void LowerCaseInto(absl::string_view s, char* out) {
  if (IsAscii(s)) {
    for (char c : s) *out++ = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    return;
  }
  while (!s.empty()) {
    char32_t r;
    int w = DecodeRune(s, &r);
    out += EncodeRune(ToLowerRune(r), out);
    s.remove_prefix(w);
  }
}

bool IsLowerCaseFixedPoint(absl::string_view s) {
  if (IsAscii(s)) {
    for (char c : s) {
      if (c >= 'A' && c <= 'Z') return false;
    }
    return true;
  }
  while (!s.empty()) {
    char32_t r;
    int w = DecodeRune(s, &r);
    // An invalid byte becomes U+FFFD, which changes the bytes.
    if ((r == kRuneError && w == 1) || ToLowerRune(r) != r) return false;
    s.remove_prefix(w);
  }
  return true;
}

absl::string_view UnicodeVersion() { return kUnicodeVersion; }

}  // namespace mixlet::expr_internal
