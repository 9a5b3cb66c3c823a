#include "scheduler/engine/engine.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace sluice {
namespace {

// How far a pod has come, as an intent state.
IntentState ProgressOf(const PodObservation& pod) {
  switch (pod.phase) {
    case PodPhase::kSucceeded:
      return IntentState::kSucceeded;
    case PodPhase::kFailed:
      return IntentState::kFailed;
    default:
      break;
  }
  if (pod.deleted) return IntentState::kDeleted;
  if (pod.phase == PodPhase::kRunning) return IntentState::kRunning;
  if (pod.scheduled) return IntentState::kScheduled;
  return IntentState::kCreated;
}

PodEventType TerminalEventType(IntentState state) {
  switch (state) {
    case IntentState::kSucceeded:
      return PodEventType::kSucceeded;
    case IntentState::kFailed:
      return PodEventType::kFailed;
    case IntentState::kCreateFailed:
      return PodEventType::kCreateFailed;
    case IntentState::kCancelled:
      return PodEventType::kCancelled;
    default:
      return PodEventType::kDeleted;
  }
}

}  // namespace

// Admits an intent if every quota of its namespace that charges it has room.
class Engine::QuotaGate final : public AdmissionGate {
 public:
  explicit QuotaGate(Engine* engine) : engine_(engine) {}
  bool Admit(Intent* intent) override {
    return engine_->QuotaAdmits(intent, nullptr) &&
           (engine_->pools_.empty() || engine_->ChoosePool(intent, engine_->pump_now_) != nullptr);
  }
  void Parked(FlowQueue* /*flow*/, Intent* head) override { engine_->OnParked(head); }

 private:
  Engine* const engine_;
};

Engine::Engine(const Clock& clock, const EngineConfig& config, PodWriter* writer, EventSink* events)
    : clock_(clock),
      config_(config),
      writer_(writer),
      events_(events),
      budget_(config.budget, clock.MonoNow()),
      backoff_(config.retry_backoff),
      queue_(config.quota.backfill_scan),
      gate_(std::make_unique<QuotaGate>(this)),
      adaptive_(config.adaptive, clock.MonoNow()),
      fairness_(config.fairness_meter) {
  BuildPools();
  if (config_.adaptive.enabled) ApplyAdaptiveRate(clock.MonoNow(), /*force=*/true);
  UpdateWindow();
}

void Engine::ApplyAdaptiveRate(MonoTime now, bool force) {
  const double rate = adaptive_.rate();
  const double applied = budget_.options().qps;
  // Growth moves the rate a little at every pump; re-tune the bucket when it
  // moved by 1% (decreases always apply).
  if (!force && applied > 0 && rate > applied && rate < applied * 1.01) return;
  WriteBudget::Options options = budget_.options();
  options.qps = rate;
  options.burst = static_cast<uint32_t>(
      std::max(1.0, std::ceil(rate * absl::ToDoubleSeconds(config_.adaptive_burst_window))));
  budget_.Reconfigure(options, now);
  UpdateWindow();
}

void Engine::UpdateWindow() {
  const double rate = budget_.options().qps;
  if (!(config_.in_flight_gain > 0) || !(rate > 0)) {
    budget_.SetWindow(0);
    return;
  }
  const uint32_t least = std::max<uint32_t>(1, config_.min_in_flight_window);
  if (!write_latency_known_) {
    // Nothing answered yet: start small, as TCP's initial window does.
    budget_.SetWindow(least);
    return;
  }
  const double wanted =
      std::ceil(config_.in_flight_gain * rate * absl::ToDoubleSeconds(write_latency_));
  const double cap = static_cast<double>(budget_.options().max_in_flight);
  budget_.SetWindow(static_cast<uint32_t>(
      std::clamp(wanted, static_cast<double>(least), std::max(static_cast<double>(least), cap))));
}

void Engine::OnWriteAnswered(Intent* intent, const WriteResult& result, MonoTime now) {
  // The latency the in-flight window is sized from: the median round trip of
  // the last kLatencySamples answers, as the writer measured it when it says
  // (the time an answer then waited for this thread is not the server's).
  // A median, because a stall (of this process or of the APIServer) holds
  // every write in flight and inflates all their answers at once: the window
  // must not open just as the tokens saved up meanwhile rush into it. A real
  // change of latency moves the median within half the samples.
  const absl::Duration latency = result.latency > absl::ZeroDuration()
                                     ? result.latency
                                     : std::max(absl::ZeroDuration(), now - intent->write_started);
  latency_samples_[latency_next_ % kLatencySamples] = latency;
  ++latency_next_;
  const size_t n = static_cast<size_t>(std::min<uint64_t>(latency_next_, kLatencySamples));
  std::array<absl::Duration, kLatencySamples> sorted = latency_samples_;
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(n / 2),
                   sorted.begin() + static_cast<std::ptrdiff_t>(n));
  write_latency_ = sorted[n / 2];
  write_latency_known_ = true;
  UpdateWindow();
  if (!config_.adaptive.enabled) return;
  const bool throttled = result.outcome == WriteOutcome::kThrottled;
  if (adaptive_.OnAnswer(now, intent->write_started, throttled, now - intent->write_started)) {
    ++counters_.rate_decreases[static_cast<int>(throttled ? AdaptiveRate::Cause::kThrottled
                                                          : AdaptiveRate::Cause::kLatency)];
    ApplyAdaptiveRate(now, /*force=*/true);
  }
}

// A 429: how long before the refused write may go again, and whether every
// write pauses meanwhile. A static budget honours Retry-After for every write.
// With adaptive shaping it delays the refused write only (the rate cut does
// the rest), unless the throttled share says the server refuses much of what
// is sent: then every write pauses for share x Retry-After (AdaptiveRate).
absl::Duration Engine::ThrottleWait(const WriteResult& result, MonoTime now) {
  const absl::Duration wait =
      result.retry_after > absl::ZeroDuration() ? result.retry_after : config_.default_retry_after;
  if (!config_.adaptive.enabled) {
    budget_.PauseUntil(now + wait);
    return wait;
  }
  const absl::Duration pause = adaptive_.PauseFor(now, wait);
  if (pause > absl::ZeroDuration()) {
    if (!budget_.paused(now)) ++counters_.throttle_pauses;
    budget_.PauseUntil(now + pause);
  }
  return wait;
}

Engine::~Engine() = default;

// ---------------------------------------------------------------- intake

NamespaceState* Engine::NamespaceFor(absl::string_view ns) {
  if (last_namespace_ != nullptr && last_namespace_->name() == ns) return last_namespace_;
  auto it = namespaces_.find(ns);
  if (it == namespaces_.end()) {
    auto weight_it = config_.namespace_weights.find(ns);
    const double weight = weight_it != config_.namespace_weights.end()
                              ? weight_it->second
                              : config_.default_namespace_weight;
    it = namespaces_
             .emplace(std::string(ns), std::make_unique<NamespaceState>(std::string(ns), weight))
             .first;
    it->second->set_strict_fifo(config_.quota.strict_fifo_namespaces.contains(ns));
  }
  last_namespace_ = it->second.get();
  return last_namespace_;
}

