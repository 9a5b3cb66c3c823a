#include "tools/kubesim/sim_cluster.h"

#include "tools/kubesim/namespace_object.h"
#include "tools/kubesim/node_object.h"
#include "tools/kubesim/pod.h"
#include "tools/kubesim/pod_create.h"
#include "tools/kubesim/resource_quota_object.h"
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

ResourceInfo QuotasResource() {
  ResourceInfo r;
  r.name = "resourcequotas";
  r.singular = "resourcequota";
  r.kind = "ResourceQuota";
  r.list_kind = "ResourceQuotaList";
  r.namespaced = true;
  r.short_names = {"quota"};
  r.verbs = {"create", "delete", "get", "list", "patch", "update", "watch"};
  r.field_labels = ResourceQuotaObject::FieldLabels();
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
      quota_(clock, &store_, options.quota),
      history_(clock) {
  store_.RegisterResource(NamespacesResource());
  store_.RegisterResource(NodesResource());
  store_.RegisterResource(PodsResource());
  store_.RegisterResource(QuotasResource());
  store_.AddAdmissionPlugin(&namespace_lifecycle_);
  store_.AddAdmissionPlugin(&quota_);
  store_.AddObserver(&quota_);
  store_.AddObserver(&phase_counts_);

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
  pools_ = std::make_unique<CapacityPools>(clock, &store_, kubelet_.get(), std::move(options.pools),
                                           options.pool);
  store_.AddObserver(&history_);
  store_.AddObserver(kubelet_.get());
  if (!pools_->empty()) {
    kubelet_->SetPlacementGate(pools_.get());
    store_.AddObserver(pools_.get());
  }
  for (const QuotaSeed& seed : options.quotas) SetQuota(seed);
}

SimCluster::~SimCluster() { Stop(); }

void SimCluster::Start() {
  kubelet_->Start();
  quota_.Start();
  pools_->Start();
}

void SimCluster::Stop() {
  pools_->Stop();
  kubelet_->Stop();
  quota_.Stop();
}

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
  for (const char* resource : {"pods", "resourcequotas"}) {
    for (const auto& obj : store_.Snapshot(resource)) {
      if (obj->meta().namespace_name == name) store_.Delete(resource, name, obj->meta().name);
    }
  }
  ApiOr<std::shared_ptr<const ApiObject>> gone = store_.Delete("namespaces", "", name);
  if (!gone.ok() && gone.error().http_code != 404) return gone.error();
  return terminating;
}

ApiOr<std::shared_ptr<const ApiObject>> SimCluster::CreateQuota(std::string_view namespace_name,
                                                                std::string_view body) {
  ApiOr<std::shared_ptr<ResourceQuotaObject>> quota =
      ResourceQuotaObject::FromCreateBody(body, namespace_name, clock_.WallNow());
  if (!quota.ok()) return quota.error();
  if (std::optional<ApiError> err = store_.AdmitCreate("resourcequotas", *quota.value())) {
    return *err;
  }
  ObjectStore::CreateOptions options;
  options.name_generated = !quota.value()->meta().generate_name.empty();
  return store_.Create("resourcequotas", std::move(quota.value()), options);
}

ApiOr<std::shared_ptr<const ApiObject>> SimCluster::ReplaceQuota(std::string_view namespace_name,
                                                                 std::string_view name,
                                                                 std::string_view body) {
  return store_.Update("resourcequotas", namespace_name, name,
                       [&](const ApiObject& current) -> ApiOr<std::shared_ptr<ApiObject>> {
                         auto next = ResourceQuotaObject::FromReplaceBody(
                             body, static_cast<const ResourceQuotaObject&>(current));
                         if (!next.ok()) return next.error();
                         return std::shared_ptr<ApiObject>(std::move(next.value()));
                       });
}

ApiOr<std::shared_ptr<const ApiObject>> SimCluster::PatchQuota(std::string_view namespace_name,
                                                               std::string_view name,
                                                               std::string_view patch) {
  return store_.Update("resourcequotas", namespace_name, name,
                       [&](const ApiObject& current) -> ApiOr<std::shared_ptr<ApiObject>> {
                         auto next = ResourceQuotaObject::FromMergePatch(
                             patch, static_cast<const ResourceQuotaObject&>(current));
                         if (!next.ok()) return next.error();
                         return std::shared_ptr<ApiObject>(std::move(next.value()));
                       });
}

ApiOr<std::shared_ptr<const ApiObject>> SimCluster::DeleteQuota(std::string_view namespace_name,
                                                                std::string_view name) {
  return store_.Delete("resourcequotas", namespace_name, name);
}

ApiOr<std::shared_ptr<const ApiObject>> SimCluster::SetQuota(const QuotaSeed& seed) {
  ApiOr<std::shared_ptr<const ApiObject>> result = ApiError{};
  while (true) {
    std::shared_ptr<ResourceQuotaObject> fresh =
        ResourceQuotaObject::Make(seed.namespace_name, seed.name, seed.spec, clock_.WallNow());
    if (std::optional<ApiError> err = store_.AdmitCreate("resourcequotas", *fresh)) return *err;
    result = store_.Create("resourcequotas", fresh);
    if (result.ok() || result.error().http_code != 409) break;
    result = store_.Update("resourcequotas", seed.namespace_name, seed.name,
                           [&](const ApiObject& current) -> ApiOr<std::shared_ptr<ApiObject>> {
                             auto next =
                                 std::static_pointer_cast<ResourceQuotaObject>(current.Clone());
                             next->set_spec(fresh->spec());
                             return std::shared_ptr<ApiObject>(std::move(next));
                           });
    if (result.ok() || result.error().http_code != 404) break;  // 404: deleted meanwhile
  }
  if (!result.ok()) return result;
  quota_.Sync();
  return store_.Get("resourcequotas", seed.namespace_name, seed.name);
}

void PodPhaseCounts::Add(const ApiObject& object, int64_t delta) {
  const auto& pod = static_cast<const Pod&>(object);
  by_phase_[static_cast<size_t>(pod.phase())] += delta;
  if (pod.terminating()) terminating_ += delta;
}

void PodPhaseCounts::OnCommit(const ResourceInfo& resource, const StoredEvent& event) {
  if (resource.name != "pods") return;
  absl::MutexLock lock(&mu_);
  // `prev` is the version the change replaced (or removed).
  if (event.prev != nullptr) Add(*event.prev, -1);
  if (event.type != EventType::kDeleted) Add(*event.object, +1);
}

absl::btree_map<std::string, int64_t> PodPhaseCounts::Counts() const {
  absl::btree_map<std::string, int64_t> counts;
  absl::MutexLock lock(&mu_);
  for (PodPhase phase : {PodPhase::kPending, PodPhase::kRunning, PodPhase::kSucceeded,
                         PodPhase::kFailed, PodPhase::kUnknown}) {
    counts[std::string(PodPhaseName(phase))] = by_phase_[static_cast<size_t>(phase)];
  }
  counts["Terminating"] = terminating_;
  return counts;
}

absl::btree_map<std::string, int64_t> SimCluster::PodCounts() const {
  return phase_counts_.Counts();
}

}  // namespace sluice::kubesim
