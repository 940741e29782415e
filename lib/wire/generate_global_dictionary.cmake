# Generates the C++ word list of the global dictionary from global_dictionary.yaml.
#   cmake -DINPUT=global_dictionary.yaml -DOUTPUT=global_dictionary.inc -P generate_global_dictionary.cmake
#
# The file is not parsed as YAML: like Mixer's and istio/proxy's generators, every line that
# starts with `-` is a word, namely the rest of the line with surrounding whitespace stripped,
# kept verbatim (so `- '200'` is the 5-character word '200' and `- "-"` is "-"; wire.md §6).
# Each word becomes one C++ string literal line, `"word",`, in file order.

if(NOT DEFINED INPUT OR NOT DEFINED OUTPUT)
  message(FATAL_ERROR "usage: cmake -DINPUT=<yaml> -DOUTPUT=<inc> -P ${CMAKE_CURRENT_LIST_FILE}")
endif()

file(READ "${INPUT}" content)
# CMake lists split on `;` and treat `[`/`]` and `\` specially; protect them before splitting
# into lines (one word is `text/plain; charset=utf-8`).
string(REPLACE "\\" "@BACKSLASH@" content "${content}")
string(REPLACE ";" "@SEMICOLON@" content "${content}")
string(REPLACE "[" "@LBRACKET@" content "${content}")
string(REPLACE "]" "@RBRACKET@" content "${content}")
string(REPLACE "\r" "" content "${content}")
string(REPLACE "\n" ";" lines "${content}")

set(body "")
set(count 0)
foreach(line IN LISTS lines)
  if(NOT line MATCHES "^-")
    continue()
  endif()
  string(SUBSTRING "${line}" 1 -1 word)
  string(STRIP "${word}" word)
  if(word STREQUAL "")
    message(FATAL_ERROR "${INPUT}: empty word at dictionary position ${count}")
  endif()
  string(REPLACE "@SEMICOLON@" ";" word "${word}")
  string(REPLACE "@LBRACKET@" "[" word "${word}")
  string(REPLACE "@RBRACKET@" "]" word "${word}")
  # C++ string literal escaping: backslash first, then the double quote.
  string(REPLACE "@BACKSLASH@" "\\\\" word "${word}")
  string(REPLACE "\"" "\\\"" word "${word}")
  string(APPEND body "\"${word}\",  // ${count}\n")
  math(EXPR count "${count} + 1")
endforeach()

set(header "// Generated from global_dictionary.yaml by generate_global_dictionary.cmake: do not edit.\n")
string(APPEND header "// One string literal per dictionary word, in position order (${count} words).\n")
set(new_content "${header}${body}")
# Rewrite only when the content changes, so that dependents are not rebuilt needlessly.
if(EXISTS "${OUTPUT}")
  file(READ "${OUTPUT}" old_content)
  if(old_content STREQUAL new_content)
    return()
  endif()
endif()
file(WRITE "${OUTPUT}" "${new_content}")
