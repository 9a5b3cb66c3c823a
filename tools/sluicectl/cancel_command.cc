#include "tools/sluicectl/cancel_command.h"

#include <cstdio>

#include "absl/strings/str_cat.h"

namespace sluice::ctl {
namespace {

class CancelCommand : public Command {
 public:
  explicit CancelCommand(CLI::App& root)
      : Command(root.add_subcommand(
            "cancel",
            "Withdraw a workflow's intents, or pods' (queued: dropped; created: deleted)")) {
    CLI::Option* workflow =
        app_->add_option("--workflow", workflow_uid_, "Cancel every intent of this workflow uid");
    CLI::Option* pods = app_->add_option("pods", pods_, "Pods to cancel, as NAMESPACE/NAME");
    workflow->excludes(pods);
    app_->add_option("-n,--namespace", namespace_, "The namespace of pods given without one")
        ->default_str("default");
    app_->add_flag("--keep-created", keep_created_,
                   "Only drop queued intents; do not delete pods already created");
  }

  absl::Status Run(CommandContext& context) override {
    v1::CancelRequest request;
    if (!workflow_uid_.empty()) {
      request.set_workflow_uid(workflow_uid_);
    } else if (!pods_.empty()) {
      for (const std::string& text : pods_) {
        absl::StatusOr<v1::PodKey> key = ParsePodKey(text, namespace_);
        if (!key.ok()) return key.status();
        *request.mutable_pods()->add_keys() = *key;
      }
    } else {
      return absl::InvalidArgumentError("cancel: give --workflow UID or pods as NAMESPACE/NAME");
    }
    request.set_keep_created(keep_created_);

    absl::StatusOr<Connection*> connection = context.Connect();
    if (!connection.ok()) return connection.status();
    v1::CancelResponse response;
    grpc::ClientContext call;
    (*connection)->SetDeadline(call);
    const grpc::Status status = (*connection)->stub().Cancel(&call, request, &response);
    if (!status.ok()) return (*connection)->Explain(status, "Cancel");
    std::fputs((context.json() ? ToJson(response) : CancelText(response)).c_str(), stdout);
    if (response.not_found() == 0) return absl::OkStatus();
    if (!workflow_uid_.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("workflow ", workflow_uid_, " is not known to sluiced"));
    }
    return absl::FailedPreconditionError(
        absl::StrCat(response.not_found(), " of ", pods_.size(), " pods are not known to sluiced"));
  }

 private:
  std::string workflow_uid_;
  std::vector<std::string> pods_;
  std::string namespace_ = "default";
  bool keep_created_ = false;
};

}  // namespace

std::unique_ptr<Command> AddCancelCommand(CLI::App& root) {
  return std::make_unique<CancelCommand>(root);
}

absl::StatusOr<v1::PodKey> ParsePodKey(const std::string& text,
                                       const std::string& default_namespace) {
  v1::PodKey key;
  const size_t slash = text.find('/');
  if (slash == std::string::npos) {
    key.set_namespace_(default_namespace);
    key.set_name(text);
  } else {
    key.set_namespace_(text.substr(0, slash));
    key.set_name(text.substr(slash + 1));
  }
  if (key.namespace_().empty() || key.name().empty() || key.name().find('/') != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("pod '", text, "': expected NAMESPACE/NAME or NAME"));
  }
  return key;
}

std::string CancelText(const v1::CancelResponse& r) {
  if (r.dropped() + r.deleting() + r.already_done() + r.not_found() == 0) {
    return "cancelled: nothing, every intent had already finished\n";
  }
  return absl::StrCat("cancelled: ", r.dropped(), " dropped from the queue, ", r.deleting(),
                      " pods being deleted, ", r.already_done(), " already done, ", r.not_found(),
                      " not found\n");
}

}  // namespace sluice::ctl
