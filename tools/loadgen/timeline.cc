#include "tools/loadgen/timeline.h"

#include <map>

#include "absl/time/clock.h"
#include "tools/loadgen/kubesim_stats.h"
#include "tools/loadgen/quota_books.h"

namespace sluice::loadgen {

TimelineSampler::TimelineSampler(Sources sources, const Clock* clock, absl::Duration period)
    : sources_(std::move(sources)), clock_(clock), period_(period) {}

TimelineSampler::~TimelineSampler() { Stop(); }

void TimelineSampler::Start() {
  if (!sources_.kubesim_url.empty()) {
    absl::StatusOr<ApiServerCounts> c = FetchKubesimStats(sources_.kubesim_url);
    if (c.ok()) {
      base_creates_ = c->creates;
      base_429_ = c->status_429;
      base_403_ = c->status_403;
      base_mutating_ = c->mutating_requests;
      have_base_ = true;
    }
  }
  thread_ = std::thread([this] { Run(); });
}

void TimelineSampler::Stop() {
  if (!thread_.joinable()) return;
  stop_.Notify();
  thread_.join();
}

std::vector<TimelineSample> TimelineSampler::samples() const {
  absl::MutexLock lock(&mu_);
  return samples_;
}

void TimelineSampler::Run() {
  const MonoTime start = clock_->MonoNow();
  for (int64_t i = 0;; ++i) {
    TimelineSample s = Take(start);
    {
      absl::MutexLock lock(&mu_);
      samples_.push_back(std::move(s));
    }
    // Sample on a fixed grid; a slow sample does not shift the later ones.
    const MonoTime next = start + period_ * (i + 1);
    const absl::Duration wait = next - clock_->MonoNow();
    if (stop_.WaitForNotificationWithTimeout(std::max(wait, absl::ZeroDuration()))) break;
  }
  // One last sample at the end.
  TimelineSample s = Take(start);
  absl::MutexLock lock(&mu_);
  samples_.push_back(std::move(s));
}

TimelineSample TimelineSampler::Take(MonoTime start) {
  TimelineSample s;
  s.t_seconds = absl::ToDoubleSeconds(clock_->MonoNow() - start);
  const LedgerCounts counts = sources_.ledger->counts();
  s.created = counts.created;
  s.finished = counts.finished;
  if (!sources_.kubesim_url.empty() && have_base_) {
    absl::StatusOr<ApiServerCounts> c = FetchKubesimStats(sources_.kubesim_url);
    if (c.ok()) {
      s.kube_creates = c->creates - base_creates_;
      s.kube_429 = c->status_429 - base_429_;
      s.kube_403 = c->status_403 - base_403_;
      s.kube_mutating = c->mutating_requests - base_mutating_;
    }
  }
  if (sources_.stub != nullptr) {
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(2)));
    v1::GetStatusRequest request;
    v1::GetStatusResponse status;
    if (sources_.stub->GetStatus(&ctx, request, &status).ok()) {
      s.queue_depth = static_cast<int64_t>(status.queue_depth());
      s.backlogged_flows = status.fairness().backlogged_flows();
      if (status.fairness().measured() && status.fairness().backlogged_flows() >= 2) {
        s.jain = status.fairness().jain_index();
      }
    }
  }
  if (sources_.quotas && !sources_.kubesim_url.empty()) {
    absl::StatusOr<std::vector<QuotaBook>> books = FetchSimQuotas(sources_.kubesim_url);
    if (books.ok()) {
      // Outstanding demand per namespace: pods sent and not finished.
      std::map<std::string, uint64_t> outstanding;
      const std::vector<PodRecord> records = sources_.ledger->Records();
      for (uint32_t pod = 0; pod < records.size(); ++pod) {
        const PodRecord& r = records[pod];
        if (r.first_sent == MonoTime::Zero() || r.finished) continue;
        ++outstanding[sources_.plan->workflow_of(pod).namespace_];
      }
      s.quota_utilization = QuotaUtilization(*books, outstanding, &s.namespaces_over_quota);
    }
  }
  return s;
}

}  // namespace sluice::loadgen
