#include "scheduler/server/scheduler_service.h"

#include <deque>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "scheduler/server/cost_attribution.h"
#include "scheduler/server/cost_proto.h"
#include "scheduler/server/proto_convert.h"

namespace sluice {
namespace {

// Requests a Submit stream reads ahead of the responses it has written.
constexpr int kMaxPipelinedBatches = 4;
// Events per WatchEvents message, and events scanned per read under a filter.
constexpr size_t kMaxEventsPerMessage = 2'000;
constexpr size_t kMaxEventsScanned = 50'000;

void SetCode(v1::IntentResult* result, v1::IntentResult::Code code, v1::SubmitResponse* response) {
  result->set_code(code);
  switch (code) {
    case v1::IntentResult::ACCEPTED:
      response->set_accepted(response->accepted() + 1);
      break;
    case v1::IntentResult::DUPLICATE:
      response->set_duplicates(response->duplicates() + 1);
      break;
    case v1::IntentResult::REJECTED:
      response->set_rejected(response->rejected() + 1);
      break;
    case v1::IntentResult::RESOURCE_EXHAUSTED:
      response->set_exhausted(response->exhausted() + 1);
      break;
    default:
      break;
  }
}

// ------------------------------------------------------------------ Submit

// Batches are validated on gRPC's threads as they arrive: the next read is
// issued before a batch is validated, so consecutive batches of one stream are
// validated in parallel. They are re-sequenced before reaching the engine, so
// the engine sees them, and the client gets answers, in request order.
class SubmitReactor final : public grpc::ServerBidiReactor<v1::SubmitRequest, v1::SubmitResponse> {
 public:
  explicit SubmitReactor(SchedulerService* service) : service_(service) {
    reading_ = std::make_unique<v1::SubmitRequest>();
    StartRead(reading_.get());
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      bool finish;
      {
        absl::MutexLock lock(&mu_);
        reads_done_ = true;
        finish = ShouldFinishLocked();
      }
      if (finish) Finish(grpc::Status::OK);
      return;
    }
    // Only one read is outstanding at a time, so this runs before the next
    // OnReadDone: the sequence number and the next buffer are ours alone.
    std::unique_ptr<v1::SubmitRequest> request = std::move(reading_);
    const uint64_t sequence = next_read_sequence_++;
    bool read_more;
    {
      absl::MutexLock lock(&mu_);
      ++outstanding_;
      read_more = outstanding_ < kMaxPipelinedBatches;
      read_blocked_ = !read_more;
    }
    if (read_more) {
      reading_ = std::make_unique<v1::SubmitRequest>();
      StartRead(reading_.get());
    }
    std::shared_ptr<PreparedBatch> batch = service_->Prepare(*request);
    request.reset();
    absl::MutexLock lock(&mu_);
    prepared_.emplace(sequence, std::move(batch));
    // Hand over, in order, every batch whose predecessors have been handed over.
    for (auto it = prepared_.find(next_post_sequence_); it != prepared_.end();
         it = prepared_.find(next_post_sequence_)) {
      service_->loop()->Post([this, ready = std::move(it->second)](Engine& engine) {
        service_->Apply(engine, *ready);
        OnBatchDone(std::move(ready->response));
      });
      prepared_.erase(it);
      ++next_post_sequence_;
    }
  }

  void OnWriteDone(bool ok) override {
    const v1::SubmitResponse* next = nullptr;
    bool read_more = false;
    bool finish = false;
    bool failed = false;
    {
      absl::MutexLock lock(&mu_);
      pending_.pop_front();
      --outstanding_;
      if (!ok) {
        // The client is gone: drop what is queued and stop writing.
        write_failed_ = true;
        outstanding_ -= static_cast<int>(pending_.size());
        pending_.clear();
      }
      if (!pending_.empty()) {
        next = &pending_.front();
      } else {
        writing_ = false;
      }
      if (read_blocked_ && outstanding_ < kMaxPipelinedBatches && !reads_done_ && !write_failed_) {
        read_blocked_ = false;
        read_more = true;
      }
      finish = ShouldFinishLocked();
      failed = write_failed_;
    }
    if (next != nullptr) StartWrite(next);
    if (read_more) {
      reading_ = std::make_unique<v1::SubmitRequest>();
      StartRead(reading_.get());
    }
    if (finish) Finish(failed ? grpc::Status::CANCELLED : grpc::Status::OK);
  }

