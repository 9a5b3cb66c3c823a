#ifndef SLUICE_TOOLS_LOADGEN_POD_MANIFEST_H_
#define SLUICE_TOOLS_LOADGEN_POD_MANIFEST_H_

#include <string>

#include "tools/loadgen/workload_plan.h"

namespace sluice::loadgen {

// The pod an Argo Workflows controller (v3.5, emissary executor) creates for
// one step of `workflow`, as compact Kubernetes JSON (about 1.8 KB): labels
// `workflows.argoproj.io/workflow` and `workflows.argoproj.io/completed`, the
// node-id/node-name annotations, an owner reference to the Workflow, an `init`
// init container, the `wait` sidecar and the `main` container, each with cpu
// and memory requests and limits, and the shared `var-run-argo` volume.
// `run_id` becomes the label `loadgen/run`.
//
// Effective requests (Kubernetes' rule): cpu 510m, 760m or 1010m by step
// (step % 3: the main container asks for 500m, 750m or 1), memory 64Mi plus
// the main container's (workflow.main_memory_mi, default 512Mi: 576Mi).
std::string ArgoPodManifest(const WorkflowSpec& workflow, const PodSpec& pod,
                            const std::string& run_id);

}  // namespace sluice::loadgen

#endif  // SLUICE_TOOLS_LOADGEN_POD_MANIFEST_H_
