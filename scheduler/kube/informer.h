#ifndef SLUICE_SCHEDULER_KUBE_INFORMER_H_
#define SLUICE_SCHEDULER_KUBE_INFORMER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "scheduler/kube/api_path.h"
#include "scheduler/kube/backoff.h"
#include "scheduler/kube/kube_client.h"
#include "scheduler/kube/kube_objects.h"

namespace sluice::kube {

struct InformerOptions {
  ResourceRef resource;  // e.g. ResourceRef::Pods() for all namespaces
  std::string label_selector;
  std::string field_selector;
  int64_t page_size = 500;
  // Each watch asks the server to end it after a random time in [T, 2T]
  // (spreads reconnects, as client-go does).
  absl::Duration watch_timeout = absl::Minutes(5);
  BackoffPolicy backoff;
};

// Counters for metrics and tests. Read from any thread.
struct InformerStats {
  int64_t lists = 0;  // complete LISTs (the first and every relist)
  int64_t list_pages = 0;
  int64_t page_retries = 0;  // failed pages asked for again with their continue token
  int64_t watches = 0;       // watch requests started
  int64_t events = 0;        // ADDED/MODIFIED/DELETED delivered
  int64_t bookmarks = 0;
  int64_t expired = 0;  // 410s (too old resourceVersion or continue token)
  int64_t errors = 0;   // failed requests and bad events, retried after a backoff
  std::string resource_version;
};

// LIST then WATCH of one kind of object, kept going forever: paginated lists
// (with the continue token; a page that fails is asked for again with the
// same token after a backoff, and an expired token restarts the list), watches
// from the last resourceVersion seen (bookmarks included), a relist when the
// server says that version is too old (HTTP 410, or an ERROR event with code
// 410 inside a 200 answer), and capped exponential backoff with jitter after
// consecutive failures (a page read or a watch that delivered events starts it
// over).
//
// Subclasses parse one kind of object and deliver it. Every callback runs on
// the client's I/O thread.
//
// Lifecycle: Start once; Stop from any thread. Stop before destroying the
// client, destroy the informer after it (the client completes outstanding
// requests when destroyed, and their callbacks still reach the informer).
class InformerCore {
 public:
  InformerCore(KubeClient* client, InformerOptions options);
  virtual ~InformerCore();
  InformerCore(const InformerCore&) = delete;
  InformerCore& operator=(const InformerCore&) = delete;

  void Start();
  void Stop();
  InformerStats stats() const;

 protected:
  // A LIST page: parse its items (keep them until OnListComplete) and meta.
  virtual absl::Status OnListPage(absl::string_view body, ListMeta* meta) = 0;
  // The last page arrived: deliver everything listed.
  virtual void OnListComplete() = 0;
  // The list restarts: forget the pages so far.
  virtual void OnListRestart() = 0;
  // One watch event: parse and deliver it; set *type, *resource_version (for
  // every type but errors) and *error (for errors).
  virtual absl::Status OnWatchObject(absl::string_view object, WatchEventType* type,
                                     std::string* resource_version, WatchError* error) = 0;

  KubeObjectParser& parser() { return parser_; }

 private:
  void ListPage(const std::string& continue_token);
  void StartWatch();
  void OnWatchEnded(ApiResult result);
  void Relist();
  void RetryLater(absl::AnyInvocable<void()> task);
  bool stopped() const { return stopped_.load(std::memory_order_acquire); }
  void Count(int64_t InformerStats::*field);
  void SetResourceVersion(const std::string& rv);

  KubeClient* const client_;
  const InformerOptions options_;
  std::atomic<bool> stopped_{false};
  // I/O thread only.
  KubeObjectParser parser_;
  Backoff backoff_;
  std::string resource_version_;
  bool watch_expired_ = false;    // the current watch saw an ERROR 410
  bool watch_failed_ = false;     // the current watch saw a bad event or another ERROR
  bool watch_delivered_ = false;  // the current watch delivered an event or a bookmark
  std::atomic<RequestId> watch_id_{0};

  mutable absl::Mutex stats_mu_;
  InformerStats stats_ ABSL_GUARDED_BY(stats_mu_);
};

// Pods: `on_sync` gets every pod after each (re)list, `on_event` each change.
class PodInformer final : public InformerCore {
 public:
  struct Callbacks {
    absl::AnyInvocable<void(std::vector<PodInfo> pods)> on_sync;
    absl::AnyInvocable<void(WatchEventType type, PodInfo pod)> on_event;
  };
  PodInformer(KubeClient* client, InformerOptions options, Callbacks callbacks)
      : InformerCore(client, std::move(options)), callbacks_(std::move(callbacks)) {}

 private:
  absl::Status OnListPage(absl::string_view body, ListMeta* meta) override;
  void OnListComplete() override;
  void OnListRestart() override { listed_.clear(); }
  absl::Status OnWatchObject(absl::string_view object, WatchEventType* type,
                             std::string* resource_version, WatchError* error) override;

  Callbacks callbacks_;
  std::vector<PodInfo> listed_;
};

// ResourceQuotas, likewise.
class QuotaInformer final : public InformerCore {
 public:
  struct Callbacks {
    absl::AnyInvocable<void(std::vector<QuotaInfo> quotas)> on_sync;
    absl::AnyInvocable<void(WatchEventType type, QuotaInfo quota)> on_event;
  };
  QuotaInformer(KubeClient* client, InformerOptions options, Callbacks callbacks)
      : InformerCore(client, std::move(options)), callbacks_(std::move(callbacks)) {}

 private:
  absl::Status OnListPage(absl::string_view body, ListMeta* meta) override;
  void OnListComplete() override;
  void OnListRestart() override { listed_.clear(); }
  absl::Status OnWatchObject(absl::string_view object, WatchEventType* type,
                             std::string* resource_version, WatchError* error) override;

  Callbacks callbacks_;
  std::vector<QuotaInfo> listed_;
};

}  // namespace sluice::kube

#endif  // SLUICE_SCHEDULER_KUBE_INFORMER_H_
