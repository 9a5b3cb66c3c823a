#include "tools/kubesim/watch_stream.h"

#include <algorithm>
#include <charconv>

#include "tools/kubesim/json_writer.h"
#include "tools/kubesim/table.h"

namespace sluice::kubesim {
namespace {

constexpr size_t kMaxBatch = 512;
constexpr absl::Duration kPreDeadlineBookmark = absl::Seconds(2);

}  // namespace

WatchStream::WatchStream(ObjectStore* store, const Clock& clock, WatchOptions options)
    : store_(store), clock_(clock), options_(std::move(options)) {}

std::optional<ApiError> WatchStream::Start() {
  resource_ = store_->FindResource(options_.resource);
  if (resource_ == nullptr) return NoSuchResource();
  ApiOr<WatchStart> start =
      store_->StartWatch(options_.resource, options_.namespace_name, options_.from_rv);
  if (!start.ok()) return start.error();
  start_ = std::move(start.value());
  seq_ = start_.seq;
  last_rv_ = start_.rv;
  const MonoTime now = clock_.MonoNow();
  deadline_ = now + options_.timeout;
  next_bookmark_ = now + options_.bookmark_interval;
  // Like the watch cache: no pre-deadline bookmark when that point has passed.
  pre_deadline_bookmark_sent_ = deadline_ - kPreDeadlineBookmark <= now;
  return std::nullopt;
}

bool WatchStream::Matches(const ApiObject& object) const {
  if (resource_->namespaced && !options_.namespace_name.empty() &&
      object.meta().namespace_name != options_.namespace_name) {
    return false;
  }
  if (!options_.labels.Matches(object.meta().labels)) return false;
  return options_.fields.Matches([&](std::string_view f) { return object.FieldValue(f); });
}

void WatchStream::AppendEvent(std::string* out, std::string_view type, const ApiObject& object) {
  out->append("{\"type\":\"");
  out->append(type);
  out->append("\",\"object\":");
  if (options_.as_table) {
    std::shared_ptr<const ApiObject> row(std::shared_ptr<const ApiObject>(), &object);  // unowned
    out->append(TableJson(*resource_, {row}, object.resource_version(), "", clock_.WallNow(),
                          !table_columns_sent_));
    table_columns_sent_ = true;
  } else {
    object.AppendJson(out);
  }
  out->append("}\n");
  ++events_sent_;
}

void WatchStream::AppendBookmark(std::string* out, uint64_t rv, bool initial_events_end) {
  std::string json;
  JsonWriter w(&json);
  w.BeginObject();
  w.KeyString("type", "BOOKMARK");
  w.Key("object");
  w.BeginObject();
  w.KeyString("kind", resource_->kind);
  w.KeyString("apiVersion", "v1");
  w.Key("metadata");
  w.BeginObject();
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof(buf), rv);
  w.KeyString("resourceVersion", std::string_view(buf, static_cast<size_t>(res.ptr - buf)));
  if (initial_events_end) {
    w.Key("annotations");
    w.BeginObject();
    w.KeyString("k8s.io/initial-events-end", "true");
    w.EndObject();
  }
  w.EndObject();
  w.EndObject();
  w.EndObject();
  out->append(json);
  out->push_back('\n');
  ++events_sent_;
}

void WatchStream::AppendFiltered(std::string* out, const StoredEvent& event) {
  last_rv_ = event.rv;
  const bool now_matches = Matches(*event.object);
  switch (event.type) {
    case EventType::kAdded:
      if (now_matches) AppendEvent(out, "ADDED", *event.object);
      break;
    case EventType::kDeleted:
      if (now_matches) AppendEvent(out, "DELETED", *event.object);
      break;
    case EventType::kModified: {
      const bool matched = event.prev != nullptr && Matches(*event.prev);
      if (now_matches && matched) {
        AppendEvent(out, "MODIFIED", *event.object);
      } else if (now_matches) {
        AppendEvent(out, "ADDED", *event.object);
      } else if (matched) {
        AppendEvent(out, "DELETED", *event.object);
      }
      break;
    }
  }
}

bool WatchStream::Next(std::string* out, absl::Duration max_wait) {
  if (done_) return false;
  if (!initial_sent_) {
    if (!start_.error_status.empty()) {
      out->append("{\"type\":\"ERROR\",\"object\":");
      out->append(start_.error_status);
      out->append("}\n");
      ++events_sent_;
      done_ = true;
      return false;
    }
    // The synthetic ADDED events, a bounded number per call so that a large
    // initial state streams out instead of piling up in one buffer.
    const size_t end = std::min(start_.initial.size(), initial_next_ + kMaxBatch);
    for (; initial_next_ < end; ++initial_next_) {
      const ApiObject& obj = *start_.initial[initial_next_];
      if (Matches(obj)) AppendEvent(out, "ADDED", obj);
    }
    if (initial_next_ < start_.initial.size()) return true;
    initial_sent_ = true;
    start_.initial.clear();
    if (options_.send_initial_events && options_.allow_bookmarks) {
      AppendBookmark(out, last_rv_, /*initial_events_end=*/true);
    }
    if (!out->empty()) return true;
  }

  MonoTime now = clock_.MonoNow();
  if (now >= deadline_) {
    done_ = true;
    return false;
  }
  // Wait no longer than the next bookmark or the deadline.
  if (options_.allow_bookmarks) {
    const MonoTime bookmark_at = pre_deadline_bookmark_sent_
                                     ? next_bookmark_
                                     : std::min(next_bookmark_, deadline_ - kPreDeadlineBookmark);
    max_wait = std::min(max_wait, bookmark_at - now);
  }
  max_wait = std::min(max_wait, deadline_ - now);
  batch_.clear();
  WatchHub::ReadStatus status =
      start_.hub->Read(&seq_, kMaxBatch, std::max(max_wait, absl::ZeroDuration()), &batch_);
  if (status != WatchHub::ReadStatus::kOk) {
    done_ = true;  // server shutting down, or this watcher fell out of the history
    return false;
  }
  for (const StoredEvent& e : batch_) AppendFiltered(out, e);
  batch_.clear();

  if (options_.allow_bookmarks) {
    now = clock_.MonoNow();
    const bool pre_deadline =
        !pre_deadline_bookmark_sent_ && now >= deadline_ - kPreDeadlineBookmark;
    if (pre_deadline || now >= next_bookmark_) {
      const uint64_t rv = store_->BookmarkRv(*start_.hub, seq_);
      AppendBookmark(out, std::max(rv, last_rv_), false);
      if (pre_deadline) pre_deadline_bookmark_sent_ = true;
      next_bookmark_ = now + options_.bookmark_interval;
    }
  }
  if (clock_.MonoNow() >= deadline_) {
    done_ = true;
    return false;
  }
  return true;
}

}  // namespace sluice::kubesim
