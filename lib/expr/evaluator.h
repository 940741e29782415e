// The evaluator: runs a Program against a bag, in one switch loop over a fixed stack.
#ifndef MIXLET_LIB_EXPR_EVALUATOR_H_
#define MIXLET_LIB_EXPR_EVALUATOR_H_

#include "expr/eval_state.h"
#include "expr/program.h"
#include "mixlet/attribute/bag.h"
#include "mixlet/expr/expression.h"
#include "mixlet/value/value.h"

namespace mixlet::expr_internal {

// Evaluates `program` against `bag`. On success stores the result in `*result` (it may view
// the bag, the program's constants or `state`'s arena) and returns true; on failure returns
// false with the error recorded in `state`.
//
// Attributes are read by id when the bag was built on the program's vocabulary (the normal
// case); a bag built on another vocabulary is read by name, and its values' types are checked.
//
// Hot path: no allocation, no string hashing, for every instruction except those computing
// ip(), dnsName(), email(), uri(), the DNS/e-mail/URI equalities, a regex whose pattern is only
// known at evaluation time (cached per state), and registered functions that copy strings.
// This entry point always runs the dispatch loop (the constant folder uses it); programs of a
// common shape (Program::fast_path) are evaluated without the loop by the routine SelectEvalFn
// returns, which Expression::Evaluate calls.
bool Evaluate(const Program& program, const Bag& bag, EvalState& state, Value* result);

// An evaluation routine taking the caller's EvalContext (Expression::Evaluate calls it
// directly). Same contract as Evaluate.
using EvalFn = bool (*)(const Program& program, const Bag& bag, EvalContext& ctx, Value* result);

// The routine specialised for `program`'s shape (Program::fast_path, Program::fast), or the
// general one. Call once, after the code generator has finished `program` and PrepareFastPath.
EvalFn SelectEvalFn(const Program& program);

// Decodes the operands of a fast-path program into `program->fast`.
void PrepareFastPath(Program* program);

// The dispatch loop: one switch over the opcodes (Evaluate is the same).
bool RunProgram(const Program& program, const Bag& bag, EvalState& state, Value* result);

}  // namespace mixlet::expr_internal

#endif  // MIXLET_LIB_EXPR_EVALUATOR_H_
