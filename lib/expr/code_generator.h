// CodeGenerator: checked syntax tree -> Program.
//
// Every sub-expression is compiled in one of two modes (expressions.md §7): *strict*, which
// leaves the value on the stack or fails (`lookup failed`), and *nillable*, which jumps to a
// label with the value on the stack when it is present and falls through with nothing pushed
// when it is absent. Only attribute references, map indexes and `|` can be absent; every other
// form (constants, calls, operators) is always present when it succeeds. `a | b` compiles `a`
// nillable and `b` in the mode of the whole; `&&`, `||`, `|` and `conditional` are forward
// jumps, patched when their label is bound. Regular-expression literals are compiled here, once,
// into the program's RE2 table; a bad pattern is a compile error. A few common shapes get fused
// instructions (`attr == "k"` and the other constant string tests, `attr | k`, `m["k"]`,
// `m["k"] | k`); a regular-expression literal that only matches a literal text (`Mobile.*`)
// becomes a byte search; the boolean left operand of `&&` / `||` absorbs the jump; jumps that
// land on a return or on an identical conditional jump are threaded.
#ifndef MIXLET_LIB_EXPR_CODE_GENERATOR_H_
#define MIXLET_LIB_EXPR_CODE_GENERATOR_H_

#include <vector>

#include "absl/container/flat_hash_set.h"
#include "expr/ast.h"
#include "expr/lexer.h"
#include "expr/program.h"

namespace mixlet::expr_internal {

class CodeGenerator {
 public:
  // Fills `program` (whose vocabulary, text and result type the caller sets).
  explicit CodeGenerator(Program* program) : program_(program) {}

  // Compiles `root`. False with `error` set when a regular-expression literal is invalid.
  bool Generate(const Node& root, SourceError* error);

 private:
  struct LabelUse {
    size_t instruction;
    bool in_c;  // the target is operand c (else a)
  };
  struct Label {
    int position = -1;
    std::vector<LabelUse> uses;
  };

  void Strict(const Node& n);
  void Nillable(const Node& n, int value_label);
  void StrictCall(const Node& n);
  void Equality(const Node& n, bool negate);
  void Comparison(const Node& n, Relation relation);
  void Index(const Node& n);
  void NillableIndex(const Node& n, int value_label);
  void Match(const Node& n);
  void EmitAttrTest(const Node& attribute, Test test, absl::string_view constant, uint8_t aux);
  void StringTestConst(const Node& s, Test test, absl::string_view constant, uint8_t aux = 0);
  void Matches(const Node& n);

  // Emits `op`; `push`/`pop` are its stack effect on the path that continues.
  size_t Emit(Opcode op, int pop, int push, uint32_t a = 0, uint32_t b = 0, uint32_t c = 0,
              uint8_t aux = 0);
  // Emits a rhs-taking binary instruction: the constant form when `rhs` is a constant.
  void EmitBinary(Opcode op, const Node& rhs, uint8_t aux = 0);
  // Fuses the boolean instruction just emitted with the `&&` / `||` jump to `label` (aux
  // `branch`). False when that instruction cannot be fused or a label points after it.
  bool FuseBranch(uint8_t branch, int label);
  int NewLabel();
  void UseLabel(int label, size_t instruction, bool in_c);
  void Bind(int label);
  void ThreadJumps();
  uint32_t Constant(const Value& v);
  uint32_t Attribute(const Node& variable);

  Program* program_;
  std::vector<Label> labels_;
  int depth_ = 0;
  size_t last_bound_ = static_cast<size_t>(-1);  // code position of the last bound label
  absl::flat_hash_set<uint32_t> attributes_;
  SourceError error_;
};

// True for the forms that can be absent: attribute references, map indexes and `|`.
bool IsNillableForm(const Node& n);

}  // namespace mixlet::expr_internal

#endif  // MIXLET_LIB_EXPR_CODE_GENERATOR_H_
