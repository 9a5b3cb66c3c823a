#include "tools/kubesim/kubelet.h"

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "scheduler/common/clock.h"
#include "tests/kubesim/test_pods.h"
#include "tools/kubesim/pod.h"
#include "tools/kubesim/sim_cluster.h"

namespace sluice::kubesim {
namespace {

using testing::PodBody;

// Records the pod events in commit order.
class EventLog : public StoreObserver {
 public:
  void OnCommit(const ResourceInfo& r, const StoredEvent& e) override {
    if (r.name != "pods") return;
    const auto& pod = static_cast<const Pod&>(*e.object);
    std::string s = e.type == EventType::kAdded      ? "ADDED"
                    : e.type == EventType::kModified ? "MODIFIED"
                                                     : "DELETED";
    s += ":";
    s += PodPhaseName(pod.phase());
    if (pod.terminating()) s += "+terminating";
    events.push_back(s);
  }
  std::vector<std::string> events;
};

class KubeletTest : public ::testing::Test {
 protected:
  void Make(ClusterOptions options) {
    cluster_ = std::make_unique<SimCluster>(clock_, options);
    cluster_->store().AddObserver(&log_);
  }
  static ClusterOptions Defaults() {
    ClusterOptions o;
    o.nodes = 3;
    o.kubelet.schedule_delay = absl::Milliseconds(50);
    o.kubelet.start_delay = absl::Milliseconds(500);
    o.kubelet.run_duration = absl::Seconds(5);
    return o;
  }
  const Pod& Get(std::string_view name) {
    current_ = cluster_->store().Find("pods", "ns", name);
    return static_cast<const Pod&>(*current_);
  }
  void Advance(absl::Duration d) {
    clock_.Advance(d);
    cluster_->kubelet().RunDue();
  }

