#ifndef SLUICE_SCHEDULER_SERVER_HTTP_KUBE_BRIDGE_H_
#define SLUICE_SCHEDULER_SERVER_HTTP_KUBE_BRIDGE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "scheduler/common/clock.h"
#include "scheduler/cost/attempt_tracker.h"
#include "scheduler/engine/pod_observation.h"
#include "scheduler/engine/pod_writer.h"
#include "scheduler/engine/quota.h"
#include "scheduler/kube/api_result.h"
#include "scheduler/kube/informer.h"
#include "scheduler/kube/kube_client.h"
#include "scheduler/server/config.h"
#include "scheduler/server/kube_bridge.h"

namespace sluice {

// Labels Sluice stamps on every pod it creates; the informer selects on the first.
inline constexpr char kManagedLabel[] = "sluice.dev/managed";
inline constexpr char kWorkflowLabel[] = "sluice.dev/workflow";
inline constexpr char kPoolLabel[] = "sluice.dev/pool";

// How the engine sees an APIServer answer to a create (`create` true) or a
// delete.
WriteResult ToWriteResult(kube::ApiResult& result, bool create);
PodObservation ToObservation(const kube::PodInfo& pod, bool deleted);
// What the cost tracker needs of a pod.
cost::PodSighting ToSighting(const kube::PodInfo& pod, bool deleted);
QuotaObservation ToObservation(const kube::QuotaInfo& quota, bool deleted);

// The Kubernetes side of sluiced over HTTP: a KubeClient, the engine's
// PodWriter on top of it, and informers for Sluice's pods and for
// ResourceQuotas, whose news is posted to the engine thread.
//
// Threads: Create/Delete on the engine thread; answers and informer callbacks
// on the client's I/O thread, which only converts and posts.
class HttpKubeBridge final : public KubeBridge, public PodWriter {
 public:
  // Resolves the APIServer: `config.server` (a URL), else `config.kubeconfig`,
  // else in-cluster (KUBERNETES_SERVICE_HOST).
  static absl::StatusOr<std::unique_ptr<KubeBridge>> Make(const SluicedConfig::Kube& config,
                                                          const Clock& clock,
                                                          SluiceMetrics* metrics);
  ~HttpKubeBridge() override;

  PodWriter* writer() override { return this; }
  void SetCostTracker(cost::AttemptTracker* tracker) override { cost_ = tracker; }
  void Connect(EngineLoop* loop) override { loop_ = loop; }
  void StartInformer() override;
  void Stop() override;
  std::string server() const override { return server_; }

  void Create(const CreatePodCommand& command) override;
  void Delete(const DeletePodCommand& command) override;

 private:
  HttpKubeBridge(const Clock& clock, SluiceMetrics* metrics) : clock_(clock), metrics_(metrics) {}

  const Clock& clock_;
  SluiceMetrics* const metrics_;
  EngineLoop* loop_ = nullptr;
  cost::AttemptTracker* cost_ = nullptr;  // engine thread
  std::string server_;
  std::unique_ptr<kube::KubeClient> client_;
  std::unique_ptr<kube::PodInformer> pods_;
  std::unique_ptr<kube::QuotaInformer> quotas_;
};

}  // namespace sluice

#endif  // SLUICE_SCHEDULER_SERVER_HTTP_KUBE_BRIDGE_H_
