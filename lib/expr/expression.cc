#include "mixlet/expr/expression.h"

#include <utility>

#include "expr/disassembler.h"
#include "expr/eval_state.h"
#include "expr/evaluator.h"
#include "expr/program.h"

namespace mixlet {

EvalContext::EvalContext() : state_(std::make_unique<expr_internal::EvalState>()) {}
EvalContext::~EvalContext() = default;

absl::Status EvalContext::error() const { return state_->error(); }

Expression::Expression(std::shared_ptr<const expr_internal::Program> program)
    : program_(std::move(program)), eval_(expr_internal::SelectEvalFn(*program_)) {}
Expression::~Expression() = default;

ValueType Expression::result_type() const { return program_->result_type; }
const std::string& Expression::text() const { return program_->text; }
absl::Span<const AttributeId> Expression::attributes() const { return program_->attributes; }
bool Expression::is_constant() const { return program_->is_constant; }

absl::StatusOr<OwnedValue> Expression::Evaluate(const Bag& bag) const {
  EvalContext ctx;
  Value v;
  if (!Evaluate(bag, ctx, &v)) return ctx.error();
  return OwnedValue::Of(v);
}

std::string Expression::Disassemble() const { return expr_internal::Disassemble(*program_); }

}  // namespace mixlet
