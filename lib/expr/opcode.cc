#include "expr/opcode.h"

namespace mixlet::expr_internal {
namespace {

constexpr absl::string_view kNames[] = {
#define MIXLET_EXPR_OPCODE_NAME(e, mnemonic, meaning) mnemonic,
    MIXLET_EXPR_OPCODES(MIXLET_EXPR_OPCODE_NAME)
#undef MIXLET_EXPR_OPCODE_NAME
};
constexpr absl::string_view kMeanings[] = {
#define MIXLET_EXPR_OPCODE_MEANING(e, mnemonic, meaning) meaning,
    MIXLET_EXPR_OPCODES(MIXLET_EXPR_OPCODE_MEANING)
#undef MIXLET_EXPR_OPCODE_MEANING
};
static_assert(sizeof(kNames) / sizeof(kNames[0]) == kOpcodeCount, "one name per opcode");

}  // namespace

absl::string_view OpcodeName(Opcode op) {
  const int i = static_cast<int>(op);
  return i < kOpcodeCount ? kNames[i] : absl::string_view("?");
}

absl::string_view OpcodeMeaning(Opcode op) {
  const int i = static_cast<int>(op);
  return i < kOpcodeCount ? kMeanings[i] : absl::string_view("?");
}

}  // namespace mixlet::expr_internal
