// The pod informer against kubesim on loopback: LIST then WATCH, phase
// transitions reaching the sink, a cut watch resuming from its
// resourceVersion, and a 410 leading to a relist that neither loses nor
// repeats a transition. The kubelet runs on a simulated clock, so every phase
// change happens when the test says; connections are cut through a TCP proxy.
#include "scheduler/kube/informer.h"

#include <httplib.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scheduler/common/clock.h"
#include "scheduler/kube/kube_client.h"
#include "tests/kube/kubesim_harness.h"
#include "tests/kube/tcp_proxy.h"

namespace sluice::kube {
namespace {

using ::testing::ElementsAre;
using testing::Kubesim;
using ::testing::Pair;
using testing::PodJson;
using testing::TcpProxy;
using ::testing::UnorderedElementsAre;

constexpr absl::Duration kDeadline = absl::Seconds(15);
constexpr char kManaged[] = R"("sluice.dev/managed":"true")";

std::string PhaseName(PodPhaseValue phase) {
  switch (phase) {
    case PodPhaseValue::kPending:
      return "Pending";
    case PodPhaseValue::kRunning:
      return "Running";
    case PodPhaseValue::kSucceeded:
      return "Succeeded";
    case PodPhaseValue::kFailed:
      return "Failed";
    case PodPhaseValue::kUnknown:
      return "Unknown";
  }
  return "?";
}

// What a consumer like the engine makes of the informer's callbacks: the last
// phase of every pod and each change it saw (a phase reached, or "Deleted" —
// from a DELETED event or from a pod missing in a relist). A transition seen
// twice would show up twice.
class PhaseSink {
 public:
  PodInformer::Callbacks Callbacks() {
    return {
        .on_sync = [this](std::vector<PodInfo> pods) { OnSync(std::move(pods)); },
        .on_event = [this](WatchEventType type, PodInfo pod) { OnEvent(type, pod); },
    };
  }

  // Waits until every pod in `want` has exactly the transitions given (others
  // may have any). Fails the test with what was seen on timeout.
  void WaitFor(const std::map<std::string, std::vector<std::string>>& want) {
    absl::MutexLock lock(&mu_);
    auto reached = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      for (const auto& [name, transitions] : want) {
        auto it = transitions_.find(name);
        if (it == transitions_.end() || it->second != transitions) return false;
      }
      return true;
    };
    if (!mu_.AwaitWithTimeout(absl::Condition(&reached), kDeadline)) {
      ADD_FAILURE() << "transitions not reached; seen: " << DescribeLocked();
    }
  }

  std::map<std::string, std::vector<std::string>> transitions() {
    absl::MutexLock lock(&mu_);
    return transitions_;
  }
  int syncs() {
    absl::MutexLock lock(&mu_);
    return syncs_;
  }
  // Watch events carrying a pod version already delivered (by an event or a
  // list): a watch replaying what the consumer has seen.
  int replayed_events() {
    absl::MutexLock lock(&mu_);
    return replayed_events_;
  }

 private:
  void OnSync(std::vector<PodInfo> pods) {
    absl::MutexLock lock(&mu_);
    ++syncs_;
    absl::flat_hash_set<std::string> present;
    for (const PodInfo& pod : pods) {
      present.insert(pod.name);
      delivered_.insert({pod.name, pod.resource_version});
      ObserveLocked(pod.name, PhaseName(pod.phase));
    }
    for (auto& [name, phase] : phase_) {
      if (!present.contains(name)) ObserveLocked(name, "Deleted");
    }
  }

  void OnEvent(WatchEventType type, const PodInfo& pod) {
    absl::MutexLock lock(&mu_);
    if (!delivered_.insert({pod.name, pod.resource_version}).second) ++replayed_events_;
    ObserveLocked(pod.name, type == WatchEventType::kDeleted ? "Deleted" : PhaseName(pod.phase));
  }

  void ObserveLocked(const std::string& name, const std::string& phase)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    std::string& known = phase_[name];
    if (known == phase) return;
    if (known == "Deleted") return;  // names are not reused in these tests
    known = phase;
    transitions_[name].push_back(phase);
  }

