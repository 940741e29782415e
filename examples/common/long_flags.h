// ParseLongFlags: the command-line loop shared by mixlet's example programs.
//
// Every flag takes a value, written `--name VALUE` or `--name=VALUE`; `--help`/`-h` stops the
// loop and sets `*help`. Each flag names the string it fills (a repeatable flag appends). Errors
// are InvalidArgument naming the argument: an unknown one, a flag without a value, an empty value.
//
// Example:
//   std::vector<std::string> configs;
//   std::string address = "127.0.0.1:9091";
//   bool help = false;
//   absl::Status s = ParseLongFlags(argc, argv,
//       {{"--config", nullptr, &configs}, {"--grpc-address", &address, nullptr}}, &help);
#ifndef MIXLET_EXAMPLES_COMMON_LONG_FLAGS_H_
#define MIXLET_EXAMPLES_COMMON_LONG_FLAGS_H_

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace mixlet::examples {

struct LongFlag {
  absl::string_view name;              // e.g. "--config"
  std::string* value;                  // filled by a single-valued flag, else nullptr
  std::vector<std::string>* values;    // appended to by a repeatable flag, else nullptr
};

inline absl::Status ParseLongFlags(int argc, char** argv, std::initializer_list<LongFlag> flags,
                                   bool* help) {
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      *help = true;
      return absl::OkStatus();
    }
    absl::string_view name = arg;
    std::string value;
    bool has_value = false;
    const size_t eq = arg.find('=');
    if (absl::StartsWith(arg, "--") && eq != absl::string_view::npos) {
      name = arg.substr(0, eq);
      value = std::string(arg.substr(eq + 1));
      has_value = true;
    }
    const LongFlag* flag = nullptr;
    for (const LongFlag& f : flags) {
      if (f.name == name) flag = &f;
    }
    if (flag == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("unknown argument '", arg, "'"));
    }
    if (!has_value) {
      if (i + 1 >= argc) return absl::InvalidArgumentError(absl::StrCat(name, " needs a value"));
      value = argv[++i];
    }
    if (value.empty()) return absl::InvalidArgumentError(absl::StrCat(name, " is empty"));
    if (flag->values != nullptr) {
      flag->values->push_back(std::move(value));
    } else {
      *flag->value = std::move(value);
    }
  }
  return absl::OkStatus();
}

}  // namespace mixlet::examples

#endif  // MIXLET_EXAMPLES_COMMON_LONG_FLAGS_H_
