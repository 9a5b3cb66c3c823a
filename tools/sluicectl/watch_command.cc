#include "tools/sluicectl/watch_command.h"

#include <cstdio>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "tools/sluicectl/human_format.h"
#include "tools/sluicectl/interrupts.h"

namespace sluice::ctl {
namespace {

// One line in fixed columns (the stream cannot be aligned after the fact).
std::string Columns(absl::string_view time, absl::string_view seq, absl::string_view event,
                    absl::string_view pod, absl::string_view detail) {
  std::string line =
      absl::StrFormat("%-12s  %-6s  %-12s  %-30s  %s", time, seq, event, pod, detail);
  line.erase(line.find_last_not_of(' ') + 1);
  return line + "\n";
}

class WatchCommand : public Command {
 public:
  explicit WatchCommand(CLI::App& root)
      : Command(root.add_subcommand("watch", "Follow pod events as they happen, until Ctrl-C")) {
    app_->add_option("--workflow", workflow_uid_, "Only this workflow uid's events");
    app_->add_option("--after", after_sequence_,
                     "Resume after this event sequence number (same epoch)");
  }

  absl::Status Run(CommandContext& context) override {
    absl::StatusOr<Connection*> connection = context.Connect();
    if (!connection.ok()) return connection.status();
    if (absl::Status ready = (*connection)->WaitUntilReady("WatchEvents"); !ready.ok()) {
      return ready;
    }
    v1::WatchEventsRequest request;
    request.set_workflow_uid(workflow_uid_);
    request.set_after_sequence(after_sequence_);

    grpc::ClientContext call;
    bool interrupted = false;  // written by the interrupt thread, read after Finish
    SetInterruptHandler([&call, &interrupted] {
      interrupted = true;
      call.TryCancel();
    });
    if (!context.json()) {
      std::fputs(WatchHeader().c_str(), stdout);
      std::fflush(stdout);
    }
    auto reader = (*connection)->stub().WatchEvents(&call, request);
    v1::WatchEventsResponse response;
    const absl::TimeZone zone = absl::LocalTimeZone();
    while (reader->Read(&response)) {
      for (const v1::PodEvent& event : response.events()) {
        const std::string line = context.json() ? ToJson(event, /*pretty=*/false)
                                                : EventLine(event, zone, workflow_uid_.empty());
        std::fputs(line.c_str(), stdout);
      }
      std::fflush(stdout);
    }
    const grpc::Status status = reader->Finish();
    SetInterruptHandler(nullptr);  // waits for a running handler
    if (interrupted) return absl::OkStatus();
    if (status.ok() || status.error_code() == grpc::StatusCode::UNAVAILABLE) {
      // The stream was open: sluiced went away rather than never being there.
      return absl::UnavailableError(
          absl::StrCat("lost the event stream from sluiced at ", (*connection)->address().target,
                       status.ok() ? "" : absl::StrCat(" (", status.error_message(), ")"),
                       ": it stopped or restarted; watch again to follow new events"));
    }
    if (status.error_code() == grpc::StatusCode::OUT_OF_RANGE) {
      return absl::OutOfRangeError(absl::StrCat("events after sequence ", after_sequence_,
                                                " are no longer kept (", status.error_message(),
                                                "); watch from now on, without --after"));
    }
    return (*connection)->Explain(status, "WatchEvents");
  }

 private:
  std::string workflow_uid_;
  uint64_t after_sequence_ = 0;
};

std::string Detail(const v1::PodEvent& e, bool with_workflow) {
  std::vector<std::string> parts;
  const std::string state = StateWord(e.state());
  if (state != EventWord(e.type())) parts.push_back(absl::StrCat("now ", state));
  if (e.type() == v1::EVENT_TYPE_CREATED && e.submit_to_create_ms() > 0) {
    parts.push_back(absl::StrCat("in ", MillisText(e.submit_to_create_ms())));
  }
  if (!e.previous_pool().empty()) {
    parts.push_back(absl::StrCat("pool ", e.previous_pool(), " -> ", e.pool()));
  } else if (!e.pool().empty()) {
    parts.push_back(absl::StrCat("pool ", e.pool()));
  }
  if (e.attempt() > 1 || e.type() == v1::EVENT_TYPE_RETRYING) {
    parts.push_back(absl::StrCat("attempt ", e.attempt()));
  }
  if (with_workflow) parts.push_back(absl::StrCat("workflow ", e.workflow_uid()));
  if (!e.reason().empty() || !e.message().empty()) {
    parts.push_back(absl::StrCat(e.reason(), e.reason().empty() || e.message().empty() ? "" : ": ",
                                 e.message()));
  }
  return absl::StrJoin(parts, ", ");
}

}  // namespace

std::unique_ptr<Command> AddWatchCommand(CLI::App& root) {
  return std::make_unique<WatchCommand>(root);
}

std::string WatchHeader() { return Columns("TIME", "SEQ", "EVENT", "POD", "DETAIL"); }

std::string EventLine(const v1::PodEvent& e, absl::TimeZone zone, bool with_workflow) {
  const std::string time = absl::FormatTime("%H:%M:%E3S", ToTime(e.time()), zone);
  return Columns(time, absl::StrCat(e.sequence()), EventWord(e.type()),
                 absl::StrCat(e.pod().namespace_(), "/", e.pod().name()), Detail(e, with_workflow));
}

}  // namespace sluice::ctl
