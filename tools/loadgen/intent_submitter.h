#ifndef SLUICE_TOOLS_LOADGEN_INTENT_SUBMITTER_H_
#define SLUICE_TOOLS_LOADGEN_INTENT_SUBMITTER_H_

#include <cstdint>
#include <deque>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "scheduler/common/clock.h"
#include "sluice/v1/scheduler.grpc.pb.h"
#include "tools/loadgen/pod_ledger.h"
#include "tools/loadgen/restart_protocol.h"
#include "tools/loadgen/workload_plan.h"

namespace sluice::loadgen {

// Sends pods of a plan to sluiced as intents on one bidirectional Submit
// stream, in batches, with up to `window` batches awaiting their answer
// (pipelining), and records every answer in the ledger. RESOURCE_EXHAUSTED
// intents (queue full) are sent again after `exhausted_retry`; every other
// answer is final. Each answer's epoch goes to the ledger and, if given, to
// `epochs` (the restart protocol: see tools/loadgen/controller.h, which
// reconnects and resubmits when Submit fails).
//
// One Submit call at a time; the calling thread writes, a second thread reads
// answers. `stub`, `plan` and `ledger` must outlive the submitter.
class IntentSubmitter {
 public:
  struct Options {
    uint32_t batch_size = 1000;  // intents per request (sluiced accepts up to 10,000)
    uint32_t window = 4;         // requests in flight
    absl::Duration exhausted_retry = absl::Milliseconds(200);
  };

  IntentSubmitter(v1::Scheduler::Stub* stub, const WorkloadPlan* plan, PodLedger* ledger,
                  const Clock* clock, Options options, EpochWatch* epochs = nullptr);

  // Sends `pods` (indices into the plan) in order, returns once each has a
  // final answer. Errors: the stream failed (sluiced gone, deadline passed);
  // answers received until then are in the ledger.
  absl::Status Submit(absl::Span<const uint32_t> pods, MonoTime deadline);

 private:
  struct Retry {
    MonoTime not_before;
    uint32_t pod;
  };
  v1::SubmitRequest MakeRequest(uint64_t batch_id, absl::Span<const uint32_t> pods) const;
  void ReadAnswers(grpc::ClientReaderWriter<v1::SubmitRequest, v1::SubmitResponse>* stream);

  v1::Scheduler::Stub* const stub_;
  const WorkloadPlan* const plan_;
  PodLedger* const ledger_;
  const Clock* const clock_;
  const Options options_;
  EpochWatch* const epochs_;

  absl::Mutex mu_;
  // batch_id -> the pods of the request, for requests awaiting their answer.
  absl::flat_hash_map<uint64_t, std::vector<uint32_t>> outstanding_ ABSL_GUARDED_BY(mu_);
  std::deque<Retry> retries_ ABSL_GUARDED_BY(mu_);
  bool reader_done_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status reader_error_ ABSL_GUARDED_BY(mu_);
  uint64_t next_batch_id_ = 1;
};

}  // namespace sluice::loadgen

#endif  // SLUICE_TOOLS_LOADGEN_INTENT_SUBMITTER_H_
