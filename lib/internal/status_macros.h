// Status propagation macros used throughout lib/. Not installed: internal to mixlet.
#ifndef MIXLET_INTERNAL_STATUS_MACROS_H_
#define MIXLET_INTERNAL_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define MIXLET_STATUS_CONCAT_INNER_(a, b) a##b
#define MIXLET_STATUS_CONCAT_(a, b) MIXLET_STATUS_CONCAT_INNER_(a, b)

// Returns the status of `expr` from the enclosing function when it is not OK.
#define MIXLET_RETURN_IF_ERROR(expr)                  \
  do {                                                \
    ::absl::Status mixlet_status_ = (expr);           \
    if (!mixlet_status_.ok()) return mixlet_status_;  \
  } while (0)

// `MIXLET_ASSIGN_OR_RETURN(auto x, F())`: assigns the value of the StatusOr `F()` to `x`, or
// returns its status from the enclosing function.
#define MIXLET_ASSIGN_OR_RETURN(lhs, expr) \
  MIXLET_ASSIGN_OR_RETURN_IMPL_(MIXLET_STATUS_CONCAT_(mixlet_statusor_, __LINE__), lhs, expr)
#define MIXLET_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return std::move(tmp).status();      \
  lhs = std::move(tmp).value()

#endif  // MIXLET_INTERNAL_STATUS_MACROS_H_
