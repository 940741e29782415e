// Golden files for the expression tests: a header of `#` comment lines, then entries
//
//   == <one-line input>
//   <expected output, any number of lines>
//
// `CheckGolden` renders every input and compares it with the stored output. Run the tests with
// MIXLET_UPDATE_GOLDENS=1 to rewrite the files from the current outputs (then review the diff).
#ifndef MIXLET_TESTS_EXPR_GOLDEN_H_
#define MIXLET_TESTS_EXPR_GOLDEN_H_

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace mixlet::expr_testing {

struct GoldenFile {
  std::string header;  // the leading comment lines, newline-terminated
  struct Entry {
    std::string input;
    std::string output;  // without the trailing newline
  };
  std::vector<Entry> entries;
};

inline GoldenFile ReadGolden(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  GoldenFile file;
  GoldenFile::Entry* current = nullptr;
  for (absl::string_view line : absl::StrSplit(ss.str(), '\n')) {
    if (absl::StartsWith(line, "== ")) {
      file.entries.push_back({std::string(line.substr(3)), ""});
      current = &file.entries.back();
    } else if (current == nullptr) {
      if (!line.empty()) absl::StrAppend(&file.header, line, "\n");
    } else {
      absl::StrAppend(&current->output, current->output.empty() ? "" : "\n", line);
    }
  }
  for (GoldenFile::Entry& e : file.entries) {
    while (absl::EndsWith(e.output, "\n")) e.output.pop_back();
  }
  return file;
}

inline void CheckGolden(const std::string& path,
                        const std::function<std::string(const std::string&)>& render) {
  GoldenFile file = ReadGolden(path);
  REQUIRE_FALSE(file.entries.empty());
  const bool update = std::getenv("MIXLET_UPDATE_GOLDENS") != nullptr;
  for (GoldenFile::Entry& e : file.entries) {
    std::string actual = render(e.input);
    while (absl::EndsWith(actual, "\n")) actual.pop_back();
    INFO("golden input: " << e.input);
    if (update) {
      e.output = actual;
    } else {
      CHECK(actual == e.output);
    }
  }
  if (update) {
    std::ofstream out(path);
    out << file.header;
    for (const GoldenFile::Entry& e : file.entries) {
      out << "\n== " << e.input << "\n" << e.output << "\n";
    }
  }
}

inline std::string TestDataPath(const char* name) {
  return std::string(MIXLET_SOURCE_DIR) + "/tests/expr/testdata/" + name;
}

}  // namespace mixlet::expr_testing

#endif  // MIXLET_TESTS_EXPR_GOLDEN_H_
