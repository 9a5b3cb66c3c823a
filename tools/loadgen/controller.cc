#include "tools/loadgen/controller.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "grpcpp/client_context.h"
#include "tools/loadgen/scheduler_channel.h"

namespace sluice::loadgen {
namespace {

// Errors a new connection may cure: sluiced gone, restarting, overloaded.
bool Retryable(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kCancelled:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kResourceExhausted:
      return true;
    default:
      return false;
  }
}

uint64_t SentBefore(const std::vector<PodRecord>& records, const std::vector<uint32_t>& pods) {
  uint64_t n = 0;
  for (uint32_t pod : pods) {
    if (records[pod].first_sent != MonoTime::Zero()) ++n;
  }
  return n;
}

}  // namespace

Controller::Controller(v1::Scheduler::Stub* stub, const WorkloadPlan* plan, PodLedger* ledger,
                       const Clock* clock, Options options)
    : stub_(stub),
      ledger_(ledger),
      clock_(clock),
      options_(std::move(options)),
      submitter_(stub, plan, ledger, clock, options_.submit, &epochs_) {}

Controller::~Controller() { Stop(); }

absl::Status Controller::Start() {
  tracker_ = std::make_unique<EventTracker>(stub_, ledger_, &epochs_);
  return tracker_->Start(options_.open_timeout);
}

void Controller::Stop() {
  if (tracker_ != nullptr) tracker_->Stop();
}

absl::Status Controller::watch_status() const {
  if (!recovery_error_.ok()) return recovery_error_;
  return tracker_ != nullptr ? tracker_->status() : absl::OkStatus();
}

bool Controller::NeedsNewStream() const {
  return tracker_ == nullptr || !tracker_->status().ok() || tracker_->epoch() != epochs_.current();
}

void Controller::SleepBackoff(absl::Duration* backoff, MonoTime deadline) {
  const absl::Duration left = deadline - clock_->MonoNow();
  if (left > absl::ZeroDuration()) absl::SleepFor(std::min(*backoff, left));
  *backoff = std::min(*backoff * 2, options_.backoff_max);
}

absl::Status Controller::Reopen(MonoTime deadline) {
  absl::Duration backoff = options_.backoff_initial;
  absl::Status last;
  while (true) {
    const absl::Duration left = deadline - clock_->MonoNow();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError(
          absl::StrCat("sluiced did not come back before the deadline: ", last.message()));
    }
    // Wait (a little) for the channel to reach sluiced again, then open the
    // stream on it.
    grpc::ClientContext context;
    context.set_wait_for_ready(true);
    context.set_deadline(absl::ToChronoTime(absl::Now() + std::min(left, absl::Seconds(1))));
    v1::GetStatusResponse status;
    const grpc::Status probe = stub_->GetStatus(&context, v1::GetStatusRequest(), &status);
    if (probe.ok()) {
      epochs_.Observe(status.epoch());
      if (tracker_ != nullptr) tracker_->Stop();
      tracker_ = std::make_unique<EventTracker>(stub_, ledger_, &epochs_);
      last = tracker_->Start(std::min(options_.open_timeout, deadline - clock_->MonoNow()));
      if (last.ok()) {
        ++reopened_;
        return absl::OkStatus();
      }
    } else {
      last = FromGrpc(probe, "GetStatus");
    }
    SleepBackoff(&backoff, deadline);
  }
}

absl::Status Controller::SendUntilHeld(std::vector<uint32_t> to_send, MonoTime deadline) {
  absl::Duration backoff = options_.backoff_initial;
  while (true) {
    if (NeedsNewStream()) {
      if (absl::Status s = Reopen(deadline); !s.ok()) return s;
      // Events may have been missed (or the pods forgotten by a new
      // incarnation): every unsettled pod again.
      const std::vector<PodRecord> records = ledger_->Records();
      to_send = PodsToSubmit(records, intended_, /*trusted_epoch=*/0, options_.wait);
      resubmitted_ += SentBefore(records, to_send);
    }
    const absl::Status sent =
        to_send.empty() ? absl::OkStatus() : submitter_.Submit(to_send, deadline);
    if (sent.ok() && !NeedsNewStream()) return absl::OkStatus();
    if (!sent.ok() && !Retryable(sent)) return sent;
    if (clock_->MonoNow() >= deadline) {
      return sent.ok() ? absl::DeadlineExceededError("Submit: sluiced not reached again in time")
                       : sent;
    }
    if (sent.ok()) continue;  // a new epoch showed on the answers: new stream
    // The Submit stream broke. If the event stream still follows the same
    // sluiced, only what has no answer from it goes again.
    SleepBackoff(&backoff, deadline);
    if (NeedsNewStream()) continue;
    const std::vector<PodRecord> records = ledger_->Records();
    to_send = PodsToSubmit(records, intended_, tracker_->epoch(), options_.wait);
    resubmitted_ += SentBefore(records, to_send);
  }
}

absl::Status Controller::Submit(absl::Span<const uint32_t> pods, MonoTime deadline) {
  intended_.insert(intended_.end(), pods.begin(), pods.end());
  return SendUntilHeld(std::vector<uint32_t>(pods.begin(), pods.end()), deadline);
}

bool Controller::AwaitSettled(MonoTime deadline, absl::Duration period,
                              const std::function<bool(const LedgerCounts&)>& progress) {
  while (true) {
    bool stopped = false;
    const bool settled =
        ledger_->AwaitSettled(options_.wait, deadline, period, [&](const LedgerCounts& counts) {
          if (progress && !progress(counts)) {
            stopped = true;
            return false;
          }
          return !NeedsNewStream();
        });
    if (settled) return true;
    if (stopped || clock_->MonoNow() >= deadline) return false;
    if (absl::Status s = SendUntilHeld({}, deadline); !s.ok()) {
      recovery_error_ = s;
      return false;
    }
  }
}

}  // namespace sluice::loadgen
