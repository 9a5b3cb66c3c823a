#include "tools/kubesim/pod_history.h"

#include "tools/kubesim/json_writer.h"
#include "tools/kubesim/time_format.h"

namespace sluice::kubesim {
namespace {

void WriteTime(JsonWriter& w, std::string_view key, const std::optional<absl::Time>& t) {
  w.Key(key);
  if (t.has_value()) {
    w.String(FormatRfc3339Nanos(*t));
  } else {
    w.Null();
  }
}

}  // namespace

void PodHistory::OnCommit(const ResourceInfo& resource, const StoredEvent& event) {
  if (resource.name != "pods") return;
  const auto& pod = static_cast<const Pod&>(*event.object);
  const absl::Time now = clock_.WallNow();
  absl::MutexLock lock(&mu_);
  if (event.type == EventType::kAdded) {
    PodRecord r;
    r.namespace_name = pod.meta().namespace_name;
    r.name = pod.meta().name;
    r.uid = pod.meta().uid;
    r.labels = pod.meta().labels;
    r.requests = pod.spec().requests;
    // The commit time: creationTimestamp has whole seconds only.
    r.created = now;
    // What clients bill from: set at admission, which under load can be in
    // the second before the commit.
    r.creation_timestamp = pod.meta().creation_timestamp;
    if (!pod.state().node_name.empty()) {
      r.node = pod.state().node_name;
      r.scheduled = now;  // created bound: scheduled_at is the whole-second creationTimestamp
    }
    records_.push_back(std::move(r));
    const PodRecord& added = records_.back();
    if (!by_uid_.try_emplace(added.uid, records_.size() - 1).second) {
      records_.pop_back();  // a uid is never committed as added twice
    }
    return;
  }
  auto it = by_uid_.find(pod.meta().uid);
  if (it == by_uid_.end()) return;
  PodRecord& r = records_[it->second];
  const PodState& s = pod.state();
  r.phase = s.phase;
  // The object's own times where it has them (scheduled, started, finished),
  // so that the record agrees with what clients read: a time taken here, at
  // the commit, can fall in the next second.
  if (!s.node_name.empty() && !r.scheduled.has_value()) {
    r.node = s.node_name;
    r.scheduled = s.scheduled_at.value_or(now);
  }
  if (s.started_at.has_value() && !r.started.has_value()) r.started = *s.started_at;
  if (s.unschedulable_since.has_value() && !r.unschedulable.has_value()) {
    r.unschedulable = now;
    r.unschedulable_message = s.unschedulable_message;
  }
  if (s.disruption_since.has_value() && !r.disrupted.has_value()) r.disrupted = now;
  if (IsTerminal(s.phase) && !r.finished.has_value()) {
    r.finished = s.finished_at.value_or(now);
    r.exit_code = s.exit_code;
    r.reason = s.reason;
  }
  if (pod.terminating() && !r.deletion_requested.has_value()) r.deletion_requested = now;
  if (event.type == EventType::kDeleted) {
    r.deleted = now;
    if (!r.deletion_requested.has_value()) r.deletion_requested = now;
  }
}

std::vector<PodRecord> PodHistory::Records() const {
  absl::MutexLock lock(&mu_);
  return {records_.begin(), records_.end()};
}

std::string PodHistory::Json() const {
  std::vector<PodRecord> records = Records();
  std::string out;
  out.reserve(records.size() * 512 + 2);
  JsonWriter w(&out);
  w.BeginArray();
  for (const PodRecord& r : records) {
    w.BeginObject();
    w.KeyString("namespace", r.namespace_name);
    w.KeyString("name", r.name);
    w.KeyString("uid", r.uid);
    w.KeyString("created", FormatRfc3339Nanos(r.created));
    w.KeyString("creationTimestamp", FormatRfc3339Nanos(r.creation_timestamp));
    WriteTime(w, "scheduled", r.scheduled);
    WriteTime(w, "started", r.started);
    WriteTime(w, "finished", r.finished);
    WriteTime(w, "deletionRequested", r.deletion_requested);
    WriteTime(w, "deleted", r.deleted);
    w.KeyString("phase", PodPhaseName(r.phase));
    w.KeyString("node", r.node);
    w.KeyInt("exitCode", r.exit_code);
    w.Key("labels");
    w.BeginObject();
    for (const auto& [k, v] : r.labels) w.KeyString(k, v);
    w.EndObject();
    w.Key("requestsMilli");
    w.BeginObject();
    for (const auto& [k, v] : r.requests) w.KeyInt(k, v);
    w.EndObject();
    WriteTime(w, "unschedulable", r.unschedulable);
    w.KeyString("unschedulableMessage", r.unschedulable_message);
    WriteTime(w, "disrupted", r.disrupted);
    w.KeyString("reason", r.reason);
    w.EndObject();
  }
  w.EndArray();
  return out;
}

void PodHistory::Clear() {
  absl::MutexLock lock(&mu_);
  by_uid_.clear();
  records_.clear();
}

}  // namespace sluice::kubesim
