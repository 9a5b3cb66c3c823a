#include "tools/kubesim/capacity_pools.h"

#include <algorithm>
#include <cmath>

#include "rapidjson/document.h"
#include "scheduler/common/quantity.h"
#include "tools/kubesim/json_parse.h"
#include "tools/kubesim/json_writer.h"
#include "tools/kubesim/pod.h"
#include "tools/kubesim/strings.h"

namespace sluice::kubesim {
namespace {

// spec.nodeSelector of a pod's stored spec.
StringMap NodeSelector(const Pod& pod) {
  StringMap out;
  rapidjson::Document spec;
  if (!ParseJson(pod.spec().json, &spec) || !spec.IsObject()) return out;
  auto it = spec.FindMember("nodeSelector");
  if (it == spec.MemberEnd() || !it->value.IsObject()) return out;
  for (const auto& kv : it->value.GetObject()) {
    if (kv.value.IsString()) out.emplace_back(kv.name.GetString(), kv.value.GetString());
  }
  NormalizeStringMap(&out);
  return out;
}

bool Carries(const StringMap& have, const StringMap& want) {
  for (const auto& [k, v] : want) {
    const std::string* got = FindValue(have, k);
    if (got == nullptr || *got != v) return false;
  }
  return true;
}

std::string Cpu(int64_t milli) { return Quantity::FromMilli(milli).String(); }
std::string Memory(int64_t bytes) {
  return Quantity::FromInt(bytes, Quantity::Format::kBinarySI).String();
}

void WriteLimit(JsonWriter& w, std::string_view key, const std::optional<int64_t>& limit,
                std::string (*format)(int64_t)) {
  w.Key(key);
  if (!limit.has_value()) {
    w.Null();
  } else if (format == nullptr) {
    w.Int(*limit);
  } else {
    w.String(format(*limit));
  }
}

}  // namespace

CapacityPools::CapacityPools(const Clock& clock, ObjectStore* store, Kubelet* kubelet,
                             std::vector<PoolConfig> pools, PoolOptions options)
    : clock_(clock),
      store_(store),
      kubelet_(kubelet),
      start_(clock.MonoNow()),
      pool_count_(pools.size()),
      loop_(clock, [this] { return RunDue(); }),
      rng_(options.seed) {
  for (PoolConfig& config : pools) {
    uses_node_selector_ = uses_node_selector_ || !config.match_node_selector.empty();
    Pool p;
    p.capacity = config.capacity;
    p.stockout = config.stockout;
    p.last_tick = start_;
    p.config = std::move(config);
    pools_.push_back(std::move(p));
  }
}

CapacityPools::~CapacityPools() { Stop(); }

int CapacityPools::PoolOf(const Pod& pod) const {
  StringMap node_selector;
  if (uses_node_selector_) node_selector = NodeSelector(pod);
  for (size_t i = 0; i < pools_.size(); ++i) {
    const PoolConfig& c = pools_[i].config;
    if (Carries(pod.meta().labels, c.match_labels) &&
        Carries(node_selector, c.match_node_selector)) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

bool CapacityPools::Fits(const Pool& pool, const PodEntry& e) {
  const PoolCapacity& c = pool.capacity;
  if (c.pods.has_value() && pool.used_pods + 1 > *c.pods) return false;
  if (c.cpu_milli.has_value() && pool.used_cpu_milli + e.cpu_milli > *c.cpu_milli) return false;
  if (c.memory_bytes.has_value() && pool.used_memory_bytes + e.memory_bytes > *c.memory_bytes) {
    return false;
  }
  return true;
}

std::string CapacityPools::WaitMessage(const Pool& pool) {
  const PoolConfig& c = pool.config;
  if (pool.stockout) {
    return Cat(c.stockout_reason, c.stockout_reason.empty() ? "" : ": ", "capacity pool \"", c.name,
               "\" is out of stock");
  }
  std::string use;
  if (pool.capacity.pods.has_value()) {
    Append(&use, "pods ", pool.used_pods, "/", *pool.capacity.pods);
  }
  if (pool.capacity.cpu_milli.has_value()) {
    Append(&use, use.empty() ? "" : ", ", "cpu ", Cpu(pool.used_cpu_milli), "/",
           Cpu(*pool.capacity.cpu_milli));
  }
  if (pool.capacity.memory_bytes.has_value()) {
    Append(&use, use.empty() ? "" : ", ", "memory ", Memory(pool.used_memory_bytes), "/",
           Memory(*pool.capacity.memory_bytes));
  }
  return Cat(c.capacity_reason, c.capacity_reason.empty() ? "" : ": ", "capacity pool \"", c.name,
             "\" has no room for the pod (", use, ")");
}

void CapacityPools::Take(Pool& pool, PodEntry& e, const std::string& uid) {
  (void)uid;
  pool.used_pods += 1;
  pool.used_cpu_milli += e.cpu_milli;
  pool.used_memory_bytes += e.memory_bytes;
  pool.placed_total += 1;
  e.state = PodState::kPlaced;
  e.placed_seq = next_seq_++;
}

void CapacityPools::Release(Pool& pool, PodEntry& e, const std::string& uid) {
  if (e.state == PodState::kPlaced || e.state == PodState::kReclaiming) {
    pool.used_pods -= 1;
    pool.used_cpu_milli -= e.cpu_milli;
    pool.used_memory_bytes -= e.memory_bytes;
    if (e.state == PodState::kReclaiming) pool.reclaiming -= 1;
    if (e.running) pool.running.erase(e.placed_seq);
  } else if (e.state == PodState::kWaiting) {
    pool.waiting.erase(std::remove(pool.waiting.begin(), pool.waiting.end(), uid),
                       pool.waiting.end());
  }
  e.state = PodState::kDone;
}

void CapacityPools::Drain(Pool& pool, Work* work) {
  while (!pool.waiting.empty()) {
    const std::string uid = pool.waiting.front();
    auto it = pods_.find(uid);
    if (it == pods_.end() || it->second.state != PodState::kWaiting) {
      pool.waiting.pop_front();
      continue;
    }
    if (pool.stockout || !Fits(pool, it->second)) break;
    pool.waiting.pop_front();
    Take(pool, it->second, uid);
    work->schedule.push_back({it->second.namespace_name, it->second.name, uid});
  }
}

void CapacityPools::Reclaim(size_t index, int64_t n, MonoTime now, Work* work) {
  Pool& pool = pools_[index];
  const PoolConfig& c = pool.config;
  for (; n > 0 && !pool.running.empty(); --n) {
    auto victim = pool.running.begin();
    std::advance(victim, static_cast<long>(rng_() % pool.running.size()));
    const std::string uid = victim->second;
    pool.running.erase(victim);
    PodEntry& e = pods_[uid];
    e.running = false;
    e.state = PodState::kReclaiming;
    pool.reclaiming += 1;
    pool.reclaims += 1;
    PodRef ref{e.namespace_name, e.name, uid};
    work->disrupt.push_back({ref, c.reclaim_condition_reason,
                             Cat(c.pool_class, " capacity of pool \"", c.name,
                                 "\" is being reclaimed by the provider")});
    notices_.push_back({now + c.reclaim_notice,
                        {ref, c.reclaim_reason,
                         Cat("Pod was terminated: the ", c.pool_class, " capacity of pool \"",
                             c.name, "\" was reclaimed")}});
  }
}

PlacementGate::Decision CapacityPools::Place(const Pod& pod) {
  if (pool_count_ == 0) return {};
  absl::MutexLock lock(&mu_);
  auto it = pods_.find(pod.meta().uid);
  if (it == pods_.end()) return {};  // not in a pool (or gone)
  PodEntry& e = it->second;
  Pool& pool = pools_[e.pool];
  switch (e.state) {
    case PodState::kNew:
      if (!pool.stockout && pool.waiting.empty() && Fits(pool, e)) {
        Take(pool, e, it->first);
        return {};
      }
      e.state = PodState::kWaiting;
      pool.waiting.push_back(it->first);
      return {false, WaitMessage(pool)};
    case PodState::kWaiting:
      return {false, WaitMessage(pool)};
    default:
      return {};
  }
}

void CapacityPools::OnCommit(const ResourceInfo& resource, const StoredEvent& event) {
  if (pool_count_ == 0 || resource.name != "pods") return;
  const auto& pod = static_cast<const Pod&>(*event.object);
  const std::string& uid = pod.meta().uid;
  Work work;
  {
    absl::MutexLock lock(&mu_);
    if (event.type == EventType::kAdded) {
      const int index = PoolOf(pod);
      if (index < 0) return;
      PodEntry e;
      e.namespace_name = pod.meta().namespace_name;
      e.name = pod.meta().name;
      e.pool = static_cast<size_t>(index);
      const ResourceAmounts& requests = pod.spec().requests;
      if (auto cpu = requests.find("cpu"); cpu != requests.end()) e.cpu_milli = cpu->second;
      if (auto mem = requests.find("memory"); mem != requests.end()) {
        e.memory_bytes = (mem->second + 999) / 1000;
      }
      if (!pod.state().node_name.empty()) Take(pools_[e.pool], e, uid);  // bound at creation
      pods_.emplace(uid, std::move(e));
      return;
    }
    auto it = pods_.find(uid);
    if (it == pods_.end()) return;
    PodEntry& e = it->second;
    Pool& pool = pools_[e.pool];
    const bool gone = event.type == EventType::kDeleted || IsTerminal(pod.phase());
    if (!gone) {
      if (pod.phase() == PodPhase::kRunning && !e.running && e.state == PodState::kPlaced) {
        e.running = true;
        pool.running.emplace(e.placed_seq, uid);
      }
      return;
    }
    Release(pool, e, uid);
    pods_.erase(it);
    Drain(pool, &work);
  }
  // The kubelet's lock comes after the store's: this is allowed under it.
  for (PodRef& ref : work.schedule) {
    kubelet_->ScheduleNow(std::move(ref.namespace_name), std::move(ref.name), std::move(ref.uid));
  }
}

MonoTime CapacityPools::RunDue() {
  if (pool_count_ == 0) return MonoTime::Infinite();
  const MonoTime now = clock_.MonoNow();
  MonoTime next = MonoTime::Infinite();
  Work work;
  {
    absl::MutexLock lock(&mu_);
    for (size_t i = 0; i < pools_.size(); ++i) {
      Pool& pool = pools_[i];
      const std::vector<PoolEvent>& events = pool.config.events;
      bool changed = false;
      for (; pool.next_event < events.size() && start_ + events[pool.next_event].at <= now;
           ++pool.next_event) {
        const PoolEvent& ev = events[pool.next_event];
        if (ev.stockout.has_value()) pool.stockout = *ev.stockout;
        if (ev.pods.has_value()) pool.capacity.pods = *ev.pods;
        if (ev.cpu_milli.has_value()) pool.capacity.cpu_milli = *ev.cpu_milli;
        if (ev.memory_bytes.has_value()) pool.capacity.memory_bytes = *ev.memory_bytes;
        changed = true;
      }
      if (changed) Drain(pool, &work);
      if (pool.next_event < events.size()) {
        next = std::min(next, start_ + events[pool.next_event].at);
      }
      const double rate = pool.config.reclaim_per_minute;
      if (rate <= 0) continue;
      const double running = static_cast<double>(pool.running.size());
      if (running == 0) {
        pool.reclaim_debt = 0;
      } else {
        pool.reclaim_debt += rate * running * absl::ToDoubleMinutes(now - pool.last_tick);
      }
      pool.last_tick = now;
      const auto owed = static_cast<int64_t>(std::floor(pool.reclaim_debt));
      if (owed > 0) {
        Reclaim(i, owed, now, &work);
        pool.reclaim_debt -= static_cast<double>(owed);
      }
      if (!pool.running.empty()) {
        // When the debt reaches one pod at the current count, at most 1 s on.
        const double minutes =
            (1.0 - pool.reclaim_debt) / (rate * static_cast<double>(pool.running.size()));
        next = std::min(next, now + std::min(absl::Seconds(1), absl::Minutes(minutes)));
      }
    }
    for (auto it = notices_.begin(); it != notices_.end();) {
      if (it->due <= now) {
        work.fail.push_back(std::move(it->fail));
        it = notices_.erase(it);
      } else {
        next = std::min(next, it->due);
        ++it;
      }
    }
  }
  Do(std::move(work), now);
  return next;
}

void CapacityPools::Do(Work work, MonoTime now) {
  (void)now;
  for (PodRef& ref : work.schedule) {
    kubelet_->ScheduleNow(std::move(ref.namespace_name), std::move(ref.name), std::move(ref.uid));
  }
  const absl::Time wall = clock_.WallNow();
  for (const Mark& m : work.disrupt) {
    store_->Update("pods", m.pod.namespace_name, m.pod.name,
                   [&](const ApiObject& current) -> ApiOr<std::shared_ptr<ApiObject>> {
                     const auto& pod = static_cast<const Pod&>(current);
                     if (pod.meta().uid != m.pod.uid || IsTerminal(pod.phase()) ||
                         pod.state().disruption_since.has_value()) {
                       return std::shared_ptr<ApiObject>();
                     }
                     auto next = std::static_pointer_cast<Pod>(pod.Clone());
                     next->MarkDisruptionTarget(m.reason, m.message, wall);
                     return std::shared_ptr<ApiObject>(std::move(next));
                   });
  }
  for (const Mark& m : work.fail) {
    store_->Update("pods", m.pod.namespace_name, m.pod.name,
                   [&](const ApiObject& current) -> ApiOr<std::shared_ptr<ApiObject>> {
                     const auto& pod = static_cast<const Pod&>(current);
                     if (pod.meta().uid != m.pod.uid || IsTerminal(pod.phase())) {
                       return std::shared_ptr<ApiObject>();
                     }
                     auto next = std::static_pointer_cast<Pod>(pod.Clone());
                     next->MarkPreempted(m.reason, m.message, wall);
                     return std::shared_ptr<ApiObject>(std::move(next));
                   });
  }
}

absl::Status CapacityPools::Apply(const PoolChange& change) {
  const MonoTime now = clock_.MonoNow();
  Work work;
  {
    absl::MutexLock lock(&mu_);
    size_t i = 0;
    while (i < pools_.size() && pools_[i].config.name != change.name) ++i;
    if (i == pools_.size()) {
      return absl::NotFoundError(Cat("no capacity pool \"", change.name, "\""));
    }
    Pool& pool = pools_[i];
    if (change.stockout.has_value()) pool.stockout = *change.stockout;
    if (change.pods.has_value()) pool.capacity.pods = *change.pods;
    if (change.cpu_milli.has_value()) pool.capacity.cpu_milli = *change.cpu_milli;
    if (change.memory_bytes.has_value()) pool.capacity.memory_bytes = *change.memory_bytes;
    Drain(pool, &work);
    if (change.reclaim > 0) Reclaim(i, change.reclaim, now, &work);
  }
  Do(std::move(work), now);
  loop_.Wake();  // new notices
  return absl::OkStatus();
}

std::string CapacityPools::Json() const {
  std::string out;
  JsonWriter w(&out);
  absl::MutexLock lock(&mu_);
  w.BeginObject();
  w.Key("pools");
  w.BeginArray();
  for (const Pool& p : pools_) {
    w.BeginObject();
    w.KeyString("name", p.config.name);
    w.KeyString("class", p.config.pool_class);
    w.Key("capacity");
    w.BeginObject();
    WriteLimit(w, "pods", p.capacity.pods, nullptr);
    WriteLimit(w, "cpu", p.capacity.cpu_milli, &Cpu);
    WriteLimit(w, "memory", p.capacity.memory_bytes, &Memory);
    w.EndObject();
    w.KeyBool("stockout", p.stockout);
    w.Key("used");
    w.BeginObject();
    w.KeyInt("pods", p.used_pods);
    w.KeyString("cpu", Cpu(p.used_cpu_milli));
    w.KeyString("memory", Memory(p.used_memory_bytes));
    w.EndObject();
    w.KeyInt("pending", static_cast<int64_t>(p.waiting.size()));
    w.KeyInt("running", static_cast<int64_t>(p.running.size()));
    w.KeyInt("reclaiming", p.reclaiming);
    w.KeyInt("placed", p.placed_total);
    w.KeyInt("reclaims", p.reclaims);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return out;
}

void CapacityPools::Start() {
  if (pool_count_ > 0) loop_.Start();
}

void CapacityPools::Stop() { loop_.Stop(); }

}  // namespace sluice::kubesim
