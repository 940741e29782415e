# cmake -P script run by the `install:consumer` test (see CMakeLists.txt). Inputs:
#   MIXLET_BUILD_DIR   the built mixlet tree to install
#   MIXLET_SOURCE_DIR  the mixlet checkout (for examples/consumer)
#   WORK_DIR           scratch folder, emptied first: prefix/, consumer/
#   CONFIG, GENERATOR, CXX_COMPILER   as the mixlet build used them
foreach(var MIXLET_BUILD_DIR MIXLET_SOURCE_DIR WORK_DIR GENERATOR CXX_COMPILER)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run_install_test.cmake: ${var} is not set")
  endif()
endforeach()
if(NOT CONFIG)
  set(CONFIG Release)
endif()

set(prefix ${WORK_DIR}/prefix)
set(consumer_build ${WORK_DIR}/consumer)
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

# Runs a command; on failure prints what it said and stops with `hint`.
function(run_step name hint)
  execute_process(COMMAND ${ARGN}
    RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "install test: ${name} failed (${result}). ${hint}\n"
                        "command: ${ARGN}\n--- stdout\n${out}\n--- stderr\n${err}")
  endif()
  message(STATUS "install test: ${name}: ok")
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

# 1. Install into a fresh prefix.
run_step("cmake --install" "Build the project first: cmake --build ${MIXLET_BUILD_DIR}"
  ${CMAKE_COMMAND} --install ${MIXLET_BUILD_DIR} --prefix ${prefix} --config ${CONFIG})

# 2. The install tree holds the package files, the Find module it needs and the headers.
file(GLOB_RECURSE config_files ${prefix}/*/mixletConfig.cmake)
list(LENGTH config_files n)
if(NOT n EQUAL 1)
  message(FATAL_ERROR "install test: expected one mixletConfig.cmake under ${prefix}, "
                      "found: ${config_files}")
endif()
get_filename_component(package_dir ${config_files} DIRECTORY)
foreach(file mixletConfigVersion.cmake mixletTargets.cmake FindRe2.cmake)
  if(NOT EXISTS ${package_dir}/${file})
    message(FATAL_ERROR "install test: ${package_dir}/${file} is missing")
  endif()
endforeach()
foreach(header mixlet/value/value.h mixlet/attribute/mutable_bag.h mixlet/attribute/bag_json.h)
  if(NOT EXISTS ${prefix}/include/${header})
    message(FATAL_ERROR "install test: ${prefix}/include/${header} is missing")
  endif()
endforeach()

# 3. Configure and build the consumer against the prefix only: no package registry, and the
#    checkout's own files out of reach.
run_step("configure examples/consumer" ""
  ${CMAKE_COMMAND} -S ${MIXLET_SOURCE_DIR}/examples/consumer -B ${consumer_build}
    -G ${GENERATOR}
    -DCMAKE_BUILD_TYPE=${CONFIG}
    -DCMAKE_CXX_COMPILER=${CXX_COMPILER}
    -DCMAKE_PREFIX_PATH=${prefix}
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
    -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON
    -DMIXLET_CONSUMER_CHECK_HEADERS=ON)
file(STRINGS ${consumer_build}/CMakeCache.txt mixlet_dir_line REGEX "^mixlet_DIR:")
string(FIND "${mixlet_dir_line}" "${prefix}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "install test: the consumer found mixlet outside the prefix: "
                      "${mixlet_dir_line}")
endif()
run_step("build examples/consumer" ""
  ${CMAKE_COMMAND} --build ${consumer_build} --config ${CONFIG})

# 4. Run it and compare its output.
find_program(consumer mixlet_consumer PATHS ${consumer_build} ${consumer_build}/${CONFIG}
             NO_DEFAULT_PATH REQUIRED)
run_step("run mixlet_consumer" "" ${consumer})
file(READ ${MIXLET_SOURCE_DIR}/examples/consumer/expected_output.txt expected)
if(NOT step_output STREQUAL expected)
  message(FATAL_ERROR "install test: mixlet_consumer printed\n${step_output}\n"
                      "expected\n${expected}")
endif()
message(STATUS "install test: output matches expected_output.txt")