  void OnDone() override { delete this; }

 private:
  // Engine thread.
  void OnBatchDone(v1::SubmitResponse response) {
    const v1::SubmitResponse* write = nullptr;
    bool finish = false;
    {
      absl::MutexLock lock(&mu_);
      if (write_failed_) {
        --outstanding_;
        finish = ShouldFinishLocked();
      } else {
        pending_.push_back(std::move(response));
        if (!writing_) {
          writing_ = true;
          write = &pending_.front();
        }
      }
    }
    if (write != nullptr) StartWrite(write);
    if (finish) Finish(grpc::Status::CANCELLED);
  }

  bool ShouldFinishLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_ || outstanding_ > 0) return false;
    if (!reads_done_ && !write_failed_) return false;
    finished_ = true;
    return true;
  }

  SchedulerService* const service_;
  // The buffer of the read in progress (at most one). Touched only by whoever
  // issues the read: OnReadDone, or OnWriteDone when reads were blocked.
  std::unique_ptr<v1::SubmitRequest> reading_;
  uint64_t next_read_sequence_ = 0;
  absl::Mutex mu_;
  // Batches read and not yet answered (validating, in the engine, or being written).
  int outstanding_ ABSL_GUARDED_BY(mu_) = 0;
  // Validated batches waiting for their predecessors, by read sequence.
  absl::flat_hash_map<uint64_t, std::shared_ptr<PreparedBatch>> prepared_ ABSL_GUARDED_BY(mu_);
  uint64_t next_post_sequence_ ABSL_GUARDED_BY(mu_) = 0;
  std::deque<v1::SubmitResponse> pending_ ABSL_GUARDED_BY(mu_);  // front is being written
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool read_blocked_ ABSL_GUARDED_BY(mu_) = false;
  bool reads_done_ ABSL_GUARDED_BY(mu_) = false;
  bool write_failed_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

// ------------------------------------------------------------------ WatchEvents

class WatchReactor;

// The state of one WatchEvents stream, shared with the event log's
// notification so that a notification never touches a deleted reactor.
// Finish is sent exactly once, and only with no write outstanding, so the
// reactor cannot be done (and deleted) while a StartWrite is being issued.
class WatchSession : public std::enable_shared_from_this<WatchSession> {
 public:
  WatchSession(EventLog* log, uint64_t epoch, std::string workflow_uid, uint64_t cursor)
      : log_(log), epoch_(epoch), workflow_uid_(std::move(workflow_uid)), cursor_(cursor) {}

  void Attach(WatchReactor* reactor);
  void Detach();
  // Writes what is new if no write is in flight. Any thread.
  void Pump();
  void OnWriteDone(bool ok);
  void OnCancel();

 private:
  // After a write: the finish if one is due, else the next write.
  void AfterWrite();
  // Asks for the stream to end with `status` (the first request wins).
  void RequestFinishLocked(grpc::Status status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // If a finish was requested and nothing is being written, claims the right
  // to send it: returns the reactor to call Finish on, else nullptr.
  WatchReactor* TakeFinishLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  EventLog* const log_;
  const uint64_t epoch_;
  const std::string workflow_uid_;
  absl::Mutex mu_;
  WatchReactor* reactor_ ABSL_GUARDED_BY(mu_) = nullptr;
  uint64_t cursor_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  // gRPC serialises message_ inside StartWrite, on the calling thread, and
  // may report the write done (OnWriteDone, on another thread) before that
  // call has returned. message_ is rebuilt only once both have happened, and
  // the caller says so under mu_: an ordering ThreadSanitizer can see, which
  // the completion's path through libgrpc is not.
  bool in_start_write_ ABSL_GUARDED_BY(mu_) = false;
  bool finish_requested_ ABSL_GUARDED_BY(mu_) = false;
  bool finish_sent_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status finish_status_ ABSL_GUARDED_BY(mu_);
  v1::WatchEventsResponse message_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<EventLog::Subscription> subscription_;
};

class WatchReactor final : public grpc::ServerWriteReactor<v1::WatchEventsResponse> {
 public:
  explicit WatchReactor(std::shared_ptr<WatchSession> session) : session_(std::move(session)) {}
  void Begin() {
    session_->Attach(this);
    session_->Pump();
  }
  void OnWriteDone(bool ok) override { session_->OnWriteDone(ok); }
  void OnCancel() override { session_->OnCancel(); }
  void OnDone() override {
    session_->Detach();
    delete this;
  }

