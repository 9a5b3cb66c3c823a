#include "tools/kubesim/object_store.h"

#include <algorithm>
#include <utility>

#include "absl/strings/numbers.h"
#include "tools/kubesim/continue_token.h"
#include "tools/kubesim/ids.h"
#include "tools/kubesim/strings.h"

namespace sluice::kubesim {

// One resource's objects (guarded by ObjectStore::mu_) and watch history.
struct ObjectStore::Table {
  Table(ResourceInfo i, size_t history, uint64_t start_rv)
      : info(std::move(i)), hub(history, start_rv) {}
  const ResourceInfo info;
  absl::btree_map<std::string, std::shared_ptr<const ApiObject>> objects;
  WatchHub hub;
};

namespace {

bool MatchesList(const ApiObject& o, const ListOptions& opt) {
  if (!opt.labels.Matches(o.meta().labels)) return false;
  return opt.fields.Matches([&](std::string_view f) { return o.FieldValue(f); });
}

// [begin, end) of the keys of one namespace; the whole table when empty.
std::pair<std::string, std::string> NamespaceRange(bool namespaced, std::string_view ns) {
  if (!namespaced || ns.empty()) return {"", ""};
  // '0' sorts right after '/'.
  return {Cat(ns, "/"), Cat(ns, "0")};
}

}  // namespace

ObjectStore::ObjectStore(const Clock& clock, StoreOptions options)
    : clock_(clock), options_(options) {}

ObjectStore::~ObjectStore() = default;

void ObjectStore::RegisterResource(ResourceInfo info) {
  uint64_t rv;
  {
    absl::MutexLock lock(&mu_);
    rv = rv_;
  }
  tables_.push_back(std::make_unique<Table>(std::move(info), options_.watch_history, rv));
}

void ObjectStore::AddAdmissionPlugin(AdmissionPlugin* plugin) { admission_.push_back(plugin); }

void ObjectStore::AddObserver(StoreObserver* observer) { observers_.push_back(observer); }

ObjectStore::Table* ObjectStore::FindTable(std::string_view resource) const {
  for (const auto& t : tables_) {
    if (t->info.name == resource) return t.get();
  }
  return nullptr;
}

const ResourceInfo* ObjectStore::FindResource(std::string_view resource) const {
  Table* t = FindTable(resource);
  return t == nullptr ? nullptr : &t->info;
}

std::vector<const ResourceInfo*> ObjectStore::resources() const {
  std::vector<const ResourceInfo*> out;
  for (const auto& t : tables_) out.push_back(&t->info);
  return out;
}

std::string ObjectStore::MakeKey(const Table& table, std::string_view namespace_name,
                                 std::string_view name) {
  if (!table.info.namespaced) return std::string(name);
  return Cat(namespace_name, "/", name);
}

void ObjectStore::CommitLocked(Table& table, StoredEvent event) {
  for (StoreObserver* o : observers_) o->OnCommit(table.info, event);
  table.hub.Publish(std::move(event));
}

std::optional<ApiError> ObjectStore::AdmitCreate(std::string_view resource, ApiObject& object) {
  Table* table = FindTable(resource);
  if (table == nullptr) return NoSuchResource();
  for (AdmissionPlugin* plugin : admission_) {
    if (std::optional<ApiError> err = plugin->Admit(table->info, object)) return err;
  }
  return std::nullopt;
}

ApiOr<std::shared_ptr<const ApiObject>> ObjectStore::Create(std::string_view resource,
                                                            std::shared_ptr<ApiObject> object,
                                                            CreateOptions options) {
  Table* table = FindTable(resource);
  if (table == nullptr) return NoSuchResource();
  size_t validated = 0;  // plugins whose Validate admitted the object
  auto unreserve = [&] {
    for (size_t i = 0; i < validated; ++i) admission_[i]->Unreserve(table->info, *object);
  };
  if (!options.skip_admission) {
    for (AdmissionPlugin* plugin : admission_) {
      if (std::optional<ApiError> err = plugin->Validate(table->info, *object)) {
        unreserve();
        return *err;
      }
      ++validated;
    }
  }
  for (int attempt = 0;; ++attempt) {
    object->Encode();
    absl::ReleasableMutexLock lock(&mu_);
    auto [it, inserted] = table->objects.try_emplace(object->key(), nullptr);
    if (!inserted) {
      if (options.name_generated && attempt < 7) {
        ObjectMeta& meta = object->mutable_meta();
        meta.name = Cat(meta.generate_name, RandomNameSuffix());
        continue;
      }
      ApiError exists = AlreadyExists(table->info.name, object->meta().name,
                                      it->second->meta().deletion_timestamp.has_value());
      lock.Release();
      unreserve();
      return exists;
    }
    const uint64_t rv = ++rv_;
    object->set_resource_version(rv);
    std::shared_ptr<const ApiObject> stored = std::move(object);
    it->second = stored;
    CommitLocked(*table, StoredEvent{EventType::kAdded, rv, stored, nullptr});
    return stored;
  }
}

std::shared_ptr<const ApiObject> ObjectStore::Find(std::string_view resource,
                                                   std::string_view namespace_name,
                                                   std::string_view name) const {
  Table* table = FindTable(resource);
  if (table == nullptr) return nullptr;
  const std::string key = MakeKey(*table, namespace_name, name);
  absl::ReaderMutexLock lock(&mu_);
  auto it = table->objects.find(key);
  return it == table->objects.end() ? nullptr : it->second;
}

ApiOr<std::shared_ptr<const ApiObject>> ObjectStore::Get(std::string_view resource,
                                                         std::string_view namespace_name,
                                                         std::string_view name) const {
  Table* table = FindTable(resource);
  if (table == nullptr) return NoSuchResource();
  std::shared_ptr<const ApiObject> obj = Find(resource, namespace_name, name);
  if (obj == nullptr) return NotFound(table->info.name, name);
  return obj;
}

ApiOr<std::shared_ptr<const ApiObject>> ObjectStore::Update(std::string_view resource,
                                                            std::string_view namespace_name,
                                                            std::string_view name, Mutator mutate) {
  Table* table = FindTable(resource);
  if (table == nullptr) return NoSuchResource();
  const std::string key = MakeKey(*table, namespace_name, name);
  while (true) {
    std::shared_ptr<const ApiObject> current = Find(resource, namespace_name, name);
    if (current == nullptr) return NotFound(table->info.name, name);
    ApiOr<std::shared_ptr<ApiObject>> next = mutate(*current);
    if (!next.ok()) return next.error();
    if (next.value() == nullptr) return current;
    std::shared_ptr<ApiObject> object = std::move(next.value());
    object->Encode();
    absl::MutexLock lock(&mu_);
    auto it = table->objects.find(key);
    if (it == table->objects.end()) return NotFound(table->info.name, name);
    if (it->second != current) continue;  // lost a race: rebuild from the new version
    const uint64_t rv = ++rv_;
    object->set_resource_version(rv);
    std::shared_ptr<const ApiObject> stored = std::move(object);
    it->second = stored;
    CommitLocked(*table, StoredEvent{EventType::kModified, rv, stored, std::move(current)});
    return stored;
  }
}

ApiOr<std::shared_ptr<const ApiObject>> ObjectStore::Delete(
    std::string_view resource, std::string_view namespace_name, std::string_view name,
    std::optional<std::string_view> uid_precondition) {
  Table* table = FindTable(resource);
  if (table == nullptr) return NoSuchResource();
  const std::string key = MakeKey(*table, namespace_name, name);
  absl::MutexLock lock(&mu_);
  auto it = table->objects.find(key);
  if (it == table->objects.end()) return NotFound(table->info.name, name);
  std::shared_ptr<const ApiObject> current = it->second;
  if (uid_precondition.has_value() && *uid_precondition != current->meta().uid) {
    return Conflict(
        table->info.name, name,
        Cat("StorageError: invalid object, Code: 4, Key: /registry/", table->info.name, "/", key,
            ", ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: "
            "UID in precondition: ",
            *uid_precondition, ", UID in object meta: ", current->meta().uid));
  }
  const uint64_t rv = ++rv_;
  std::shared_ptr<ApiObject> gone = current->Clone();  // keeps the encoding
  gone->set_resource_version(rv);
  std::shared_ptr<const ApiObject> stored = std::move(gone);
  table->objects.erase(it);
  CommitLocked(*table, StoredEvent{EventType::kDeleted, rv, stored, std::move(current)});
  return stored;
}

ListResult ObjectStore::PageFrom(const ListSnapshot& snap, std::string_view start_key,
                                 const ListOptions& options) const {
  ListResult result;
  result.resource_version = snap.rv;
  auto it = std::lower_bound(
      snap.items.begin(), snap.items.end(), start_key,
      [](const std::shared_ptr<const ApiObject>& o, std::string_view k) { return o->key() < k; });
  const size_t limit = static_cast<size_t>(options.limit);
  for (; it != snap.items.end(); ++it) {
    if (result.items.size() == limit) break;
    if (MatchesList(**it, options)) result.items.push_back(*it);
  }
  if (it != snap.items.end()) {
    result.continue_token = EncodeContinueToken(
        {static_cast<int64_t>(snap.rv), Cat(result.items.back()->key(), std::string(1, '\0'))});
    if (options.labels.empty() && options.fields.empty()) {
      result.remaining_item_count = static_cast<int64_t>(snap.items.end() - it);
    }
  }
  return result;
}

std::shared_ptr<const ObjectStore::ListSnapshot> ObjectStore::FindSnapshot(
    const Table* table, std::string_view range_begin, uint64_t rv, std::string_view start_key) {
  const MonoTime now = clock_.MonoNow();
  absl::MutexLock lock(&snapshots_mu_);
  for (const auto& snap : snapshots_) {
    if (snap->table != table || snap->rv != rv || snap->range_begin != range_begin) continue;
    if (now - snap->created > options_.list_snapshot_ttl) continue;
    if (start_key < snap->covered_from) continue;
    return snap;
  }
  return nullptr;
}

void ObjectStore::AddSnapshot(std::shared_ptr<const ListSnapshot> snap) {
  const MonoTime now = clock_.MonoNow();
  absl::MutexLock lock(&snapshots_mu_);
  snapshots_.erase(
      std::remove_if(snapshots_.begin(), snapshots_.end(),
                     [&](const auto& s) { return now - s->created > options_.list_snapshot_ttl; }),
      snapshots_.end());
  snapshots_.push_back(std::move(snap));
  while (snapshots_.size() > options_.max_list_snapshots) snapshots_.pop_front();
}

ApiOr<ListResult> ObjectStore::List(std::string_view resource, const ListOptions& options) {
  Table* table = FindTable(resource);
  if (table == nullptr) return NoSuchResource();
  auto [range_begin, range_end] = NamespaceRange(table->info.namespaced, options.namespace_name);

  // A bool and a value rather than std::optional: GCC 12 at -O1 with the
  // sanitizers takes the optional's value for uninitialized (a false
  // -Wmaybe-uninitialized).
  bool has_rv = false;
  uint64_t rv_value = 0;
  if (!options.resource_version.empty()) {
    if (!absl::SimpleAtoi(options.resource_version, &rv_value)) {
      return BadRequest(Cat("Invalid value: \"", options.resource_version,
                            "\": resourceVersion must be an integer"));
    }
    has_rv = true;
  }
  const std::string& match = options.resource_version_match;
  if (!match.empty() && match != "NotOlderThan" && match != "Exact") {
    return BadRequest(Cat("resourceVersionMatch: Unsupported value: \"", match, "\""));
  }
  if (!match.empty() && !has_rv) {
    return BadRequest("resourceVersionMatch is forbidden unless resourceVersion is provided");
  }

  std::string start_key = range_begin;
  std::shared_ptr<const ListSnapshot> snap;
  if (!options.continue_token.empty()) {
    if (has_rv && rv_value != 0) {
      return BadRequest("specifying resource version is not allowed when using continue");
    }
    std::optional<ContinueToken> token = DecodeContinueToken(options.continue_token);
    if (!token.has_value() || (!range_begin.empty() && token->start_key < range_begin)) {
      return BadRequest("continue key is not valid: invalid continue token");
    }
    if (token->rv != -1) {
      snap = FindSnapshot(table, range_begin, static_cast<uint64_t>(token->rv), token->start_key);
      if (snap == nullptr) {
        return Expired(kInconsistentContinueMessage, EncodeContinueToken({-1, token->start_key}));
      }
      if (options.limit <= 0) {
        ListOptions unlimited = options;
        unlimited.limit = static_cast<int64_t>(snap->items.size()) + 1;
        return PageFrom(*snap, token->start_key, unlimited);
      }
      return PageFrom(*snap, token->start_key, options);
    }
    start_key = token->start_key;  // rv -1: continue at the latest state
    has_rv = false;
    rv_value = 0;
  }

  // Legacy rule: a non-zero resourceVersion with a limit is an exact read.
  const uint64_t wanted_rv = rv_value;
  const bool exact =
      has_rv && (match == "Exact" || (match.empty() && wanted_rv != 0 && options.limit > 0));
  if (exact && wanted_rv == 0) {
    return BadRequest("resourceVersionMatch \"Exact\" is forbidden for resourceVersion \"0\"");
  }
  const bool from_cache = has_rv && !exact;
  const size_t limit = (from_cache || options.limit <= 0) ? 0 : static_cast<size_t>(options.limit);

  ListResult result;
  auto remainder = std::make_shared<ListSnapshot>();
  {
    absl::ReaderMutexLock lock(&mu_);
    result.resource_version = rv_;
    if (has_rv && wanted_rv > rv_) return TooLargeResourceVersion(wanted_rv, rv_);
    if (exact && wanted_rv != rv_) return Expired(kExpiredListMessage);
    auto it = table->objects.lower_bound(start_key);
    for (; it != table->objects.end() && (range_end.empty() || it->first < range_end); ++it) {
      if (limit > 0 && result.items.size() == limit) break;
      if (MatchesList(*it->second, options)) result.items.push_back(it->second);
    }
    for (; it != table->objects.end() && (range_end.empty() || it->first < range_end); ++it) {
      remainder->items.push_back(it->second);
    }
  }
  if (!remainder->items.empty()) {
    result.continue_token =
        EncodeContinueToken({static_cast<int64_t>(result.resource_version),
                             Cat(result.items.back()->key(), std::string(1, '\0'))});
    if (options.labels.empty() && options.fields.empty()) {
      result.remaining_item_count = static_cast<int64_t>(remainder->items.size());
    }
    remainder->table = table;
    remainder->range_begin = range_begin;
    remainder->covered_from = Cat(result.items.back()->key(), std::string(1, '\0'));
    remainder->rv = result.resource_version;
    remainder->created = clock_.MonoNow();
    AddSnapshot(std::move(remainder));
  }
  return result;
}

ApiOr<WatchStart> ObjectStore::StartWatch(std::string_view resource,
                                          std::string_view namespace_name,
                                          std::optional<uint64_t> from_rv) {
  Table* table = FindTable(resource);
  if (table == nullptr) return NoSuchResource();
  WatchStart start;
  start.hub = &table->hub;
  auto [range_begin, range_end] = NamespaceRange(table->info.namespaced, namespace_name);
  absl::ReaderMutexLock lock(&mu_);
  if (!from_rv.has_value()) {
    start.rv = rv_;
    start.seq = table->hub.end_seq();
    for (auto it = table->objects.lower_bound(range_begin);
         it != table->objects.end() && (range_end.empty() || it->first < range_end); ++it) {
      start.initial.push_back(it->second);
    }
    return start;
  }
  if (*from_rv > rv_) {
    start.error_status = TooLargeResourceVersion(*from_rv, rv_).body;
    return start;
  }
  std::optional<uint64_t> seq = table->hub.SeekAfter(*from_rv);
  if (!seq.has_value()) {
    start.error_status = TooOldResourceVersionStatus(*from_rv, table->hub.MinResumableRv());
    return start;
  }
  start.seq = *seq;
  start.rv = *from_rv;
  return start;
}

uint64_t ObjectStore::BookmarkRv(const WatchHub& hub, uint64_t seq) const {
  absl::ReaderMutexLock lock(&mu_);
  return hub.end_seq() == seq ? rv_ : 0;
}

uint64_t ObjectStore::current_resource_version() const {
  absl::ReaderMutexLock lock(&mu_);
  return rv_;
}

std::vector<std::shared_ptr<const ApiObject>> ObjectStore::Snapshot(
    std::string_view resource) const {
  std::vector<std::shared_ptr<const ApiObject>> out;
  Table* table = FindTable(resource);
  if (table == nullptr) return out;
  absl::ReaderMutexLock lock(&mu_);
  out.reserve(table->objects.size());
  for (const auto& [key, obj] : table->objects) out.push_back(obj);
  return out;
}

void ObjectStore::Compact() {
  {
    absl::MutexLock lock(&mu_);
    for (const auto& t : tables_) t->hub.Compact(rv_);
  }
  absl::MutexLock lock(&snapshots_mu_);
  snapshots_.clear();
}

void ObjectStore::CloseWatches() {
  for (const auto& t : tables_) t->hub.Close();
}

}  // namespace sluice::kubesim
