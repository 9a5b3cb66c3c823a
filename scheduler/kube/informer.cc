#include "scheduler/kube/informer.h"

#include <random>
#include <utility>

#include "absl/strings/str_cat.h"
#include "scheduler/common/log.h"

namespace sluice::kube {

InformerCore::InformerCore(KubeClient* client, InformerOptions options)
    : client_(client),
      options_(std::move(options)),
      backoff_(client->transport().clock(), options_.backoff) {}

InformerCore::~InformerCore() = default;

void InformerCore::Start() {
  client_->transport().Post([this] { Relist(); });
}

void InformerCore::Stop() {
  stopped_.store(true, std::memory_order_release);
  client_->Cancel(watch_id_.load());
}

InformerStats InformerCore::stats() const {
  absl::MutexLock lock(&stats_mu_);
  return stats_;
}

void InformerCore::Count(int64_t InformerStats::*field) {
  absl::MutexLock lock(&stats_mu_);
  ++(stats_.*field);
}

void InformerCore::SetResourceVersion(const std::string& rv) {
  if (rv.empty()) return;
  resource_version_ = rv;
  absl::MutexLock lock(&stats_mu_);
  stats_.resource_version = rv;
}

void InformerCore::RetryLater(absl::AnyInvocable<void()> task) {
  Count(&InformerStats::errors);
  client_->transport().RunAfter(backoff_.NextDelay(), [this, task = std::move(task)]() mutable {
    if (!stopped()) task();
  });
}

void InformerCore::Relist() {
  if (stopped()) return;
  OnListRestart();
  ListPage("");
}

void InformerCore::ListPage(const std::string& continue_token) {
  ListOptions list;
  list.label_selector = options_.label_selector;
  list.field_selector = options_.field_selector;
  list.limit = options_.page_size;
  list.continue_token = continue_token;
  client_->List(options_.resource, list, [this, continue_token](ApiResult result) {
    if (stopped()) return;
    if (result.code == ApiCode::kExpired) {
      // The continue token expired (the snapshot was compacted): start over.
      Count(&InformerStats::expired);
      Relist();
      return;
    }
    if (!result.ok()) {
      SLUICE_LOG_EVERY(absl::Seconds(10), kWarn, "informer list failed; retrying",
                       {"resource", options_.resource.resource}, {"error", result.Summary()});
      // The pages already read stay valid while their snapshot lasts: ask
      // again for the page that failed, not for the whole list (with 100
      // pages and a few percent of failed requests, a list started over on
      // every failure would rarely finish). If the snapshot is gone by then,
      // the answer is 410 and the list starts over above.
      RetryLater([this, continue_token] {
        if (continue_token.empty()) {
          Relist();
        } else {
          Count(&InformerStats::page_retries);
          ListPage(continue_token);
        }
      });
      return;
    }
    ListMeta meta;
    if (absl::Status s = OnListPage(result.body, &meta); !s.ok()) {
      SLUICE_LOG_EVERY(absl::Seconds(10), kWarn, "informer list unreadable; retrying",
                       {"resource", options_.resource.resource},
                       {"error", std::string(s.message())});
      RetryLater([this] { Relist(); });
      return;
    }
    Count(&InformerStats::list_pages);
    // The server answers again: the next failure starts the backoff over
    // (it counts consecutive failures, not those of the whole list).
    backoff_.Reset();
    if (!meta.continue_token.empty()) {
      ListPage(meta.continue_token);
      return;
    }
    SetResourceVersion(meta.resource_version);
    Count(&InformerStats::lists);
    OnListComplete();
    backoff_.Reset();
    StartWatch();
  });
}

void InformerCore::StartWatch() {
  if (stopped()) return;
  WatchOptions watch;
  watch.label_selector = options_.label_selector;
  watch.field_selector = options_.field_selector;
  watch.resource_version = resource_version_;
  watch.allow_bookmarks = true;
  // A random time in [T, 2T].
  static thread_local std::mt19937_64 random(std::random_device{}());
  const int64_t base = std::max<int64_t>(1, absl::ToInt64Seconds(options_.watch_timeout));
  watch.timeout_seconds = base + static_cast<int64_t>(random() % static_cast<uint64_t>(base + 1));
  watch_expired_ = false;
  watch_failed_ = false;
  watch_delivered_ = false;
  Count(&InformerStats::watches);
  const RequestId id = client_->Watch(
      options_.resource, watch,
      [this](absl::string_view object) {
        if (stopped() || watch_expired_ || watch_failed_) return;
        WatchEventType type;
        std::string rv;
        WatchError error;
        absl::Status s = OnWatchObject(object, &type, &rv, &error);
        if (!s.ok()) {
          SLUICE_LOG_EVERY(absl::Seconds(10), kWarn, "informer watch event unreadable",
                           {"resource", options_.resource.resource},
                           {"error", std::string(s.message())});
          watch_failed_ = true;
          client_->Cancel(watch_id_.load());
          return;
        }
        if (type == WatchEventType::kError) {
          if (error.code == 410) {
            watch_expired_ = true;
            Count(&InformerStats::expired);
          } else {
            SLUICE_LOG_EVERY(absl::Seconds(10), kWarn, "informer watch error event",
                             {"resource", options_.resource.resource}, {"code", error.code},
                             {"message", error.message});
            watch_failed_ = true;
          }
          client_->Cancel(watch_id_.load());
          return;
        }
        SetResourceVersion(rv);
        watch_delivered_ = true;
        Count(type == WatchEventType::kBookmark ? &InformerStats::bookmarks
                                                : &InformerStats::events);
      },
      [this](ApiResult result) { OnWatchEnded(std::move(result)); });
  watch_id_.store(id);
  if (stopped()) client_->Cancel(id);
}

void InformerCore::OnWatchEnded(ApiResult result) {
  if (stopped()) return;
  if (watch_expired_ || result.code == ApiCode::kExpired) {
    if (result.code == ApiCode::kExpired) Count(&InformerStats::expired);
    Relist();
    return;
  }
  const bool clean_end =
      result.ok() && !watch_failed_ && result.transport_error == TransportError::kNone;
  if (clean_end) {
    // The server ended the watch at its timeout: carry on from where it was.
    backoff_.Reset();
    StartWatch();
    return;
  }
  SLUICE_LOG_EVERY(absl::Seconds(10), kWarn, "informer watch ended; reconnecting",
                   {"resource", options_.resource.resource}, {"error", result.Summary()});
  // A watch that delivered events was a success cut short (a proxy or an
  // APIServer restart): reconnect at the first step of the backoff, not after
  // the delays earned by earlier failures.
  if (watch_delivered_) backoff_.Reset();
  RetryLater([this] { StartWatch(); });
}

// ---------------------------------------------------------------- pods

absl::Status PodInformer::OnListPage(absl::string_view body, ListMeta* meta) {
  return parser().ParsePodList(body, &listed_, meta);
}

void PodInformer::OnListComplete() {
  std::vector<PodInfo> pods = std::move(listed_);
  listed_.clear();
  if (callbacks_.on_sync) callbacks_.on_sync(std::move(pods));
}

absl::Status PodInformer::OnWatchObject(absl::string_view object, WatchEventType* type,
                                        std::string* resource_version, WatchError* error) {
  PodInfo pod;
  absl::Status s = parser().ParsePodEvent(object, type, &pod, error);
  if (!s.ok()) return s;
  *resource_version = pod.resource_version;
  if ((*type == WatchEventType::kAdded || *type == WatchEventType::kModified ||
       *type == WatchEventType::kDeleted) &&
      callbacks_.on_event) {
    callbacks_.on_event(*type, std::move(pod));
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------- quotas

absl::Status QuotaInformer::OnListPage(absl::string_view body, ListMeta* meta) {
  return parser().ParseQuotaList(body, &listed_, meta);
}

void QuotaInformer::OnListComplete() {
  std::vector<QuotaInfo> quotas = std::move(listed_);
  listed_.clear();
  if (callbacks_.on_sync) callbacks_.on_sync(std::move(quotas));
}

absl::Status QuotaInformer::OnWatchObject(absl::string_view object, WatchEventType* type,
                                          std::string* resource_version, WatchError* error) {
  QuotaInfo quota;
  absl::Status s = parser().ParseQuotaEvent(object, type, &quota, error);
  if (!s.ok()) return s;
  *resource_version = quota.resource_version;
  if ((*type == WatchEventType::kAdded || *type == WatchEventType::kModified ||
       *type == WatchEventType::kDeleted) &&
      callbacks_.on_event) {
    callbacks_.on_event(*type, std::move(quota));
  }
  return absl::OkStatus();
}

}  // namespace sluice::kube
