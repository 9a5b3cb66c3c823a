#include "tools/loadgen/workload_plan.h"

#include <random>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace sluice::loadgen {
namespace {

constexpr char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";  // Argo's generateName alphabet

std::string RandomWord(std::mt19937_64& rng, int length) {
  std::string s;
  for (int i = 0; i < length; ++i) s += kAlphabet[rng() % (sizeof(kAlphabet) - 1)];
  return s;
}

std::string RandomUuid(std::mt19937_64& rng) {
  const uint64_t a = rng(), b = rng();
  // Version 4, variant 10.
  return absl::StrFormat("%08x-%04x-4%03x-%04x-%012x", a >> 32, (a >> 16) & 0xffff, a & 0xfff,
                         0x8000 | ((b >> 48) & 0x3fff), b & 0xffffffffffffULL);
}

}  // namespace

uint32_t Fnv32a(absl::string_view s) {
  uint32_t h = 2166136261u;
  for (char c : s) {
    h ^= static_cast<uint8_t>(c);
    h *= 16777619u;
  }
  return h;
}

WorkloadPlan WorkloadPlan::Make(const Options& options) {
  WorkloadPlan plan;
  std::mt19937_64 rng(options.seed);
  plan.run_id_ = RandomWord(rng, 6);
  absl::flat_hash_set<std::string> names;
  std::vector<WorkflowShape> shapes = options.shapes;
  if (shapes.empty()) {
    for (uint32_t w = 0; w < options.workflows; ++w) {
      WorkflowShape shape;
      shape.pods = options.pods_per_workflow;
      const uint32_t ns = options.namespaces <= 1 ? 0 : w % options.namespaces;
      shape.namespace_ =
          ns == 0 ? options.namespace_prefix : absl::StrCat(options.namespace_prefix, "-", ns);
      shapes.push_back(std::move(shape));
    }
  }
  const auto workflow_count = static_cast<uint32_t>(shapes.size());
  plan.workflows_.reserve(workflow_count);
  size_t total_pods = 0;
  for (uint32_t w = 0; w < workflow_count; ++w) {
    WorkflowSpec wf;
    do {
      wf.name = absl::StrCat(options.workflow_prefix, RandomWord(rng, 5));
    } while (!names.insert(wf.name).second);
    wf.uid = RandomUuid(rng);
    wf.namespace_ = shapes[w].namespace_;
    wf.arrival_seconds = shapes[w].arrival_seconds;
    wf.run_ms = shapes[w].run_ms;
    wf.main_memory_mi = shapes[w].main_memory_mi;
    wf.cost_labels = shapes[w].cost_labels;
    wf.first_pod = static_cast<uint32_t>(total_pods);
    wf.pod_count = shapes[w].pods;
    total_pods += shapes[w].pods;
    plan.workflow_by_uid_.emplace(wf.uid, w);
    plan.workflows_.push_back(std::move(wf));
  }
  plan.pods_.reserve(total_pods);
  plan.pod_by_key_.reserve(plan.pods_.capacity());
  for (uint32_t w = 0; w < workflow_count; ++w) {
    const WorkflowSpec& wf = plan.workflows_[w];
    for (uint32_t step = 0; step < wf.pod_count; ++step) {
      PodSpec pod;
      pod.workflow = w;
      pod.step = step;
      // The node name Argo hashes: "<wf>[0].fan-out(<i>:item-<i>)".
      std::string node = absl::StrCat(wf.name, "[0].fan-out(", step, ":item-", step, ")");
      pod.name = absl::StrCat(wf.name, "-", Fnv32a(node));
      // A hash clash inside one workflow: Argo would clash too; we re-hash.
      while (plan.pod_by_key_.contains(absl::StrCat(wf.namespace_, "/", pod.name))) {
        node += "'";
        pod.name = absl::StrCat(wf.name, "-", Fnv32a(node));
      }
      const auto index = static_cast<uint32_t>(plan.pods_.size());
      plan.pod_by_key_.emplace(absl::StrCat(wf.namespace_, "/", pod.name), index);
      plan.pods_.push_back(std::move(pod));
    }
  }
  return plan;
}

std::string WorkloadPlan::Key(uint32_t pod) const {
  return absl::StrCat(workflow_of(pod).namespace_, "/", pods_[pod].name);
}

std::optional<uint32_t> WorkloadPlan::FindPod(absl::string_view ns, absl::string_view name) const {
  auto it = pod_by_key_.find(absl::StrCat(ns, "/", name));
  if (it == pod_by_key_.end()) return std::nullopt;
  return it->second;
}

std::optional<uint32_t> WorkloadPlan::FindWorkflow(absl::string_view uid) const {
  auto it = workflow_by_uid_.find(uid);
  if (it == workflow_by_uid_.end()) return std::nullopt;
  return it->second;
}

}  // namespace sluice::loadgen
