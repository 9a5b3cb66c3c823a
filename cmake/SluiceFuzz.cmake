# -DSLUICE_FUZZ=ON (clang only): every target is built with libFuzzer's
# coverage instrumentation plus ASan+UBSan, and tests/fuzz adds one libFuzzer
# binary per target in build/fuzz/ (target sluice_fuzzers). Use a separate
# build directory: `tools/dev fuzz` configures build-fuzz/.
option(SLUICE_FUZZ "Build the libFuzzer targets (clang; instrumented build)" OFF)
if(SLUICE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "SLUICE_FUZZ needs clang: CC=clang CXX=clang++ cmake -DSLUICE_FUZZ=ON ...")
  endif()
  if(NOT SLUICE_SANITIZE STREQUAL "")
    message(FATAL_ERROR "SLUICE_FUZZ brings its own sanitizers; leave SLUICE_SANITIZE empty")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
  set(SLUICE_USE_JEMALLOC OFF)
endif()
