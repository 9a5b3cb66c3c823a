// Fuzz target: sluiced's YAML config file (ParseConfig over ConfigReader).
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "scheduler/server/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view yaml(reinterpret_cast<const char*>(data), size);
  (void)sluice::ParseConfig(yaml);
  return 0;
}
