// Fuzz target: the pod manifest reader and validation (PodManifestAnalyzer:
// JSON -> names, labels, containers, resources; ValidatePodFields).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "absl/strings/string_view.h"
#include "scheduler/kube/pod_manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static sluice::kube::PodManifestAnalyzer* const analyzer = [] {
    sluice::kube::PodManifestOptions options;
    options.max_manifest_bytes = 256 * 1024;
    return new sluice::kube::PodManifestAnalyzer(options);
  }();
  const absl::string_view json(reinterpret_cast<const char*>(data), size);
  sluice::kube::FieldError error;
  auto info = analyzer->Analyze(json, &error);
  if (info.ok()) {
    // A valid pod has containers and non-negative effective requests.
    if (info->containers < 1) __builtin_trap();
    for (const auto& [name, q] : info->requests) {
      if (q.Sign() < 0) __builtin_trap();
    }
  } else if (error.reason.empty()) {
    __builtin_trap();  // every rejection says why
  }
  return 0;
}
