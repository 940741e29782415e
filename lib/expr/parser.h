// Parser: CEXL text -> syntax tree (ast.h).
//
// Two steps, as in Mixer. First the text is parsed with Go's expression grammar (go/parser):
// Go's operators and precedence, selectors, index and call expressions, Go's error messages for
// malformed text ("expected ')', found newline"). Then the Go tree is converted to CEXL's tree
// (Mixer's ast.Parse): operators become named functions, selector chains become attribute
// names or receiver calls, literals become typed constants (a string that parses as a Go
// duration is a DURATION). Go constructs CEXL has no meaning for (composite literals, slices,
// type assertions, `*x`, calls of something that is not a name) are rejected here.
//
// Nesting is bounded: deeper than `max_depth` levels (operators, calls, parentheses, indexes)
// is an error, never a stack overflow.
#ifndef MIXLET_LIB_EXPR_PARSER_H_
#define MIXLET_LIB_EXPR_PARSER_H_

#include "absl/strings/string_view.h"
#include "expr/ast.h"
#include "expr/lexer.h"

namespace mixlet::expr_internal {

// Parses `text` into `ast` (its root is set on success). On failure returns false and fills
// `error` with the first problem in reading order. `text` must outlive the call only.
bool Parse(absl::string_view text, int max_depth, Ast* ast, SourceError* error);

}  // namespace mixlet::expr_internal

#endif  // MIXLET_LIB_EXPR_PARSER_H_