 private:
  std::shared_ptr<WatchSession> session_;
};

void WatchSession::Attach(WatchReactor* reactor) {
  {
    absl::MutexLock lock(&mu_);
    reactor_ = reactor;
  }
  std::weak_ptr<WatchSession> weak = weak_from_this();
  subscription_ = log_->Subscribe([weak] {
    if (auto self = weak.lock()) self->Pump();
  });
}

void WatchSession::Detach() {
  if (subscription_) subscription_->Cancel();
  absl::MutexLock lock(&mu_);
  reactor_ = nullptr;
}

void WatchSession::RequestFinishLocked(grpc::Status status) {
  if (finish_requested_) return;
  finish_requested_ = true;
  finish_status_ = std::move(status);
}

WatchReactor* WatchSession::TakeFinishLocked() {
  if (!finish_requested_ || finish_sent_ || writing_ || in_start_write_ || reactor_ == nullptr) {
    return nullptr;
  }
  finish_sent_ = true;
  return reactor_;
}

void WatchSession::Pump() {
  WatchReactor* write_to = nullptr;
  WatchReactor* finish = nullptr;
  grpc::Status status;
  {
    absl::MutexLock lock(&mu_);
    if (reactor_ == nullptr || writing_ || in_start_write_ || finish_requested_) return;
    std::vector<SequencedEvent> events;
    EventLog::ReadStatus read = EventLog::ReadStatus::kOk;
    // Read until something matches or the log is exhausted.
    while (events.empty()) {
      uint64_t next = cursor_;
      read = log_->Read(cursor_, workflow_uid_, kMaxEventsPerMessage, kMaxEventsScanned, &events,
                        &next);
      if (read != EventLog::ReadStatus::kOk || next == cursor_) break;
      cursor_ = next;
    }
    if (read == EventLog::ReadStatus::kTooOld) {
      RequestFinishLocked(grpc::Status(
          grpc::StatusCode::OUT_OF_RANGE,
          absl::StrCat("events after sequence ", cursor_,
                       " have left Sluice's event window (the stream fell behind); "
                       "resubmit your intents: DUPLICATE answers carry each one's state")));
      finish = TakeFinishLocked();
      status = finish_status_;
    } else if (!events.empty()) {
      message_.Clear();
      message_.set_epoch(epoch_);
      for (const SequencedEvent& event : events) ToProto(event, epoch_, message_.add_events());
      writing_ = true;
      in_start_write_ = true;
      write_to = reactor_;
    }
  }
  if (finish != nullptr) finish->Finish(status);
  if (write_to == nullptr) return;
  // The caller holds a reference (the reactor, inside a reaction, or the
  // subscription's lock of the weak pointer), so `this` outlives the write.
  write_to->StartWrite(&message_);
  bool completed;
  {
    absl::MutexLock lock(&mu_);
    in_start_write_ = false;
    completed = !writing_;
  }
  // The write completed while StartWrite was running: its OnWriteDone stood
  // aside, so this thread sends what came next (or the finish).
  if (completed) AfterWrite();
}

void WatchSession::AfterWrite() {
  WatchReactor* finish = nullptr;
  grpc::Status status;
  {
    absl::MutexLock lock(&mu_);
    finish = TakeFinishLocked();
    status = finish_status_;
  }
  if (finish != nullptr) {
    finish->Finish(status);
    return;
  }
  Pump();
}

void WatchSession::OnWriteDone(bool ok) {
  {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (!ok) RequestFinishLocked(grpc::Status::CANCELLED);
    if (in_start_write_) return;  // Pump's caller takes over when StartWrite returns
  }
  AfterWrite();
}

void WatchSession::OnCancel() {
  WatchReactor* finish = nullptr;
  grpc::Status status;
  {
    absl::MutexLock lock(&mu_);
    RequestFinishLocked(grpc::Status::CANCELLED);
    // With a write in flight, OnWriteDone sends the finish.
    finish = TakeFinishLocked();
    status = finish_status_;
  }
  if (finish != nullptr) finish->Finish(status);
}

}  // namespace

// ------------------------------------------------------------------ service

SchedulerService::SchedulerService(ServerIdentity identity, EngineLoop* loop, EventLog* events,
                                   const IntentIntake* intake, SluiceMetrics* metrics,
                                   const EffectiveConfig* config)
    : identity_(std::move(identity)),
      loop_(loop),
      events_(events),
      intake_(intake),
      metrics_(metrics),
      config_(config) {}

