# Sanitizer configurations, chosen with -DSLUICE_SANITIZE=asan|tsan.
# Applied to every target in the tree (libraries from Debian stay uninstrumented).
# Sanitized builds are for tests: -O1 and line tables only (-g1), which is what
# the sanitizers' stack traces need. At -O2 -g, instrumented code compiled
# 2.8x slower (engine.cc under ASan: 65 s against 23 s of CPU), too slow for
# the ASan pass of tools/dev test on two cores.
if(NOT SLUICE_SANITIZE STREQUAL "")
  foreach(config RELWITHDEBINFO RELEASE)
    set(CMAKE_CXX_FLAGS_${config} "-O1 -g1 -DNDEBUG")
    set(CMAKE_C_FLAGS_${config} "-O1 -g1 -DNDEBUG")
  endforeach()
endif()
if(SLUICE_SANITIZE STREQUAL "asan")
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
  set(SLUICE_USE_JEMALLOC OFF)
elseif(SLUICE_SANITIZE STREQUAL "tsan")
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
  set(SLUICE_USE_JEMALLOC OFF)
elseif(SLUICE_SANITIZE STREQUAL "")
  set(SLUICE_USE_JEMALLOC ON)
else()
  message(FATAL_ERROR "SLUICE_SANITIZE must be '', asan or tsan, not '${SLUICE_SANITIZE}'")
endif()
