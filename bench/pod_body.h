#ifndef SLUICE_BENCH_POD_BODY_H_
#define SLUICE_BENCH_POD_BODY_H_

#include <string>
#include <string_view>

namespace sluice::bench {

// A realistic pod manifest (~1.5 KB) as an Argo Workflows step pod: labels,
// annotations, owner reference, emissary command, env, resources, volumes.
inline std::string ArgoStylePodBody(std::string_view ns, std::string_view name, int item) {
  std::string s;
  s.reserve(1700);
  s += R"json({"apiVersion":"v1","kind":"Pod","metadata":{"name":")json";
  s += name;
  s += R"json(","namespace":")json";
  s += ns;
  s +=
      R"json(","labels":{"workflows.argoproj.io/completed":"false","workflows.argoproj.io/workflow":"load-wf","sluice.dev/workflow":"load-wf","app":"load"},)json";
  s += R"json("annotations":{"workflows.argoproj.io/node-id":"load-wf-)json";
  s += std::to_string(item);
  s += R"json(","workflows.argoproj.io/node-name":"load-wf[0].step(item-)json";
  s += std::to_string(item);
  s +=
      R"json()"},"ownerReferences":[{"apiVersion":"argoproj.io/v1alpha1","kind":"Workflow","name":"load-wf","uid":"0b8e6e3c-3d41-4bb5-9b79-5c2f0f6c1e11","controller":true,"blockOwnerDeletion":true}]},)json";
  s +=
      R"json("spec":{"restartPolicy":"Never","serviceAccountName":"argo-workflow","activeDeadlineSeconds":3600,)json";
  s +=
      R"json("initContainers":[{"name":"init","image":"quay.io/argoproj/argoexec:v3.5.5","command":["argoexec","init","--loglevel","info"],"resources":{"requests":{"cpu":"10m","memory":"64Mi"}},"volumeMounts":[{"name":"var-run-argo","mountPath":"/var/run/argo"}]}],)json";
  s +=
      R"json("containers":[{"name":"main","image":"ghcr.io/example/worker:1.4.2","command":["/var/run/argo/argoexec","emissary","--","python","/app/run.py"],"args":["--item",")json";
  s += std::to_string(item);
  s +=
      R"json(","--output","/tmp/out.json"],"env":[{"name":"ARGO_CONTAINER_NAME","value":"main"},{"name":"ARGO_INCLUDE_SCRIPT_OUTPUT","value":"false"},{"name":"ARGO_DEADLINE","value":"2024-05-01T12:00:00Z"},{"name":"ARGO_PROGRESS_FILE","value":"/var/run/argo/progress"}],)json";
  s +=
      R"json("resources":{"requests":{"cpu":"500m","memory":"512Mi"},"limits":{"cpu":"1","memory":"1Gi"}},"volumeMounts":[{"name":"var-run-argo","mountPath":"/var/run/argo"},{"name":"tmp-dir","mountPath":"/tmp"}]}],)json";
  s +=
      R"json("volumes":[{"name":"var-run-argo","emptyDir":{}},{"name":"tmp-dir","emptyDir":{}}],"nodeSelector":{"kubernetes.io/os":"linux"}}})json";
  return s;
}

}  // namespace sluice::bench

#endif  // SLUICE_BENCH_POD_BODY_H_
