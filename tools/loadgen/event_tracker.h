#ifndef SLUICE_TOOLS_LOADGEN_EVENT_TRACKER_H_
#define SLUICE_TOOLS_LOADGEN_EVENT_TRACKER_H_

#include <memory>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/client_context.h"
#include "sluice/v1/scheduler.grpc.pb.h"
#include "tools/loadgen/pod_ledger.h"
#include "tools/loadgen/restart_protocol.h"

namespace sluice::loadgen {

// Follows sluiced's WatchEvents stream (every workflow) on its own thread and
// records each event in the ledger.
//
// Start returns once sluiced has registered the stream, so that a Submit sent
// afterwards cannot produce an event the tracker misses. Sluice gives no
// explicit signal for that: Start compares GetStatus.watch_streams before and
// after opening the stream (the server registers a stream before its handler
// returns). Against a sluiced shared with other watchers that come and go,
// this is a best effort.
//
// Each message's epoch goes to `epochs` if given. One tracker follows one
// stream: after it broke, a new tracker opens the next (see
// tools/loadgen/controller.h).
//
// Start/Stop from one thread; `stub`, `ledger` and `epochs` must outlive the
// tracker.
class EventTracker {
 public:
  EventTracker(v1::Scheduler::Stub* stub, PodLedger* ledger, EpochWatch* epochs = nullptr);
  ~EventTracker();

  absl::Status Start(absl::Duration timeout);
  // Cancels the stream and joins the thread. Idempotent.
  void Stop();
  // OK while the stream is open or after Stop; the stream's error if sluiced
  // ended it.
  absl::Status status() const;
  // After Start succeeded: the epoch of the sluiced that registered the
  // stream (from the GetStatus that saw it registered).
  uint64_t epoch() const { return epoch_; }

 private:
  void Run();

  v1::Scheduler::Stub* const stub_;
  PodLedger* const ledger_;
  EpochWatch* const epochs_;
  uint64_t epoch_ = 0;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<v1::WatchEventsResponse>> reader_;
  std::thread thread_;
  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status status_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sluice::loadgen

#endif  // SLUICE_TOOLS_LOADGEN_EVENT_TRACKER_H_
