#ifndef SLUICE_TOOLS_KUBESIM_OBJECT_STORE_H_
#define SLUICE_TOOLS_KUBESIM_OBJECT_STORE_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/btree_map.h"
#include "absl/functional/function_ref.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "scheduler/common/clock.h"
#include "tools/kubesim/api_error.h"
#include "tools/kubesim/api_object.h"
#include "tools/kubesim/field_selector.h"
#include "tools/kubesim/label_selector.h"
#include "tools/kubesim/watch_hub.h"

namespace sluice::kubesim {

// What the store and the HTTP layer know about one served resource.
struct ResourceInfo {
  std::string name;       // "pods"
  std::string singular;   // "pod"
  std::string kind;       // "Pod"
  std::string list_kind;  // "PodList"
  bool namespaced = true;
  std::vector<std::string> short_names;   // discovery: "po"
  std::vector<std::string> verbs;         // discovery: "create", "get", ...
  std::vector<std::string> field_labels;  // supported by fieldSelector
};

// Refuses or amends creates before they are stored, like kube-apiserver's
// admission chain. A create runs: mutating admission (NamespaceLifecycle:
// 404/403), then the kind's validation (422), then validating admission
// (ResourceQuota: 403), then storage (409). Called outside the store lock,
// possibly from many threads at once; may call back into the store.
class AdmissionPlugin {
 public:
  virtual ~AdmissionPlugin() = default;
  // Mutating phase, before validation.
  virtual std::optional<ApiError> Admit(const ResourceInfo& resource, ApiObject& object) {
    (void)resource;
    (void)object;
    return std::nullopt;
  }
  // Validating phase, right before storage.
  virtual std::optional<ApiError> Validate(const ResourceInfo& resource, const ApiObject& object) {
    (void)resource;
    (void)object;
    return std::nullopt;
  }
  // The create this plugin's Validate admitted was not stored after all (a
  // later plugin refused it, or 409): release what Validate reserved for it.
  virtual void Unreserve(const ResourceInfo& resource, const ApiObject& object) {
    (void)resource;
    (void)object;
  }
};

// Sees every commit, in resourceVersion order, under the store lock. Must be
// quick and must not call into the store (queue work for later instead).
class StoreObserver {
 public:
  virtual ~StoreObserver() = default;
  virtual void OnCommit(const ResourceInfo& resource, const StoredEvent& event) = 0;
};

struct StoreOptions {
  size_t watch_history = 100000;                        // events kept per resource
  absl::Duration list_snapshot_ttl = absl::Minutes(5);  // continue tokens live this long
  size_t max_list_snapshots = 64;
};

struct ListOptions {
  std::string namespace_name;  // empty: all namespaces
  LabelSelector labels;
  FieldSelector fields;
  int64_t limit = 0;  // 0: no pagination
  std::string continue_token;
  std::string resource_version;        // "", "0" or a number
  std::string resource_version_match;  // "", "NotOlderThan", "Exact"
};

struct ListResult {
  uint64_t resource_version = 0;
  std::vector<std::shared_ptr<const ApiObject>> items;
  std::string continue_token;
  std::optional<int64_t> remaining_item_count;
};

// Where a new watch starts.
struct WatchStart {
  WatchHub* hub = nullptr;
  uint64_t seq = 0;  // hub cursor
  uint64_t rv = 0;   // RV the watch starts from
  // Synthetic ADDED events (resourceVersion unset or "0"), unfiltered.
  std::vector<std::shared_ptr<const ApiObject>> initial;
  // Non-empty: the Status of the single ERROR event to send (410 too old).
  std::string error_status;
};

// The simulated etcd plus watch cache: every object of every registered
// resource, one global resourceVersion counter, per-resource watch history,
// consistent paginated LISTs. Generic over kinds (pods, namespaces, nodes,
// later resourcequotas).
//
// Thread-safe. Writes are optimistic: objects are built and encoded outside
// the lock; the lock only stamps the RV, swaps a pointer, runs observers and
// appends to the watch history. Lock order: store -> watch hub -> observers'
// own locks.
class ObjectStore {
 public:
  ObjectStore(const Clock& clock, StoreOptions options);
  ~ObjectStore();
  ObjectStore(const ObjectStore&) = delete;
  ObjectStore& operator=(const ObjectStore&) = delete;

  // Set-up, before any concurrent use. Plugins and observers are not owned
  // and must outlive the store's use.
  void RegisterResource(ResourceInfo info);
  void AddAdmissionPlugin(AdmissionPlugin* plugin);
  void AddObserver(StoreObserver* observer);

  // nullptr when not registered.
  const ResourceInfo* FindResource(std::string_view resource) const;
  std::vector<const ResourceInfo*> resources() const;

  // The mutating admission phase of a create (call before validating).
  std::optional<ApiError> AdmitCreate(std::string_view resource, ApiObject& object);

