#include "tools/kubesim/sim_cluster.h"

#include "tools/kubesim/namespace_object.h"
#include "tools/kubesim/node_object.h"
#include "tools/kubesim/pod.h"
#include "tools/kubesim/pod_create.h"
#include "tools/kubesim/strings.h"

namespace sluice::kubesim {
namespace {

ResourceInfo PodsResource() {
  ResourceInfo r;
  r.name = "pods";
  r.singular = "pod";
  r.kind = "Pod";
  r.list_kind = "PodList";
  r.namespaced = true;
  r.short_names = {"po"};
  r.verbs = {"create", "delete", "get", "list", "watch"};
  r.field_labels = Pod::FieldLabels();
  return r;
}

ResourceInfo NamespacesResource() {
  ResourceInfo r;
  r.name = "namespaces";
  r.singular = "namespace";
  r.kind = "Namespace";
  r.list_kind = "NamespaceList";
  r.namespaced = false;
  r.short_names = {"ns"};
  r.verbs = {"create", "delete", "get", "list", "watch"};
  r.field_labels = NamespaceObject::FieldLabels();
  return r;
}

ResourceInfo NodesResource() {
  ResourceInfo r;
  r.name = "nodes";
  r.singular = "node";
  r.kind = "Node";
  r.list_kind = "NodeList";
  r.namespaced = false;
  r.short_names = {"no"};
  r.verbs = {"get", "list", "watch"};
  r.field_labels = NodeObject::FieldLabels();
  return r;
}

bool Immortal(std::string_view ns) {
  return ns == "default" || ns == "kube-system" || ns == "kube-public";
}

}  // namespace

SimCluster::SimCluster(const Clock& clock, ClusterOptions options)
    : clock_(clock),
      store_(clock, options.store),
      namespace_lifecycle_(&store_, clock, options.auto_create_namespaces),
      history_(clock) {
  store_.RegisterResource(NamespacesResource());
  store_.RegisterResource(NodesResource());
  store_.RegisterResource(PodsResource());
  store_.AddAdmissionPlugin(&namespace_lifecycle_);

  const absl::Time now = clock.WallNow();
  ObjectStore::CreateOptions raw;
  raw.skip_admission = true;
  std::vector<std::string> namespaces = {"default", "kube-node-lease", "kube-public",
                                         "kube-system"};
  namespaces.insert(namespaces.end(), options.namespaces.begin(), options.namespaces.end());
  for (const std::string& ns : namespaces) {
    store_.Create("namespaces", NamespaceObject::Make(ns, now), raw);  // 409 on duplicates: fine
  }
  std::vector<SimNode> nodes;
  for (int i = 0; i < options.nodes; ++i) {
    SimNode node{Cat("kubesim-node-", i), Cat("10.0.", i / 250, ".", i % 250 + 1)};
    store_.Create("nodes", NodeObject::Make(node.name, node.ip, now), raw);
    nodes.push_back(std::move(node));
  }
  kubelet_ = std::make_unique<Kubelet>(clock, &store_, std::move(nodes), options.kubelet);
  store_.AddObserver(&history_);
  store_.AddObserver(kubelet_.get());
}

SimCluster::~SimCluster() { Stop(); }

void SimCluster::Start() { kubelet_->Start(); }

void SimCluster::Stop() { kubelet_->Stop(); }

ApiOr<std::shared_ptr<const ApiObject>> SimCluster::CreatePod(std::string_view namespace_name,
                                                              std::string_view body) {
  ApiOr<ParsedPod> parsed = ParsePodForCreate(body, namespace_name, clock_.WallNow());
  if (!parsed.ok()) return parsed.error();
  Pod& pod = *parsed->pod;
  if (std::optional<ApiError> err = store_.AdmitCreate("pods", pod)) return *err;
  if (!parsed->invalid.empty()) return Invalid("Pod", pod.meta().name, parsed->invalid);
  ObjectStore::CreateOptions options;
  options.name_generated = parsed->name_generated;
  return store_.Create("pods", std::move(parsed->pod), options);
}

ApiOr<std::shared_ptr<const ApiObject>> SimCluster::DeletePod(
    std::string_view namespace_name, std::string_view name, std::optional<int64_t> grace_seconds,
    std::optional<std::string> uid_precondition) {
  while (true) {
    std::shared_ptr<const ApiObject> current = store_.Find("pods", namespace_name, name);
    if (current == nullptr) return NotFound("pods", name);
    const auto& pod = static_cast<const Pod&>(*current);
    int64_t grace = grace_seconds.value_or(pod.spec().termination_grace_period_seconds);
    if (grace < 0) grace = pod.spec().termination_grace_period_seconds;
    // pod strategy CheckGracefulDelete: unscheduled and terminal pods go at once.
    if (pod.state().node_name.empty() || IsTerminal(pod.phase())) grace = 0;
    if (grace == 0) {
      ApiOr<std::shared_ptr<const ApiObject>> gone = store_.Delete(
          "pods", namespace_name, name,
          uid_precondition.has_value() ? std::optional<std::string_view>(*uid_precondition)
                                       : std::optional<std::string_view>());
      return gone;
    }
    bool raced = false;
    const absl::Time now = clock_.WallNow();
    ApiOr<std::shared_ptr<const ApiObject>> updated = store_.Update(
        "pods", namespace_name, name,
        [&](const ApiObject& obj) -> ApiOr<std::shared_ptr<ApiObject>> {
          const auto& p = static_cast<const Pod&>(obj);
          if (uid_precondition.has_value() && *uid_precondition != p.meta().uid) {
            return Conflict("pods", name,
                            Cat("StorageError: invalid object, Code: 4, Key: /registry/pods/",
                                namespace_name, "/", name,
                                ", ResourceVersion: 0, AdditionalErrorMsg: Precondition "
                                "failed: UID in precondition: ",
                                *uid_precondition, ", UID in object meta: ", p.meta().uid));
          }
          // The pod changed since we looked (got scheduled, finished):
          // decide again from its new state.
          if (p.state().node_name != pod.state().node_name || p.phase() != pod.phase()) {
            raced = true;
            return std::shared_ptr<ApiObject>();
          }
          if (p.terminating()) {
            // A second delete may only shorten the grace period.
            const absl::Time new_deadline = now + absl::Seconds(grace);
            if (new_deadline >= *p.meta().deletion_timestamp) return std::shared_ptr<ApiObject>();
          }
          auto next = std::static_pointer_cast<Pod>(p.Clone());
          next->MarkDeleting(grace, now);
          return std::shared_ptr<ApiObject>(std::move(next));
        });
    if (raced) continue;
    return updated;
  }
}

ApiOr<std::shared_ptr<const ApiObject>> SimCluster::CreateNamespace(std::string_view body) {
  ApiOr<std::shared_ptr<NamespaceObject>> ns =
      NamespaceObject::FromCreateBody(body, clock_.WallNow());
  if (!ns.ok()) return ns.error();
  ObjectStore::CreateOptions options;
  options.name_generated = !ns.value()->meta().generate_name.empty();
  return store_.Create("namespaces", std::move(ns.value()), options);
}

ApiOr<std::shared_ptr<const ApiObject>> SimCluster::DeleteNamespace(std::string_view name) {
  std::shared_ptr<const ApiObject> current = store_.Find("namespaces", "", name);
  if (current == nullptr) return NotFound("namespaces", name);
  if (Immortal(name)) return Forbidden("namespaces", name, "this namespace may not be deleted");
  const absl::Time now = clock_.WallNow();
  ApiOr<std::shared_ptr<const ApiObject>> terminating = store_.Update(
      "namespaces", "", name, [&](const ApiObject& obj) -> ApiOr<std::shared_ptr<ApiObject>> {
        const auto& ns = static_cast<const NamespaceObject&>(obj);
        if (ns.terminating()) return std::shared_ptr<ApiObject>();
        auto next = std::static_pointer_cast<NamespaceObject>(ns.Clone());
        next->MarkTerminating();
        next->mutable_meta().deletion_timestamp = absl::FromUnixSeconds(absl::ToUnixSeconds(now));
        next->mutable_meta().deletion_grace_period_seconds = 0;
        return std::shared_ptr<ApiObject>(std::move(next));
      });
  if (!terminating.ok()) return terminating.error();
  // The namespace controller: remove the content, then the namespace.
  for (const auto& obj : store_.Snapshot("pods")) {
    if (obj->meta().namespace_name == name) store_.Delete("pods", name, obj->meta().name);
  }
  ApiOr<std::shared_ptr<const ApiObject>> gone = store_.Delete("namespaces", "", name);
  if (!gone.ok() && gone.error().http_code != 404) return gone.error();
  return terminating;
}

absl::btree_map<std::string, int64_t> SimCluster::PodCounts() const {
  absl::btree_map<std::string, int64_t> counts;
  for (const char* phase : {"Pending", "Running", "Succeeded", "Failed", "Unknown"}) {
    counts[phase] = 0;
  }
  counts["Terminating"] = 0;
  for (const auto& obj : store_.Snapshot("pods")) {
    const auto& pod = static_cast<const Pod&>(*obj);
    ++counts[std::string(PodPhaseName(pod.phase()))];
    if (pod.terminating()) ++counts["Terminating"];
  }
  return counts;
}

}  // namespace sluice::kubesim
