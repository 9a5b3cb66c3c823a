#include "tools/kubesim/sim_cluster.h"

#include "gtest/gtest.h"
#include "scheduler/common/clock.h"
#include "tests/kubesim/test_pods.h"
#include "tools/kubesim/namespace_object.h"
#include "tools/kubesim/pod.h"

namespace sluice::kubesim {
namespace {

using testing::PodBody;

class SimClusterTest : public ::testing::Test {
 protected:
  static ClusterOptions Options(bool auto_create) {
    ClusterOptions o;
    o.nodes = 2;
    o.auto_create_namespaces = auto_create;
    o.namespaces = {"team-a"};
    return o;
  }
  void Advance(SimCluster& c, absl::Duration d) {
    clock_.Advance(d);
    c.kubelet().RunDue();
  }
  SimulatedClock clock_;
};

TEST_F(SimClusterTest, UnknownNamespaceIs404UnlessAutoCreated) {
  SimCluster strict(clock_, Options(false));
  auto r = strict.CreatePod("nope", PodBody("p"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(
      r.error().body,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"namespaces \"nope\" not found","reason":"NotFound","details":{"name":"nope","kind":"namespaces"},"code":404})");
  // The namespace check (mutating admission) comes before validation.
  r = strict.CreatePod("nope", R"({"metadata":{"name":"p"},"spec":{}})");
  EXPECT_EQ(r.error().http_code, 404);
  EXPECT_TRUE(strict.CreatePod("team-a", PodBody("p")).ok());
  EXPECT_TRUE(strict.CreatePod("default", PodBody("p")).ok());
  r = strict.CreatePod("team-a", R"({"metadata":{"name":"q"},"spec":{}})");
  EXPECT_EQ(r.error().http_code, 422);

  SimCluster relaxed(clock_, Options(true));
  EXPECT_TRUE(relaxed.CreatePod("fresh", PodBody("p")).ok());
  EXPECT_NE(relaxed.store().Find("namespaces", "", "fresh"), nullptr);
}

TEST_F(SimClusterTest, DuplicateCreateIs409) {
  SimCluster c(clock_, Options(true));
  ASSERT_TRUE(c.CreatePod("team-a", PodBody("p")).ok());
  auto again = c.CreatePod("team-a", PodBody("p"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().body, AlreadyExists("pods", "p", false).body);
}

TEST_F(SimClusterTest, UnscheduledOrFinishedPodsAreDeletedAtOnce) {
  SimCluster c(clock_, Options(true));
  ASSERT_TRUE(c.CreatePod("team-a", PodBody("pending")).ok());
  auto gone = c.DeletePod("team-a", "pending", std::nullopt, std::nullopt);
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(c.store().Find("pods", "team-a", "pending"), nullptr);

  ASSERT_TRUE(
      c.CreatePod("team-a", PodBody("done", R"("annotations":{"sim.sluice.dev/run-ms":"10"})"))
          .ok());
  Advance(c, absl::Milliseconds(50));
  Advance(c, absl::Milliseconds(500));
  Advance(c, absl::Milliseconds(10));
  ASSERT_EQ(static_cast<const Pod&>(*c.store().Find("pods", "team-a", "done")).phase(),
            PodPhase::kSucceeded);
  ASSERT_TRUE(c.DeletePod("team-a", "done", std::nullopt, std::nullopt).ok());
  EXPECT_EQ(c.store().Find("pods", "team-a", "done"), nullptr);
}

TEST_F(SimClusterTest, GraceZeroDeletesImmediately) {
  SimCluster c(clock_, Options(true));
  ASSERT_TRUE(c.CreatePod("team-a", PodBody("p")).ok());
  Advance(c, absl::Milliseconds(600));
  ASSERT_TRUE(c.DeletePod("team-a", "p", 0, std::nullopt).ok());
  EXPECT_EQ(c.store().Find("pods", "team-a", "p"), nullptr);
}

TEST_F(SimClusterTest, TerminatingPodBlocksRecreationWithPrefixed409) {
  SimCluster c(clock_, Options(true));
  ASSERT_TRUE(c.CreatePod("team-a", PodBody("p")).ok());
  Advance(c, absl::Milliseconds(600));
  ASSERT_TRUE(c.DeletePod("team-a", "p", std::nullopt, std::nullopt).ok());
  auto again = c.CreatePod("team-a", PodBody("p"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().body, AlreadyExists("pods", "p", true).body);
  Advance(c, absl::Seconds(30));
  EXPECT_TRUE(c.CreatePod("team-a", PodBody("p")).ok());
}

TEST_F(SimClusterTest, UidPreconditionOnDelete) {
  SimCluster c(clock_, Options(true));
  auto p = c.CreatePod("team-a", PodBody("p"));
  Advance(c, absl::Milliseconds(600));
  auto refused = c.DeletePod("team-a", "p", std::nullopt, std::string("not-the-uid"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().http_code, 409);
  EXPECT_TRUE(c.DeletePod("team-a", "p", std::nullopt, p.value()->meta().uid).ok());
  EXPECT_EQ(c.DeletePod("nope", "p", std::nullopt, std::nullopt).error().body,
            NotFound("pods", "p").body);
}

TEST_F(SimClusterTest, Namespaces) {
  SimCluster c(clock_, Options(false));
  auto ns =
      c.CreateNamespace(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"batch"}})");
  ASSERT_TRUE(ns.ok());
  EXPECT_NE(ns.value()->Json().find(R"("labels":{"kubernetes.io/metadata.name":"batch"})"),
            std::string::npos);
  EXPECT_NE(ns.value()->Json().find(R"("status":{"phase":"Active"})"), std::string::npos);
  EXPECT_EQ(c.CreateNamespace(R"({"metadata":{"name":"batch"}})").error().body,
            AlreadyExists("namespaces", "batch", false).body);
  EXPECT_EQ(c.CreateNamespace(R"({"metadata":{"name":"Bad"}})").error().http_code, 422);
  ASSERT_TRUE(c.CreatePod("batch", PodBody("p")).ok());
  ASSERT_TRUE(c.DeleteNamespace("batch").ok());
  EXPECT_EQ(c.store().Find("namespaces", "", "batch"), nullptr);
  EXPECT_EQ(c.store().Find("pods", "batch", "p"), nullptr);
  EXPECT_EQ(c.DeleteNamespace("default").error().http_code, 403);
  EXPECT_EQ(c.DeleteNamespace("nope").error().http_code, 404);
}

TEST_F(SimClusterTest, PodCounts) {
  SimCluster c(clock_, Options(true));
  ASSERT_TRUE(c.CreatePod("team-a", PodBody("a")).ok());
  ASSERT_TRUE(c.CreatePod("team-a", PodBody("b")).ok());
  Advance(c, absl::Milliseconds(600));
  ASSERT_TRUE(c.CreatePod("team-a", PodBody("c")).ok());
  ASSERT_TRUE(c.DeletePod("team-a", "a", std::nullopt, std::nullopt).ok());
  auto counts = c.PodCounts();
  EXPECT_EQ(counts["Running"], 2);
  EXPECT_EQ(counts["Pending"], 1);
  EXPECT_EQ(counts["Terminating"], 1);
  EXPECT_EQ(counts["Succeeded"], 0);
}

}  // namespace
}  // namespace sluice::kubesim
