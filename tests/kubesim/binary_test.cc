// The kubesim binary: prints its address on one line, serves, exits cleanly
// on SIGTERM, refuses bad flags.
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <regex>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace {

// $SLUICE_BIN_DIR (set by CTest), else bin/ beside this test's directory.
std::string Binary() {
  if (const char* dir = std::getenv("SLUICE_BIN_DIR")) return std::string(dir) + "/kubesim";
  char self[4096];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  std::string path(self, n > 0 ? static_cast<size_t>(n) : 0);
  return path.substr(0, path.rfind('/')) + "/../bin/kubesim";
}

// A child process with its stdout on a pipe; killed by pid in the destructor.
class Child {
 public:
  explicit Child(std::vector<std::string> args) {
    int out[2];
    if (pipe(out) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      close(out[1]);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(out[1]);
    stdout_ = fdopen(out[0], "r");
  }
  ~Child() {
    if (pid_ > 0 && !waited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (stdout_ != nullptr) fclose(stdout_);
  }
  std::string ReadLine() {
    char buf[512];
    if (stdout_ == nullptr || fgets(buf, sizeof(buf), stdout_) == nullptr) return "";
    return buf;
  }
  int Signal(int sig) {
    kill(pid_, sig);
    return Wait();
  }
  int Wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    waited_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
  bool waited_ = false;
  FILE* stdout_ = nullptr;
};

TEST(KubesimBinaryTest, PrintsItsAddressServesAndStopsOnSigterm) {
  Child child({Binary(), "--listen", "127.0.0.1:0", "--no-kubelet", "--namespaces", "a,b",
               "--mutating-qps", "1000", "--qps-schedule", "0s=1000,60s=10"});
  const std::string line = child.ReadLine();
  std::smatch m;
  ASSERT_TRUE(
      std::regex_match(line, m, std::regex("kubesim listening on http://127\\.0\\.0\\.1:(\\d+)\n")))
      << line;
  const int port = std::stoi(m[1]);
  {
    httplib::Client c("127.0.0.1", port);
    auto r = c.Get("/api/v1/namespaces");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_NE(r->body.find(R"("name":"b")"), std::string::npos);
    auto limits = c.Get("/sim/limits");
    ASSERT_TRUE(limits);
    EXPECT_EQ(limits->body, R"({"mutating_qps":1000,"mutating_burst":0,"max_inflight":0})");
  }
  EXPECT_EQ(child.Signal(SIGTERM), 0);
}

TEST(KubesimBinaryTest, QuotaAndPoolFlags) {
  char path[] = "/tmp/kubesim_pools_XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  const std::string yaml =
      "pools:\n  - name: spot\n    class: spot\n    capacity: {pods: 5}\n"
      "    events: [{at: 1h, stockout: true}]\n";
  ASSERT_EQ(write(fd, yaml.data(), yaml.size()), static_cast<ssize_t>(yaml.size()));
  close(fd);
  Child child({Binary(), "--no-kubelet", "--quota", "ns=team-a,pods=1", "--quota",
               "ns=team-b,name=q,requests.cpu=2", "--pools", path, "--pool", "od=unlimited"});
  std::smatch m;
  const std::string line = child.ReadLine();
  ASSERT_TRUE(std::regex_search(line, m, std::regex(":(\\d+)\n"))) << line;
  httplib::Client c("127.0.0.1", std::stoi(m[1]));
  const std::string pod =
      R"({"metadata":{"name":"NAME"},"spec":{"containers":[{"name":"c","image":"i"}]}})";
  auto first = c.Post("/api/v1/namespaces/team-a/pods",
                      std::regex_replace(pod, std::regex("NAME"), "a"), "application/json");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 201);
  auto second = c.Post("/api/v1/namespaces/team-a/pods",
                       std::regex_replace(pod, std::regex("NAME"), "b"), "application/json");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 403);
  auto quotas = c.Get("/sim/quotas");
  ASSERT_TRUE(quotas);
  EXPECT_NE(quotas->body.find(R"("namespace":"team-b","name":"q","synced":true)"),
            std::string::npos)
      << quotas->body;
  auto pools = c.Get("/sim/pools");
  ASSERT_TRUE(pools);
  EXPECT_NE(pools->body.find(R"("name":"spot","class":"spot","capacity":{"pods":5,)"),
            std::string::npos)
      << pools->body;
  EXPECT_NE(pools->body.find(R"("name":"od")"), std::string::npos);
  EXPECT_EQ(child.Signal(SIGTERM), 0);
  unlink(path);
}

TEST(KubesimBinaryTest, RefusesBadFlags) {
  Child bad_listen({Binary(), "--listen", "nonsense"});
  EXPECT_EQ(bad_listen.Wait(), 2);
  Child bad_schedule({Binary(), "--qps-schedule", "soon=1"});
  EXPECT_EQ(bad_schedule.Wait(), 2);
  Child half_tls({Binary(), "--tls-cert", "x.pem"});
  EXPECT_EQ(half_tls.Wait(), 2);
  Child quota_without_namespace({Binary(), "--quota", "pods=1"});
  EXPECT_EQ(quota_without_namespace.Wait(), 2);
  Child missing_pools({Binary(), "--pools", "/nonexistent/pools.yaml"});
  EXPECT_EQ(missing_pools.Wait(), 2);
  Child bad_pool({Binary(), "--pool", "spot"});
  EXPECT_EQ(bad_pool.Wait(), 2);
}

}  // namespace
