#include "scheduler/sim/sim_cluster.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace sluice {

SimCluster::SimCluster(SimulatedClock* clock, const Options& options)
    : clock_(clock),
      options_(options),
      server_bucket_(options.server_qps, std::max<uint32_t>(1, options.server_burst),
                     clock->MonoNow()),
      rng_(options.seed) {}

void SimCluster::At(MonoTime when, std::function<void()> run) {
  events_.push({when, next_seq_++, std::move(run)});
}

double SimCluster::NextUniform() {
  uint64_t z = (rng_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) / 9007199254740992.0;
}

namespace {
void CountIn(std::vector<uint64_t>& by_second, MonoTime now) {
  const size_t second = static_cast<size_t>(std::max<int64_t>(0, now.nanos() / 1'000'000'000));
  if (by_second.size() <= second) by_second.resize(second + 1, 0);
  ++by_second[second];
}
}  // namespace

void SimCluster::SetServerLimit(double qps, uint32_t burst) {
  server_bucket_.Reconfigure(qps, std::max<uint32_t>(1, burst), clock_->MonoNow());
}

void SimCluster::CountWrite(MonoTime now) {
  CountIn(accepted_by_second_, now);
  const int64_t second = now.nanos() / 1'000'000'000;
  if (second != window_second_) {
    window_second_ = second;
    window_writes_ = 0;
  }
  ++window_writes_;
  stats_.max_writes_in_one_second = std::max(stats_.max_writes_in_one_second, window_writes_);
}

void SimCluster::Create(const CreatePodCommand& command) {
  const MonoTime now = clock_->MonoNow();
  ++stats_.create_requests;
  const uint64_t request_id = command.request_id;
  const std::string key = absl::StrCat(command.pod_namespace, "/", command.pod_name);
  const MonoTime answer_at = now + options_.api_latency;

  if (!server_bucket_.TryConsume(now)) {
    ++stats_.throttled;
    CountIn(throttled_by_second_, now);
    const absl::Duration retry_after =
        options_.retry_after_for ? options_.retry_after_for(now) : options_.retry_after;
    At(answer_at, [this, request_id, retry_after] {
      WriteResult result;
      result.outcome = WriteOutcome::kThrottled;
      result.http_status = 429;
      result.retry_after = retry_after;
      engine_->OnCreateResult(request_id, result);
    });
    return;
  }
  CountWrite(now);
  const double roll = NextUniform();
  if (roll < options_.transient_failure_rate) {
    ++stats_.transient;
    At(answer_at, [this, request_id] {
      WriteResult result;
      result.outcome = WriteOutcome::kTransient;
      result.http_status = 500;
      result.reason = "ServerTimeout";
      engine_->OnCreateResult(request_id, result);
    });
    return;
  }
  Pod& pod = pods_[key];
  if (pod.exists) {
    ++stats_.already_exists;
    At(answer_at, [this, request_id] {
      WriteResult result;
      result.outcome = WriteOutcome::kAlreadyExists;
      result.http_status = 409;
      result.reason = "AlreadyExists";
      engine_->OnCreateResult(request_id, result);
    });
    return;
  }
  pod.exists = true;
  pod.uid = absl::StrCat("uid-", next_uid_++);
  ++stats_.created;
  ++creations_[key];
  StartKubelet(key, pod.uid, now);
  const bool lose_answer = roll < options_.transient_failure_rate + options_.lost_answer_rate;
  if (lose_answer) ++stats_.transient;
  At(answer_at, [this, request_id, uid = pod.uid, lose_answer] {
    WriteResult result;
    if (lose_answer) {
      result.outcome = WriteOutcome::kTransient;
      result.http_status = 504;
      result.reason = "Timeout";
    } else {
      result.outcome = WriteOutcome::kSuccess;
      result.http_status = 201;
      result.pod_uid = uid;
    }
    engine_->OnCreateResult(request_id, result);
  });
}

void SimCluster::Delete(const DeletePodCommand& command) {
  const MonoTime now = clock_->MonoNow();
  ++stats_.deletes;
  CountWrite(now);
  const uint64_t request_id = command.request_id;
  const std::string key = absl::StrCat(command.pod_namespace, "/", command.pod_name);
  auto it = pods_.find(key);
  const bool found = it != pods_.end() && it->second.exists;
  std::string uid;
  if (found) {
    uid = it->second.uid;
    it->second.exists = false;
  }
  At(now + options_.api_latency, [this, request_id, found] {
    WriteResult result;
    result.outcome = found ? WriteOutcome::kSuccess : WriteOutcome::kNotFound;
    result.http_status = found ? 200 : 404;
    engine_->OnDeleteResult(request_id, result);
  });
  if (found) {
    At(now + options_.informer_delay,
       [this, key, uid] { Observe(key, uid, PodPhase::kFailed, true, /*deleted=*/true); });
  }
}

void SimCluster::StartKubelet(const std::string& key, const std::string& uid, MonoTime created) {
  auto still_there = [this, key, uid] {
    auto it = pods_.find(key);
    return it != pods_.end() && it->second.exists && it->second.uid == uid;
  };
  At(created + options_.informer_delay, [this, key, uid, still_there] {
    if (still_there()) Observe(key, uid, PodPhase::kPending, false, false);
  });
  // Each transition reaches the engine informer_delay after it happens.
  const MonoTime seen = created + options_.informer_delay;
  At(seen + options_.schedule_after, [this, key, uid, still_there] {
    if (still_there()) Observe(key, uid, PodPhase::kPending, true, false);
  });
  At(seen + options_.start_after, [this, key, uid, still_there] {
    if (still_there()) Observe(key, uid, PodPhase::kRunning, true, false);
  });
  At(seen + options_.start_after + options_.run_for, [this, key, uid, still_there] {
    if (still_there()) Observe(key, uid, PodPhase::kSucceeded, true, false);
  });
}

void SimCluster::Observe(const std::string& key, const std::string& uid, PodPhase phase,
                         bool scheduled, bool deleted) {
  PodObservation pod;
  pod.key = key;
  pod.uid = uid;
  pod.phase = phase;
  pod.scheduled = scheduled;
  pod.deleted = deleted;
  engine_->OnPodObserved(pod);
}

MonoTime SimCluster::NextEventTime() const {
  return events_.empty() ? MonoTime::Infinite() : events_.top().at;
}

void SimCluster::RunDue() {
  const MonoTime now = clock_->MonoNow();
  while (!events_.empty() && events_.top().at <= now) {
    std::function<void()> run = std::move(const_cast<Event&>(events_.top()).run);
    events_.pop();
    run();
  }
}

MonoTime Simulation::AfterStall(MonoTime t) const {
  if (t.is_infinite() || stall_length_ <= absl::ZeroDuration() ||
      stall_every_ <= absl::ZeroDuration()) {
    return t;
  }
  const absl::Duration since_zero = t - MonoTime::Zero();
  absl::Duration rest;
  const int64_t k = absl::IDivDuration(since_zero, stall_every_, &rest);
  if (k < 1) return t;
  const MonoTime stall_start = MonoTime::Zero() + stall_every_ * k;
  return t < stall_start + stall_length_ ? stall_start + stall_length_ : t;
}

MonoTime Simulation::RunUntilIdle(MonoTime deadline) {
  engine_->Pump();
  while (true) {
    const MonoTime next = AfterStall(std::min(engine_->NextWakeup(), cluster_->NextEventTime()));
    if (next.is_infinite() || next > deadline) break;
    clock_->AdvanceTo(next);
    cluster_->RunDue();
    engine_->Pump();
  }
  return clock_->MonoNow();
}

}  // namespace sluice
