// Fuzz target: a SubmitRequest from raw protobuf bytes, validated and
// converted exactly as the Submit and SubmitBatch RPCs do
// (SchedulerService::Prepare -> IntentIntake::Convert: names, workflow,
// priority, cost labels, pools, and the pod manifest).
#include <cstddef>
#include <cstdint>
#include <memory>

#include "google/protobuf/stubs/logging.h"
#include "scheduler/server/intake.h"
#include "scheduler/server/scheduler_service.h"
#include "sluice/v1/scheduler.pb.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The parser logs every string field with invalid UTF-8; the fuzzer makes many.
  static const bool quiet = [] {
    google::protobuf::SetLogHandler(nullptr);
    return true;
  }();
  (void)quiet;
  static const sluice::IntentIntake* const intake = [] {
    sluice::IntakeLimits limits;
    limits.max_batch_intents = 64;  // the rejection path of oversized batches too
    limits.max_manifest_bytes = 64 * 1024;
    limits.pool_names = {"on-demand", "spot"};
    return new sluice::IntentIntake(limits);
  }();
  static const sluice::SchedulerService* const service =
      new sluice::SchedulerService(sluice::ServerIdentity{}, nullptr, nullptr, intake, nullptr);
  sluice::v1::SubmitRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) return 0;
  std::unique_ptr<sluice::PreparedBatch> batch = service->Prepare(request);
  // Every intent has exactly one result; the accepted ones are in order.
  if (batch->response.results_size() != request.intents_size()) __builtin_trap();
  if (batch->intents.size() != batch->positions.size()) __builtin_trap();
  for (size_t i = 1; i < batch->positions.size(); ++i) {
    if (batch->positions[i] <= batch->positions[i - 1]) __builtin_trap();
  }
  return 0;
}
