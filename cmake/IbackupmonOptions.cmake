# SPDX-License-Identifier: Apache-2.0
# Compiler flags shared by every target of the project.
add_library(ibackupmon_flags INTERFACE)
target_compile_options(ibackupmon_flags INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                       -Wno-missing-field-initializers)
if(IBACKUPMON_WERROR)
  target_compile_options(ibackupmon_flags INTERFACE -Werror)
endif()
if(IBACKUPMON_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
if(IBACKUPMON_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "IBACKUPMON_FUZZ needs clang (CXX=clang++)")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

# ibackupmon_test(NAME name LABEL unit|integration|system SOURCES ... LIBS ...)
# One gtest executable; each test case becomes a ctest test carrying the label.
function(ibackupmon_test)
  cmake_parse_arguments(T "" "NAME;LABEL;TIMEOUT" "SOURCES;LIBS" ${ARGN})
  if(NOT T_LABEL)
    set(T_LABEL unit)
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gtest GTest::gmock GTest::gtest_main ibackupmon_flags)
  # Test-only helpers shared across suites: #include "support/<name>.h" (tests/support/).
  target_include_directories(${T_NAME} PRIVATE ${CMAKE_SOURCE_DIR}/tests)
  target_compile_definitions(${T_NAME} PRIVATE
    IBACKUPMON_SOURCE_DIR="${CMAKE_SOURCE_DIR}" IBACKUPMON_BIN_DIR="${CMAKE_BINARY_DIR}/bin")
  set_target_properties(${T_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  gtest_discover_tests(${T_NAME} PROPERTIES LABELS ${T_LABEL} TIMEOUT ${T_TIMEOUT}
                       DISCOVERY_TIMEOUT 60)
endfunction()