Workflow* Engine::WorkflowFor(const IntentSpec& spec) {
  if (last_workflow_ != nullptr && last_workflow_->uid() == spec.workflow_uid) {
    return last_workflow_;
  }
  auto it = workflows_.find(spec.workflow_uid);
  if (it == workflows_.end()) {
    std::string ns = spec.workflow_namespace.empty() ? std::string(spec.pod_namespace())
                                                     : spec.workflow_namespace;
    it = workflows_
             .emplace(spec.workflow_uid, std::make_unique<Workflow>(
                                             spec.workflow_uid, spec.workflow_name, std::move(ns)))
             .first;
    it->second->set_weight(WorkflowWeightFor(*it->second));
  }
  last_workflow_ = it->second.get();
  return last_workflow_;
}

uint64_t Engine::queue_depth() const {
  return state_counts_[static_cast<int>(IntentState::kQueued)] +
         state_counts_[static_cast<int>(IntentState::kBackoff)];
}

void Engine::Submit(absl::Span<std::unique_ptr<Intent>> intents,
                    absl::Span<SubmitOutcome> outcomes) {
  assert(intents.size() == outcomes.size());
  const MonoTime now = clock_.MonoNow();
  for (size_t i = 0; i < intents.size(); ++i) {
    std::unique_ptr<Intent>& slot = intents[i];
    // One probe: the key view points into the intent, which never moves.
    auto [it, inserted] = intents_.try_emplace(absl::string_view(slot->spec.key), nullptr);
    if (!inserted) {
      IntentState state = it->second->state;
      if (state == IntentState::kBackoff) state = IntentState::kQueued;
      outcomes[i] = {SubmitCode::kDuplicate, state};
      ++counters_.duplicates;
      continue;
    }
    if (queue_depth() >= config_.queue_cap) {
      intents_.erase(it);
      outcomes[i] = {SubmitCode::kExhausted, IntentState::kQueued};
      ++counters_.exhausted;
      continue;
    }
    Intent* intent = slot.get();
    it->second = std::move(slot);
    Accept(intent, now);
    outcomes[i] = {SubmitCode::kAccepted, intent->state};
    ++counters_.accepted;
  }
  FlushEvents();
}

void Engine::Accept(Intent* intent, MonoTime now) {
  intent->id = next_intent_id_++;
  intent->accepted_at = now;
  intent->state = IntentState::kQueued;
  ++state_counts_[static_cast<int>(IntentState::kQueued)];

  Workflow* workflow = WorkflowFor(intent->spec);
  workflow->Ref();
  workflow->AddLive(intent);
  workflow->NoteAccepted(now);
  intent->workflow = workflow;
  NamespaceState* ns = NamespaceFor(intent->spec.pod_namespace());
  intent->namespace_state = ns;
  intent->home_flow =
      ns->strict_fifo()
          ? ns->StrictFlowFor(intent->spec.priority, config_.default_workflow_weight)
          : workflow->FlowFor(ns->QueueFor(intent->spec.priority), workflow->weight());
  // Workflow strings now live in the Workflow record.
  intent->spec.workflow_name = std::string();
  intent->spec.workflow_namespace = std::string();

  const absl::string_view key(intent->spec.key);
  if (pods_synced_ && !unmatched_pods_.empty()) {
    auto found = unmatched_pods_.find(key);
    if (found != unmatched_pods_.end()) {
      // The pod already exists (an earlier incarnation of Sluice created it):
      // no API call needed.
      PodObservation pod = std::move(found->second);
      unmatched_pods_.erase(found);
      intent->pod_uid = pod.uid;
      ++counters_.adopted;
      for (const auto& tracker : pools_) {
        if (tracker->name() == pod.pool) intent->pool = tracker.get();
      }
      if (intent->pool != nullptr) {
        intent->pool_usage = PoolUsage::Of(intent->spec.requests);
        ChargePool(intent, /*in_flight=*/false, /*add=*/true);
      }
      MarkCreated(intent, "AlreadyExists", now);
      Advance(intent, ProgressOf(pod), &pod);
      return;
    }
  }
  Enqueue(intent, /*at_front=*/false);
}

// ---------------------------------------------------------------- states

void Engine::SetState(Intent* intent, IntentState state) {
  --state_counts_[static_cast<int>(intent->state)];
  ++state_counts_[static_cast<int>(state)];
  intent->state = state;
}

void Engine::Enqueue(Intent* intent, bool at_front) {
  if (at_front) {
    queue_.PushFront(intent->home_flow, intent);
  } else {
    queue_.PushBack(intent->home_flow, intent);
  }
}

void Engine::MakeTerminal(Intent* intent, IntentState state, MonoTime now) {
  assert(IsTerminal(state) && !IsTerminal(intent->state));
  if (IsCreatedOrLater(intent->state)) ChargeOurs(intent, /*add=*/false);
  ChargePool(intent, /*in_flight=*/false, /*add=*/false);
  SetState(intent, state);
  intent->terminal_at = now;
  intent->workflow->RemoveLive(intent);
  intent->spec.manifest = std::string();
  intent->early_observation.reset();
  intent->quota_usage.reset();
  terminal_.push_back({now, intent->spec.key});
}

void Engine::MarkCreated(Intent* intent, absl::string_view reason, MonoTime now) {
  SetState(intent, IntentState::kCreated);
  ChargeOurs(intent, /*add=*/true);
  intent->transient_failures = 0;
  // The manifest is not needed once the pod exists, unless a pool may still
  // have to re-create it elsewhere (until it runs).
  if (pools_.empty()) intent->spec.manifest = std::string();
  Emit(*intent, PodEventType::kCreated, reason);
  pending_events_.back().submit_to_create_ms = absl::ToInt64Milliseconds(now - intent->accepted_at);
}

// Moves a created intent forward to `target`, emitting one event per step.
void Engine::Advance(Intent* intent, IntentState target, const PodObservation* pod) {
  if (IsTerminal(intent->state) || target <= intent->state) return;
  const MonoTime now = clock_.MonoNow();
  if (IsTerminal(target)) {
    MakeTerminal(intent, target, now);
    const bool external_delete = target == IntentState::kDeleted;
    PodEventType type = TerminalEventType(target);
    if (target == IntentState::kFailed &&
        (intent->disrupted ||
         (pod != nullptr && std::find(config_.capacity.preemption_reasons.begin(),
                                      config_.capacity.preemption_reasons.end(),
                                      pod->reason) != config_.capacity.preemption_reasons.end()))) {
      type = PodEventType::kPreempted;
      ++counters_.preemptions;
    }
    Emit(*intent, type,
         pod != nullptr && !pod->reason.empty() ? absl::string_view(pod->reason)
         : external_delete                      ? absl::string_view("NotFound")
                                                : absl::string_view(),
         pod != nullptr && !pod->message.empty() ? absl::string_view(pod->message)
         : external_delete ? absl::string_view("the pod was deleted before it finished")
                           : absl::string_view());
    return;
  }
  if (target >= IntentState::kScheduled && intent->state < IntentState::kScheduled) {
    SetState(intent, IntentState::kScheduled);
    Emit(*intent, PodEventType::kScheduled);
  }
  if (target >= IntentState::kRunning && intent->state < IntentState::kRunning) {
    SetState(intent, IntentState::kRunning);
    intent->spec.manifest = std::string();  // a running pod is never re-created
    Emit(*intent, PodEventType::kRunning);
  }
}

