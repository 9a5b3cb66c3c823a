#include "scheduler/server/http_kube_bridge.h"

#include <cstdlib>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "scheduler/common/log.h"
#include "scheduler/cost/cost_stamp.h"
#include "scheduler/kube/kube_objects.h"
#include "scheduler/kube/pod_stamp.h"
#include "scheduler/server/engine_loop.h"
#include "scheduler/server/metrics.h"

namespace sluice {
namespace {

kube::KubeObjectParser& IoThreadParser() {
  thread_local kube::KubeObjectParser parser;
  return parser;
}

absl::StatusOr<kube::KubeConfig> ResolveConfig(const SluicedConfig::Kube& config) {
  if (!config.server.empty()) return kube::ConfigFromUrl(config.server);
  if (!config.kubeconfig.empty())
    return kube::LoadKubeconfigFile(config.kubeconfig, config.context);
  if (std::getenv("KUBERNETES_SERVICE_HOST") != nullptr) return kube::LoadInClusterConfig();
  return absl::InvalidArgumentError(
      "no APIServer configured: pass --kube-server URL or --kubeconfig FILE, or run in a pod "
      "(KUBERNETES_SERVICE_HOST)");
}

}  // namespace

WriteResult ToWriteResult(kube::ApiResult& result, bool create) {
  using kube::ApiCode;
  WriteResult w;
  w.http_status = result.http_status;
  w.reason = result.reason.empty() ? std::string(kube::ApiCodeName(result.code)) : result.reason;
  w.message = std::move(result.message);
  w.latency = result.latency;
  switch (result.code) {
    case ApiCode::kOk:
    case ApiCode::kCreated:
      w.outcome = WriteOutcome::kSuccess;
      break;
    case ApiCode::kAlreadyExists:
      // A name still held by a terminating pod is not usable yet: try again.
      w.outcome =
          result.object_being_deleted ? WriteOutcome::kTransient : WriteOutcome::kAlreadyExists;
      break;
    case ApiCode::kThrottled:
      w.outcome = WriteOutcome::kThrottled;
      w.retry_after = result.retry_after.value_or(kube::kDefaultRetryAfter);
      break;
    case ApiCode::kServerTimeout:
    case ApiCode::kServerError:
    case ApiCode::kTransportError:
    case ApiCode::kUnauthorized:
      w.outcome = WriteOutcome::kTransient;
      break;
    case ApiCode::kQuotaExceeded:
      w.outcome = WriteOutcome::kQuotaExceeded;
      if (result.quota.has_value()) {
        w.quota_name = result.quota->quota_name;
        if (auto used = ResourceList::Parse(result.quota->used); used.ok()) w.quota_used = *used;
        if (auto limited = ResourceList::Parse(result.quota->limited); limited.ok()) {
          w.quota_limited = *limited;
        }
      }
      break;
    case ApiCode::kQuotaOther:
      // A quota whose usage is not counted yet refuses everything for a while.
      w.outcome = absl::StrContains(w.message, "status unknown for quota")
                      ? WriteOutcome::kTransient
                      : WriteOutcome::kPermanent;
      break;
    case ApiCode::kNotFound:
      w.outcome = create ? WriteOutcome::kPermanent : WriteOutcome::kNotFound;
      break;
    default:
      w.outcome = WriteOutcome::kPermanent;
      break;
  }
  return w;
}

PodObservation ToObservation(const kube::PodInfo& pod, bool deleted) {
  PodObservation o;
  o.key = MakePodKey(pod.pod_namespace, pod.name);
  o.uid = pod.uid;
  switch (pod.phase) {
    case kube::PodPhaseValue::kPending:
      o.phase = PodPhase::kPending;
      break;
    case kube::PodPhaseValue::kRunning:
      o.phase = PodPhase::kRunning;
      break;
    case kube::PodPhaseValue::kSucceeded:
      o.phase = PodPhase::kSucceeded;
      break;
    case kube::PodPhaseValue::kFailed:
      o.phase = PodPhase::kFailed;
      break;
    case kube::PodPhaseValue::kUnknown:
      o.phase = PodPhase::kUnknown;
      break;
  }
  o.scheduled = pod.scheduled;
  o.terminating = pod.deletion_time != absl::InfinitePast();
  o.deleted = deleted;
  o.reason = pod.reason;
  o.message = pod.message;
  o.unschedulable = pod.unschedulable;
  o.unschedulable_message = pod.unschedulable_message;
  o.disruption_target = pod.disruption_target;
  o.disruption_reason = pod.disruption_reason;
  o.disruption_message = pod.disruption_message;
  o.pool = std::string(pod.Label(kPoolLabel));
  return o;
}

cost::PodSighting ToSighting(const kube::PodInfo& pod, bool deleted) {
  cost::PodSighting s;
  s.uid = pod.uid;
  s.pod_namespace = pod.pod_namespace;
  s.pod_name = pod.name;
  s.labels = pod.labels;
  s.phase = ToObservation(pod, deleted).phase;
  s.times.created = pod.creation_time;
  s.times.scheduled = pod.scheduled_time;
  s.times.first_container_start = pod.first_container_start;
  s.last_container_finish = pod.last_container_finish;
  s.reason = pod.reason;
  s.disruption_target = pod.disruption_target;
  s.deleted = deleted;
  return s;
}

namespace {

// Whether the engine is deleting this incarnation of the pod to re-create it
// in another pool. Engine thread; call before the engine sees the sighting.
bool Rescheduling(const Engine& engine, const PodObservation& pod) {
  const Intent* intent = engine.Find(pod.key);
  return intent != nullptr && intent->state == IntentState::kRescheduling &&
         intent->pod_uid == pod.uid;
}

}  // namespace

QuotaObservation ToObservation(const kube::QuotaInfo& quota, bool deleted) {
  QuotaObservation o;
  o.pod_namespace = quota.pod_namespace;
  o.name = quota.name;
  // Admission checks status.hard (the controller copies spec.hard there).
  o.hard = quota.status_known ? quota.status_hard : quota.hard;
  o.used = quota.used;
  o.status_known = quota.status_known;
  o.scopes = quota.scopes;
  for (const auto& r : quota.scope_selector) o.scope_selector.push_back({r.scope, r.op, r.values});
  o.deleted = deleted;
  return o;
}

absl::StatusOr<std::unique_ptr<KubeBridge>> HttpKubeBridge::Make(const SluicedConfig::Kube& config,
                                                                 const Clock& clock,
                                                                 SluiceMetrics* metrics) {
  absl::StatusOr<kube::KubeConfig> kube_config = ResolveConfig(config);
  if (!kube_config.ok()) return kube_config.status();
  kube::KubeClientOptions options;
  options.config = std::move(*kube_config);
  options.max_connections = static_cast<int>(config.max_connections);
  options.request_timeout = config.request_timeout;
  std::unique_ptr<HttpKubeBridge> bridge(new HttpKubeBridge(clock, metrics));
  absl::StatusOr<std::unique_ptr<kube::KubeClient>> client =
      kube::KubeClient::Create(std::move(options), clock);
  if (!client.ok()) return client.status();
  bridge->client_ = std::move(*client);
  bridge->server_ = bridge->client_->config().server;
  SLUICE_LOG(kInfo, "kubernetes client ready", {"config", bridge->client_->config().DebugString()});
  return std::unique_ptr<KubeBridge>(std::move(bridge));
}

HttpKubeBridge::~HttpKubeBridge() { Stop(); }

void HttpKubeBridge::Create(const CreatePodCommand& command) {
  kube::PodStamp stamp;
  stamp.name = std::string(command.pod_name);
  stamp.pod_namespace = std::string(command.pod_namespace);
  stamp.labels = {{kManagedLabel, "true"}, {kWorkflowLabel, std::string(command.workflow_uid)}};
  if (command.pool != nullptr) {
    const PoolConfig& pool = *command.pool;
    stamp.labels.emplace_back(kPoolLabel, pool.name);
    for (const auto& label : pool.labels) stamp.labels.push_back(label);
    stamp.annotations = pool.annotations;
    stamp.node_selector = pool.node_selector;
    for (const PoolToleration& t : pool.tolerations) {
      stamp.tolerations.push_back({t.key, t.op, t.value, t.effect});
    }
  }
  if (cost_ != nullptr && command.spec != nullptr) {
    const IntentSpec& spec = *command.spec;
    for (auto& label : cost::CostStampLabels(command.workflow_name, command.workflow_namespace,
                                             spec.cost_labels, spec.requests)) {
      stamp.labels.push_back(std::move(label));
    }
  }
  const uint64_t id = command.request_id;
  absl::StatusOr<std::string> body = kube::StampPodManifest(command.manifest, stamp);
  if (!body.ok()) {
    WriteResult refused;
    refused.outcome = WriteOutcome::kPermanent;
    refused.reason = "Invalid";
    refused.message = std::string(body.status().message());
    loop_->Post(
        [id, refused = std::move(refused)](Engine& engine) { engine.OnCreateResult(id, refused); });
    return;
  }
  client_->CreatePod(command.pod_namespace, std::move(*body), [this, id](kube::ApiResult result) {
    if (metrics_ != nullptr)
      metrics_->RecordApiRequest("create", result.http_status, result.latency);
    WriteResult w = ToWriteResult(result, /*create=*/true);
    if (w.outcome == WriteOutcome::kSuccess) w.pod_uid = IoThreadParser().ObjectUid(result.body);
    loop_->Post([id, w = std::move(w)](Engine& engine) { engine.OnCreateResult(id, w); });
  });
}

void HttpKubeBridge::Delete(const DeletePodCommand& command) {
  kube::DeleteOptions options;
  options.precondition_uid = std::string(command.pod_uid);
  const uint64_t id = command.request_id;
  client_->DeletePod(
      command.pod_namespace, command.pod_name, options, [this, id](kube::ApiResult result) {
        if (metrics_ != nullptr) {
          metrics_->RecordApiRequest("delete", result.http_status, result.latency);
        }
        WriteResult w = ToWriteResult(result, /*create=*/false);
        loop_->Post([id, w = std::move(w)](Engine& engine) { engine.OnDeleteResult(id, w); });
      });
}

void HttpKubeBridge::StartInformer() {
  kube::InformerOptions pods;
  pods.resource = kube::ResourceRef::Pods();
  pods.label_selector = absl::StrCat(kManagedLabel, "=true");
  pods_ = std::make_unique<kube::PodInformer>(
      client_.get(), pods,
      kube::PodInformer::Callbacks{
          .on_sync =
              [this](std::vector<kube::PodInfo> listed) {
                std::vector<PodObservation> observed;
                observed.reserve(listed.size());
                for (const kube::PodInfo& pod : listed)
                  observed.push_back(ToObservation(pod, false));
                std::vector<cost::PodSighting> sightings;
                if (cost_ != nullptr) {
                  sightings.reserve(listed.size());
                  for (const kube::PodInfo& pod : listed)
                    sightings.push_back(ToSighting(pod, false));
                }
                loop_->Post([this, observed = std::move(observed),
                             sightings = std::move(sightings)](Engine& engine) {
                  if (cost_ != nullptr) cost_->Resync(sightings, clock_.WallNow());
                  engine.OnPodsResynced(observed);
                });
              },
          .on_event =
              [this](kube::WatchEventType type, kube::PodInfo pod) {
                const bool deleted = type == kube::WatchEventType::kDeleted;
                PodObservation o = ToObservation(pod, deleted);
                if (cost_ == nullptr) {
                  loop_->Post([o = std::move(o)](Engine& engine) { engine.OnPodObserved(o); });
                  return;
                }
                loop_->Post(
                    [this, o = std::move(o), s = ToSighting(pod, deleted)](Engine& engine) mutable {
                      s.rescheduling = Rescheduling(engine, o);
                      cost_->Observe(s, clock_.WallNow());
                      engine.OnPodObserved(o);
                    });
              },
      });
  kube::InformerOptions quotas;
  quotas.resource = kube::ResourceRef::ResourceQuotas();
  quotas_ = std::make_unique<kube::QuotaInformer>(
      client_.get(), quotas,
      kube::QuotaInformer::Callbacks{
          .on_sync =
              [this](std::vector<kube::QuotaInfo> listed) {
                std::vector<QuotaObservation> observed;
                for (const kube::QuotaInfo& q : listed) observed.push_back(ToObservation(q, false));
                loop_->Post([observed = std::move(observed)](Engine& engine) {
                  engine.OnQuotasResynced(observed);
                });
              },
          .on_event =
              [this](kube::WatchEventType type, kube::QuotaInfo quota) {
                QuotaObservation o = ToObservation(quota, type == kube::WatchEventType::kDeleted);
                loop_->Post([o = std::move(o)](Engine& engine) { engine.OnQuotaObserved(o); });
              },
      });
  pods_->Start();
  quotas_->Start();
}

void HttpKubeBridge::Stop() {
  if (pods_ != nullptr) pods_->Stop();
  if (quotas_ != nullptr) quotas_->Stop();
  // Completes outstanding requests (their callbacks still find the informers).
  client_.reset();
  pods_.reset();
  quotas_.reset();
}

}  // namespace sluice
