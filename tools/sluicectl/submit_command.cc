#include "tools/sluicectl/submit_command.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "tools/sluicectl/human_format.h"
#include "tools/sluicectl/intent_builder.h"
#include "tools/sluicectl/manifest_reader.h"
#include "tools/sluicectl/table.h"

namespace sluice::ctl {
namespace {

std::string ResultWord(v1::IntentResult::Code code) {
  const std::string& name = v1::IntentResult::Code_Name(code);
  return name.empty() ? absl::StrCat(static_cast<int>(code)) : name;
}

std::string Detail(const v1::IntentResult& r) {
  switch (r.code()) {
    case v1::IntentResult::DUPLICATE:
      return absl::StrCat("already known, ", StateWord(r.state()));
    case v1::IntentResult::REJECTED:
      return r.field().empty() ? r.reason() : absl::StrCat(r.field(), ": ", r.reason());
    default:
      return r.reason();
  }
}

// Appends `part`'s results and counts to `total`.
void Merge(const v1::SubmitResponse& part, v1::SubmitResponse* total) {
  if (total->results_size() == 0) total->set_batch_id(part.batch_id());
  total->set_epoch(part.epoch());
  for (const v1::IntentResult& r : part.results()) *total->add_results() = r;
  total->set_accepted(total->accepted() + part.accepted());
  total->set_duplicates(total->duplicates() + part.duplicates());
  total->set_rejected(total->rejected() + part.rejected());
  total->set_exhausted(total->exhausted() + part.exhausted());
}

class SubmitCommand : public Command {
 public:
  explicit SubmitCommand(CLI::App& root)
      : Command(root.add_subcommand("submit", "Submit the pods of YAML or JSON files as intents")) {
    app_->add_option("-f,--filename", files_,
                     "A Pod, a List of pods or a multi-document YAML stream; '-' reads stdin "
                     "(repeatable)")
        ->required();
    app_->add_option("-n,--namespace", namespace_,
                     "The namespace of every pod (default: each manifest's, else 'default')");
    app_->add_option("--workflow", workflow_name_, "The workflow's name (for people and costs)");
    app_->add_option("--workflow-uid", workflow_uid_,
                     "The workflow's uid (default: a new random UUID, printed)");
    app_->add_option("--priority", priority_, "Higher is served first, strictly (default 0)");
    app_->add_option("--policy", policy_,
                     "Capacity policy: on-demand, spot-preferred or spot-only (default: the "
                     "namespace's)");
    app_->add_option("--pool", pools_, "Allow only this capacity pool (repeatable)");
    app_->add_option("--cost-label", cost_labels_, "KEY=VALUE copied to cost records (repeatable)");
    app_->add_option("--batch-size", batch_size_, "Intents per SubmitBatch call")
        ->check(CLI::Range(1, 10'000));
    app_->add_flag("--dry-run", dry_run_,
                   "Print the SubmitRequest as JSON instead of sending it (no daemon needed)");
  }

  absl::Status Run(CommandContext& context) override {
    absl::StatusOr<IntentSettings> settings = Settings();
    if (!settings.ok()) return settings.status();
    std::vector<v1::PodIntent> intents;
    absl::BitGen random;
    for (const std::string& file : files_) {
      absl::StatusOr<std::vector<PodManifest>> pods = ReadPodManifestFile(file);
      if (!pods.ok()) return pods.status();
      for (const PodManifest& pod : *pods) intents.push_back(BuildIntent(pod, *settings, random));
    }
    if (intents.empty()) return absl::InvalidArgumentError("no pods in the given files");
    if (dry_run_) {
      v1::SubmitRequest request;
      request.set_batch_id(1);
      for (const v1::PodIntent& intent : intents) *request.add_intents() = intent;
      std::fputs(ToJson(request).c_str(), stdout);
      return absl::OkStatus();
    }
    if (workflow_uid_.empty()) {
      std::fprintf(stderr, "workflow uid %s\n", settings->workflow.uid().c_str());
    }

    absl::StatusOr<Connection*> connection = context.Connect();
    if (!connection.ok()) return connection.status();
    v1::SubmitResponse total;
    absl::Status status = Send(**connection, intents, &total);
    std::fputs((context.json() ? ToJson(total) : SubmitText(intents, total)).c_str(), stdout);
    if (!status.ok()) return status;
    const uint32_t not_taken = total.rejected() + total.exhausted();
    if (not_taken > 0) {
      return absl::FailedPreconditionError(
          absl::StrCat(not_taken, " of ", intents.size(), " intents were not accepted"));
    }
    return absl::OkStatus();
  }

 private:
  absl::StatusOr<IntentSettings> Settings() {
    IntentSettings settings;
    settings.namespace_flag = namespace_;
    absl::BitGen random;
    settings.workflow.set_uid(workflow_uid_.empty() ? NewWorkflowUid(random) : workflow_uid_);
    settings.workflow.set_name(workflow_name_);
    settings.priority = priority_;
    if (!policy_.empty()) {
      absl::StatusOr<v1::CapacityPolicy> policy = ParsePolicy(policy_);
      if (!policy.ok()) return policy.status();
      settings.policy = *policy;
    }
    absl::StatusOr<std::map<std::string, std::string>> labels = ParseCostLabels(cost_labels_);
    if (!labels.ok()) return labels.status();
    settings.cost_labels = std::move(*labels);
    settings.allowed_pools = pools_;
    return settings;
  }

  // Sends `intents` in batches, in order; stops at the first failed call.
  absl::Status Send(Connection& connection, const std::vector<v1::PodIntent>& intents,
                    v1::SubmitResponse* total) {
    for (size_t start = 0; start < intents.size(); start += batch_size_) {
      v1::SubmitRequest request;
      request.set_batch_id(start / batch_size_ + 1);
      const size_t end = std::min(intents.size(), start + batch_size_);
      for (size_t i = start; i < end; ++i) *request.add_intents() = intents[i];
      v1::SubmitResponse response;
      grpc::ClientContext call;
      connection.SetDeadline(call);
      const grpc::Status status = connection.stub().SubmitBatch(&call, request, &response);
      if (!status.ok()) return connection.Explain(status, "SubmitBatch");
      Merge(response, total);
    }
    return absl::OkStatus();
  }

  std::vector<std::string> files_;
  std::string namespace_;
  std::string workflow_name_;
  std::string workflow_uid_;
  int32_t priority_ = 0;
  std::string policy_;
  std::vector<std::string> pools_;
  std::vector<std::string> cost_labels_;
  size_t batch_size_ = 1000;
  bool dry_run_ = false;
};

}  // namespace

std::unique_ptr<Command> AddSubmitCommand(CLI::App& root) {
  return std::make_unique<SubmitCommand>(root);
}

std::string SubmitText(const std::vector<v1::PodIntent>& intents,
                       const v1::SubmitResponse& response) {
  Table table({"POD", "RESULT", "DETAIL"});
  const int rows = std::min(response.results_size(), static_cast<int>(intents.size()));
  for (int i = 0; i < rows; ++i) {
    const v1::PodIntent& intent = intents[static_cast<size_t>(i)];
    const std::string name = intent.name().empty() ? "(no name)" : intent.name();
    const v1::IntentResult& r = response.results(i);
    table.AddRow({absl::StrCat(intent.namespace_(), "/", name), ResultWord(r.code()), Detail(r)});
  }
  std::string out = table.Render();
  absl::StrAppend(&out, response.results_size(), " intents: ", response.accepted(), " accepted, ",
                  response.duplicates(), " duplicate, ", response.rejected(), " rejected, ",
                  response.exhausted(), " queue full\n");
  return out;
}

}  // namespace sluice::ctl