// ---------------------------------------------------------------- dispatch

void Engine::Pump() {
  const MonoTime now = clock_.MonoNow();
  pump_now_ = now;
  ReleaseRetries(now);
  ForgetTerminal(now);
  if (!pools_.empty()) {
    CheckProvisioning(now);
    RefreshPoolStates(now);
  }
  if (config_.adaptive.enabled && adaptive_.Advance(now, rate_saturated_)) {
    ApplyAdaptiveRate(now, /*force=*/false);
  }
  while (dispatching_ && budget_.CanStart(now)) {
    if (!delete_queue_.empty()) {
      Intent* intent = delete_queue_.front();
      delete_queue_.pop_front();
      DispatchDelete(intent, now);
      continue;
    }
    Intent* intent = queue_.Pop(gate_.get());
    if (intent == nullptr) break;
    Dispatch(intent, now);
  }
  if (now >= next_fairness_sample_) SampleFairness(now);
  // Work left behind for want of tokens alone: the rate is the bottleneck.
  rate_saturated_ = dispatching_ && !budget_.CanStart(now) && !budget_.paused(now) &&
                    !budget_.window_full() && (!delete_queue_.empty() || queue_.has_active());
  FlushEvents();
}

MonoTime Engine::NextWakeup() const {
  const MonoTime now = clock_.MonoNow();
  MonoTime next = MonoTime::Infinite();
  if (!retries_.empty()) next = std::min(next, retries_.top().at);
  if (!provisioning_.empty()) next = std::min(next, provisioning_.top().at);
  next = std::min(next, next_pool_change_);
  if (!terminal_.empty()) {
    next = terminal_.size() > config_.max_terminal_retained
               ? now
               : std::min(next, terminal_.front().at + config_.terminal_retention);
  }
  // Intents parked on quota or capacity wait for an Unpark (an observation
  // or a timer above), not for tokens: without an active flow there is no
  // work to wake for, however many intents are queued.
  const bool work = dispatching_ && (queue_.has_active() || !delete_queue_.empty());
  if (work && !budget_.window_full()) {
    next = std::min(next, budget_.NextStart(now));
  }
  return next;
}

void Engine::Dispatch(Intent* intent, MonoTime now) {
  budget_.Start(now);
  intent->write_started = now;
  if (intent->workflow->NoteFirstDispatch()) {
    fairness_.RecordFirstDispatch(now, now - intent->workflow->first_accepted(),
                                  intent->workflow->accepted());
  }
  SetState(intent, IntentState::kDispatching);
  ChargeInFlight(intent, /*add=*/true);
  ++intent->attempts;
  const uint64_t request_id = next_request_id_++;
  intent->request_id = request_id;
  in_flight_.emplace(request_id, intent);
  ++intent->namespace_state->in_flight;
  ++counters_.creates_started;
  CreatePodCommand command;
  command.request_id = request_id;
  command.pod_namespace = intent->spec.pod_namespace();
  command.pod_name = intent->spec.pod_name();
  command.manifest = intent->spec.manifest;
  command.workflow_uid = intent->workflow->uid();
  command.attempt = intent->attempts;
  command.workflow_name = intent->workflow->name();
  command.workflow_namespace = intent->workflow->workflow_namespace();
  command.spec = &intent->spec;
  if (!pools_.empty()) {
    PoolTracker* pool = ChoosePool(intent, now);
    assert(pool != nullptr);  // the gate admitted the intent a moment ago
    intent->pool = pool;
    intent->pool_usage = PoolUsage::Of(intent->spec.requests);
    ChargePool(intent, /*in_flight=*/true, /*add=*/true);
    command.pool = &pool->config();
    if (intent->reschedule != nullptr && !intent->reschedule->previous_pool.empty()) {
      RescheduleHistory& history = *intent->reschedule;
      ++counters_.reschedules;
      Emit(*intent, PodEventType::kRescheduled, history.reason,
           absl::StrCat("could not start in pool ", history.previous_pool, "; re-created in pool ",
                        pool->name()));
      pending_events_.back().previous_pool = history.previous_pool;
      history.previous_pool.clear();
    }
  }
  writer_->Create(command);
}

void Engine::DispatchDelete(Intent* intent, MonoTime now) {
  budget_.Start(now);
  intent->write_started = now;
  if (intent->workflow->NoteFirstDispatch()) {
    fairness_.RecordFirstDispatch(now, now - intent->workflow->first_accepted(),
                                  intent->workflow->accepted());
  }
  const uint64_t request_id = next_request_id_++;
  intent->request_id = request_id;
  in_flight_.emplace(request_id, intent);
  ++intent->namespace_state->in_flight;
  ++counters_.deletes_started;
  DeletePodCommand command;
  command.request_id = request_id;
  command.pod_namespace = intent->spec.pod_namespace();
  command.pod_name = intent->spec.pod_name();
  command.pod_uid = intent->pod_uid;
  writer_->Delete(command);
}