  std::string DescribeLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    std::string out;
    for (const auto& [name, transitions] : transitions_) {
      absl::StrAppend(&out, name, "=[", absl::StrJoin(transitions, ","), "] ");
    }
    return out;
  }

  absl::Mutex mu_;
  std::map<std::string, std::string> phase_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::vector<std::string>> transitions_ ABSL_GUARDED_BY(mu_);
  int syncs_ ABSL_GUARDED_BY(mu_) = 0;
  std::set<std::pair<std::string, std::string>> delivered_ ABSL_GUARDED_BY(mu_);  // name, rv
  int replayed_events_ ABSL_GUARDED_BY(mu_) = 0;
};

class InformerTest : public ::testing::Test {
 protected:
  // kubesim's kubelet: scheduled 1 s after creation, Running 1 s later,
  // Succeeded 10 s after that (simulated time).
  InformerTest() : proxy_(sim_.port()) {}

  void TearDown() override {
    if (informer_ != nullptr) informer_->Stop();
    client_.reset();  // completes outstanding requests; their callbacks reach the informer
    informer_.reset();
  }

  // Starts an informer on the managed pods of all namespaces, through the proxy.
  void StartInformer(int64_t page_size = 2, absl::Duration backoff_max = absl::Milliseconds(100)) {
    absl::StatusOr<KubeConfig> config =
        ConfigFromUrl(absl::StrCat("http://127.0.0.1:", proxy_.port()));
    ASSERT_TRUE(config.ok());
    KubeClientOptions client_options;
    client_options.config = *config;
    absl::StatusOr<std::unique_ptr<KubeClient>> client =
        KubeClient::Create(std::move(client_options), RealClock::Get());
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = std::move(*client);
    InformerOptions options;
    options.resource = ResourceRef::Pods();
    options.label_selector = "sluice.dev/managed=true";
    options.page_size = page_size;
    // Short real-time backoff: reconnects come quickly, however many it takes.
    options.backoff.initial = absl::Milliseconds(10);
    options.backoff.max = backoff_max;
    informer_ = std::make_unique<PodInformer>(client_.get(), options, sink_.Callbacks());
    informer_->Start();
  }

  void CreatePod(const std::string& ns, const std::string& name, bool managed = true) {
    auto created = sim_.cluster().CreatePod(ns, PodJson(name, managed ? kManaged : ""));
    ASSERT_TRUE(created.ok()) << name;
  }
  void DeletePodNow(const std::string& ns, const std::string& name) {
    ASSERT_TRUE(sim_.cluster().DeletePod(ns, name, 0, std::nullopt).ok()) << name;
  }

  // Waits until the informer's counters satisfy `pred`.
  void WaitForStats(const std::function<bool(const InformerStats&)>& pred, const char* what) {
    const absl::Time give_up = absl::Now() + kDeadline;
    while (!pred(informer_->stats())) {
      if (absl::Now() > give_up) {
        FAIL() << "informer never reached: " << what;
      }
      absl::SleepFor(absl::Milliseconds(5));  // polling, not a timing assertion
    }
  }

  // kubesim's count of open watch streams ("" if unreadable).
  std::string ServerWatchers() {
    httplib::Client stats("127.0.0.1", sim_.port());
    auto r = stats.Get("/sim/stats");
    if (!r) return "";
    const size_t at = r->body.find("\"watchers\":");
    if (at == std::string::npos) return "";
    const size_t end = r->body.find_first_of(",}", at);
    return r->body.substr(at + 11, end - at - 11);
  }
  // Waits until kubesim serves `n` watches (the informer's watch has reached it).
  void WaitForServerWatchers(int n) {
    const absl::Time give_up = absl::Now() + kDeadline;
    while (ServerWatchers() != absl::StrCat(n)) {
      if (absl::Now() > give_up) {
        FAIL() << "kubesim never had " << n << " watchers; has " << ServerWatchers();
      }
      absl::SleepFor(absl::Milliseconds(5));
    }
  }

  // Cuts every connection and refuses new ones until Reconnect(); returns once
  // the informer has noticed (its watch failed at least once more).
  void CutConnections() {
    const int64_t errors = informer_->stats().errors;
    proxy_.SetBlocked(true);
    proxy_.CutAll();
    WaitForStats([errors](const InformerStats& s) { return s.errors > errors; },
                 "a failed watch after the cut");
  }
  void Reconnect() { proxy_.SetBlocked(false); }

  Kubesim sim_;
  TcpProxy proxy_;
  PhaseSink sink_;
  std::unique_ptr<KubeClient> client_;
  std::unique_ptr<PodInformer> informer_;
};

