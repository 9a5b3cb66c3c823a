# Sanitizer configurations, chosen with -DSLUICE_SANITIZE=asan|tsan.
# Applied to every target in the tree (libraries from Debian stay uninstrumented).
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
