// Expression: a compiled CEXL expression, ready to evaluate against attribute bags.
//
// An Expression is produced by `ExpressionCompiler::Compile` once per configuration and evaluated
// for every report. It is immutable, cheap to copy (copies share one compiled program) and safe
// to evaluate from many threads at once, each with its own `EvalContext`.
//
// Two ways to evaluate:
//   * the hot path, `Evaluate(bag, ctx, &value)`: no heap allocation when the result is a scalar,
//     a string borrowed from the bag or a constant, or a string-map lookup; failures return false
//     and leave a cheap description in `ctx` (`ctx.error()` builds the Status only when asked);
//   * the convenient `Evaluate(bag)`, which returns an owning value or the error status.
//
// Example:
//   ExpressionCompiler compiler(Vocabulary::Standard());
//   absl::StatusOr<Expression> e = compiler.Compile(R"(source.labels["version"] | "unknown")");
//   EvalContext ctx;
//   Value v;
//   if (e->Evaluate(bag, ctx, &v)) Use(v.string());   // v valid until bag or ctx change
//   else Log(ctx.error());
#ifndef MIXLET_EXPR_EXPRESSION_H_
#define MIXLET_EXPR_EXPRESSION_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "mixlet/attribute/bag.h"
#include "mixlet/value/owned_value.h"
#include "mixlet/value/value.h"

namespace mixlet {

namespace expr_internal {
class Program;
class EvalState;
}  // namespace expr_internal

// Per-thread scratch space for evaluation: the value stack, storage for strings an expression
// derives (concatenation, toLower, ...) and the description of the last failure. Reuse one per
// thread; it grows to the largest expression evaluated and then stops allocating.
// Not thread-safe. Values an evaluation returns may point into it: they stay valid until the
// next evaluation with the same context.
class EvalContext {
 public:
  EvalContext();
  ~EvalContext();
  EvalContext(const EvalContext&) = delete;
  EvalContext& operator=(const EvalContext&) = delete;

  // The error of the last failed evaluation with this context, e.g.
  // NotFound("lookup failed: 'request.path'") or InvalidArgument("could not convert 10.1.12 to
  // IP_ADDRESS"). OK when the last evaluation succeeded. Builds the message on each call (a
  // failing evaluation only records a code and copies the operand into reused storage).
  // Internal when a registered function returned a value of another type than it declared.
  absl::Status error() const;

 private:
  friend class Expression;
  friend class expr_internal::EvalState;
  std::unique_ptr<expr_internal::EvalState> state_;
};

class Expression {
 public:
  // Copies share the compiled program.
  Expression(const Expression&) = default;
  Expression& operator=(const Expression&) = default;
  Expression(Expression&&) = default;
  Expression& operator=(Expression&&) = default;
  ~Expression();

  // The static type of the result (never kUnspecified).
  ValueType result_type() const;
  // The source text it was compiled from.
  const std::string& text() const;
  // Every attribute the expression may read, in id order, without duplicates.
  absl::Span<const AttributeId> attributes() const;
  // True when the whole expression was folded to one constant at compile time (it then reads
  // no attribute). An expression can read no attribute and still not be constant: `ip("10.1.12")`
  // keeps its evaluation-time error, and registered functions are never folded.
  bool is_constant() const;

  // Hot path: evaluates against `bag`. On success stores the result in `*result` and returns
  // true; the result may view the bag, the expression's constants or `ctx`, and is valid until
  // any of them changes. On failure returns false and `ctx.error()` describes it.
  // No allocation once `ctx` is warm, except in ip(), dnsName(), email(), uri() of values read
  // at evaluation time, the DNS_NAME / EMAIL_ADDRESS / URI equalities, and a `matches` whose
  // pattern is only known at evaluation time (compiled once per context, then cached).
  // Attributes are read by id when `bag` uses the compiler's vocabulary (same pointer); a bag
  // on another vocabulary is read by name, slower, and its values' types are checked.
  // Hot path: no allocation, no string hashing.
  bool Evaluate(const Bag& bag, EvalContext& ctx, Value* result) const {
    return eval_(*program_, bag, ctx, result);
  }

  // Convenience: evaluates and copies the result. NotFound for an absent attribute with no
  // fallback (`lookup failed: '<name>'`), InvalidArgument for other evaluation errors.
  absl::StatusOr<OwnedValue> Evaluate(const Bag& bag) const;

  // A readable listing of the compiled program, one instruction per line (for tests and
  // `mixlet eval --explain`).
  std::string Disassemble() const;

 private:
  friend class ExpressionCompiler;
  // The evaluation routine specialised for the program's shape, chosen once at compile time.
  using EvalFn = bool (*)(const expr_internal::Program& program, const Bag& bag,
                          EvalContext& ctx, Value* result);
  explicit Expression(std::shared_ptr<const expr_internal::Program> program);
  std::shared_ptr<const expr_internal::Program> program_;
  EvalFn eval_;
};

}  // namespace mixlet

#endif  // MIXLET_EXPR_EXPRESSION_H_
