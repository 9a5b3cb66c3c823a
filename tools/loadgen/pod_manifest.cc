#include "tools/loadgen/pod_manifest.h"

#include "absl/strings/str_cat.h"

namespace sluice::loadgen {
namespace {

constexpr const char* kMainCpu[] = {"500m", "750m", "1"};

}  // namespace

// Names come from WorkloadPlan (DNS-1123) and need no JSON escaping.
std::string ArgoPodManifest(const WorkflowSpec& workflow, const PodSpec& pod,
                            const std::string& run_id) {
  const std::string step = absl::StrCat(pod.step);
  std::string s;
  s.reserve(2048);
  absl::StrAppend(&s, R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")", pod.name,
                  R"(","namespace":")", workflow.namespace_, R"(","labels":{)",
                  R"("workflows.argoproj.io/completed":"false",)",
                  R"("workflows.argoproj.io/workflow":")", workflow.name, R"(",)",
                  R"("loadgen/run":")", run_id, R"("},)");
  absl::StrAppend(&s, R"("annotations":{"workflows.argoproj.io/node-id":")", pod.name,
                  R"(","workflows.argoproj.io/node-name":")", workflow.name, "[0].fan-out(", step,
                  ":item-", step, ")\"");
  if (workflow.run_ms > 0) {
    absl::StrAppend(&s, R"(,"sim.sluice.dev/run-ms":")", workflow.run_ms, "\"");
  }
  absl::StrAppend(&s, "},");
  absl::StrAppend(&s, R"("ownerReferences":[{"apiVersion":"argoproj.io/v1alpha1",)",
                  R"("blockOwnerDeletion":true,"controller":true,"kind":"Workflow","name":")",
                  workflow.name, R"(","uid":")", workflow.uid, R"("}]},)");
  absl::StrAppend(&s, R"("spec":{"restartPolicy":"Never","serviceAccountName":"argo-workflow",)",
                  R"("initContainers":[{"name":"init","image":"quay.io/argoproj/argoexec:v3.5.5",)",
                  R"("command":["argoexec","init","--loglevel","info"],)",
                  R"("env":[{"name":"ARGO_POD_NAME","valueFrom":{"fieldRef":{"apiVersion":"v1",)",
                  R"("fieldPath":"metadata.name"}}}],)",
                  R"("resources":{"requests":{"cpu":"10m","memory":"64Mi"},)",
                  R"("limits":{"cpu":"100m","memory":"128Mi"}},)",
                  R"("volumeMounts":[{"name":"var-run-argo","mountPath":"/var/run/argo"}]}],)");
  absl::StrAppend(&s, R"("containers":[{"name":"wait","image":"quay.io/argoproj/argoexec:v3.5.5",)",
                  R"("command":["argoexec","wait","--loglevel","info"],)",
                  R"("env":[{"name":"ARGO_CONTAINER_RUNTIME_EXECUTOR","value":"emissary"}],)",
                  R"("resources":{"requests":{"cpu":"10m","memory":"64Mi"},)",
                  R"("limits":{"cpu":"100m","memory":"128Mi"}},)",
                  R"("volumeMounts":[{"name":"var-run-argo","mountPath":"/var/run/argo"}]},)");
  absl::StrAppend(&s, R"({"name":"main","image":"ghcr.io/example/worker:1.4.2",)",
                  R"("command":["/var/run/argo/argoexec","emissary","--loglevel","info","--",)",
                  R"("python","/app/run.py"],"args":["--item",")", step, R"("],)",
                  R"("env":[{"name":"ARGO_CONTAINER_NAME","value":"main"}],)",
                  R"("resources":{"requests":{"cpu":")", kMainCpu[pod.step % 3], R"(","memory":")",
                  workflow.main_memory_mi > 0 ? workflow.main_memory_mi : 512u,
                  R"(Mi"},"limits":{"cpu":"2","memory":")",
                  workflow.main_memory_mi > 512 ? workflow.main_memory_mi : 1024u, R"(Mi"}},)",
                  R"("volumeMounts":[{"name":"var-run-argo","mountPath":"/var/run/argo"}]}],)",
                  R"("volumes":[{"name":"var-run-argo","emptyDir":{}}]}})");
  return s;
}

}  // namespace sluice::loadgen
