#include "tools/loadgen/intent_submitter.h"

#include <thread>

#include "absl/strings/str_cat.h"
#include "tools/loadgen/pod_manifest.h"
#include "tools/loadgen/scheduler_channel.h"

namespace sluice::loadgen {

IntentSubmitter::IntentSubmitter(v1::Scheduler::Stub* stub, const WorkloadPlan* plan,
                                 PodLedger* ledger, const Clock* clock, Options options,
                                 EpochWatch* epochs)
    : stub_(stub),
      plan_(plan),
      ledger_(ledger),
      clock_(clock),
      options_(options),
      epochs_(epochs) {}

v1::SubmitRequest IntentSubmitter::MakeRequest(uint64_t batch_id,
                                               absl::Span<const uint32_t> pods) const {
  v1::SubmitRequest request;
  request.set_batch_id(batch_id);
  request.mutable_intents()->Reserve(static_cast<int>(pods.size()));
  for (uint32_t pod : pods) {
    const PodSpec& spec = plan_->pods()[pod];
    const WorkflowSpec& wf = plan_->workflow_of(pod);
    v1::PodIntent* intent = request.add_intents();
    intent->set_namespace_(wf.namespace_);
    intent->set_name(spec.name);
    intent->mutable_workflow()->set_uid(wf.uid);
    intent->mutable_workflow()->set_name(wf.name);
    intent->mutable_workflow()->set_namespace_(wf.namespace_);
    for (const auto& [key, value] : wf.cost_labels) (*intent->mutable_cost_labels())[key] = value;
    intent->set_pod_json(ArgoPodManifest(wf, spec, plan_->run_id()));
  }
  return request;
}

void IntentSubmitter::ReadAnswers(
    grpc::ClientReaderWriter<v1::SubmitRequest, v1::SubmitResponse>* stream) {
  v1::SubmitResponse response;
  while (stream->Read(&response)) {
    std::vector<uint32_t> pods;
    {
      absl::MutexLock lock(&mu_);
      auto it = outstanding_.find(response.batch_id());
      if (it == outstanding_.end()) {
        reader_error_ = absl::DataLossError(
            absl::StrCat("Submit: answer to unknown batch ", response.batch_id()));
        break;
      }
      pods = std::move(it->second);
      outstanding_.erase(it);
    }
    if (static_cast<size_t>(response.results_size()) != pods.size()) {
      absl::MutexLock lock(&mu_);
      reader_error_ = absl::DataLossError(absl::StrCat("Submit: batch ", response.batch_id(),
                                                       " has ", pods.size(), " intents but ",
                                                       response.results_size(), " results"));
      break;
    }
    if (epochs_ != nullptr) epochs_->Observe(response.epoch());
    const MonoTime retry_at = clock_->MonoNow() + options_.exhausted_retry;
    std::vector<uint32_t> exhausted;
    for (size_t i = 0; i < pods.size(); ++i) {
      const v1::IntentResult& result = response.results(static_cast<int>(i));
      ledger_->RecordAnswer(pods[i], result, response.epoch());
      if (result.code() == v1::IntentResult::RESOURCE_EXHAUSTED) exhausted.push_back(pods[i]);
    }
    absl::MutexLock lock(&mu_);
    for (uint32_t pod : exhausted) retries_.push_back({retry_at, pod});
  }
  absl::MutexLock lock(&mu_);
  reader_done_ = true;
}

absl::Status IntentSubmitter::Submit(absl::Span<const uint32_t> pods, MonoTime deadline) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + (deadline - clock_->MonoNow())));
  std::unique_ptr<grpc::ClientReaderWriter<v1::SubmitRequest, v1::SubmitResponse>> stream =
      stub_->Submit(&context);
  {
    absl::MutexLock lock(&mu_);
    outstanding_.clear();
    retries_.clear();
    reader_done_ = false;
    reader_error_ = absl::OkStatus();
  }
  std::thread reader([&] { ReadAnswers(stream.get()); });

  size_t next = 0;  // next pod of `pods` never sent
  bool write_failed = false;
  bool complete = false;
  while (true) {
    std::vector<uint32_t> batch;
    {
      absl::MutexLock lock(&mu_);
      // Room in the window and something to send (new pods, or retries that
      // are due); or the end: nothing left, the stream broke, the deadline.
      auto can_send = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        if (outstanding_.size() >= options_.window) return false;
        if (next < pods.size()) return true;
        return !retries_.empty() && retries_.front().not_before <= clock_->MonoNow();
      };
      auto can_stop = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return reader_done_ || (next >= pods.size() && retries_.empty() && outstanding_.empty());
      };
      auto wake = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return can_send() || can_stop(); };
      while (!wake() && clock_->MonoNow() < deadline) {
        mu_.AwaitWithTimeout(absl::Condition(&wake), absl::Milliseconds(20));
      }
      if (!can_send()) {
        complete = !reader_done_ && next >= pods.size() && retries_.empty() && outstanding_.empty();
        break;
      }
      const MonoTime now = clock_->MonoNow();
      while (batch.size() < options_.batch_size && !retries_.empty() &&
             retries_.front().not_before <= now) {
        batch.push_back(retries_.front().pod);
        retries_.pop_front();
      }
      while (batch.size() < options_.batch_size && next < pods.size()) {
        batch.push_back(pods[next++]);
      }
    }
    const uint64_t batch_id = next_batch_id_++;
    v1::SubmitRequest request = MakeRequest(batch_id, batch);
    {
      absl::MutexLock lock(&mu_);
      outstanding_.emplace(batch_id, batch);
    }
    ledger_->RecordSent(batch);
    if (!stream->Write(request)) {
      write_failed = true;
      break;
    }
  }
  if (complete) {
    stream->WritesDone();
  } else {
    // Answers are still due (deadline, broken stream): end the call.
    context.TryCancel();
  }
  reader.join();
  grpc::Status status = stream->Finish();
  absl::MutexLock lock(&mu_);
  if (!reader_error_.ok()) return reader_error_;
  if (!status.ok()) return FromGrpc(status, "Submit");
  if (write_failed) return absl::UnavailableError("Submit: the stream closed while writing");
  if (!complete) {
    return absl::DeadlineExceededError(
        absl::StrCat("Submit: ", outstanding_.size(), " batches unanswered and ", retries_.size(),
                     " intents waiting to be resent at the deadline"));
  }
  return absl::OkStatus();
}

}  // namespace sluice::loadgen