std::unique_ptr<PreparedBatch> SchedulerService::Prepare(v1::SubmitRequest& request) const {
  auto batch = std::make_unique<PreparedBatch>();
  const int n = request.intents_size();
  batch->response.set_batch_id(request.batch_id());
  batch->response.set_epoch(identity_.epoch);
  batch->response.mutable_results()->Reserve(n);
  batch->intents.reserve(static_cast<size_t>(n));
  batch->positions.reserve(static_cast<size_t>(n));
  const std::shared_ptr<const IntakeLimits> limits = intake_->limits();
  const size_t max_batch = limits->max_batch_intents;
  for (int i = 0; i < n; ++i) {
    v1::IntentResult* result = batch->response.add_results();
    if (static_cast<size_t>(i) >= max_batch) {
      result->set_field("intents");
      result->set_reason(absl::StrCat("a request carries at most ", max_batch,
                                      " intents; resubmit this one in a later request"));
      SetCode(result, v1::IntentResult::REJECTED, &batch->response);
      continue;
    }
    Rejection rejection;
    std::unique_ptr<Intent> intent =
        intake_->Convert(*limits, *request.mutable_intents(i), &rejection);
    if (intent == nullptr) {
      result->set_field(std::move(rejection.field));
      result->set_reason(std::move(rejection.reason));
      SetCode(result, v1::IntentResult::REJECTED, &batch->response);
      continue;
    }
    batch->intents.push_back(std::move(intent));
    batch->positions.push_back(static_cast<uint32_t>(i));
  }
  return batch;
}

void SchedulerService::Apply(Engine& engine, PreparedBatch& batch) const {
  std::vector<Engine::SubmitOutcome> outcomes(batch.intents.size());
  engine.Submit(absl::MakeSpan(batch.intents), absl::MakeSpan(outcomes));
  v1::SubmitResponse& response = batch.response;
  for (size_t i = 0; i < outcomes.size(); ++i) {
    v1::IntentResult* result = response.mutable_results(static_cast<int>(batch.positions[i]));
    switch (outcomes[i].code) {
      case Engine::SubmitCode::kAccepted:
        SetCode(result, v1::IntentResult::ACCEPTED, &response);
        break;
      case Engine::SubmitCode::kDuplicate:
        SetCode(result, v1::IntentResult::DUPLICATE, &response);
        result->set_state(ToProto(outcomes[i].state));
        break;
      case Engine::SubmitCode::kExhausted:
        SetCode(result, v1::IntentResult::RESOURCE_EXHAUSTED, &response);
        result->set_reason(absl::StrCat("the queue is at its cap of ", engine.config().queue_cap,
                                        " intents; resubmit later"));
        break;
    }
  }
  if (metrics_ != nullptr) {
    metrics_->RecordSubmit(response.accepted(), response.duplicates(), response.rejected(),
                           response.exhausted());
  }
}

grpc::ServerBidiReactor<v1::SubmitRequest, v1::SubmitResponse>* SchedulerService::Submit(
    grpc::CallbackServerContext* /*context*/) {
  return new SubmitReactor(this);
}

