# SPDX-License-Identifier: Apache-2.0
# Tests that need an outside tool (promtool, sqlite3, dpkg-deb, ...) are always registered. When
# a tool is missing at configure time, the test's command is cmake/skip_missing_tool.sh instead:
# it prints what is missing and exits 77, which SKIP_RETURN_CODE turns into ctest's
# "Not Run (Skipped)". When the environment variable CI is "true" while the test RUNS (not when
# cmake configures: .ci/run and scripts/test.sh export it to ctest), the same stand-in exits 1, so
# a CI machine without a tool fails instead of passing with the test left out.
#
#   ibackupmon_find_tool(<VAR> NAMES <program>... PACKAGE <debian-package>)
#     find_program(<VAR> NAMES ...), remembering the Debian package for the skip message.
#   ibackupmon_tool_test(NAME <test> NEEDS <VAR>... COMMAND <command>... [WORKING_DIRECTORY <dir>])
#     add_test(NAME <test> COMMAND ...) when every <VAR> was found, else the stand-in. Set the
#     test's other properties (LABELS, TIMEOUT, ENVIRONMENT) afterwards with set_tests_properties,
#     as for any test; the stand-in accepts them all.

function(ibackupmon_find_tool var)
  cmake_parse_arguments(PARSE_ARGV 1 T "" "PACKAGE" "NAMES")
  if(NOT T_NAMES)
    set(T_NAMES ${var})
  endif()
  find_program(${var} NAMES ${T_NAMES})
  list(GET T_NAMES 0 first)
  if(T_PACKAGE)
    set(what "${first} (Debian package ${T_PACKAGE})")
  else()
    set(what "${first}")
  endif()
  set_property(GLOBAL PROPERTY IBACKUPMON_TOOL_${var} "${what}")
  if(NOT ${var})
    message(STATUS "${what} not found: the tests that need it are reported as skipped")
  endif()
endfunction()

function(ibackupmon_tool_test)
  cmake_parse_arguments(PARSE_ARGV 0 T "" "NAME;WORKING_DIRECTORY" "NEEDS;COMMAND")
  if(NOT T_NAME OR NOT T_COMMAND)
    message(FATAL_ERROR "ibackupmon_tool_test: NAME and COMMAND are required")
  endif()
  set(missing "")
  foreach(var IN LISTS T_NEEDS)
    get_property(what GLOBAL PROPERTY IBACKUPMON_TOOL_${var})
    if(NOT what)
      message(FATAL_ERROR "ibackupmon_tool_test(${T_NAME}): ${var} was not looked up with "
                          "ibackupmon_find_tool")
    endif()
    if(NOT ${var})
      list(APPEND missing "${what}")
    endif()
  endforeach()
  if(missing)
    list(JOIN missing ", " why)
    add_test(NAME ${T_NAME}
             COMMAND /bin/sh ${PROJECT_SOURCE_DIR}/cmake/skip_missing_tool.sh ${T_NAME} "${why}")
    set_tests_properties(${T_NAME} PROPERTIES SKIP_RETURN_CODE 77)
  elseif(T_WORKING_DIRECTORY)
    add_test(NAME ${T_NAME} COMMAND ${T_COMMAND} WORKING_DIRECTORY ${T_WORKING_DIRECTORY})
  else()
    add_test(NAME ${T_NAME} COMMAND ${T_COMMAND})
  endif()
endfunction()
