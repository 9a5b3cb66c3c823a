#ifndef SLUICE_SCHEDULER_SERVER_KUBE_BRIDGE_H_
#define SLUICE_SCHEDULER_SERVER_KUBE_BRIDGE_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "scheduler/common/clock.h"
#include "scheduler/engine/pod_writer.h"
#include "scheduler/server/config.h"

namespace sluice {

namespace cost {
class AttemptTracker;
}  // namespace cost

class EngineLoop;
class SluiceMetrics;

// The daemon's Kubernetes side: where the engine's writes go and where pod
// observations come from. The HTTP implementation lives in its own library
// (sluice_server_kube) so that the server and its tests do not link the
// REST client.
//
// Lifecycle, all from the daemon's thread: Connect, StartInformer, Stop.
class KubeBridge {
 public:
  virtual ~KubeBridge() = default;
  // The engine's PodWriter. Valid for the bridge's lifetime.
  virtual PodWriter* writer() = 0;
  // Pod sightings also go to `tracker` (on the engine thread), and created
  // pods carry the cost stamp (see cost_stamp.h). Call before Connect; the
  // tracker must outlive the bridge's I/O. Default: no cost attribution.
  virtual void SetCostTracker(cost::AttemptTracker* /*tracker*/) {}
  // Answers and observations are posted to `loop` from now on.
  virtual void Connect(EngineLoop* loop) = 0;
  virtual void StartInformer() = 0;
  // Stops I/O threads; nothing is posted afterwards.
  virtual void Stop() = 0;
  // The APIServer's address, for status output.
  virtual std::string server() const = 0;
};

using KubeBridgeFactory = std::function<absl::StatusOr<std::unique_ptr<KubeBridge>>(
    const SluicedConfig::Kube& config, const Clock& clock, SluiceMetrics* metrics)>;

}  // namespace sluice

#endif  // SLUICE_SCHEDULER_SERVER_KUBE_BRIDGE_H_