void Engine::OnCreateResult(uint64_t request_id, const WriteResult& result) {
  auto it = in_flight_.find(request_id);
  if (it == in_flight_.end()) return;
  Intent* intent = it->second;
  in_flight_.erase(it);
  budget_.Finish();
  --intent->namespace_state->in_flight;
  intent->request_id = 0;
  ++counters_.write_outcomes[static_cast<int>(result.outcome)];
  const MonoTime now = clock_.MonoNow();
  OnWriteAnswered(intent, result, now);
  ChargeInFlight(intent, /*add=*/false);
  ChargePool(intent, /*in_flight=*/true, /*add=*/false);
  if (result.outcome != WriteOutcome::kSuccess && result.outcome != WriteOutcome::kAlreadyExists) {
    // Its in-flight charge is released: other intents may fit now.
    intent->namespace_state->UnparkAll(queue_);
    if (intent->pool != nullptr) UnparkEverything();
  }

  const bool cancel = intent->cancel_requested;
  const bool keep = intent->keep_created_on_cancel;
  std::unique_ptr<PodObservation> early = std::move(intent->early_observation);
  const bool seen_created = early != nullptr && !early->deleted;

  switch (result.outcome) {
    case WriteOutcome::kSuccess:
    case WriteOutcome::kAlreadyExists:
      break;
    case WriteOutcome::kThrottled: {
      const absl::Duration wait = ThrottleWait(result, now);
      if (seen_created) break;  // the pod exists after all
      if (cancel) {
        MakeTerminal(intent, IntentState::kCancelled, now);
        Emit(*intent, PodEventType::kCancelled, "Cancelled", "cancelled before creation");
      } else if (config_.adaptive.enabled) {
        ScheduleRetry(intent, /*is_delete=*/false, wait, now);
      } else {
        SetState(intent, IntentState::kQueued);
        Enqueue(intent, /*at_front=*/true);
      }
      FlushEvents();
      return;
    }
    case WriteOutcome::kTransient:
      if (seen_created) break;
      ++intent->transient_failures;
      if (cancel) {
        MakeTerminal(intent, IntentState::kCancelled, now);
        Emit(*intent, PodEventType::kCancelled, "Cancelled", "cancelled before creation");
      } else if (config_.max_attempts != 0 && intent->attempts >= config_.max_attempts) {
        MakeTerminal(intent, IntentState::kCreateFailed, now);
        Emit(*intent, PodEventType::kCreateFailed, result.reason,
             absl::StrCat("gave up after ", intent->attempts, " attempts: ", result.message));
      } else {
        ScheduleRetry(intent, /*is_delete=*/false, backoff_.Delay(intent->transient_failures), now);
        Emit(*intent, PodEventType::kRetrying, result.reason, result.message);
      }
      FlushEvents();
      return;
    case WriteOutcome::kQuotaExceeded:
      if (seen_created) break;
      if (cancel) {
        MakeTerminal(intent, IntentState::kCancelled, now);
        Emit(*intent, PodEventType::kCancelled, "Cancelled", "cancelled before creation");
      } else {
        // Another writer used the headroom Sluice counted on: correct the
        // estimate with the APIServer's figures and wait for room.
        NamespaceState* ns = intent->namespace_state;
        if (TrackedQuota* quota = ns->FindQuota(result.quota_name); quota != nullptr) {
          quota->Correct(result.quota_used, result.quota_limited);
        } else if (!result.quota_name.empty()) {
          QuotaObservation provisional;
          provisional.pod_namespace = ns->name();
          provisional.name = result.quota_name;
          provisional.hard = result.quota_limited;
          provisional.used = result.quota_used;
          provisional.status_known = true;
          bool recount = false;
          RecountQuota(ns, ns->UpsertQuota(provisional, &recount));
        }
        ++counters_.quota_corrections;
        SetState(intent, IntentState::kQueued);
        Enqueue(intent, /*at_front=*/true);
      }
      FlushEvents();
      return;
    case WriteOutcome::kNotFound:
    case WriteOutcome::kPermanent:
      if (seen_created) break;
      if (cancel) {
        MakeTerminal(intent, IntentState::kCancelled, now);
        Emit(*intent, PodEventType::kCancelled, "Cancelled", "cancelled before creation");
      } else {
        MakeTerminal(intent, IntentState::kCreateFailed, now);
        Emit(*intent, PodEventType::kCreateFailed, result.reason, result.message);
      }
      FlushEvents();
      return;
  }

  // The pod exists.
  if (!result.pod_uid.empty()) {
    intent->pod_uid = result.pod_uid;
  } else if (early != nullptr && intent->pod_uid.empty()) {
    intent->pod_uid = early->uid;
  }
  if (cancel && !keep) {
    QueueDelete(intent);
    MakeTerminal(intent, IntentState::kCancelled, now);
    Emit(*intent, PodEventType::kCancelled, "Cancelled",
         "created before the cancel arrived; deleting the pod");
  } else {
    if (intent->pool != nullptr) {
      ChargePool(intent, /*in_flight=*/false, /*add=*/true);
      intent->created_at = now;
      provisioning_.push(
          {now + intent->pool->config().provisioning_timeout, intent->spec.key, now});
    }
    MarkCreated(intent, result.outcome == WriteOutcome::kAlreadyExists ? "AlreadyExists" : "", now);
    if (early != nullptr) Advance(intent, ProgressOf(*early), early.get());
  }
  FlushEvents();
}

void Engine::OnDeleteResult(uint64_t request_id, const WriteResult& result) {
  auto it = in_flight_.find(request_id);
  if (it == in_flight_.end()) return;
  Intent* intent = it->second;
  in_flight_.erase(it);
  budget_.Finish();
  --intent->namespace_state->in_flight;
  intent->request_id = 0;
  ++counters_.write_outcomes[static_cast<int>(result.outcome)];
  const MonoTime now = clock_.MonoNow();
  OnWriteAnswered(intent, result, now);
  switch (result.outcome) {
    case WriteOutcome::kThrottled: {
      const absl::Duration wait = ThrottleWait(result, now);
      if (config_.adaptive.enabled) {
        ScheduleRetry(intent, /*is_delete=*/true, wait, now);
      } else {
        delete_queue_.push_front(intent);
      }
      return;
    }
    case WriteOutcome::kTransient:
      ++intent->transient_failures;
      ScheduleRetry(intent, /*is_delete=*/true, backoff_.Delay(intent->transient_failures), now);
      return;
    default:
      // Deleted, already gone, or refused for good (a different incarnation,
      // forbidden): nothing more to do.
      intent->delete_pending = false;
      intent->transient_failures = 0;
      // A pod being moved to another pool is re-created once it is gone: now
      // if it already was, else when the informer sees it go.
      if (intent->state == IntentState::kRescheduling &&
          (result.outcome == WriteOutcome::kNotFound ||
           result.outcome == WriteOutcome::kPermanent)) {
        RequeueAfterReschedule(intent);
        FlushEvents();
      }
      return;
  }
}

void Engine::ScheduleRetry(Intent* intent, bool is_delete, absl::Duration delay, MonoTime now) {
  if (!is_delete) SetState(intent, IntentState::kBackoff);
  intent->retry_at = now + delay;
  retries_.push({intent->retry_at, intent->spec.key, is_delete});
}

void Engine::ReleaseRetries(MonoTime now) {
  while (!retries_.empty() && retries_.top().at <= now) {
    RetryEntry entry = retries_.top();
    retries_.pop();
    auto it = intents_.find(absl::string_view(entry.key));
    if (it == intents_.end()) continue;
    Intent* intent = it->second.get();
    if (intent->retry_at != entry.at) continue;  // superseded
    if (entry.is_delete) {
      if (intent->delete_pending && intent->request_id == 0) delete_queue_.push_back(intent);
    } else if (intent->state == IntentState::kBackoff) {
      SetState(intent, IntentState::kQueued);
      Enqueue(intent, /*at_front=*/true);
    }
  }
}

// ---------------------------------------------------------------- retention

void Engine::ForgetTerminal(MonoTime now) {
  size_t budget = terminal_.size();
  while (!terminal_.empty() && budget-- > 0) {
    const TerminalEntry& entry = terminal_.front();
    const bool over_cap = terminal_.size() > config_.max_terminal_retained;
    if (!over_cap && now - entry.at < config_.terminal_retention) break;
    auto it = intents_.find(absl::string_view(entry.key));
    if (it != intents_.end() && IsTerminal(it->second->state) &&
        it->second->terminal_at == entry.at) {
      Intent* intent = it->second.get();
      if (intent->delete_pending) {
        // Still deleting its pod: look again a retention period later.
        intent->terminal_at = now;
        terminal_.push_back({now, intent->spec.key});
      } else {
        Forget(intent);
      }
    }
    terminal_.pop_front();
  }
}