TEST_F(InformerTest, ListThenWatchDeliversEveryPhaseTransition) {
  for (int i = 0; i < 5; ++i) CreatePod("ns", absl::StrCat("p", i));
  CreatePod("ns", "unmanaged", /*managed=*/false);
  StartInformer(/*page_size=*/2);
  sink_.WaitFor({{"p0", {"Pending"}}, {"p4", {"Pending"}}});
  EXPECT_EQ(sink_.syncs(), 1);
  InformerStats stats = informer_->stats();
  EXPECT_EQ(stats.lists, 1);
  EXPECT_EQ(stats.list_pages, 3);  // 2 + 2 + 1

  CreatePod("other", "q");          // after the list: an ADDED
  sim_.Advance(absl::Seconds(1));   // scheduled (still Pending)
  sim_.Advance(absl::Seconds(1));   // Running
  sim_.Advance(absl::Seconds(10));  // Succeeded
  const std::vector<std::string> lifecycle = {"Pending", "Running", "Succeeded"};
  sink_.WaitFor({{"p0", lifecycle},
                 {"p1", lifecycle},
                 {"p2", lifecycle},
                 {"p3", lifecycle},
                 {"p4", lifecycle},
                 {"q", lifecycle}});
  DeletePodNow("ns", "p2");
  sink_.WaitFor({{"p2", {"Pending", "Running", "Succeeded", "Deleted"}}});
  EXPECT_EQ(sink_.transitions().count("unmanaged"), 0u);
  const std::string latest = absl::StrCat(sim_.cluster().store().current_resource_version());
  WaitForStats([&](const InformerStats& s) { return s.resource_version == latest; },
               "the latest resourceVersion");
  stats = informer_->stats();
  EXPECT_EQ(stats.lists, 1);
  EXPECT_EQ(stats.watches, 1);
  EXPECT_EQ(stats.expired, 0);
  EXPECT_EQ(stats.errors, 0);
  EXPECT_EQ(stats.events, 1 + 6 * 3 + 1);  // q's ADDED, 3 MODIFIED per pod, p2's DELETED
  EXPECT_EQ(sink_.replayed_events(), 0);
}

TEST_F(InformerTest, CutWatchResumesFromItsResourceVersion) {
  CreatePod("ns", "a");
  CreatePod("ns", "b");
  StartInformer();
  sink_.WaitFor({{"a", {"Pending"}}, {"b", {"Pending"}}});
  WaitForStats([](const InformerStats& s) { return s.watches == 1; }, "the first watch");

  CutConnections();
  // While the informer cannot reach the server: a runs, b goes away, c comes.
  sim_.Advance(absl::Seconds(2));
  DeletePodNow("ns", "b");
  CreatePod("ns", "c");
  Reconnect();

  sink_.WaitFor({{"a", {"Pending", "Running"}},
                 {"b", {"Pending", "Running", "Deleted"}},
                 {"c", {"Pending"}}});
  const InformerStats stats = informer_->stats();
  EXPECT_EQ(stats.lists, 1);  // resumed, not relisted
  EXPECT_EQ(stats.expired, 0);
  EXPECT_GE(stats.watches, 2);
  EXPECT_EQ(sink_.syncs(), 1);
  EXPECT_EQ(sink_.replayed_events(), 0);
}

TEST_F(InformerTest, ExpiredWatchRelistsWithoutLosingOrRepeatingTransitions) {
  for (const char* name : {"runner", "vanish", "idle"}) CreatePod("ns", name);
  sim_.Advance(absl::Seconds(1));  // scheduled at t=1 s
  CreatePod("ns", "slow");         // scheduled at t=2 s, Running at t=3 s
  StartInformer();
  sink_.WaitFor({{"runner", {"Pending"}}, {"slow", {"Pending"}}});  // listed
  sim_.Advance(absl::Seconds(1));  // t=2 s: runner, vanish, idle Running
  sink_.WaitFor({{"runner", {"Pending", "Running"}},
                 {"vanish", {"Pending", "Running"}},
                 {"idle", {"Pending", "Running"}},
                 {"slow", {"Pending"}}});

  CutConnections();
  // Changes the informer misses, then a compaction: resuming from its version
  // is no longer possible (an ERROR 410 event in the watch).
  DeletePodNow("ns", "vanish");
  CreatePod("ns", "new");           // t=2 s: Running at t=4 s
  sim_.Advance(absl::Seconds(10));  // t=12 s: runner and idle Succeeded, slow Running
  sim_.cluster().store().Compact();
  CreatePod("ns", "later");
  Reconnect();

  const std::vector<std::string> lifecycle = {"Pending", "Running", "Succeeded"};
  sink_.WaitFor({{"runner", lifecycle},
                 {"idle", lifecycle},
                 {"vanish", {"Pending", "Running", "Deleted"}},
                 {"slow", {"Pending", "Running"}},
                 // Born and started while the informer was away: first seen Running.
                 {"new", {"Running"}},
                 {"later", {"Pending"}}});
  InformerStats stats = informer_->stats();
  EXPECT_GE(stats.expired, 1);
  EXPECT_EQ(stats.lists, 2);
  EXPECT_EQ(sink_.syncs(), 2);

  // The watch after the relist carries on from the relist's version.
  sim_.Advance(absl::Seconds(20));
  sink_.WaitFor({{"slow", lifecycle}, {"new", {"Running", "Succeeded"}}, {"later", lifecycle}});
  EXPECT_EQ(informer_->stats().lists, 2);
  EXPECT_EQ(sink_.replayed_events(), 0);
  EXPECT_THAT(sink_.transitions(),
              UnorderedElementsAre(Pair("runner", lifecycle), Pair("idle", lifecycle),
                                   Pair("vanish", ElementsAre("Pending", "Running", "Deleted")),
                                   Pair("slow", lifecycle),
                                   Pair("new", ElementsAre("Running", "Succeeded")),
                                   Pair("later", lifecycle)));
}

