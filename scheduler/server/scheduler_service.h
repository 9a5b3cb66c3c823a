#ifndef SLUICE_SCHEDULER_SERVER_SCHEDULER_SERVICE_H_
#define SLUICE_SCHEDULER_SERVER_SCHEDULER_SERVICE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "scheduler/server/effective_config.h"
#include "scheduler/server/engine_loop.h"
#include "scheduler/server/event_log.h"
#include "scheduler/server/intake.h"
#include "scheduler/server/metrics.h"
#include "sluice/v1/scheduler.grpc.pb.h"

namespace sluice {

// Facts about this server incarnation reported in every answer.
class CostAttribution;

struct ServerIdentity {
  uint64_t epoch = 0;
  std::string version;
  absl::Time started;
  std::string kube_server;
};

// A batch validated on a gRPC thread, waiting for the engine thread.
struct PreparedBatch {
  std::vector<std::unique_ptr<Intent>> intents;  // the valid ones, in order
  std::vector<uint32_t> positions;               // their index in the request
  v1::SubmitResponse response;                   // results pre-sized; rejections filled
};

// The sluice.v1.Scheduler service on gRPC's callback API.
//
// Threads: RPC handlers run on gRPC's threads, validate and convert there
// (IntentIntake), then hand work to the engine thread through the EngineLoop;
// answers are written from the engine thread. No handler blocks. One reactor
// class per streaming RPC (Submit, WatchEvents), each owning itself.
class SchedulerService final : public v1::Scheduler::CallbackService {
 public:
  // Everything passed in must outlive the service. `metrics` and `config`
  // may be null (GetStatus then reports no configuration).
  SchedulerService(ServerIdentity identity, EngineLoop* loop, EventLog* events,
                   const IntentIntake* intake, SluiceMetrics* metrics,
                   const EffectiveConfig* config = nullptr);

  grpc::ServerBidiReactor<v1::SubmitRequest, v1::SubmitResponse>* Submit(
      grpc::CallbackServerContext* context) override;
  grpc::ServerUnaryReactor* SubmitBatch(grpc::CallbackServerContext* context,
                                        const v1::SubmitRequest* request,
                                        v1::SubmitResponse* response) override;
  grpc::ServerUnaryReactor* Cancel(grpc::CallbackServerContext* context,
                                   const v1::CancelRequest* request,
                                   v1::CancelResponse* response) override;
  grpc::ServerWriteReactor<v1::WatchEventsResponse>* WatchEvents(
      grpc::CallbackServerContext* context, const v1::WatchEventsRequest* request) override;
  grpc::ServerUnaryReactor* GetStatus(grpc::CallbackServerContext* context,
                                      const v1::GetStatusRequest* request,
                                      v1::GetStatusResponse* response) override;
  grpc::ServerUnaryReactor* GetCapacity(grpc::CallbackServerContext* context,
                                        const v1::GetCapacityRequest* request,
                                        v1::GetCapacityResponse* response) override;
  grpc::ServerUnaryReactor* GetCost(grpc::CallbackServerContext* context,
                                    const v1::GetCostRequest* request,
                                    v1::GetCostResponse* response) override;

  // Cost queries go here; null (the default): GetCost answers
  // FAILED_PRECONDITION. Set before the server starts; must outlive it.
  void set_cost(CostAttribution* cost) { cost_ = cost; }

  // Validates a request, moving manifests out of it. gRPC thread.
  std::unique_ptr<PreparedBatch> Prepare(v1::SubmitRequest& request) const;
  // Offers the batch to the engine and completes its response. Engine thread.
  void Apply(Engine& engine, PreparedBatch& batch) const;

  const ServerIdentity& identity() const { return identity_; }
  EngineLoop* loop() const { return loop_; }
  EventLog* events() const { return events_; }
  SluiceMetrics* metrics() const { return metrics_; }

 private:
  const ServerIdentity identity_;
  EngineLoop* const loop_;
  EventLog* const events_;
  const IntentIntake* const intake_;
  SluiceMetrics* const metrics_;
  const EffectiveConfig* const config_;
  CostAttribution* cost_ = nullptr;
};

}  // namespace sluice

#endif  // SLUICE_SCHEDULER_SERVER_SCHEDULER_SERVICE_H_