void Engine::Forget(Intent* intent) {
  Workflow* workflow = intent->workflow;
  intents_.erase(absl::string_view(intent->spec.key));
  if (workflow->Unref()) {
    if (last_workflow_ == workflow) last_workflow_ = nullptr;
    workflows_.erase(workflow->uid());
  }
}

// ---------------------------------------------------------------- cancel

void Engine::QueueDelete(Intent* intent) {
  intent->delete_pending = true;
  intent->transient_failures = 0;
  delete_queue_.push_back(intent);
}

void Engine::CancelOne(Intent* intent, bool keep_created, CancelOutcome& outcome) {
  const MonoTime now = clock_.MonoNow();
  switch (intent->state) {
    case IntentState::kQueued:
      queue_.Remove(intent);
      [[fallthrough]];
    case IntentState::kBackoff:
      MakeTerminal(intent, IntentState::kCancelled, now);
      Emit(*intent, PodEventType::kCancelled, "Cancelled", "cancelled before creation");
      ++outcome.dropped;
      return;
    case IntentState::kDispatching:
      if (!intent->cancel_requested) {
        intent->cancel_requested = true;
        intent->keep_created_on_cancel = keep_created;
      }
      if (keep_created) {
        ++outcome.already_done;
      } else {
        ++outcome.deleting;
      }
      return;
    case IntentState::kRescheduling:
      // Its pod is already being deleted; it will not be re-created.
      MakeTerminal(intent, IntentState::kCancelled, now);
      Emit(*intent, PodEventType::kCancelled, "Cancelled", "cancelled while rescheduling");
      ++outcome.deleting;
      return;
    case IntentState::kCreated:
    case IntentState::kScheduled:
    case IntentState::kRunning:
      if (keep_created) {
        ++outcome.already_done;
        return;
      }
      QueueDelete(intent);
      MakeTerminal(intent, IntentState::kCancelled, now);
      Emit(*intent, PodEventType::kCancelled, "Cancelled", "deleting the pod");
      ++outcome.deleting;
      return;
    default:
      ++outcome.already_done;
      return;
  }
}

Engine::CancelOutcome Engine::CancelWorkflow(absl::string_view workflow_uid, bool keep_created) {
  CancelOutcome outcome;
  auto it = workflows_.find(workflow_uid);
  if (it == workflows_.end()) {
    outcome.not_found = 1;
    return outcome;
  }
  // Finished intents still remembered count as already done.
  outcome.already_done += static_cast<uint32_t>(it->second->refs() - it->second->live_count());
  it->second->ForEachLive([&](Intent* intent) { CancelOne(intent, keep_created, outcome); });
  FlushEvents();
  return outcome;
}

Engine::CancelOutcome Engine::CancelPods(absl::Span<const std::string> pod_keys,
                                         bool keep_created) {
  CancelOutcome outcome;
  for (const std::string& key : pod_keys) {
    auto it = intents_.find(absl::string_view(key));
    if (it == intents_.end()) {
      ++outcome.not_found;
      continue;
    }
    CancelOne(it->second.get(), keep_created, outcome);
  }
  FlushEvents();
  return outcome;
}

// ---------------------------------------------------------------- informer

void Engine::OnPodObserved(const PodObservation& pod) {
  auto it = intents_.find(absl::string_view(pod.key));
  if (it == intents_.end()) {
    if (pod.deleted) {
      unmatched_pods_.erase(pod.key);
    } else {
      unmatched_pods_[pod.key] = pod;
    }
    return;
  }
  Intent* intent = it->second.get();
  const MonoTime now = clock_.MonoNow();
  switch (intent->state) {
    case IntentState::kQueued:
    case IntentState::kBackoff:
      if (pod.deleted) return;
      // The pod exists though this incarnation has not created it (an earlier
      // one did, or an answer was lost): adopt it.
      if (intent->state == IntentState::kQueued) queue_.Remove(intent);
      intent->pod_uid = pod.uid;
      ++counters_.adopted;
      for (const auto& tracker : pools_) {
        if (tracker->name() == pod.pool) intent->pool = tracker.get();
      }
      if (intent->pool != nullptr) {
        intent->pool_usage = PoolUsage::Of(intent->spec.requests);
        ChargePool(intent, /*in_flight=*/false, /*add=*/true);
      }
      MarkCreated(intent, "AlreadyExists", now);
      Advance(intent, ProgressOf(pod), &pod);
      break;
    case IntentState::kDispatching:
      intent->early_observation = std::make_unique<PodObservation>(pod);
      return;
    case IntentState::kCreated:
    case IntentState::kScheduled:
    case IntentState::kRunning:
      if (!intent->pod_uid.empty() && !pod.uid.empty() && pod.uid != intent->pod_uid) {
        return;  // another incarnation of the same name
      }
      if (intent->pod_uid.empty()) intent->pod_uid = pod.uid;
      if (intent->pool != nullptr && ObservePoolSignals(intent, pod)) break;
      Advance(intent, ProgressOf(pod), &pod);
      break;
    case IntentState::kRescheduling:
      if (pod.deleted && (pod.uid.empty() || pod.uid == intent->pod_uid)) {
        RequeueAfterReschedule(intent);
        break;
      }
      return;
    default:
      return;
  }
  FlushEvents();
}

void Engine::OnPodsResynced(absl::Span<const PodObservation> pods) {
  pods_synced_ = true;
  unmatched_pods_.clear();
  absl::flat_hash_set<absl::string_view> present;
  present.reserve(pods.size());
  for (const PodObservation& pod : pods) {
    present.insert(pod.key);
    OnPodObserved(pod);
  }
  std::vector<Intent*> vanished;
  for (auto& [key, intent] : intents_) {
    if (IsCreatedOrLater(intent->state) && !IsTerminal(intent->state) && !present.contains(key)) {
      vanished.push_back(intent.get());
    }
  }
  for (Intent* intent : vanished) {
    if (intent->state == IntentState::kRescheduling) {
      RequeueAfterReschedule(intent);
    } else {
      Advance(intent, IntentState::kDeleted, nullptr);
    }
  }
  FlushEvents();
}

// ---------------------------------------------------------------- pools

// Builds the pool trackers from the configuration. A pool that stays keeps
// its tracker (intents point at it), with the new settings; one that goes is
// retired, not destroyed.
void Engine::BuildPools() {
  std::vector<std::unique_ptr<PoolTracker>> old = std::move(pools_);
  pools_.clear();
  pool_order_.clear();
  for (const PoolConfig& config : config_.capacity.pools) {
    std::unique_ptr<PoolTracker> tracker;
    for (auto& existing : old) {
      if (existing != nullptr && existing->name() == config.name) {
        tracker = std::move(existing);
        tracker->set_config(config);
        break;
      }
    }
    if (tracker == nullptr) {
      tracker = std::make_unique<PoolTracker>(config, &config_.capacity.timers);
    }
    pool_order_.push_back(tracker.get());
    pools_.push_back(std::move(tracker));
  }
  for (auto& existing : old) {
    if (existing != nullptr) retired_pools_.push_back(std::move(existing));
  }
}

