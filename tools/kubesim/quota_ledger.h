#ifndef SLUICE_TOOLS_KUBESIM_QUOTA_LEDGER_H_
#define SLUICE_TOOLS_KUBESIM_QUOTA_LEDGER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "scheduler/common/resource_list.h"
#include "tools/kubesim/api_error.h"
#include "tools/kubesim/pod.h"
#include "tools/kubesim/pod_quota_usage.h"
#include "tools/kubesim/resource_quota_object.h"

namespace sluice::kubesim {

// The exact books of ResourceQuota: every quota of every namespace with what
// the pods under it use, and the admission decision for a new pod
// (apiserver/pkg/admission/plugin/resourcequota/controller.go CheckRequest).
//
// Like the real apiserver, admission enforces a quota's status.hard: the
// spec as of the quota controller's last Sync(). Until its first Sync a quota
// that limits pods refuses them with `status unknown for quota` (the real
// apiserver would let them through unchecked; kubesim never overshoots).
// Unlike the real apiserver, `used` is exact at every moment: a pod is
// charged when admitted, its compute resources are released as soon as it
// is terminal, and count/pods when it is deleted. Admission decisions are
// atomic with the charge, so concurrent creates never overshoot.
//
// Pods are followed from the store's commits (PodAdded, PodTerminal,
// PodDeleted, in resourceVersion order) so that a quota created later counts
// what already runs. Thread-safe; never calls out while holding its lock.
class QuotaLedger {
 public:
  // One quota as Sync() leaves it: what its status should say.
  struct QuotaStatusView {
    std::string namespace_name;
    std::string name;
    QuotaSpec spec;
    bool synced = false;  // false: status.hard/used unknown yet
    ResourceList hard;    // enforced (status.hard)
    ResourceList used;    // every key of hard
    int64_t refused = 0;  // creates this quota refused
  };

  QuotaLedger() = default;
  QuotaLedger(const QuotaLedger&) = delete;
  QuotaLedger& operator=(const QuotaLedger&) = delete;

  // The quota object was created or its spec changed (a commit).
  void UpsertQuota(std::string_view namespace_name, std::string_view name, const QuotaSpec& spec);
  void RemoveQuota(std::string_view namespace_name, std::string_view name);

  // Validating admission of a pod create: nullopt when every quota of the
  // namespace admits it, which also charges it (a reservation under its uid
  // until PodAdded, or Unreserve if the create then fails); else the 403.
  std::optional<ApiError> AdmitPod(const Pod& pod);
  void Unreserve(std::string_view namespace_name, std::string_view uid);

  // Commits of pods. The pod's spec is kept to count it later.
  void PodAdded(const Pod& pod);
  void PodTerminal(std::string_view namespace_name, std::string_view uid);
  void PodDeleted(std::string_view namespace_name, std::string_view uid);

  // The quota controller's pass: every quota now enforces its spec (a new one
  // first counts the pods already there). Returns every quota, by namespace
  // and name.
  std::vector<QuotaStatusView> Sync();
  // The current books, without syncing.
  std::vector<QuotaStatusView> Quotas() const;
  // Creates refused by a quota (exceeded, failed or unknown), in total.
  int64_t refused() const;

 private:
  struct Charge {
    std::shared_ptr<const PodSpecInfo> spec;     // null while only reserved
    std::shared_ptr<const PodQuotaFacts> facts;  // null until a quota needs it
    bool terminal = false;
  };
  struct Quota {
    QuotaSpec spec;                        // the latest committed spec
    std::optional<ResourceList> enforced;  // status.hard; nullopt until synced
    ResourceList used;  // all keys, of the pods the scopes match; valid once synced
    int64_t refused = 0;
  };
  struct Namespace {
    absl::btree_map<std::string, Quota> quotas;
    absl::flat_hash_map<std::string, Charge> charges;  // by pod uid
  };

  static const ResourceList& UsageOf(const Charge& c);
  static void EnsureFacts(Charge& c);
  // used += sign * usage on every synced quota whose scopes match.
  static void Apply(Namespace& ns, const PodQuotaFacts& facts, const ResourceList& usage, int sign);
  static void Recount(Namespace& ns, Quota& quota);
  std::optional<ApiError> Check(Namespace& ns, const Pod& pod, const PodQuotaFacts& facts)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::vector<QuotaStatusView> ViewsLocked() const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Namespace> namespaces_ ABSL_GUARDED_BY(mu_);
  int64_t refused_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace sluice::kubesim

#endif  // SLUICE_TOOLS_KUBESIM_QUOTA_LEDGER_H_