grpc::ServerUnaryReactor* SchedulerService::SubmitBatch(grpc::CallbackServerContext* context,
                                                        const v1::SubmitRequest* request,
                                                        v1::SubmitResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  v1::SubmitRequest copy = *request;  // manifests are moved out of the copy
  std::shared_ptr<PreparedBatch> batch = Prepare(copy);
  loop_->Post([this, batch, response, reactor](Engine& engine) {
    Apply(engine, *batch);
    *response = std::move(batch->response);
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

grpc::ServerUnaryReactor* SchedulerService::Cancel(grpc::CallbackServerContext* context,
                                                   const v1::CancelRequest* request,
                                                   v1::CancelResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (request->target_case() == v1::CancelRequest::TARGET_NOT_SET) {
    reactor->Finish(
        grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "set either workflow_uid or pods"));
    return reactor;
  }
  if (request->has_workflow_uid() && request->workflow_uid().empty()) {
    reactor->Finish(
        grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "workflow_uid: must not be empty"));
    return reactor;
  }
  std::vector<std::string> keys;
  if (request->has_pods()) {
    keys.reserve(static_cast<size_t>(request->pods().keys_size()));
    for (int i = 0; i < request->pods().keys_size(); ++i) {
      const v1::PodKey& key = request->pods().keys(i);
      if (key.namespace_().empty() || key.name().empty()) {
        reactor->Finish(
            grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                         absl::StrCat("pods.keys[", i, "]: namespace and name are both required")));
        return reactor;
      }
      keys.push_back(MakePodKey(key.namespace_(), key.name()));
    }
  }
  loop_->Post([this, request, response, reactor, keys = std::move(keys)](Engine& engine) {
    Engine::CancelOutcome outcome =
        request->has_workflow_uid()
            ? engine.CancelWorkflow(request->workflow_uid(), request->keep_created())
            : engine.CancelPods(keys, request->keep_created());
    response->set_epoch(identity_.epoch);
    response->set_dropped(outcome.dropped);
    response->set_deleting(outcome.deleting);
    response->set_already_done(outcome.already_done);
    response->set_not_found(outcome.not_found);
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

grpc::ServerWriteReactor<v1::WatchEventsResponse>* SchedulerService::WatchEvents(
    grpc::CallbackServerContext* /*context*/, const v1::WatchEventsRequest* request) {
  const uint64_t cursor =
      request->after_sequence() != 0 ? request->after_sequence() : events_->last_sequence();
  auto session =
      std::make_shared<WatchSession>(events_, identity_.epoch, request->workflow_uid(), cursor);
  auto* reactor = new WatchReactor(session);
  reactor->Begin();
  return reactor;
}

grpc::ServerUnaryReactor* SchedulerService::GetStatus(grpc::CallbackServerContext* context,
                                                      const v1::GetStatusRequest* request,
                                                      v1::GetStatusResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const bool include_namespaces = request->include_namespaces();
  if (request->include_config() && config_ != nullptr) {
    if (std::shared_ptr<const EffectiveConfigSnapshot> config = config_->Get()) {
      v1::EffectiveConfig* out = response->mutable_config();
      out->set_yaml(config->yaml);
      out->set_generation(config->generation);
      out->set_source(config->source);
      const int64_t loaded = absl::ToUnixNanos(config->loaded);
      out->mutable_loaded()->set_seconds(loaded / 1'000'000'000);
      out->mutable_loaded()->set_nanos(static_cast<int32_t>(loaded % 1'000'000'000));
    }
  }
  loop_->Post([this, response, reactor, include_namespaces](Engine& engine) {
    ToProto(engine.Status(include_namespaces), response);
    response->set_epoch(identity_.epoch);
    response->set_version(identity_.version);
    const int64_t started = absl::ToUnixNanos(identity_.started);
    response->mutable_started()->set_seconds(started / 1'000'000'000);
    response->mutable_started()->set_nanos(static_cast<int32_t>(started % 1'000'000'000));
    response->set_kube_server(identity_.kube_server);
    response->set_watch_streams(static_cast<uint32_t>(events_->subscribers()));
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

grpc::ServerUnaryReactor* SchedulerService::GetCapacity(grpc::CallbackServerContext* context,
                                                        const v1::GetCapacityRequest* /*request*/,
                                                        v1::GetCapacityResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  loop_->Post([this, response, reactor](Engine& engine) {
    ToProto(engine.Capacity(), response);
    response->set_epoch(identity_.epoch);
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

grpc::ServerUnaryReactor* SchedulerService::GetCost(grpc::CallbackServerContext* context,
                                                    const v1::GetCostRequest* request,
                                                    v1::GetCostResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (cost_ == nullptr) {
    reactor->Finish(grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                                 "the cost ledger is off: start sluiced with --ledger PATH"));
    return reactor;
  }
  absl::StatusOr<cost::CostQuery> query = FromProto(*request);
  if (!query.ok()) {
    reactor->Finish(
        grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::string(query.status().message())));
    return reactor;
  }
  cost_->Query(loop_, std::move(*query),
               [this, response, reactor](absl::StatusOr<cost::CostReport> report, absl::Time now) {
                 if (!report.ok()) {
                   reactor->Finish(grpc::Status(grpc::StatusCode::INTERNAL,
                                                std::string(report.status().message())));
                   return;
                 }
                 ToProto(*report, now, response);
                 response->set_epoch(identity_.epoch);
                 reactor->Finish(grpc::Status::OK);
               });
  return reactor;
}

}  // namespace sluice
