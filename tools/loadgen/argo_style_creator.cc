#include "tools/loadgen/argo_style_creator.h"

#include <httplib.h>

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "tools/loadgen/cluster_pods.h"
#include "tools/loadgen/pod_manifest.h"

namespace sluice::loadgen {

ArgoStyleCreator::ArgoStyleCreator(std::string kubesim_url, const WorkloadPlan* plan,
                                   PodLedger* ledger, const Clock* clock, Options options)
    : kubesim_url_(std::move(kubesim_url)),
      plan_(plan),
      ledger_(ledger),
      clock_(clock),
      options_(options) {}

ArgoStyleCreator::~ArgoStyleCreator() { Stop(); }

void ArgoStyleCreator::Start() {
  creator_ = std::thread([this] { CreateLoop(); });
  if (options_.follow_finished) poller_ = std::thread([this] { PollFinished(); });
}

void ArgoStyleCreator::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (creator_.joinable()) creator_.join();
  if (poller_.joinable()) poller_.join();
}

void ArgoStyleCreator::Enqueue(absl::Span<const uint32_t> pods) {
  ledger_->RecordSent(pods);
  v1::IntentResult accepted;
  accepted.set_code(v1::IntentResult::ACCEPTED);
  for (uint32_t pod : pods) ledger_->RecordAnswer(pod, accepted);
  const MonoTime now = clock_->MonoNow();
  absl::MutexLock lock(&mu_);
  for (uint32_t pod : pods) queue_.push({now, next_order_++, pod});
}

ArgoStyleCreator::Counts ArgoStyleCreator::counts() const {
  absl::MutexLock lock(&mu_);
  return counts_;
}

void ArgoStyleCreator::RecordEvent(uint32_t pod, v1::EventType type) {
  v1::WatchEventsResponse response;
  v1::PodEvent* e = response.add_events();
  e->set_type(type);
  e->mutable_pod()->set_namespace_(plan_->workflow_of(pod).namespace_);
  e->mutable_pod()->set_name(plan_->pods()[pod].name);
  e->set_workflow_uid(plan_->workflow_of(pod).uid);
  ledger_->RecordEvents(response);
}

void ArgoStyleCreator::CreateLoop() {
  httplib::Client client(kubesim_url_);
  client.set_keep_alive(true);
  client.set_connection_timeout(std::chrono::seconds(10));
  client.set_read_timeout(std::chrono::seconds(30));
  double tokens = options_.burst;
  MonoTime refilled = clock_->MonoNow();
  while (!stop_.HasBeenNotified()) {
    // The next pod whose time has come.
    std::optional<uint32_t> pod;
    absl::Duration wait = absl::Milliseconds(50);
    {
      absl::MutexLock lock(&mu_);
      const MonoTime now = clock_->MonoNow();
      if (!queue_.empty()) {
        if (queue_.top().not_before <= now) {
          pod = queue_.top().pod;
          queue_.pop();
        } else {
          wait = std::min(wait, queue_.top().not_before - now);
        }
      }
    }
    if (!pod.has_value()) {
      stop_.WaitForNotificationWithTimeout(wait);
      continue;
    }
    // client-go's token bucket: wait for a token.
    while (true) {
      const MonoTime now = clock_->MonoNow();
      tokens =
          std::min(options_.burst, tokens + absl::ToDoubleSeconds(now - refilled) * options_.qps);
      refilled = now;
      if (tokens >= 1) break;
      if (stop_.WaitForNotificationWithTimeout(absl::Seconds((1 - tokens) / options_.qps))) return;
    }
    tokens -= 1;
    const WorkflowSpec& wf = plan_->workflow_of(*pod);
    const std::string body = ArgoPodManifest(wf, plan_->pods()[*pod], plan_->run_id());
    httplib::Result r = client.Post(absl::StrCat("/api/v1/namespaces/", wf.namespace_, "/pods"),
                                    body, "application/json");
    const int status = r ? r->status : 0;
    bool requeue = false;
    {
      absl::MutexLock lock(&mu_);
      ++counts_.posts;
      if (status == 201 || status == 409) {
        ++counts_.created;
      } else if (status == 403) {
        ++counts_.refused_403;
        requeue = true;
      } else if (status == 429) {
        ++counts_.throttled_429;
        requeue = true;
      } else if (status == 0 || status >= 500) {
        ++counts_.failed_requests;
        requeue = true;
      }
      if (requeue) queue_.push({clock_->MonoNow() + options_.requeue, next_order_++, *pod});
    }
    if (status == 201 || status == 409) {
      RecordEvent(*pod, v1::EVENT_TYPE_CREATED);
    } else if (!requeue) {
      RecordEvent(*pod, v1::EVENT_TYPE_CREATE_FAILED);
    }
  }
}

void ArgoStyleCreator::PollFinished() {
  absl::flat_hash_set<uint32_t> seen;
  const std::string selector = absl::StrCat("loadgen/run=", plan_->run_id());
  while (!stop_.WaitForNotificationWithTimeout(options_.finished_poll)) {
    for (const auto& [phase, type] : {std::pair{"Succeeded", v1::EVENT_TYPE_SUCCEEDED},
                                      std::pair{"Failed", v1::EVENT_TYPE_FAILED}}) {
      absl::StatusOr<PodListing> listing =
          ListPods(kubesim_url_, selector, 500, absl::StrCat("status.phase=", phase));
      if (!listing.ok()) continue;
      for (const std::string& key : listing->keys) {
        const size_t slash = key.find('/');
        std::optional<uint32_t> pod = plan_->FindPod(key.substr(0, slash), key.substr(slash + 1));
        if (pod.has_value() && seen.insert(*pod).second) RecordEvent(*pod, type);
      }
    }
  }
}

}  // namespace sluice::loadgen
