#ifndef SLUICE_TESTS_KUBE_KUBESIM_HARNESS_H_
#define SLUICE_TESTS_KUBE_KUBESIM_HARNESS_H_

#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "scheduler/common/clock.h"
#include "scheduler/kube/api_result.h"
#include "tools/kubesim/api_server.h"
#include "tools/kubesim/sim_cluster.h"

namespace sluice::kube::testing {

// kubesim in process on 127.0.0.1:0, on a SimulatedClock: the kubelet moves
// pods only when the test calls RunKubelet(), bookmarks and watch deadlines
// come when the test advances the clock. (Only the server's waits for new
// events use real time, in 100 ms polls.)
class Kubesim {
 public:
  // A cluster whose kubelet acts only when driven: no real-time thread.
  static kubesim::ClusterOptions QuietCluster() {
    kubesim::ClusterOptions o;
    o.nodes = 2;
    o.kubelet.enabled = true;
    o.kubelet.schedule_delay = absl::Seconds(1);
    o.kubelet.start_delay = absl::Seconds(1);
    o.kubelet.run_duration = absl::Seconds(10);
    return o;
  }

  explicit Kubesim(kubesim::ServerOptions server = {},
                   kubesim::ClusterOptions cluster = QuietCluster()) {
    cluster_ = std::make_unique<kubesim::SimCluster>(clock_, std::move(cluster));
    server_ = std::make_unique<kubesim::ApiServer>(cluster_.get(), std::move(server), clock_);
    absl::StatusOr<int> port = server_->Start();
    if (!port.ok()) {
      ADD_FAILURE() << "kubesim did not start: " << port.status();
      return;
    }
    port_ = *port;
  }
  ~Kubesim() { server_->Stop(); }
  Kubesim(const Kubesim&) = delete;
  Kubesim& operator=(const Kubesim&) = delete;

  int port() const { return port_; }
  std::string url() const { return server_->url(); }

  // Moves simulated time forward and performs what the kubelet has due.
  void Advance(absl::Duration d) {
    clock_.Advance(d);
    cluster_->kubelet().RunDue();
  }

  SimulatedClock& clock() { return clock_; }
  kubesim::SimCluster& cluster() { return *cluster_; }
  kubesim::ApiServer& server() { return *server_; }

 private:
  SimulatedClock clock_;
  std::unique_ptr<kubesim::SimCluster> cluster_;
  std::unique_ptr<kubesim::ApiServer> server_;
  int port_ = 0;
};

// A minimal valid pod in the style of kubesim's tests; `labels` is a JSON
// object body (e.g. R"("app":"web")").
inline std::string PodJson(const std::string& name, const std::string& labels = "") {
  return absl::StrCat(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")", name, R"(")",
                      labels.empty() ? "" : absl::StrCat(R"(,"labels":{)", labels, "}"),
                      R"(},"spec":{"restartPolicy":"Never",)",
                      R"("containers":[{"name":"main","image":"busybox:1.36"}]}})");
}

// Waits for one asynchronous answer. Generous deadline: a lost callback fails
// the test instead of hanging it; nothing is asserted about how long it took.
class AwaitResult {
 public:
  // The callback to hand to the client (it may outlive this object).
  auto Callback() {
    return [state = state_](ApiResult r) {
      state->result = std::move(r);
      state->done.Notify();
    };
  }
  // REQUIRES: called once.
  ApiResult Get(absl::Duration deadline = absl::Seconds(15)) {
    if (!state_->done.WaitForNotificationWithTimeout(deadline)) {
      ADD_FAILURE() << "no answer within " << deadline;
      ApiResult none;
      none.message = "test: no answer";
      return none;
    }
    return std::move(state_->result);
  }

 private:
  struct State {
    absl::Notification done;
    ApiResult result;
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

}  // namespace sluice::kube::testing

#endif  // SLUICE_TESTS_KUBE_KUBESIM_HARNESS_H_
