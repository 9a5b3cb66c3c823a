# Dependencies, all from Debian's packages (tools/dev deps installs them).
find_package(Threads REQUIRED)
find_package(absl CONFIG REQUIRED)
# Debian's Protobuf ships no CMake config file: module mode.
find_package(Protobuf REQUIRED)
find_package(gRPC CONFIG REQUIRED)
# prometheus-cpp's config file refuses any version request.
find_package(prometheus-cpp CONFIG REQUIRED)
find_package(simdjson CONFIG REQUIRED)
find_package(yaml-cpp CONFIG REQUIRED)
find_package(CURL REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc)
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
find_path(RAPIDJSON_INCLUDE_DIR rapidjson/document.h REQUIRED)
find_path(CLI11_INCLUDE_DIR CLI/CLI.hpp REQUIRED)
add_library(sluice_rapidjson INTERFACE)
target_include_directories(sluice_rapidjson SYSTEM INTERFACE ${RAPIDJSON_INCLUDE_DIR})
# No RAPIDJSON_SSE42: it needs -msse4.2 and its scanners read up to 15 bytes
# past the input, which every caller would have to pad for.
target_compile_definitions(sluice_rapidjson INTERFACE RAPIDJSON_HAS_STDSTRING=1)
add_library(sluice_cli11 INTERFACE)
target_include_directories(sluice_cli11 SYSTEM INTERFACE ${CLI11_INCLUDE_DIR})

if(SLUICE_BUILD_TESTS)
  find_package(GTest CONFIG REQUIRED)
endif()
if(SLUICE_BUILD_BENCH)
  find_package(benchmark CONFIG REQUIRED)
endif()
