#include "expr/diagnostics.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "expr/unicode.h"

namespace mixlet::expr_internal {

SourcePosition PositionOf(absl::string_view text, int offset) {
  const size_t end = static_cast<size_t>(std::clamp(offset, 0, static_cast<int>(text.size())));
  SourcePosition pos;
  size_t line_start = 0;
  for (size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') {
      ++pos.line;
      line_start = i + 1;
    }
  }
  pos.column = static_cast<int>(end - line_start) + 1;
  return pos;
}

std::string FormatDiagnostic(absl::string_view text, absl::string_view message, int offset) {
  const SourcePosition pos = PositionOf(text, offset);
  const bool multi_line = text.find('\n') != absl::string_view::npos;
  std::string out = multi_line
                        ? absl::StrCat(message, " at line ", pos.line, ", column ", pos.column)
                        : absl::StrCat(message, " at column ", pos.column);

  // The offending line, and a caret under the offending byte: tabs are kept so the caret lines
  // up, and a multi-byte character takes one column.
  size_t start = 0;
  for (int line = 1; line < pos.line; ++line) start = text.find('\n', start) + 1;
  size_t stop = text.find('\n', start);
  if (stop == absl::string_view::npos) stop = text.size();
  absl::string_view line = text.substr(start, stop - start);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::string caret;
  absl::string_view before = line.substr(0, std::min<size_t>(pos.column - 1, line.size()));
  while (!before.empty()) {
    char32_t r;
    const int w = DecodeRune(before, &r);
    caret.push_back(r == '\t' ? '\t' : ' ');
    before.remove_prefix(w);
  }
  absl::StrAppend(&out, "\n  ", line, "\n  ", caret, "^");
  return out;
}

}  // namespace mixlet::expr_internal
