#include "tools/kubesim/kubelet.h"

#include <algorithm>

#include "tools/kubesim/pod.h"
#include "tools/kubesim/strings.h"

namespace sluice::kubesim {
namespace {

absl::Duration Ms(std::optional<int64_t> override_ms, absl::Duration fallback) {
  return override_ms.has_value() ? absl::Milliseconds(std::max<int64_t>(*override_ms, 0))
                                 : fallback;
}

}  // namespace

Kubelet::Kubelet(const Clock& clock, ObjectStore* store, std::vector<SimNode> nodes,
                 KubeletOptions options)
    : clock_(clock), store_(store), nodes_(std::move(nodes)), options_(options) {}

Kubelet::~Kubelet() { Stop(); }

void Kubelet::AddTimer(Timer timer) {
  timer.seq = next_seq_++;
  const bool earliest = timers_.empty() || timer.due < timers_.top().due;
  timers_.push(std::move(timer));
  if (earliest) cv_.Signal();
}

void Kubelet::OnCommit(const ResourceInfo& resource, const StoredEvent& event) {
  if (resource.name != "pods" || !options_.enabled) return;
  const auto& pod = static_cast<const Pod&>(*event.object);
  const MonoTime now = clock_.MonoNow();
  Timer t;
  t.namespace_name = pod.meta().namespace_name;
  t.name = pod.meta().name;
  t.uid = pod.meta().uid;
  if (event.type == EventType::kAdded) {
    if (pod.state().node_name.empty()) {
      t.action = Action::kSchedule;
      t.due = now + Ms(pod.spec().sim.schedule_ms, options_.schedule_delay);
    } else {
      t.action = Action::kStart;  // bound at creation: straight to the kubelet
      t.due = now + Ms(pod.spec().sim.start_ms, options_.start_delay);
    }
  } else if (event.type == EventType::kModified && pod.terminating() &&
             (!event.prev->meta().deletion_timestamp.has_value() ||
              *pod.meta().deletion_timestamp < *event.prev->meta().deletion_timestamp)) {
    // Deletion requested, or its grace period shortened by a second delete.
    const absl::Duration grace =
        absl::Seconds(pod.meta().deletion_grace_period_seconds.value_or(0));
    absl::Duration delay = grace;
    if (pod.spec().sim.termination_ms.has_value()) {
      delay = absl::Milliseconds(*pod.spec().sim.termination_ms);
    } else if (options_.termination_delay.has_value()) {
      delay = *options_.termination_delay;
    }
    t.killed_at_grace = delay >= grace;
    t.action = Action::kTerminate;
    t.due = now + std::clamp(delay, absl::ZeroDuration(), grace);
  } else {
    return;
  }
  absl::MutexLock lock(&mu_);
  AddTimer(std::move(t));
}

MonoTime Kubelet::RunDue() {
  while (true) {
    std::vector<Timer> due;
    {
      absl::MutexLock lock(&mu_);
      const MonoTime now = clock_.MonoNow();
      while (!timers_.empty() && timers_.top().due <= now) {
        due.push_back(timers_.top());
        timers_.pop();
      }
      if (due.empty()) return timers_.empty() ? MonoTime::Infinite() : timers_.top().due;
    }
    for (const Timer& t : due) Perform(t);
  }
}

void Kubelet::ScheduleNow(std::string namespace_name, std::string name, std::string uid) {
  if (!options_.enabled) return;
  Timer t;
  t.action = Action::kSchedule;
  t.due = clock_.MonoNow();
  t.namespace_name = std::move(namespace_name);
  t.name = std::move(name);
  t.uid = std::move(uid);
  absl::MutexLock lock(&mu_);
  AddTimer(std::move(t));
}

size_t Kubelet::pending_actions() const {
  absl::MutexLock lock(&mu_);
  return timers_.size();
}

absl::Time Kubelet::WallAt(MonoTime due) const {
  return clock_.WallNow() - (clock_.MonoNow() - due);
}

void Kubelet::Perform(const Timer& timer) {
  switch (timer.action) {
    case Action::kSchedule:
      Schedule(timer);
      break;
    case Action::kStart:
      StartContainers(timer);
      break;
    case Action::kFinish:
      Finish(timer);
      break;
    case Action::kTerminate:
      Terminate(timer);
      break;
  }
}

std::string Kubelet::NextPodIp() {
  const uint64_t n = next_ip_.fetch_add(1);
  return Cat("10.", 244 + (n / 62500) % 12, ".", (n / 250) % 250, ".", n % 250 + 1);
}

void Kubelet::Schedule(const Timer& timer) {
  bool scheduled = false;
  const absl::Time now = WallAt(timer.due);
  store_->Update(
      "pods", timer.namespace_name, timer.name,
      [&](const ApiObject& current) -> ApiOr<std::shared_ptr<ApiObject>> {
        const auto& pod = static_cast<const Pod&>(current);
        if (pod.meta().uid != timer.uid || pod.terminating() || !pod.state().node_name.empty()) {
          return std::shared_ptr<ApiObject>();
        }
        scheduled = false;
        if (gate_ != nullptr) {
          PlacementGate::Decision d = gate_->Place(pod);
          if (!d.place) {
            if (pod.state().unschedulable_message == d.message) return std::shared_ptr<ApiObject>();
            auto waiting = std::static_pointer_cast<Pod>(pod.Clone());
            waiting->MarkUnschedulable("Unschedulable", std::move(d.message), now);
            return std::shared_ptr<ApiObject>(std::move(waiting));
          }
        }
        auto next = std::static_pointer_cast<Pod>(pod.Clone());
        if (nodes_.empty()) {
          next->MarkUnschedulable("Unschedulable",
                                  "0/0 nodes are available: no nodes available to schedule pods.",
                                  now);
          scheduled = false;
        } else {
          const SimNode& node = nodes_[next_node_.fetch_add(1) % nodes_.size()];
          next->MarkScheduled(node.name, node.ip, now);
          scheduled = true;
        }
        return std::shared_ptr<ApiObject>(std::move(next));
      });
  if (!scheduled) return;
  std::shared_ptr<const ApiObject> obj = store_->Find("pods", timer.namespace_name, timer.name);
  if (obj == nullptr) return;
  const auto& pod = static_cast<const Pod&>(*obj);
  Timer t = timer;
  t.action = Action::kStart;
  t.due = timer.due + Ms(pod.spec().sim.start_ms, options_.start_delay);
  absl::MutexLock lock(&mu_);
  AddTimer(std::move(t));
}

void Kubelet::StartContainers(const Timer& timer) {
  std::optional<absl::Duration> run;
  const absl::Time now = WallAt(timer.due);
  store_->Update("pods", timer.namespace_name, timer.name,
                 [&](const ApiObject& current) -> ApiOr<std::shared_ptr<ApiObject>> {
                   const auto& pod = static_cast<const Pod&>(current);
                   run.reset();
                   if (pod.meta().uid != timer.uid || pod.terminating() ||
                       pod.phase() != PodPhase::kPending || pod.state().node_name.empty()) {
                     return std::shared_ptr<ApiObject>();
                   }
                   auto next = std::static_pointer_cast<Pod>(pod.Clone());
                   next->MarkRunning(NextPodIp(), now);
                   run = Ms(pod.spec().sim.run_ms, options_.run_duration);
                   return std::shared_ptr<ApiObject>(std::move(next));
                 });
  if (!run.has_value() || *run == absl::ZeroDuration()) return;  // zero: runs until deleted
  Timer t = timer;
  t.action = Action::kFinish;
  t.due = timer.due + *run;
  absl::MutexLock lock(&mu_);
  AddTimer(std::move(t));
}

void Kubelet::Finish(const Timer& timer) {
  const absl::Time now = WallAt(timer.due);
  store_->Update(
      "pods", timer.namespace_name, timer.name,
      [&](const ApiObject& current) -> ApiOr<std::shared_ptr<ApiObject>> {
        const auto& pod = static_cast<const Pod&>(current);
        if (pod.meta().uid != timer.uid || pod.terminating() || pod.phase() != PodPhase::kRunning) {
          return std::shared_ptr<ApiObject>();
        }
        auto next = std::static_pointer_cast<Pod>(pod.Clone());
        next->MarkFinished(pod.spec().sim.exit_code.value_or(options_.exit_code), now);
        return std::shared_ptr<ApiObject>(std::move(next));
      });
}

void Kubelet::Terminate(const Timer& timer) {
  const absl::Time now = WallAt(timer.due);
  bool gone = false;
  store_->Update("pods", timer.namespace_name, timer.name,
                 [&](const ApiObject& current) -> ApiOr<std::shared_ptr<ApiObject>> {
                   const auto& pod = static_cast<const Pod&>(current);
                   gone = pod.meta().uid != timer.uid;
                   if (gone || IsTerminal(pod.phase())) return std::shared_ptr<ApiObject>();
                   auto next = std::static_pointer_cast<Pod>(pod.Clone());
                   next->MarkKilled(timer.killed_at_grace ? 137 : 143, now);
                   return std::shared_ptr<ApiObject>(std::move(next));
                 });
  if (gone) return;
  // The kubelet's final delete (grace 0) once the containers are stopped.
  store_->Delete("pods", timer.namespace_name, timer.name, timer.uid);
}

void Kubelet::Start() {
  absl::MutexLock lock(&mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void Kubelet::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    cv_.Signal();
  }
  if (thread_.joinable()) thread_.join();
}

void Kubelet::Loop() {
  while (true) {
    const MonoTime next = RunDue();
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    const bool sooner_queued = !timers_.empty() && timers_.top().due < next;
    if (sooner_queued) continue;
    const absl::Duration wait =
        next.is_infinite() ? absl::Seconds(1) : std::min(next - clock_.MonoNow(), absl::Seconds(1));
    if (wait > absl::ZeroDuration()) cv_.WaitWithTimeout(&mu_, wait);
  }
}

}  // namespace sluice::kubesim