  struct CreateOptions {
    // The name came from metadata.generateName: on a name clash, draw another
    // suffix (up to 8 tries) instead of answering 409.
    bool name_generated = false;
    // Skip the validating admission phase (objects the simulator makes itself).
    bool skip_admission = false;
  };
  // Runs validating admission, then stores `object` (ADDED). 409
  // AlreadyExists when the key exists (message prefixed `object is being
  // deleted: ` if it is terminating).
  ApiOr<std::shared_ptr<const ApiObject>> Create(std::string_view resource,
                                                 std::shared_ptr<ApiObject> object,
                                                 CreateOptions options);
  ApiOr<std::shared_ptr<const ApiObject>> Create(std::string_view resource,
                                                 std::shared_ptr<ApiObject> object) {
    return Create(resource, std::move(object), CreateOptions{});
  }

  // nullptr when absent.
  std::shared_ptr<const ApiObject> Find(std::string_view resource, std::string_view namespace_name,
                                        std::string_view name) const;
  // 404 NotFound when absent.
  ApiOr<std::shared_ptr<const ApiObject>> Get(std::string_view resource,
                                              std::string_view namespace_name,
                                              std::string_view name) const;

  // Returns the next version built from `current`, nullptr for "no change",
  // or an error to answer. May run more than once (optimistic concurrency).
  using Mutator = absl::FunctionRef<ApiOr<std::shared_ptr<ApiObject>>(const ApiObject& current)>;
  // Read-modify-write (MODIFIED). Returns the stored version.
  ApiOr<std::shared_ptr<const ApiObject>> Update(std::string_view resource,
                                                 std::string_view namespace_name,
                                                 std::string_view name, Mutator mutate);

  // Removes the object (DELETED). `uid_precondition`: refuse with 409
  // Conflict unless the stored object has this uid. Returns the removed
  // version stamped with the deletion's RV.
  ApiOr<std::shared_ptr<const ApiObject>> Delete(
      std::string_view resource, std::string_view namespace_name, std::string_view name,
      std::optional<std::string_view> uid_precondition = std::nullopt);

  // LIST with selectors, pagination and resourceVersion semantics:
  // - resourceVersion unset: the latest state; with `limit`, pages share one
  //   RV (a snapshot held for list_snapshot_ttl; a token past it answers 410
  //   with an inconsistent-continue token, as etcd after a compaction);
  // - "0": the latest state, `limit` ignored (the watch-cache path);
  // - N with Exact (or with a limit): the state at N, which is only known
  //   while it is the latest one, else 410; N newer than the latest: 504.
  ApiOr<ListResult> List(std::string_view resource, const ListOptions& options);

  // Starts a watch on `resource` in `namespace_name` (empty: all).
  // `from_rv` nullopt ("" or "0"): synthetic ADDED for the current state, then
  // changes. Otherwise changes after from_rv, or error_status when too old.
  ApiOr<WatchStart> StartWatch(std::string_view resource, std::string_view namespace_name,
                               std::optional<uint64_t> from_rv);

  // The RV a BOOKMARK may carry for a watcher whose cursor is `seq`: the
  // global RV if the watcher has seen every event of its resource (no event
  // with a smaller RV can still arrive), else 0.
  uint64_t BookmarkRv(const WatchHub& hub, uint64_t seq) const;

  uint64_t current_resource_version() const;
  // Every object of `resource` (all namespaces), in key order.
  std::vector<std::shared_ptr<const ApiObject>> Snapshot(std::string_view resource) const;
  // Like an etcd compaction: drops all watch history and LIST snapshots, so
  // older watches and continue tokens answer 410 Expired.
  void Compact();
  // Ends every watch (shutdown).
  void CloseWatches();

  const Clock& clock() const { return clock_; }

 private:
  struct Table;
  struct ListSnapshot {
    const Table* table;
    std::string range_begin;
    std::string covered_from;  // the first continue key the snapshot can serve
    uint64_t rv;
    MonoTime created;
    std::vector<std::shared_ptr<const ApiObject>> items;  // the rest of the range, in key order
  };

  Table* FindTable(std::string_view resource) const;
  static std::string MakeKey(const Table& table, std::string_view namespace_name,
                             std::string_view name);
  void CommitLocked(Table& table, StoredEvent event) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Serves one page of `items` starting at `start_key`.
  ListResult PageFrom(const ListSnapshot& snap, std::string_view start_key,
                      const ListOptions& options) const;
  std::shared_ptr<const ListSnapshot> FindSnapshot(const Table* table, std::string_view range_begin,
                                                   uint64_t rv, std::string_view start_key);
  void AddSnapshot(std::shared_ptr<const ListSnapshot> snap);

  const Clock& clock_;
  const StoreOptions options_;
  std::vector<std::unique_ptr<Table>> tables_;  // fixed after set-up
  std::vector<AdmissionPlugin*> admission_;     // fixed after set-up
  std::vector<StoreObserver*> observers_;       // fixed after set-up

  mutable absl::Mutex mu_;
  uint64_t rv_ ABSL_GUARDED_BY(mu_) = 1;

  absl::Mutex snapshots_mu_ ABSL_ACQUIRED_AFTER(mu_);
  std::deque<std::shared_ptr<const ListSnapshot>> snapshots_ ABSL_GUARDED_BY(snapshots_mu_);
};

}  // namespace sluice::kubesim

#endif  // SLUICE_TOOLS_KUBESIM_OBJECT_STORE_H_