CapacityPolicy Engine::PolicyOf(const Intent& intent) const {
  if (intent.spec.capacity_policy != CapacityPolicy::kDefault) return intent.spec.capacity_policy;
  auto it = config_.capacity.namespace_policies.find(intent.spec.pod_namespace());
  return it != config_.capacity.namespace_policies.end() ? it->second
                                                         : config_.capacity.default_policy;
}

// The first allowed pool that is Available and has room, preferring pools
// this intent has not failed in; a pool it failed in is used again (once it
// is Available) only when no other can take the pod, so that a SPOT_ONLY
// intent is not shut out for good by one stock-out.
PoolTracker* Engine::ChoosePool(Intent* intent, MonoTime now) {
  const PoolUsage usage = PoolUsage::Of(intent->spec.requests);
  const std::vector<PoolTracker*> candidates =
      CandidatePools(pool_order_, PolicyOf(*intent), intent->spec.allowed_pools, {});
  PoolTracker* fallback = nullptr;
  for (PoolTracker* pool : candidates) {
    if (pool->State(now) != PoolStateKind::kAvailable || !pool->Fits(usage)) continue;
    const bool failed_here = intent->reschedule != nullptr &&
                             std::find(intent->reschedule->excluded_pools.begin(),
                                       intent->reschedule->excluded_pools.end(),
                                       pool->name()) != intent->reschedule->excluded_pools.end();
    if (!failed_here) return pool;
    if (fallback == nullptr) fallback = pool;
  }
  return fallback;
}

std::string Engine::CapacityExplanation(Intent* intent, MonoTime now) {
  const std::vector<PoolTracker*> candidates =
      CandidatePools(pool_order_, PolicyOf(*intent), intent->spec.allowed_pools, {});
  if (candidates.empty()) {
    return absl::StrCat("no configured pool is allowed for policy ",
                        CapacityPolicyName(PolicyOf(*intent)));
  }
  std::vector<std::string> parts;
  const PoolUsage usage = PoolUsage::Of(intent->spec.requests);
  for (PoolTracker* pool : candidates) {
    const PoolStateKind state = pool->State(now);
    if (state != PoolStateKind::kAvailable) {
      std::string part =
          absl::StrCat(pool->name(), " ", PoolStateName(state), " for ",
                       absl::FormatDuration(absl::Ceil(pool->StateEnds() - now, absl::Seconds(1))));
      if (!pool->recent_failures().empty()) {
        absl::StrAppend(&part, " (", pool->recent_failures().back().reason, ")");
      }
      parts.push_back(std::move(part));
    } else if (!pool->Fits(usage)) {
      parts.push_back(absl::StrCat(pool->name(), " full"));
    }
  }
  return absl::StrCat("no pool can take the pod now: ", absl::StrJoin(parts, "; "));
}

void Engine::ChargePool(Intent* intent, bool in_flight, bool add) {
  PoolTracker* pool = intent->pool;
  if (pool == nullptr) return;
  bool& charged = in_flight ? intent->pool_in_flight : intent->pool_used;
  if (charged == add) return;
  charged = add;
  if (in_flight) {
    if (add) {
      pool->AddInFlight(intent->pool_usage);
    } else {
      pool->RemoveInFlight(intent->pool_usage);
    }
  } else {
    if (add) {
      pool->AddUsed(intent->pool_usage);
    } else {
      pool->RemoveUsed(intent->pool_usage);
      UnparkEverything();
    }
  }
}

void Engine::UnparkEverything() {
  for (auto& [name, ns] : namespaces_) ns->UnparkAll(queue_);
}

// Reads capacity signals off a created pod of a pool. Returns true if the pod
// is being moved to another pool.
bool Engine::ObservePoolSignals(Intent* intent, const PodObservation& pod) {
  const MonoTime now = clock_.MonoNow();
  PoolTracker* pool = intent->pool;
  if (pod.disruption_target && !intent->disrupted) {
    intent->disrupted = true;
    pool->MarkInterruption(now, clock_.WallNow(), pod.disruption_reason, pod.disruption_message);
    RefreshPoolStates(now);
  }
  const bool not_started =
      (intent->state == IntentState::kCreated || intent->state == IntentState::kScheduled) &&
      pod.phase == PodPhase::kPending && !pod.deleted;
  if (!not_started) return false;
  auto mentions = [&pod](const std::vector<std::string>& words) -> std::string {
    for (const std::string& word : words) {
      if (absl::StrContains(pod.reason, word) ||
          absl::StrContains(pod.unschedulable_message, word) ||
          absl::StrContains(pod.message, word)) {
        return word;
      }
    }
    return "";
  };
  const std::string message =
      !pod.unschedulable_message.empty() ? pod.unschedulable_message : pod.message;
  if (std::string word = mentions(config_.capacity.stockout_reasons); !word.empty()) {
    pool->MarkStockOut(now, clock_.WallNow(), word, message);
    Reschedule(intent, word, message);
    return true;
  }
  if (std::string word = mentions(config_.capacity.failure_reasons); !word.empty()) {
    pool->MarkFailure(now, clock_.WallNow(), word, message);
    Reschedule(intent, word, message);
    return true;
  }
  return false;
}

// The pod cannot start in its pool: delete it, and re-create it under the
// same name in the next allowed pool once it is gone.
void Engine::Reschedule(Intent* intent, absl::string_view reason, absl::string_view message) {
  PoolTracker* pool = intent->pool;
  if (intent->reschedule == nullptr) intent->reschedule = std::make_unique<RescheduleHistory>();
  RescheduleHistory& history = *intent->reschedule;
  history.excluded_pools.push_back(pool->name());
  history.previous_pool = pool->name();
  history.reason = absl::StrCat(reason, message.empty() ? "" : ": ", message);
  ChargePool(intent, /*in_flight=*/false, /*add=*/false);
  SetState(intent, IntentState::kRescheduling);
  QueueDelete(intent);
  RefreshPoolStates(clock_.MonoNow());
}

void Engine::RequeueAfterReschedule(Intent* intent) {
  ChargeOurs(intent, /*add=*/false);  // the old pod is gone
  intent->pod_uid.clear();
  intent->delete_pending = false;
  intent->disrupted = false;
  intent->waiting_reported = false;
  intent->early_observation.reset();
  SetState(intent, IntentState::kQueued);
  Enqueue(intent, /*at_front=*/true);
}

