// `mixlet`: the command-line tool of the mixlet library. Dispatches to the commands of
// command.h's table.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "command.h"

namespace mixlet::cli {

const char kMixerDifferencesHelp[] =
    R"(Where mixlet deliberately differs from Mixer (each time Mixer's behaviour is a bug):
  * An operator expression (comparison, &&, ||, +, size()) as the left operand of `|` is
    always present: (request.path == "/x") | false is true when the path is /x (Mixer: false,
    it returns the right operand).
  * m["x-" + k] is looked up like any other key, inside a `|` fallback too (Mixer: always
    absent there).
  * TIMESTAMP <= and >= compare instants, whatever the zone offsets of the two sides (Mixer:
    false for equal instants unless both carry the same zone).
  * || inside a call at the top of an expression evaluates normally (Mixer ends the whole
    evaluation with true, e.g. conditionalString(a || b, "y", "n") with a true).
  * A fallback chain whose operands are all absent is the ordinary evaluation error
    "lookup failed: '<last operand>'", however it is nested (Mixer: "stack underflow" for
    a | (b | c)).
  * A regular expression literal is compiled with the expression: an invalid one as the
    receiver of matches() ("(".matches(x)) is a compile error (Mixer: an evaluation error).
  * Extra arguments to a built-in function are a compile error (Mixer ignores or misuses
    them: size("ab", "c") is 2).
  * Limits are checked at compile time: an expression longer than 16 KiB or nested deeper
    than 100 levels is a compile error. Mixer's interpreter limits (64 stack slots, 63 heap
    entries, "stack overflow"/"heap overflow" at evaluation) do not exist in mixlet.
  * Input that crashes or hangs Mixer gives a compile or evaluation error with a message.
)";

int Fail(int code, absl::string_view message) {
  std::cerr << "error: " << message << "\n";
  return code;
}

absl::StatusOr<std::string> ReadFile(absl::string_view path) {
  std::ifstream in{std::string(path), std::ios::binary};
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read '", path, "': ", std::strerror(errno)));
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) return absl::InvalidArgumentError(absl::StrCat("cannot read '", path, "'"));
  return content.str();
}

namespace {

struct Command {
  absl::string_view word;
  absl::string_view help;  // one line
  int (*run)(absl::Span<const char* const> args);
};

constexpr Command kCommands[] = {
#define MIXLET_CLI_COMMAND_ROW(word, help, handler) {word, help, &handler},
    MIXLET_CLI_COMMANDS(MIXLET_CLI_COMMAND_ROW)
#undef MIXLET_CLI_COMMAND_ROW
};

void PrintUsage(std::ostream& out) {
  out << R"(usage: mixlet <command> [options] [arguments]
       mixlet <command> --help

mixlet runs the telemetry core of Istio's Mixer outside Mixer: attribute bags, the CEXL
expression language, Istio configuration and the Prometheus adapter.

Commands:
)";
  for (const Command& c : kCommands) {
    out << "  " << c.word << std::string(c.word.size() < 10 ? 10 - c.word.size() : 1, ' ')
        << c.help << "\n";
  }
  out << R"(
Expressions are CEXL, Mixer's default expression language, checked against Istio's standard
attribute vocabulary (the 90 attributes of Istio 1.7's istioproxy and kubernetes manifests).

Exit status, for every command:
  0  success
  1  evaluation-time error: the input was valid, evaluating it failed
  2  usage error, unreadable or invalid input (bag, config), or compile-time error
Errors are printed on stderr, each starting with "error:".

)" << kMixerDifferencesHelp;
}

int Main(int argc, char** argv) {
  if (argc < 2) {
    return Fail(kExitInputError, "missing command (run 'mixlet --help' for the list)");
  }
  const absl::string_view word = argv[1];
  if (word == "--help" || word == "-h" || word == "help") {
    PrintUsage(std::cout);
    return kExitOk;
  }
  for (const Command& c : kCommands) {
    if (c.word == word) return c.run(absl::MakeConstSpan(argv + 2, argc - 2));
  }
  return Fail(kExitInputError,
              absl::StrCat("unknown command '", word, "' (run 'mixlet --help' for the list)"));
}

}  // namespace
}  // namespace mixlet::cli

int main(int argc, char** argv) { return mixlet::cli::Main(argc, argv); }
