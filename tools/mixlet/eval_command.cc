// `mixlet eval [--attrs BAG.json] [--explain] [--] EXPR`: compiles one CEXL expression against
// the standard vocabulary, evaluates it over a JSON bag and prints
// `{"type": "<TYPE>", "value": <JSON>}` exactly as Mixer's engine (mixer-eval) prints it.
#include <iostream>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "absl/types/span.h"
#include "command.h"
#include "mixlet/attribute/bag_json.h"
#include "mixlet/attribute/mutable_bag.h"
#include "mixlet/attribute/vocabulary.h"
#include "mixlet/expr/compiler.h"
#include "mixlet/expr/expression.h"
#include "mixlet/value/value_json.h"
#include "mixlet/value/value_type.h"

namespace mixlet::cli {
namespace {

constexpr char kEvalUsage[] = "usage: mixlet eval [--attrs BAG.json] [--explain] [--] EXPR";

void PrintEvalHelp() {
  std::cout << kEvalUsage << R"(

Compiles EXPR, an expression in CEXL (Mixer's expression language), against Istio's standard
attribute vocabulary, evaluates it over the attributes of BAG.json (no attributes without
--attrs) and prints one JSON line on stdout:

  {"type": "<TYPE>", "value": <VALUE>}

TYPE is the expression's static type: STRING, INT64, DOUBLE, BOOL, TIMESTAMP, IP_ADDRESS,
EMAIL_ADDRESS, URI, DNS_NAME, DURATION or STRING_MAP. VALUE is JSON: strings as strings,
INT64 and DOUBLE as numbers (NaN and infinities as the bare words NaN, Infinity, -Infinity),
BOOL as true/false, TIMESTAMP as RFC 3339 in UTC ending in Z ("2015-01-02T15:04:35.5Z"),
DURATION as Go prints durations ("1m30s", "1.5s", "10ms"), IP_ADDRESS as text ("10.0.0.1",
"::1"), STRING_MAP as an object with sorted keys. The line is byte for byte what Mixer's own
engine prints for the same expression and bag.

BAG.json is one JSON object mapping attribute names to values, each read as the type the
vocabulary gives the name: a string for STRING, DNS_NAME, EMAIL_ADDRESS and URI; an integer
for INT64; a number for DOUBLE; true/false for BOOL; an RFC 3339 string for TIMESTAMP; a Go
duration string ("1.5s") for DURATION; address text for IP_ADDRESS; an object of strings for
STRING_MAP. Example:
  {"request.path": "/api/v1", "request.size": 120, "source.labels": {"app": "web"}}

Options:
  --attrs BAG.json  the attributes to evaluate over (also --attrs=BAG.json)
  --explain         also print the compiled program (its disassembly) on stderr
  --                end of options, for an EXPR that is itself an option name
  -h, --help        this help
Options come before EXPR; EXPR may start with '-' (mixlet eval -1 reports the compile error).

Exit status:
  0  success: the JSON line is on stdout
  1  evaluation-time error, e.g. an attribute that is absent with no fallback
     ("lookup failed: 'request.path'"), text that ip(), timestamp(), dnsName(), email() or
     uri() cannot convert, an invalid regular expression as a matches() receiver
  2  compile-time error (syntax, unknown attribute or function, type mismatch, invalid
     regular expression literal, limits), a bad bag file (unreadable, not JSON, a value of
     the wrong JSON type, an unknown attribute), or a usage error
Errors are printed on stderr, starting with "error:".

)" << kMixerDifferencesHelp;
}

struct EvalArgs {
  std::string expr;
  absl::optional<std::string> attrs_path;
  bool explain = false;
  bool help = false;
};

absl::StatusOr<EvalArgs> ParseEvalArgs(absl::Span<const char* const> args) {
  EvalArgs parsed;
  bool have_expr = false;
  bool options_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const absl::string_view a = args[i];
    if (!options_done) {
      if (a == "--") {
        options_done = true;
        continue;
      }
      if (a == "-h" || a == "--help") {
        parsed.help = true;
        return parsed;
      }
      if (a == "--explain") {
        parsed.explain = true;
        continue;
      }
      if (a == "--attrs") {
        if (i + 1 == args.size()) return absl::InvalidArgumentError("--attrs needs a file name");
        parsed.attrs_path = std::string(args[++i]);
        continue;
      }
      if (absl::StartsWith(a, "--attrs=")) {
        parsed.attrs_path = std::string(a.substr(8));
        continue;
      }
    }
    // The expression: the first argument that is not an option. Options end there, so an
    // expression may start with '-'.
    if (have_expr) {
      return absl::InvalidArgumentError(
          absl::StrCat("unexpected argument '", a, "' after the expression\n", kEvalUsage));
    }
    parsed.expr = std::string(a);
    have_expr = true;
    options_done = true;
  }
  if (!have_expr) {
    return absl::InvalidArgumentError(absl::StrCat("missing expression\n", kEvalUsage));
  }
  return parsed;
}

}  // namespace

int RunEval(absl::Span<const char* const> args) {
  absl::StatusOr<EvalArgs> parsed = ParseEvalArgs(args);
  if (!parsed.ok()) return Fail(kExitInputError, parsed.status().message());
  if (parsed->help) {
    PrintEvalHelp();
    return kExitOk;
  }

  std::shared_ptr<const Vocabulary> vocabulary = Vocabulary::Standard();
  MutableBag bag(vocabulary);
  if (parsed->attrs_path.has_value()) {
    absl::StatusOr<std::string> json = ReadFile(*parsed->attrs_path);
    if (!json.ok()) {
      return Fail(kExitInputError, absl::StrCat("bad bag file: ", json.status().message()));
    }
    if (absl::Status s = ParseBagJson(*json, &bag); !s.ok()) {
      return Fail(kExitInputError,
                  absl::StrCat("bad bag file '", *parsed->attrs_path, "': ", s.message()));
    }
  }

  ExpressionCompiler compiler(vocabulary);
  absl::StatusOr<Expression> expr = compiler.Compile(parsed->expr);
  if (!expr.ok()) return Fail(kExitInputError, expr.status().message());
  if (parsed->explain) std::cerr << expr->Disassemble();

  absl::StatusOr<OwnedValue> result = expr->Evaluate(bag);
  if (!result.ok()) return Fail(kExitEvalError, result.status().message());
  std::cout << "{\"type\": \"" << ValueTypeName(expr->result_type())
            << "\", \"value\": " << ToJson(result->value()) << "}\n";
  std::cout.flush();
  return std::cout ? kExitOk : Fail(kExitEvalError, "cannot write the result to stdout");
}

}  // namespace mixlet::cli