void Engine::CheckProvisioning(MonoTime now) {
  while (!provisioning_.empty() && provisioning_.top().at <= now) {
    ProvisioningCheck check = provisioning_.top();
    provisioning_.pop();
    auto it = intents_.find(absl::string_view(check.key));
    if (it == intents_.end()) continue;
    Intent* intent = it->second.get();
    if (intent->state != IntentState::kCreated || intent->created_at != check.created_at ||
        intent->pool == nullptr) {
      continue;  // scheduled since, or another attempt
    }
    const std::string message =
        absl::StrCat("not scheduled within the pool's provisioning timeout of ",
                     absl::FormatDuration(intent->pool->config().provisioning_timeout));
    intent->pool->MarkFailure(now, clock_.WallNow(), "ProvisioningTimeout", message);
    Reschedule(intent, "ProvisioningTimeout", message);
  }
}

void Engine::RefreshPoolStates(MonoTime now) {
  MonoTime next = MonoTime::Infinite();
  bool returned = false;
  for (PoolTracker* pool : pool_order_) {
    const bool was_down = pool->StateEnds() <= now && !pool->StateEnds().is_infinite();
    pool->State(now);
    returned |= was_down;
    next = std::min(next, pool->StateEnds());
  }
  next_pool_change_ = next;
  if (returned) UnparkEverything();
}

Engine::CapacityStatus Engine::Capacity() {
  const MonoTime now = clock_.MonoNow();
  RefreshPoolStates(now);
  CapacityStatus status;
  status.default_policy = config_.capacity.default_policy;
  for (PoolTracker* pool : pool_order_) {
    PoolRow row;
    row.pool = pool;
    row.state = pool->State(now);
    row.remaining =
        row.state == PoolStateKind::kAvailable ? absl::ZeroDuration() : pool->StateEnds() - now;
    status.pools.push_back(row);
  }
  for (const auto& [name, ns] : namespaces_) status.waiting += ns->blocked();
  return status;
}

// ---------------------------------------------------------------- misc

void Engine::Reconfigure(const EngineConfig& config) {
  const bool was_adaptive = config_.adaptive.enabled;
  config_ = config;
  const MonoTime now = clock_.MonoNow();
  if (config.adaptive.enabled) {
    // Keep what was learned; new bounds apply from now.
    const double learned = was_adaptive ? adaptive_.rate() : config.adaptive.initial_qps;
    AdaptiveRate::Options options = config.adaptive;
    options.initial_qps = learned;
    adaptive_ = AdaptiveRate(options, now);
    WriteBudget::Options budget = config.budget;
    budget.qps = adaptive_.rate();
    budget_.Reconfigure(budget, now);
    ApplyAdaptiveRate(now, /*force=*/true);
  } else {
    budget_.Reconfigure(config.budget, now);
  }
  UpdateWindow();
  backoff_ = ExponentialBackoff(config.retry_backoff);
  queue_.set_backfill_scan(config.quota.backfill_scan);
  BuildPools();
  UnparkEverything();
  for (auto& [uid, workflow] : workflows_) {
    workflow->set_weight(WorkflowWeightFor(*workflow));
    const auto weight = workflow->weight();  // clang < 16 cannot capture a structured binding
    workflow->ForEachFlow([weight](FlowQueue* flow) { FairQueue::SetWeight(flow, weight); });
  }
  for (auto& [name, ns] : namespaces_) {
    auto it = config.namespace_weights.find(name);
    ns->set_weight(it != config.namespace_weights.end() ? it->second
                                                        : config.default_namespace_weight);
    // Applies to intents accepted from now on.
    ns->set_strict_fifo(config.quota.strict_fifo_namespaces.contains(name));
    ns->UnparkAll(queue_);
  }
}

