#include "tools/loadgen/load_report.h"

#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "rapidjson/prettywriter.h"
#include "rapidjson/stringbuffer.h"

namespace sluice::loadgen {
namespace {

double Seconds(absl::Duration d) { return absl::ToDoubleSeconds(d); }

}  // namespace

void FillFromLedger(const PodLedger& ledger, MonoTime settled_at, LoadReport* report) {
  const LedgerCounts c = ledger.counts();
  report->submitted = c.intents_sent;
  report->accepted = c.accepted;
  report->duplicate = c.duplicate;
  report->rejected = c.rejected;
  report->exhausted = c.exhausted;
  report->created = c.created;
  report->finished = c.finished;
  report->create_failed = c.create_failed;
  report->cancelled = c.cancelled;
  const uint64_t settled = report->wait == "finished" ? c.settled_finished : c.settled_created;
  report->unsettled = report->pods > settled ? report->pods - settled : 0;

  const MonoTime start = ledger.first_sent();
  if (start == MonoTime::Zero()) return;
  report->elapsed_seconds = Seconds(settled_at - start);

  std::vector<double> latencies;
  uint64_t created_by_event = 0;
  for (const PodRecord& r : ledger.Records()) {
    if (r.created_events == 0 || r.first_sent == MonoTime::Zero()) continue;
    ++created_by_event;
    latencies.push_back(absl::ToDoubleMilliseconds(r.created_at - r.first_sent));
  }
  report->submit_to_create_ms = Summarize(latencies);
  const MonoTime last_created = ledger.last_created();
  if (created_by_event > 0 && last_created > start) {
    report->creates_per_second =
        static_cast<double>(created_by_event) / Seconds(last_created - start);
  }
  const MonoTime last_answer = ledger.last_answer();
  if (last_answer > start) {
    report->intake_intents_per_second =
        static_cast<double>(c.answers) / Seconds(last_answer - start);
  }
  const std::vector<BacklogChange> log = ledger.BacklogLog();
  report->fairness = BackloggedJain(log);
}

std::string ReportJson(const LoadReport& r) {
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buffer);
  w.SetIndent(' ', 2);
  auto key = [&](const char* k) { w.Key(k); };
  auto u64 = [&](const char* k, uint64_t v) {
    key(k);
    w.Uint64(v);
  };
  auto dbl = [&](const char* k, double v) {
    key(k);
    w.Double(v);
  };
  auto str = [&](const char* k, const std::string& v) {
    key(k);
    w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
  };
  w.StartObject();
  str("target", r.target);
  key("spawned");
  w.Bool(r.spawned);
  u64("workflows", r.workflows);
  u64("pods_per_workflow", r.pods_per_workflow);
  u64("pods", r.pods);
  u64("batch_size", r.batch_size);
  str("wait", r.wait);
  key("complete");
  w.Bool(r.complete);
  key("error");
  if (r.error.empty()) {
    w.Null();
  } else {
    w.String(r.error.c_str());
  }
  u64("submitted", r.submitted);
  u64("accepted", r.accepted);
  u64("duplicate", r.duplicate);
  u64("rejected", r.rejected);
  u64("resource_exhausted", r.exhausted);
  u64("created", r.created);
  u64("finished", r.finished);
  u64("create_failed", r.create_failed);
  u64("cancelled", r.cancelled);
  u64("unsettled", r.unsettled);
  u64("sluiced_restarts_seen", r.sluiced_restarts_seen);
  u64("resubmitted", r.resubmitted);
  if (r.sluiced_kills.has_value()) u64("sluiced_kills", *r.sluiced_kills);
  dbl("elapsed_seconds", r.elapsed_seconds);
  dbl("creates_per_second", r.creates_per_second);
  dbl("intake_intents_per_second", r.intake_intents_per_second);
  key("submit_to_create_ms");
  w.StartObject();
  u64("count", r.submit_to_create_ms.count);
  dbl("p50", r.submit_to_create_ms.p50_ms);
  dbl("p90", r.submit_to_create_ms.p90_ms);
  dbl("p99", r.submit_to_create_ms.p99_ms);
  dbl("max", r.submit_to_create_ms.max_ms);
  w.EndObject();
  auto figure = [&](const std::string& k, const std::optional<double>& v) {
    w.Key(k.c_str(), static_cast<rapidjson::SizeType>(k.size()));
    if (v.has_value() && std::isfinite(*v)) {
      w.Double(*v);
    } else {
      w.Null();
    }
  };
  std::optional<double> loadgen_jain;
  if (r.fairness.defined) loadgen_jain = r.fairness.jain;
  const LoadReport::Figure* jain_override = nullptr;
  for (const LoadReport::Figure& f : r.figures) {
    if (f.key == "fairness_jain") jain_override = &f;
  }
  if (jain_override != nullptr) {
    figure("fairness_jain", jain_override->value);
    figure("fairness_jain_loadgen", loadgen_jain);
  } else {
    figure("fairness_jain", loadgen_jain);
  }
  key("fairness_window");
  w.StartObject();
  u64("workflows", r.fairness.workflows);
  u64("creates", r.fairness.window_creates);
  w.EndObject();
  key("apiserver");
  if (r.apiserver.has_value()) {
    const ApiServerCounts& a = *r.apiserver;
    w.StartObject();
    u64("requests", static_cast<uint64_t>(a.requests));
    u64("creates", static_cast<uint64_t>(a.creates));
    u64("status_409", static_cast<uint64_t>(a.status_409));
    u64("status_429", static_cast<uint64_t>(a.status_429));
    u64("status_403", static_cast<uint64_t>(a.status_403));
    u64("status_5xx", static_cast<uint64_t>(a.status_5xx));
    u64("mutating_requests", static_cast<uint64_t>(a.mutating_requests));
    u64("max_admitted_mutating_per_second",
        static_cast<uint64_t>(a.max_admitted_mutating_per_second));
    w.EndObject();
  } else {
    w.Null();
  }
  key("cluster_pods");
  if (r.cluster_pods.has_value()) {
    w.Uint64(*r.cluster_pods);
  } else {
    w.Null();
  }
  if (!r.verify_error.empty()) str("verify_error", r.verify_error);
  key("cpu_seconds");
  w.StartObject();
  for (const LoadReport::ProcessCpu& p : r.cpu) dbl(p.name.c_str(), p.seconds);
  w.EndObject();
  if (!r.scenario.empty()) {
    str("scenario", r.scenario);
    dbl("scale", r.scale);
    key("baseline");
    w.Bool(r.baseline);
    for (const LoadReport::Figure& f : r.figures) {
      if (f.key != "fairness_jain") figure(f.key, f.value);
    }
    // The samples behind the figures and the picture.
    key("timeline");
    w.StartArray();
    for (const TimelineSample& t : r.chart.samples) {
      w.StartObject();
      dbl("t", t.t_seconds);
      u64("created", t.created);
      u64("finished", t.finished);
      key("kube_creates");
      w.Int64(t.kube_creates);
      key("kube_429");
      w.Int64(t.kube_429);
      key("kube_403");
      w.Int64(t.kube_403);
      key("queue_depth");
      w.Int64(t.queue_depth);
      figure("jain", t.jain);
      figure("quota_utilization", t.quota_utilization);
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

std::string ReportTable(const LoadReport& r) {
  std::string out;
  auto row = [&](absl::string_view name, const std::string& value) {
    absl::StrAppendFormat(&out, "  %-28s %s\n", name, value);
  };
  auto count = [](uint64_t v) { return absl::StrCat(v); };
  auto fixed = [](double v, int digits) { return absl::StrFormat("%.*f", digits, v); };
  if (r.scenario.empty()) {
    absl::StrAppend(&out, "sluice-loadgen: ", r.workflows, " workflows x ", r.pods_per_workflow,
                    " pods = ", r.pods, " pods against ", r.target, r.spawned ? " (spawned)" : "",
                    ", wait for ", r.wait, "\n");
  } else {
    absl::StrAppend(&out, "sluice-loadgen: scenario ", r.scenario, ": ", r.workflows,
                    " workflows, ", r.pods, " pods against ", r.target,
                    r.spawned ? " (spawned)" : "", ", wait for ", r.wait, "\n");
  }
  absl::StrAppend(&out, "result\n");
  row("status", r.complete ? "complete" : absl::StrCat("INCOMPLETE: ", r.error));
  row("elapsed", absl::StrCat(fixed(r.elapsed_seconds, 2), " s"));
  absl::StrAppend(&out, "intake\n");
  row("submitted", count(r.submitted));
  row("accepted / duplicate", absl::StrCat(r.accepted, " / ", r.duplicate));
  row("rejected / exhausted", absl::StrCat(r.rejected, " / ", r.exhausted));
  row("intake rate", absl::StrCat(fixed(r.intake_intents_per_second, 0), " intents/s"));
  if (r.sluiced_restarts_seen > 0 || r.resubmitted > 0 || r.sluiced_kills.has_value()) {
    row("sluiced restarts seen / resubmitted",
        absl::StrCat(r.sluiced_restarts_seen, " / ", r.resubmitted));
  }
  if (r.sluiced_kills.has_value()) row("sluiced killed (chaos)", count(*r.sluiced_kills));
  absl::StrAppend(&out, "pods\n");
  row("created", count(r.created));
  row("finished", count(r.finished));
  row("create failed / cancelled", absl::StrCat(r.create_failed, " / ", r.cancelled));
  if (r.unsettled > 0) row("still waiting", count(r.unsettled));
  row("create rate", absl::StrCat(fixed(r.creates_per_second, 0), " pods/s"));
  const LatencySummary& l = r.submit_to_create_ms;
  row("submit -> created (ms)",
      absl::StrCat("p50 ", fixed(l.p50_ms, 0), "  p90 ", fixed(l.p90_ms, 0), "  p99 ",
                   fixed(l.p99_ms, 0), "  max ", fixed(l.max_ms, 0)));
  row("fairness (Jain)",
      r.fairness.defined
          ? absl::StrCat(fixed(r.fairness.jain, 4), " over ", r.fairness.window_creates,
                         " creates, ", r.fairness.workflows, " workflows backlogged")
          : std::string("n/a (never every workflow backlogged)"));
  if (r.apiserver.has_value()) {
    const ApiServerCounts& a = *r.apiserver;
    absl::StrAppend(&out, "apiserver (kubesim)\n");
    row("requests", count(static_cast<uint64_t>(a.requests)));
    row("pod creates (201)", count(static_cast<uint64_t>(a.creates)));
    row("429 / 403 / 5xx / 409",
        absl::StrCat(a.status_429, " / ", a.status_403, " / ", a.status_5xx, " / ", a.status_409));
    row("peak writes in 1 s", count(static_cast<uint64_t>(a.max_admitted_mutating_per_second)));
  }
  if (!r.cpu.empty()) {
    absl::StrAppend(&out, "cpu during the run\n");
    for (const LoadReport::ProcessCpu& p : r.cpu) {
      std::string value = absl::StrCat(fixed(p.seconds, 2), " s");
      if (r.created > 0) {
        absl::StrAppend(&value, " = ", fixed(p.seconds * 1e6 / static_cast<double>(r.created), 0),
                        " us per pod created");
      }
      row(p.name, value);
    }
  }
  if (r.cluster_pods.has_value()) {
    row("pods listed in cluster",
        absl::StrCat(*r.cluster_pods, r.verify_error.empty() ? " (match)" : "  " + r.verify_error));
  }
  if (!r.scenario.empty()) {
    absl::StrAppend(&out, "scenario ", r.scenario, " (scale ", r.scale, ")",
                    r.baseline ? ", baseline: created the Argo controller's way" : "", "\n");
    for (const LoadReport::Figure& f : r.figures) {
      row(f.key, f.value.has_value() ? fixed(*f.value, 4) : std::string("n/a"));
    }
  }
  return out;
}

}  // namespace sluice::loadgen
