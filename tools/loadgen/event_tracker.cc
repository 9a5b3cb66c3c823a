#include "tools/loadgen/event_tracker.h"

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "tools/loadgen/scheduler_channel.h"

namespace sluice::loadgen {
namespace {

absl::StatusOr<v1::GetStatusResponse> Status(v1::Scheduler::Stub* stub, absl::Duration timeout) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  v1::GetStatusRequest request;
  v1::GetStatusResponse response;
  grpc::Status status = stub->GetStatus(&context, request, &response);
  if (!status.ok()) return FromGrpc(status, "GetStatus");
  return response;
}

}  // namespace

EventTracker::EventTracker(v1::Scheduler::Stub* stub, PodLedger* ledger, EpochWatch* epochs)
    : stub_(stub), ledger_(ledger), epochs_(epochs) {}

EventTracker::~EventTracker() { Stop(); }

absl::Status EventTracker::Start(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  absl::StatusOr<v1::GetStatusResponse> before = Status(stub_, timeout);
  if (!before.ok()) return before.status();
  reader_ = stub_->WatchEvents(&context_, v1::WatchEventsRequest());
  thread_ = std::thread([this] { Run(); });
  while (true) {
    absl::StatusOr<v1::GetStatusResponse> now = Status(stub_, deadline - absl::Now());
    if (!now.ok()) return now.status();
    // The same incarnation (a restart in between resets the count) with one
    // stream more: ours.
    if (now->epoch() == before->epoch() && now->watch_streams() > before->watch_streams()) {
      epoch_ = now->epoch();
      if (epochs_ != nullptr) epochs_->Observe(epoch_);
      return absl::OkStatus();
    }
    if (now->epoch() != before->epoch()) {
      return absl::UnavailableError("WatchEvents: sluiced restarted while the stream was opened");
    }
    {
      absl::MutexLock lock(&mu_);
      if (!status_.ok()) return status_;
    }
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError("WatchEvents: sluiced did not register the stream");
    }
    absl::SleepFor(absl::Milliseconds(2));
  }
}

void EventTracker::Run() {
  v1::WatchEventsResponse response;
  while (reader_->Read(&response)) {
    if (epochs_ != nullptr) epochs_->Observe(response.epoch());
    ledger_->RecordEvents(response);
  }
  grpc::Status status = reader_->Finish();
  absl::MutexLock lock(&mu_);
  if (!stopping_) {
    status_ = status.ok() ? absl::UnavailableError("WatchEvents: sluiced ended the stream")
                          : FromGrpc(status, "WatchEvents");
  }
}

void EventTracker::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (reader_ != nullptr) context_.TryCancel();
  if (thread_.joinable()) thread_.join();
}

absl::Status EventTracker::status() const {
  absl::MutexLock lock(&mu_);
  return status_;
}

}  // namespace sluice::loadgen
