// kubectl against an in-process kubesim: discovery, Table output and GET work
// the way kubectl expects. Skipped when kubectl is not installed.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "scheduler/common/clock.h"
#include "tests/kubesim/test_pods.h"
#include "tools/kubesim/api_server.h"
#include "tools/kubesim/json_parse.h"
#include "tools/kubesim/sim_cluster.h"
#include "tools/kubesim/strings.h"

namespace sluice::kubesim {
namespace {

std::string Kubectl() {
  for (const char* path : {"/usr/bin/kubectl", "/usr/local/bin/kubectl"}) {
    if (access(path, X_OK) == 0) return path;
  }
  return "";
}

// Runs a shell command, returns its stdout; *status gets the exit status.
std::string RunShell(const std::string& cmd, int* status) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  *status = pclose(p);
  return out;
}

class KubectlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kubectl_ = Kubectl();
    if (kubectl_.empty()) GTEST_SKIP() << "kubectl not installed";
    ClusterOptions c;
    c.nodes = 2;
    c.kubelet.schedule_delay = absl::Hours(1);  // deterministic: everything Pending
    cluster_ = std::make_unique<SimCluster>(RealClock::Get(), c);
    server_ = std::make_unique<ApiServer>(cluster_.get(), ServerOptions{}, RealClock::Get());
    ASSERT_TRUE(server_->Start().ok());
    const std::string dir = ::testing::TempDir();
    std::ofstream(dir + "/kubesim-empty-kubeconfig").close();
    base_ = Cat("KUBECONFIG=", dir, "/kubesim-empty-kubeconfig ", kubectl_, " --server ",
                server_->url(), " --cache-dir ", dir, "/kubesim-kubectl-cache-", getpid(), " ");
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Stop();
  }

  std::string kubectl_;
  std::string base_;
  std::unique_ptr<SimCluster> cluster_;
  std::unique_ptr<ApiServer> server_;
};

TEST_F(KubectlTest, GetPodsAllNamespaces) {
  ASSERT_TRUE(cluster_->CreatePod("team-a", testing::PodBody("alpha")).ok());
  ASSERT_TRUE(cluster_->CreatePod("team-b", testing::PodBody("beta")).ok());
  int status = -1;
  const std::string out = RunShell(base_ + "get pods -A 2>&1", &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("NAMESPACE"), std::string::npos) << out;
  EXPECT_NE(out.find("NAME"), std::string::npos) << out;
  EXPECT_NE(out.find("READY"), std::string::npos) << out;
  EXPECT_NE(out.find("STATUS"), std::string::npos) << out;
  EXPECT_NE(out.find("AGE"), std::string::npos) << out;
  EXPECT_NE(out.find("team-a"), std::string::npos) << out;
  EXPECT_NE(out.find("alpha"), std::string::npos) << out;
  EXPECT_NE(out.find("0/1"), std::string::npos) << out;
  EXPECT_NE(out.find("Pending"), std::string::npos) << out;
  EXPECT_NE(out.find("beta"), std::string::npos) << out;
}

TEST_F(KubectlTest, GetPodAsJson) {
  ASSERT_TRUE(cluster_->CreatePod("team-a", testing::PodBody("alpha")).ok());
  int status = -1;
  const std::string out = RunShell(base_ + "get pod alpha -n team-a -o json", &status);
  ASSERT_EQ(status, 0) << out;
  rapidjson::Document doc;
  ParseJson(out, &doc);
  ASSERT_FALSE(doc.HasParseError()) << out;
  EXPECT_STREQ(doc["kind"].GetString(), "Pod");
  EXPECT_STREQ(doc["metadata"]["name"].GetString(), "alpha");
  EXPECT_STREQ(doc["status"]["phase"].GetString(), "Pending");
}

TEST_F(KubectlTest, NamespacesNodesAndNotFound) {
  int status = -1;
  std::string out = RunShell(base_ + "get namespaces 2>&1", &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("kube-system"), std::string::npos) << out;
  EXPECT_NE(out.find("Active"), std::string::npos) << out;
  out = RunShell(base_ + "get nodes 2>&1", &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("kubesim-node-1"), std::string::npos) << out;
  out = RunShell(base_ + "get pod ghost -n default 2>&1", &status);
  EXPECT_NE(status, 0);
  EXPECT_NE(out.find("pods \"ghost\" not found"), std::string::npos) << out;
}

TEST_F(KubectlTest, CreateAndDelete) {
  const std::string manifest = ::testing::TempDir() + "/kubesim-pod.json";
  std::ofstream(manifest) << testing::PodBody("made-by-kubectl");
  int status = -1;
  std::string out =
      RunShell(base_ + "create -n team-c --validate=false -f " + manifest + " 2>&1", &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(cluster_->store().Find("pods", "team-c", "made-by-kubectl"), nullptr);
  out = RunShell(base_ + "delete pod made-by-kubectl -n team-c --wait=false 2>&1", &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_EQ(cluster_->store().Find("pods", "team-c", "made-by-kubectl"), nullptr);  // unscheduled
}

TEST_F(KubectlTest, Quotas) {
  int status = -1;
  std::string out =
      RunShell(base_ + "create quota q --hard=pods=1,requests.cpu=2 -n team-a 2>&1", &status);
  ASSERT_EQ(status, 0) << out;
  cluster_->quota().Sync();  // the controller's pass (its thread is not started here)
  out = RunShell(base_ + "get quota -n team-a 2>&1", &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("REQUEST"), std::string::npos) << out;
  EXPECT_NE(out.find("pods: 0/1, requests.cpu: 0/2"), std::string::npos) << out;
  out = RunShell(base_ + "describe quota q -n team-a 2>&1", &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("requests.cpu"), std::string::npos) << out;

  const std::string manifest = ::testing::TempDir() + "/kubesim-quota-pod.json";
  std::ofstream(manifest) << testing::PodWithResources("p1", R"({"requests":{"cpu":"1"}})");
  out = RunShell(base_ + "create -n team-a --validate=false -f " + manifest + " 2>&1", &status);
  EXPECT_EQ(status, 0) << out;
  std::ofstream(manifest) << testing::PodWithResources("p2", R"({"requests":{"cpu":"1"}})");
  out = RunShell(base_ + "create -n team-a --validate=false -f " + manifest + " 2>&1", &status);
  EXPECT_NE(status, 0);
  EXPECT_NE(out.find("pods \"p2\" is forbidden: exceeded quota: q, requested: pods=1, used: "
                     "pods=1, limited: pods=1"),
            std::string::npos)
      << out;

  out = RunShell(base_ + "patch quota q -n team-a -p '{\"spec\":{\"hard\":{\"pods\":\"3\"}}}' 2>&1",
                 &status);
  EXPECT_EQ(status, 0) << out;
  cluster_->quota().Sync();
  out = RunShell(base_ + "create -n team-a --validate=false -f " + manifest + " 2>&1", &status);
  EXPECT_EQ(status, 0) << out;
}

}  // namespace
}  // namespace sluice::kubesim
