#ifndef SLUICE_TOOLS_KUBESIM_SIM_CLUSTER_H_
#define SLUICE_TOOLS_KUBESIM_SIM_CLUSTER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/btree_map.h"
#include "absl/synchronization/mutex.h"
#include "scheduler/common/clock.h"
#include "tools/kubesim/api_error.h"
#include "tools/kubesim/capacity_pools.h"
#include "tools/kubesim/kubelet.h"
#include "tools/kubesim/namespace_lifecycle.h"
#include "tools/kubesim/object_store.h"
#include "tools/kubesim/pod_history.h"
#include "tools/kubesim/quota_controller.h"
#include "tools/kubesim/quota_seed.h"

namespace sluice::kubesim {

struct ClusterOptions {
  // Created at start-up besides default, kube-system, kube-public and
  // kube-node-lease.
  std::vector<std::string> namespaces;
  // A create in an unknown namespace creates it instead of answering 404.
  bool auto_create_namespaces = true;
  int nodes = 100;
  KubeletOptions kubelet;
  StoreOptions store;
  QuotaOptions quota;
  // ResourceQuotas set at start-up (status already synced).
  std::vector<QuotaSeed> quotas;
  // Capacity pools (none: pods are placed as soon as they are scheduled).
  std::vector<PoolConfig> pools;
  PoolOptions pool;
};

// The simulated cluster without HTTP: the object store with the pods,
// namespaces, nodes and resourcequotas resources, NamespaceLifecycle and
// ResourceQuota admission, the quota controller, the simulated
// scheduler/kubelet with its capacity pools, and the pod history. Its methods implement the
// API verbs with kube-apiserver's semantics, so tests can drive the cluster in
// process and the HTTP layer stays thin. Thread-safe.
// Pods per phase and terminating pods, kept up to date from every committed
// change so that GET /sim/stats does not walk every pod. Thread-safe.
class PodPhaseCounts final : public StoreObserver {
 public:
  void OnCommit(const ResourceInfo& resource, const StoredEvent& event) override;
  // Every phase ("Pending", ...) and "Terminating", zeros included.
  absl::btree_map<std::string, int64_t> Counts() const;

 private:
  void Add(const ApiObject& pod, int64_t delta) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  static constexpr size_t kPhases = 5;  // PodPhase's values
  mutable absl::Mutex mu_;
  int64_t by_phase_[kPhases] ABSL_GUARDED_BY(mu_) = {};
  int64_t terminating_ ABSL_GUARDED_BY(mu_) = 0;
};

class SimCluster {
 public:
  SimCluster(const Clock& clock, ClusterOptions options);
  ~SimCluster();
  SimCluster(const SimCluster&) = delete;
  SimCluster& operator=(const SimCluster&) = delete;

  // Starts / stops the real-time threads of the kubelet, the quota
  // controller and the capacity pools (tests on a SimulatedClock call
  // kubelet().RunDue(), quota().Sync() and pools().RunDue() instead).
  void Start();
  void Stop();

  // POST /api/v1/namespaces/NS/pods: 201 object, or 400/404/422/409.
  ApiOr<std::shared_ptr<const ApiObject>> CreatePod(std::string_view namespace_name,
                                                    std::string_view body);
  // DELETE .../pods/NAME. grace_seconds nullopt: the pod's
  // terminationGracePeriodSeconds. Unscheduled or finished pods, and grace 0,
  // are removed at once; others get a deletionTimestamp and are removed by the
  // kubelet after passing through a terminal phase.
  ApiOr<std::shared_ptr<const ApiObject>> DeletePod(std::string_view namespace_name,
                                                    std::string_view name,
                                                    std::optional<int64_t> grace_seconds,
                                                    std::optional<std::string> uid_precondition);
  // POST /api/v1/namespaces.
  ApiOr<std::shared_ptr<const ApiObject>> CreateNamespace(std::string_view body);
  // DELETE /api/v1/namespaces/NAME: Terminating, its pods removed, then gone.
  ApiOr<std::shared_ptr<const ApiObject>> DeleteNamespace(std::string_view name);

  // POST /api/v1/namespaces/NS/resourcequotas: 201, or 400/404/409/422.
  ApiOr<std::shared_ptr<const ApiObject>> CreateQuota(std::string_view namespace_name,
                                                      std::string_view body);
  // PUT .../resourcequotas/NAME (replace spec, labels, annotations).
  ApiOr<std::shared_ptr<const ApiObject>> ReplaceQuota(std::string_view namespace_name,
                                                       std::string_view name,
                                                       std::string_view body);
  // PATCH .../resourcequotas/NAME with a merge (or strategic merge) patch.
  ApiOr<std::shared_ptr<const ApiObject>> PatchQuota(std::string_view namespace_name,
                                                     std::string_view name, std::string_view patch);
  // DELETE .../resourcequotas/NAME.
  ApiOr<std::shared_ptr<const ApiObject>> DeleteQuota(std::string_view namespace_name,
                                                      std::string_view name);
  // Creates or replaces the quota of `seed` (its namespace created if
  // missing), then syncs the quota controller so that it is enforced and its
  // status written before this returns.
  ApiOr<std::shared_ptr<const ApiObject>> SetQuota(const QuotaSeed& seed);

  // Pods per phase ("Pending", "Running", ...) plus "Terminating".
  absl::btree_map<std::string, int64_t> PodCounts() const;

  ObjectStore& store() { return store_; }
  Kubelet& kubelet() { return *kubelet_; }
  PodHistory& history() { return history_; }
  NamespaceLifecycle& namespace_lifecycle() { return namespace_lifecycle_; }
  QuotaController& quota() { return quota_; }
  CapacityPools& pools() { return *pools_; }
  const Clock& clock() const { return clock_; }

 private:
  const Clock& clock_;
  ObjectStore store_;
  NamespaceLifecycle namespace_lifecycle_;
  QuotaController quota_;
  PodHistory history_;
  PodPhaseCounts phase_counts_;
  std::unique_ptr<Kubelet> kubelet_;
  std::unique_ptr<CapacityPools> pools_;  // uses kubelet_
};

}  // namespace sluice::kubesim

#endif  // SLUICE_TOOLS_KUBESIM_SIM_CLUSTER_H_
