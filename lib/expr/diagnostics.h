// Diagnostics: how compile errors are shown.
//
//   unknown attribute 'source.lables' at column 1
//     source.lables == "x"
//     ^
//
// Columns are 1-based byte columns, as Go's parser reports them; an expression spanning several
// lines (a YAML block scalar) is reported as "at line L, column C" and shows that line.
#ifndef MIXLET_LIB_EXPR_DIAGNOSTICS_H_
#define MIXLET_LIB_EXPR_DIAGNOSTICS_H_

#include <string>

#include "absl/strings/string_view.h"

namespace mixlet::expr_internal {

struct SourcePosition {
  int line = 1;    // 1-based
  int column = 1;  // 1-based, in bytes
};

// The position of byte `offset` (clamped to [0, text.size()]) in `text`.
SourcePosition PositionOf(absl::string_view text, int offset);

// "<message> at column N" (or "at line L, column C"), the line of `text` holding `offset`, and a
// caret under it, each on its own line; the last two indented by two spaces.
std::string FormatDiagnostic(absl::string_view text, absl::string_view message, int offset);

}  // namespace mixlet::expr_internal

#endif  // MIXLET_LIB_EXPR_DIAGNOSTICS_H_