  SimulatedClock clock_;
  std::unique_ptr<SimCluster> cluster_;
  EventLog log_;
  std::shared_ptr<const ApiObject> current_;
};

TEST_F(KubeletTest, PodGoesThroughItsPhases) {
  Make(Defaults());
  ASSERT_TRUE(cluster_->CreatePod("ns", PodBody("p")).ok());
  EXPECT_EQ(Get("p").phase(), PodPhase::kPending);
  Advance(absl::Milliseconds(49));
  EXPECT_TRUE(Get("p").state().node_name.empty());
  Advance(absl::Milliseconds(1));
  EXPECT_EQ(Get("p").state().node_name, "kubesim-node-0");
  EXPECT_EQ(Get("p").state().scheduled_at, clock_.WallNow());
  EXPECT_NE(Get("p").Json().find(R"({"type":"PodScheduled","status":"True")"), std::string::npos);
  Advance(absl::Milliseconds(499));
  EXPECT_EQ(Get("p").phase(), PodPhase::kPending);
  Advance(absl::Milliseconds(1));
  EXPECT_EQ(Get("p").phase(), PodPhase::kRunning);
  const std::string running = Get("p").Json();
  EXPECT_NE(running.find(R"("state":{"running":{"startedAt":")"), std::string::npos);
  EXPECT_NE(running.find(R"({"type":"Ready","status":"True")"), std::string::npos);
  EXPECT_NE(running.find(R"("startTime":")"), std::string::npos);
  EXPECT_NE(running.find(R"("podIP":"10.244.0.1")"), std::string::npos);
  Advance(absl::Seconds(5));
  EXPECT_EQ(Get("p").phase(), PodPhase::kSucceeded);
  const std::string done = Get("p").Json();
  EXPECT_NE(done.find(R"("terminated":{"exitCode":0,"reason":"Completed","startedAt":")"),
            std::string::npos);
  EXPECT_NE(done.find(R"("finishedAt":")"), std::string::npos);
  EXPECT_EQ(log_.events, (std::vector<std::string>{"ADDED:Pending", "MODIFIED:Pending",
                                                   "MODIFIED:Running", "MODIFIED:Succeeded"}));
  EXPECT_EQ(cluster_->kubelet().pending_actions(), 0u);
}

TEST_F(KubeletTest, AnnotationsOverrideTimingAndExitCode) {
  Make(Defaults());
  ASSERT_TRUE(cluster_
                  ->CreatePod("ns", PodBody("p", R"("annotations":{"sim.sluice.dev/start-ms":"10",
                      "sim.sluice.dev/run-ms":"100","sim.sluice.dev/exit-code":"2"})"))
                  .ok());
  Advance(absl::Milliseconds(50));
  Advance(absl::Milliseconds(10));
  EXPECT_EQ(Get("p").phase(), PodPhase::kRunning);
  Advance(absl::Milliseconds(100));
  EXPECT_EQ(Get("p").phase(), PodPhase::kFailed);
  EXPECT_NE(Get("p").Json().find(R"("terminated":{"exitCode":2,"reason":"Error")"),
            std::string::npos);
}

TEST_F(KubeletTest, RunZeroMeansRunUntilDeleted) {
  ClusterOptions o = Defaults();
  o.kubelet.run_duration = absl::ZeroDuration();
  Make(o);
  ASSERT_TRUE(cluster_->CreatePod("ns", PodBody("p")).ok());
  Advance(absl::Seconds(1));
  Advance(absl::Hours(1));
  EXPECT_EQ(Get("p").phase(), PodPhase::kRunning);
}

TEST_F(KubeletTest, NoKubeletKeepsPodsPending) {
  ClusterOptions o = Defaults();
  o.kubelet.enabled = false;
  Make(o);
  ASSERT_TRUE(cluster_->CreatePod("ns", PodBody("p")).ok());
  Advance(absl::Hours(1));
  EXPECT_EQ(Get("p").phase(), PodPhase::kPending);
  EXPECT_TRUE(Get("p").state().node_name.empty());
}

TEST_F(KubeletTest, NoNodesMeansUnschedulable) {
  ClusterOptions o = Defaults();
  o.nodes = 0;
  Make(o);
  ASSERT_TRUE(cluster_->CreatePod("ns", PodBody("p")).ok());
  Advance(absl::Seconds(1));
  EXPECT_NE(
      Get("p").Json().find(
          R"({"type":"PodScheduled","status":"False","lastProbeTime":null,"lastTransitionTime":")"),
      std::string::npos);
  EXPECT_NE(Get("p").Json().find(R"("reason":"Unschedulable")"), std::string::npos);
}

TEST_F(KubeletTest, GracefulDeletionPassesThroughATerminalPhase) {
  Make(Defaults());
  ASSERT_TRUE(cluster_->CreatePod("ns", PodBody("p")).ok());
  Advance(absl::Milliseconds(550));
  ASSERT_EQ(Get("p").phase(), PodPhase::kRunning);
  auto deleting = cluster_->DeletePod("ns", "p", std::nullopt, std::nullopt);
  ASSERT_TRUE(deleting.ok());
  const auto& pod = static_cast<const Pod&>(*deleting.value());
  EXPECT_EQ(pod.meta().deletion_timestamp,
            absl::FromUnixSeconds(absl::ToUnixSeconds(clock_.WallNow())) + absl::Seconds(30));
  EXPECT_EQ(pod.meta().deletion_grace_period_seconds, 30);
  EXPECT_NE(pod.Json().find(R"("deletionGracePeriodSeconds":30)"), std::string::npos);
  Advance(absl::Seconds(29));
  EXPECT_NE(cluster_->store().Find("pods", "ns", "p"), nullptr);
  Advance(absl::Seconds(1));
  EXPECT_EQ(cluster_->store().Find("pods", "ns", "p"), nullptr);
  EXPECT_EQ(log_.events,
            (std::vector<std::string>{"ADDED:Pending", "MODIFIED:Pending", "MODIFIED:Running",
                                      "MODIFIED:Running+terminating", "MODIFIED:Failed+terminating",
                                      "DELETED:Failed+terminating"}));
}

TEST_F(KubeletTest, TerminationDelayAndShortenedGrace) {
  ClusterOptions o = Defaults();
  o.kubelet.termination_delay = absl::Seconds(2);
  Make(o);
  ASSERT_TRUE(cluster_->CreatePod("ns", PodBody("p")).ok());
  ASSERT_TRUE(cluster_->CreatePod("ns", PodBody("q")).ok());
  Advance(absl::Milliseconds(550));
  ASSERT_TRUE(cluster_->DeletePod("ns", "p", 60, std::nullopt).ok());
  Advance(absl::Seconds(2));  // containers exit on SIGTERM after 2 s
  EXPECT_EQ(cluster_->store().Find("pods", "ns", "p"), nullptr);

  ASSERT_TRUE(cluster_->DeletePod("ns", "q", 60, std::nullopt).ok());
  ASSERT_TRUE(cluster_->DeletePod("ns", "q", 1, std::nullopt).ok());  // shortens: 2 s delay > 1 s
  Advance(absl::Seconds(1));
  EXPECT_EQ(cluster_->store().Find("pods", "ns", "q"), nullptr);
}

}  // namespace
}  // namespace sluice::kubesim
