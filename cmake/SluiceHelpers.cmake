# Helpers that keep every module's CMakeLists short and alike.

set(SLUICE_WARNINGS -Wall -Wextra -Wshadow -Wconversion -Wsign-conversion
    -Wnon-virtual-dtor -Woverloaded-virtual -Wimplicit-fallthrough)
if(SLUICE_WERROR)
  list(APPEND SLUICE_WARNINGS -Werror)
endif()
# GCC's -Wmaybe-uninitialized is not reliable on instrumented code at -O1: it
# reported std::optional and std::regex internals in libstdc++'s own headers.
# The release pass keeps the warning, with -Werror.
if(NOT SLUICE_SANITIZE STREQUAL "")
  list(APPEND SLUICE_WARNINGS -Wno-maybe-uninitialized)
endif()

# Instrumented binaries run several times slower. Under TSan (5-15x) the
# process-level tests' own deadlines and CTest timeouts are multiplied by this
# factor (tests read it from SLUICE_TEST_TIME_SCALE); other builds use 1.
set(SLUICE_TEST_TIME_SCALE 1)
if(SLUICE_SANITIZE STREQUAL "tsan")
  set(SLUICE_TEST_TIME_SCALE 3)
endif()

# Strict warnings for project code; generated code gets none of these.
function(sluice_warnings target)
  target_compile_options(${target} PRIVATE ${SLUICE_WARNINGS})
endfunction()

# sluice_library(NAME SRCS a.cc b.cc DEPS lib1 lib2 [PRIVATE_DEPS ...])
# One static library per module; headers are included as "scheduler/<module>/x.h".
function(sluice_library name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SRCS})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  sluice_warnings(${name})
endfunction()

# What every executable of a sanitized build carries (the TSan build's
# annotations of Debian's abseil).
function(sluice_sanitizer_runtime name)
  if(TARGET sluice_absl_tsan_shim)
    target_link_libraries(${name} PRIVATE sluice_absl_tsan_shim)
  endif()
endfunction()

# sluice_binary(NAME SRCS ... DEPS ...): an executable in build/bin, linked with jemalloc.
function(sluice_binary name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  if(SLUICE_USE_JEMALLOC)
    target_link_libraries(${name} PRIVATE PkgConfig::JEMALLOC)
    target_sources(${name} PRIVATE ${PROJECT_SOURCE_DIR}/scheduler/common/malloc_conf.cc)
  endif()
  sluice_sanitizer_runtime(${name})
  sluice_warnings(${name})
endfunction()

# sluice_test(NAME SRCS ... DEPS ... [LABELS ...] [TIMEOUT s]): one test executable
# per *_test.cc, registered with CTest (gtest_discover_tests would spawn every binary
# at build time; one CTest entry per executable keeps the build fast on two cores).
function(sluice_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY
                        ${PROJECT_BINARY_DIR}/tests)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  sluice_sanitizer_runtime(${name})
  sluice_warnings(${name})
  add_test(NAME ${name} COMMAND ${name} --gtest_color=no)
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  math(EXPR ARG_TIMEOUT "${ARG_TIMEOUT} * ${SLUICE_TEST_TIME_SCALE}")
  set_tests_properties(${name} PROPERTIES TIMEOUT ${ARG_TIMEOUT}
                       ENVIRONMENT "SLUICE_BIN_DIR=${PROJECT_BINARY_DIR}/bin;SLUICE_SOURCE_DIR=${PROJECT_SOURCE_DIR};SLUICE_TEST_TIME_SCALE=${SLUICE_TEST_TIME_SCALE}")
  if(ARG_LABELS)
    set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}")
  endif()
endfunction()

# sluice_bench(NAME SRCS ... DEPS ...): a Google Benchmark program in build/bin.
function(sluice_bench name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} benchmark::benchmark)
  if(SLUICE_USE_JEMALLOC)
    target_link_libraries(${name} PRIVATE PkgConfig::JEMALLOC)
    target_sources(${name} PRIVATE ${PROJECT_SOURCE_DIR}/scheduler/common/malloc_conf.cc)
  endif()
  sluice_warnings(${name})
endfunction()
