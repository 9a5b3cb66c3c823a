#ifndef SLUICE_TESTS_KUBESIM_TEST_PODS_H_
#define SLUICE_TESTS_KUBESIM_TEST_PODS_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "tools/kubesim/pod_create.h"
#include "tools/kubesim/strings.h"

namespace sluice::kubesim::testing {

// A minimal valid pod body; `extra_metadata` is spliced into metadata
// (e.g. R"("labels":{"app":"web"})").
inline std::string PodBody(std::string_view name, std::string_view extra_metadata = "",
                           std::string_view extra_spec = "") {
  return Cat(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")", name, R"(")",
             extra_metadata.empty() ? "" : ",", extra_metadata,
             R"(},"spec":{"restartPolicy":"Never",)", extra_spec, extra_spec.empty() ? "" : ",",
             R"("containers":[{"name":"main","image":"busybox:1.36"}]}})");
}

// A pod body with the given containers (a JSON array) and extra spec
// members, e.g. PodWithContainers("p", R"([{"name":"c","image":"i",
// "resources":{"requests":{"cpu":"500m"}}}])").
inline std::string PodWithContainers(std::string_view name, std::string_view containers,
                                     std::string_view extra_spec = "",
                                     std::string_view extra_metadata = "") {
  return Cat(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")", name, R"(")",
             extra_metadata.empty() ? "" : ",", extra_metadata, R"(},"spec":{)", extra_spec,
             extra_spec.empty() ? "" : ",", R"("containers":)", containers, "}}");
}

// One container "main" with the given resources object, e.g.
// R"({"requests":{"cpu":"500m"}})".
inline std::string PodWithResources(std::string_view name, std::string_view resources,
                                    std::string_view extra_metadata = "") {
  return PodWithContainers(
      name, Cat(R"([{"name":"main","image":"busybox:1.36","resources":)", resources, "}]"), "",
      extra_metadata);
}

// A pod ready to hand to ObjectStore::Create.
inline std::shared_ptr<Pod> MakePod(std::string_view ns, std::string_view name,
                                    std::string_view extra_metadata = "") {
  auto parsed =
      ParsePodForCreate(PodBody(name, extra_metadata), ns, absl::FromUnixSeconds(1'700'000'000));
  return parsed.ok() ? parsed.value().pod : nullptr;
}

}  // namespace sluice::kubesim::testing

#endif  // SLUICE_TESTS_KUBESIM_TEST_PODS_H_
