#ifndef SLUICE_TOOLS_KUBESIM_WATCH_STREAM_H_
#define SLUICE_TOOLS_KUBESIM_WATCH_STREAM_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "scheduler/common/clock.h"
#include "tools/kubesim/field_selector.h"
#include "tools/kubesim/label_selector.h"
#include "tools/kubesim/object_store.h"

namespace sluice::kubesim {

struct WatchOptions {
  std::string resource;        // registered resource name ("pods")
  std::string namespace_name;  // empty: all namespaces
  LabelSelector labels;
  FieldSelector fields;
  // nullopt: resourceVersion "" or "0" (synthetic ADDED for the current
  // state first); else the RV to resume after.
  std::optional<uint64_t> from_rv;
  bool allow_bookmarks = false;
  // sendInitialEvents=true: after the synthetic ADDEDs, a BOOKMARK annotated
  // k8s.io/initial-events-end: "true".
  bool send_initial_events = false;
  // The watch ends (clean close) after this long; a bookmark is sent 2 s before.
  absl::Duration timeout = absl::Minutes(30);
  absl::Duration bookmark_interval = absl::Minutes(1);
  // Event objects as meta.k8s.io/v1 Tables of one row (kubectl get -w).
  bool as_table = false;
};

// The byte stream of one watch, independent of HTTP: newline-terminated JSON
// events `{"type":"ADDED","object":{...}}` filtered by namespace and
// selectors (an object that stops matching arrives as DELETED, one that
// starts matching as ADDED), BOOKMARKs roughly every bookmark_interval and
// before the deadline, and for a too-old resourceVersion a single ERROR event
// (410 Expired Status) after which the stream ends.
//
// Timing decisions read the Clock (tests use SimulatedClock and
// max_wait = 0); only the wait for new events uses real time. One thread
// uses a WatchStream at a time.
class WatchStream {
 public:
  WatchStream(ObjectStore* store, const Clock& clock, WatchOptions options);

  // Registers the watch; an error (unknown resource) is answered as a plain
  // HTTP error instead of a stream.
  std::optional<ApiError> Start();

  // Appends the next events to `out`, waiting up to `max_wait` when there is
  // nothing to send. Returns false when the stream is over (its last bytes,
  // if any, appended).
  bool Next(std::string* out, absl::Duration max_wait);

  int64_t events_sent() const { return events_sent_; }

 private:
  bool Matches(const ApiObject& object) const;
  void AppendEvent(std::string* out, std::string_view type, const ApiObject& object);
  void AppendBookmark(std::string* out, uint64_t rv, bool initial_events_end);
  void AppendFiltered(std::string* out, const StoredEvent& event);

  ObjectStore* const store_;
  const Clock& clock_;
  const WatchOptions options_;
  const ResourceInfo* resource_ = nullptr;
  WatchStart start_;
  uint64_t seq_ = 0;
  uint64_t last_rv_ = 0;
  MonoTime deadline_;
  MonoTime next_bookmark_;
  size_t initial_next_ = 0;  // next of start_.initial to send
  bool initial_sent_ = false;
  bool pre_deadline_bookmark_sent_ = false;
  bool done_ = false;
  int64_t events_sent_ = 0;
  bool table_columns_sent_ = false;
  std::vector<StoredEvent> batch_;
};

}  // namespace sluice::kubesim

#endif  // SLUICE_TOOLS_KUBESIM_WATCH_STREAM_H_
