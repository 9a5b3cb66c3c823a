#ifndef SLUICE_TOOLS_KUBESIM_QUOTA_CONTROLLER_H_
#define SLUICE_TOOLS_KUBESIM_QUOTA_CONTROLLER_H_

#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "scheduler/common/clock.h"
#include "tools/kubesim/due_loop.h"
#include "tools/kubesim/object_store.h"
#include "tools/kubesim/quota_ledger.h"

namespace sluice::kubesim {

struct QuotaOptions {
  // How often the simulated quota controller syncs: quotas start enforcing a
  // changed spec, and status.hard / status.used are written (only when they
  // changed), at most this often.
  absl::Duration sync_interval = absl::Milliseconds(100);
};

// ResourceQuota in the simulated cluster: the validating admission plugin
// that charges pod creates against the namespace's quotas (QuotaLedger), the
// store observer that follows pods and quotas, and the quota controller that
// publishes each quota's status. Registered on the ObjectStore by SimCluster.
//
// Thread-safe. Sync() runs on the real-time thread after Start(); tests on a
// SimulatedClock call it themselves.
class QuotaController final : public AdmissionPlugin, public StoreObserver {
 public:
  QuotaController(const Clock& clock, ObjectStore* store, QuotaOptions options);
  ~QuotaController() override;

  std::optional<ApiError> Validate(const ResourceInfo& resource, const ApiObject& object) override;
  void Unreserve(const ResourceInfo& resource, const ApiObject& object) override;
  void OnCommit(const ResourceInfo& resource, const StoredEvent& event) override;

  // One controller pass: every quota enforces its current spec, and the
  // status of each one whose hard or used changed is written to the store.
  void Sync();

  void Start();
  void Stop();

  const QuotaLedger& ledger() const { return ledger_; }

  // GET /sim/quotas: {"quotas":[{"namespace","name","synced","hard":{..},
  // "used":{..},"refused"}...],"refused_total":N}, quotas by namespace and name.
  std::string QuotasJson() const;

 private:
  const Clock& clock_;
  ObjectStore* const store_;
  const QuotaOptions options_;
  QuotaLedger ledger_;
  absl::Mutex sync_mu_;  // one Sync at a time, so that statuses are written in order
  DueLoop loop_;
};

}  // namespace sluice::kubesim

#endif  // SLUICE_TOOLS_KUBESIM_QUOTA_CONTROLLER_H_