TEST_F(InformerTest, ServerEndingTheWatchAtItsTimeoutIsNotAnError) {
  CreatePod("ns", "a");
  StartInformer();
  sink_.WaitFor({{"a", {"Pending"}}});
  WaitForServerWatchers(1);
  sim_.clock().Advance(absl::Minutes(1));  // kubesim's bookmark interval
  WaitForStats([](const InformerStats& s) { return s.bookmarks == 1; }, "a bookmark");
  // Watches ask for 5-10 min; past that the server closes them cleanly.
  sim_.clock().Advance(absl::Minutes(10));
  WaitForStats([](const InformerStats& s) { return s.watches == 2; }, "a second watch");
  sim_.Advance(absl::ZeroDuration());  // the kubelet catches up: a runs and finishes
  sink_.WaitFor({{"a", {"Pending", "Running", "Succeeded"}}});
  const InformerStats stats = informer_->stats();
  EXPECT_EQ(stats.lists, 1);
  EXPECT_EQ(stats.errors, 0);
}

// Half of all requests fail with 500: a list of 20 pages started over on every
// failure would practically never finish (2^-20 per try). A failed page is
// asked for again with its continue token, so the first list completes. The
// backoff (10 ms doubling to 60 s) counts consecutive failures: were it to
// grow over the whole list's ~20 failures, the list would take hours.
TEST_F(InformerTest, FailedListPageIsRetriedWithItsContinueToken) {
  std::map<std::string, std::vector<std::string>> want;
  for (int i = 0; i < 40; ++i) {
    const std::string name = absl::StrCat("p", i);
    CreatePod("ns", name);
    want[name] = {"Pending"};
  }
  kubesim::FaultSettings faults;
  faults.rate_500 = 0.5;
  sim_.server().faults().Set(faults);
  StartInformer(/*page_size=*/2, /*backoff_max=*/absl::Seconds(60));
  sink_.WaitFor(want);
  const InformerStats stats = informer_->stats();
  EXPECT_EQ(stats.lists, 1);
  EXPECT_EQ(stats.list_pages, 20);
  EXPECT_GT(stats.page_retries, 0);
  EXPECT_EQ(sink_.syncs(), 1);
  EXPECT_GT(sim_.server().faults().counts().answered_500, 0);
}

TEST_F(InformerTest, StopEndsTheWatch) {
  CreatePod("ns", "a");
  StartInformer();
  sink_.WaitFor({{"a", {"Pending"}}});
  WaitForServerWatchers(1);
  informer_->Stop();
  // kubesim notices a closed watch connection when it next writes to it: give
  // it events to send until its watcher count drops.
  const absl::Time give_up = absl::Now() + kDeadline;
  for (int i = 0; ServerWatchers() != "0" && absl::Now() < give_up; ++i) {
    CreatePod("ns", absl::StrCat("after-stop-", i));
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_EQ(ServerWatchers(), "0");
  EXPECT_EQ(informer_->stats().watches, 1);
  EXPECT_EQ(sink_.transitions().size(), 1u);  // nothing delivered after Stop
}

}  // namespace
}  // namespace sluice::kube
