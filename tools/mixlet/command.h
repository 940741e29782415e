// The commands of the `mixlet` tool and what they share.
//
// A command is a function `int Run<Name>(absl::Span<const char* const> args)` defined in
// `<name>_command.cc`: it receives the arguments after the command word, prints its result on
// stdout and its errors on stderr (one message per error, each starting `error:`), and returns
// the process exit status (0 success, 1 evaluation-time failure, 2 usage, input or compile
// error). To add a command, add the file and one row to `MIXLET_CLI_COMMANDS` below; CMake
// picks up every `*_command.cc` in this folder.
#ifndef MIXLET_TOOLS_MIXLET_COMMAND_H_
#define MIXLET_TOOLS_MIXLET_COMMAND_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace mixlet::cli {

// The command table: X(word, one-line help, handler). ORDER: as listed by `mixlet --help`.
#define MIXLET_CLI_COMMANDS(X) \
  X("eval", "evaluate a CEXL expression against a bag of attributes", RunEval) \
  X("validate", "check Istio config files and list every problem", RunValidate) \
  X("report", "send JSON bags through Istio config, print the Prometheus metrics", RunReport)

#define MIXLET_CLI_DECLARE_COMMAND(word, help, handler) \
  int handler(absl::Span<const char* const> args);
MIXLET_CLI_COMMANDS(MIXLET_CLI_DECLARE_COMMAND)
#undef MIXLET_CLI_DECLARE_COMMAND

// Exit statuses shared by every command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitEvalError = 1;    // the input was fine; evaluating it failed
inline constexpr int kExitInputError = 2;   // usage, unreadable or invalid input, compile error

// Where mixlet's expression language deliberately differs from Mixer's (expressions.md §1),
// for the help texts.
extern const char kMixerDifferencesHelp[];

// Prints `error: <message>` on stderr (the message may span several lines) and returns `code`.
int Fail(int code, absl::string_view message);

// The whole content of the file at `path`; InvalidArgument naming the file when it cannot be
// read.
absl::StatusOr<std::string> ReadFile(absl::string_view path);

}  // namespace mixlet::cli

#endif  // MIXLET_TOOLS_MIXLET_COMMAND_H_
