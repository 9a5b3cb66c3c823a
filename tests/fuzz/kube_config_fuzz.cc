// Fuzz target: kubeconfig files (ParseKubeconfig). Relative file references
// resolve under a directory that does not exist.
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "scheduler/kube/kube_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view yaml(reinterpret_cast<const char*>(data), size);
  auto config = sluice::kube::ParseKubeconfig(yaml, "/nonexistent-sluice-fuzz", "", "fuzz");
  if (config.ok()) (void)config->DebugString();
  return 0;
}