namespace {

// Whether `text` matches `glob`, where '*' matches any run of characters.
bool GlobMatch(absl::string_view glob, absl::string_view text) {
  size_t g = 0, t = 0, star = absl::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (g < glob.size() && glob[g] == '*') {
      star = g++;
      mark = t;
    } else if (g < glob.size() && glob[g] == text[t]) {
      ++g;
      ++t;
    } else if (star != absl::string_view::npos) {
      g = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (g < glob.size() && glob[g] == '*') ++g;
  return g == glob.size();
}

}  // namespace

double Engine::WorkflowWeightFor(const Workflow& workflow) const {
  for (const EngineConfig::WorkflowWeight& rule : config_.workflow_weights) {
    if (!rule.workflow_namespace.empty() &&
        rule.workflow_namespace != workflow.workflow_namespace()) {
      continue;
    }
    if (GlobMatch(rule.name_glob, workflow.name())) return rule.weight;
  }
  return config_.default_workflow_weight;
}

void Engine::SampleFairness(MonoTime now) {
  next_fairness_sample_ = now + absl::Milliseconds(250);
  struct Entry {
    const NamespaceQueue* ns;
    uint64_t id;
    uint64_t dispatched;
    double weight;
  };
  std::vector<Entry> entries;
  absl::flat_hash_map<const NamespaceQueue*, double> flow_weight_sums;
  queue_.ForEachTopLevelActiveFlow([&](const NamespaceQueue& ns, const FlowQueue& flow) {
    entries.push_back({&ns, flow.id(), flow.dispatched(), flow.weight()});
    flow_weight_sums[&ns] += flow.weight();
  });
  double ns_weight_sum = 0;
  for (const auto& [ns, sum] : flow_weight_sums) ns_weight_sum += ns->weight();
  std::vector<FairnessMeter::FlowSample> samples;
  samples.reserve(entries.size());
  for (const Entry& e : entries) {
    const double share = e.ns->weight() / ns_weight_sum * e.weight / flow_weight_sums.at(e.ns);
    samples.push_back({e.id, e.dispatched, share});
  }
  fairness_.Observe(now, samples);
}

EngineStatus Engine::Status(bool include_namespaces) const {
  const MonoTime now = clock_.MonoNow();
  EngineStatus status;
  status.queue_depth = queue_depth();
  status.queue_cap = config_.queue_cap;
  status.backing_off = state_counts_[static_cast<int>(IntentState::kBackoff)];
  status.deletes_queued = delete_queue_.size();
  status.qps = budget_.options().qps;
  status.burst = budget_.options().burst;
  if (fairness_.last().has_value()) {
    status.fairness_jain = fairness_.last()->jain;
    status.fairness_flows = fairness_.last()->flows;
    status.fairness_period = fairness_.last()->length;
  }
  status.small_workflow_worst_wait = fairness_.SmallWorkflowWorstWait(now);
  status.adaptive = config_.adaptive.enabled;
  if (status.adaptive) {
    status.slow_start = adaptive_.slow_start();
    status.ceiling_qps = config_.adaptive.ceiling_qps;
    status.floor_qps = config_.adaptive.floor_qps;
    std::copy(std::begin(counters_.rate_decreases), std::end(counters_.rate_decreases),
              std::begin(status.rate_decreases));
  }
  status.tokens = budget_.tokens(now);
  status.max_in_flight = budget_.options().max_in_flight;
  status.in_flight_window = budget_.window();
  status.write_latency = write_latency_;
  if (config_.adaptive.enabled) status.throttled_share = adaptive_.ThrottledShare(now);
  status.in_flight = budget_.in_flight();
  if (budget_.paused(now)) status.paused_for = budget_.paused_until() - now;
  std::copy(std::begin(state_counts_), std::end(state_counts_), std::begin(status.state_counts));
  status.active_workflows = workflows_.size();
  if (include_namespaces) {
    status.namespaces.reserve(namespaces_.size());
    for (const auto& [name, ns] : namespaces_) {
      EngineStatus::Namespace row;
      row.name = name;
      row.queued = ns->queued();
      row.in_flight = ns->in_flight;
      row.workflows = ns->active_flows();
      row.weight = ns->weight();
      row.blocked = ns->blocked();
      row.strict_fifo = ns->strict_fifo();
      for (const auto& quota : ns->quotas()) {
        EngineStatus::Quota q;
        q.name = quota->name();
        q.hard = quota->hard();
        q.status_used = quota->status_used();
        q.sluice_used = quota->ours();
        q.in_flight = quota->in_flight();
        const ResourceList used = quota->EstimatedUsed();
        for (const ResourceList::Entry& e : quota->hard()) {
          Quantity left = e.quantity - used.Get(e.name);
          if (left.Sign() < 0) left = Quantity();
          q.headroom.Set(e.name, left);
        }
        q.status_known = quota->status_known();
        q.unevaluated_scopes = quota->unevaluated_scopes();
        row.quotas.push_back(std::move(q));
      }
      status.namespaces.push_back(std::move(row));
    }
    std::sort(status.namespaces.begin(), status.namespaces.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
  }
  return status;
}

const Intent* Engine::Find(absl::string_view pod_key) const {
  auto it = intents_.find(pod_key);
  return it == intents_.end() ? nullptr : it->second.get();
}

// ---------------------------------------------------------------- quota

const ResourceList& Engine::QuotaUsage(Intent* intent) {
  if (intent->quota_usage == nullptr) intent->quota_usage = std::make_unique<ResourceList>();
  if (intent->quota_usage->empty()) {
    *intent->quota_usage = QuotaUsageOf(intent->spec.requests, intent->spec.limits);
  }
  return *intent->quota_usage;
}

bool Engine::QuotaAdmits(Intent* intent, std::string* why) {
  NamespaceState* ns = intent->namespace_state;
  if (!config_.quota.enabled || ns->quotas().empty()) return true;
  const ResourceList& usage = QuotaUsage(intent);
  for (const auto& quota : ns->quotas()) {
    if (!quota->Applies(intent->spec.scope_facts)) continue;
    if (!quota->Fits(usage, why)) return false;
  }
  return true;
}

void Engine::OnParked(Intent* head) {
  if (head->waiting_reported) return;
  head->waiting_reported = true;
  std::string why;
  if (!QuotaAdmits(head, &why)) {
    ++counters_.quota_waits;
    Emit(*head, PodEventType::kWaiting,
         absl::StartsWith(why, "status unknown") ? "QuotaStatusUnknown" : "QuotaExceeded", why);
    return;
  }
  ++counters_.capacity_waits;
  Emit(*head, PodEventType::kWaiting, "CapacityUnavailable", CapacityExplanation(head, pump_now_));
}

void Engine::ChargeInFlight(Intent* intent, bool add) {
  NamespaceState* ns = intent->namespace_state;
  if (ns->quotas().empty()) return;
  const ResourceList& usage = QuotaUsage(intent);
  for (const auto& quota : ns->quotas()) {
    if (!quota->Applies(intent->spec.scope_facts)) continue;
    if (add) {
      quota->AddInFlight(usage);
    } else {
      quota->RemoveInFlight(usage);
    }
  }
}

void Engine::ChargeOurs(Intent* intent, bool add) {
  NamespaceState* ns = intent->namespace_state;
  if (ns->quotas().empty()) return;
  const ResourceList& usage = QuotaUsage(intent);
  for (const auto& quota : ns->quotas()) {
    if (!quota->Applies(intent->spec.scope_facts)) continue;
    if (add) {
      quota->AddOurs(usage);
    } else {
      quota->RemoveOurs(usage);
    }
  }
  if (!add) ns->UnparkAll(queue_);
}

// Rebuilds Sluice's accounting for one quota from the intents' states (a new
// quota, or one whose keys or scopes changed). O(intents); rare.
void Engine::RecountQuota(NamespaceState* ns, TrackedQuota* quota) {
  quota->ResetAccounting();
  for (auto& [key, intent] : intents_) {
    if (intent->namespace_state != ns) continue;
    const bool in_flight = intent->state == IntentState::kDispatching;
    const bool ours = IsCreatedOrLater(intent->state) && !IsTerminal(intent->state);
    if (!in_flight && !ours) continue;
    if (!quota->Applies(intent->spec.scope_facts)) continue;
    if (in_flight) {
      quota->AddInFlight(QuotaUsage(intent.get()));
    } else {
      quota->AddOurs(QuotaUsage(intent.get()));
    }
  }
}

void Engine::ObserveQuota(const QuotaObservation& observation) {
  NamespaceState* ns = NamespaceFor(observation.pod_namespace);
  if (observation.deleted) {
    ns->RemoveQuota(observation.name);
  } else {
    bool recount = false;
    TrackedQuota* quota = ns->UpsertQuota(observation, &recount);
    if (recount) RecountQuota(ns, quota);
  }
  // Headroom may have grown (a pod's usage released, a quota raised).
  ns->UnparkAll(queue_);
}

void Engine::OnQuotaObserved(const QuotaObservation& quota) {
  ObserveQuota(quota);
  FlushEvents();
}

void Engine::OnQuotasResynced(absl::Span<const QuotaObservation> quotas) {
  absl::flat_hash_set<std::string> present;
  for (const QuotaObservation& q : quotas) {
    present.insert(absl::StrCat(q.pod_namespace, "/", q.name));
  }
  for (auto& [name, ns] : namespaces_) {
    std::vector<std::string> gone;
    for (const auto& quota : ns->quotas()) {
      if (!present.contains(absl::StrCat(name, "/", quota->name()))) gone.push_back(quota->name());
    }
    for (const std::string& quota : gone) ns->RemoveQuota(quota);
    if (!gone.empty()) ns->UnparkAll(queue_);
  }
  for (const QuotaObservation& q : quotas) ObserveQuota(q);
  FlushEvents();
}

void Engine::Emit(const Intent& intent, PodEventType type, absl::string_view reason,
                  absl::string_view message) {
  PodEvent& event = pending_events_.emplace_back();
  event.type = type;
  event.state = intent.state;
  event.pod_key = intent.spec.key;
  event.namespace_length = intent.spec.namespace_length;
  event.workflow_uid = intent.workflow->uid();
  event.time = clock_.WallNow();
  event.pod_uid = intent.pod_uid;
  event.reason = std::string(reason);
  event.message = std::string(message);
  event.attempt = intent.attempts;
  if (intent.pool != nullptr) event.pool = intent.pool->name();
  ++counters_.events[static_cast<int>(type)];
}

void Engine::FlushEvents() {
  if (pending_events_.empty()) return;
  if (events_ != nullptr) events_->Publish(pending_events_);
  pending_events_.clear();
}

}  // namespace sluice
