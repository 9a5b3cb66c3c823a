#ifndef SLUICE_TESTS_KUBE_TESTDATA_ARGO_POD_H_
#define SLUICE_TESTS_KUBE_TESTDATA_ARGO_POD_H_

namespace sluice::kube::testdata {

// A pod as the Argo Workflows controller (v3.5, emissary executor) creates it
// for one step: an `init` init container, the `wait` sidecar container and the
// `main` container, all with requests and limits. About 1.7 KB when compact. Effective
// requests: cpu=510m,memory=576Mi; limits: cpu=1100m,memory=1152Mi.
inline constexpr char kArgoPodJson[] = R"json({
  "apiVersion": "v1",
  "kind": "Pod",
  "metadata": {
    "name": "hello-world-x7k2p-1340600742",
    "namespace": "argo",
    "labels": {
      "workflows.argoproj.io/completed": "false",
      "workflows.argoproj.io/workflow": "hello-world-x7k2p"
    },
    "annotations": {
      "workflows.argoproj.io/node-id": "hello-world-x7k2p-1340600742",
      "workflows.argoproj.io/node-name": "hello-world-x7k2p[0].step-a"
    },
    "ownerReferences": [{"apiVersion": "argoproj.io/v1alpha1", "blockOwnerDeletion": true,
      "controller": true, "kind": "Workflow", "name": "hello-world-x7k2p",
      "uid": "4c3f9a7e-5a8b-4a0e-9f1d-2b7c8e6d5f40"}]
  },
  "spec": {
    "restartPolicy": "Never",
    "initContainers": [{
      "name": "init",
      "image": "quay.io/argoproj/argoexec:v3.5.5",
      "command": ["argoexec", "init", "--loglevel", "info"],
      "env": [{"name": "ARGO_POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}}],
      "resources": {"requests": {"cpu": "10m", "memory": "64Mi"}, "limits": {"cpu": "100m", "memory": "128Mi"}},
      "volumeMounts": [{"name": "var-run-argo", "mountPath": "/var/run/argo"}]
    }],
    "containers": [{
      "name": "wait",
      "image": "quay.io/argoproj/argoexec:v3.5.5",
      "command": ["argoexec", "wait", "--loglevel", "info"],
      "env": [{"name": "ARGO_CONTAINER_RUNTIME_EXECUTOR", "value": "emissary"}],
      "resources": {"requests": {"cpu": "10m", "memory": "64Mi"}, "limits": {"cpu": "100m", "memory": "128Mi"}},
      "volumeMounts": [{"name": "var-run-argo", "mountPath": "/var/run/argo"}]
    }, {
      "name": "main",
      "image": "docker/whalesay:latest",
      "command": ["/var/run/argo/argoexec", "emissary", "--loglevel", "info", "--", "cowsay"],
      "args": ["hello world"],
      "env": [{"name": "ARGO_CONTAINER_NAME", "value": "main"}],
      "resources": {"requests": {"cpu": "500m", "memory": "512Mi"}, "limits": {"cpu": "1", "memory": "1Gi"}},
      "volumeMounts": [{"name": "var-run-argo", "mountPath": "/var/run/argo"}]
    }],
    "volumes": [{"name": "var-run-argo", "emptyDir": {}}]
  }
})json";

}  // namespace sluice::kube::testdata

#endif  // SLUICE_TESTS_KUBE_TESTDATA_ARGO_POD_H_
