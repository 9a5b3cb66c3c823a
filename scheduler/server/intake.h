#ifndef SLUICE_SCHEDULER_SERVER_INTAKE_H_
#define SLUICE_SCHEDULER_SERVER_INTAKE_H_

#include <cstddef>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "scheduler/engine/intent.h"
#include "sluice/v1/scheduler.pb.h"

namespace sluice {

struct IntakeLimits {
  size_t max_batch_intents = 10'000;
  size_t max_manifest_bytes = 512 * 1024;
  size_t max_cost_labels = 32;
  // Namespaces Sluice may create pods in; empty allows every namespace.
  absl::flat_hash_set<std::string> allowed_namespaces;
  // The configured capacity pools (an intent's allowed_pools must name them).
  absl::flat_hash_set<std::string> pool_names;
};

// Why an intent was refused: the offending field as a path into PodIntent
// (`workflow.uid`, `pod_json.spec.containers[0].image`) and a sentence.
struct Rejection {
  std::string field;
  std::string reason;
};

// Validates intents as they arrive and converts them into the engine's form.
// Runs on gRPC threads, in parallel; the engine thread never parses JSON.
//
// Thread-safe (each thread uses its own JSON parser).
class IntentIntake {
 public:
  explicit IntentIntake(IntakeLimits limits);

  // Replaces the limits (a configuration reload). A batch being validated
  // keeps the limits it started with.
  void SetLimits(IntakeLimits limits);
  // The limits now in force; take them once per batch.
  std::shared_ptr<const IntakeLimits> limits() const;

  // Converts `in` under `limits`, moving its manifest out. Returns nullptr
  // and fills *rejection if the intent is invalid.
  std::unique_ptr<Intent> Convert(const IntakeLimits& limits, v1::PodIntent& in,
                                  Rejection* rejection) const;
  // The same under the limits now in force.
  std::unique_ptr<Intent> Convert(v1::PodIntent& in, Rejection* rejection) const {
    return Convert(*limits(), in, rejection);
  }

 private:
  mutable absl::Mutex mu_;
  std::shared_ptr<const IntakeLimits> limits_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sluice

#endif  // SLUICE_SCHEDULER_SERVER_INTAKE_H_
