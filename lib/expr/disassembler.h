// Disassembler: a Program as text, one instruction per line, for golden tests and
// `mixlet eval --explain`:
//
//   program BOOL (stack 1)
//      0  attr_test            context.protocol == "tcp" ?false -> 2
//      1  attr_test            destination.service.host == "mongodb.default.svc.cluster.local"
//      2  return
#ifndef MIXLET_LIB_EXPR_DISASSEMBLER_H_
#define MIXLET_LIB_EXPR_DISASSEMBLER_H_

#include <string>

#include "expr/program.h"

namespace mixlet::expr_internal {

std::string Disassemble(const Program& program);

}  // namespace mixlet::expr_internal

#endif  // MIXLET_LIB_EXPR_DISASSEMBLER_H_
