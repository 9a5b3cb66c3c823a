#ifndef SLUICE_TOOLS_KUBESIM_API_SERVER_H_
#define SLUICE_TOOLS_KUBESIM_API_SERVER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "scheduler/common/clock.h"
#include "tools/kubesim/fault_policy.h"
#include "tools/kubesim/server_stats.h"
#include "tools/kubesim/sim_cluster.h"
#include "tools/kubesim/throttle.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace sluice::kubesim {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: ephemeral
  // Both set: serve HTTPS.
  std::string tls_cert_file;
  std::string tls_key_file;
  // Non-empty: `Authorization: Bearer TOKEN` required (401 otherwise) on the
  // API; /version and /healthz stay open to anonymous requests like RBAC's
  // system:public-info-viewer; /sim/* needs no token.
  std::string token;

  ThrottleLimits limits;
  std::vector<QpsStep> qps_schedule;
  // How long a mutating request may wait for a seat or token before 429.
  absl::Duration queue_wait = absl::ZeroDuration();

  // Injected faults (also the latency of every answer); PUT /sim/faults
  // changes them at run time. Drawn from a PRNG seeded with fault_seed.
  FaultSettings faults;
  uint64_t fault_seed = 1;

  absl::Duration bookmark_interval = absl::Minutes(1);
  // Watches without timeoutSeconds last a random time in [T, 2T].
  absl::Duration min_request_timeout = absl::Minutes(30);

  size_t http_threads = 1024;  // connections served at once (each holds a thread)
  int keep_alive_timeout_s = 30;
  bool log_requests = false;  // one stderr line per request
};

// The HTTP face of a SimCluster: kube-apiserver's REST paths for pods,
// namespaces and nodes, discovery, Table output for kubectl, watch streams,
// APF-like throttling, injected latency and faults, and the /sim/* control
// endpoints (stats, history, limits, compaction). Built on cpp-httplib's
// thread-per-connection server with a growing worker pool.
//
// Thread-safe. Start() once; Stop() (or the destructor) ends every watch and
// joins all threads.
class ApiServer {
 public:
  ApiServer(SimCluster* cluster, ServerOptions options, const Clock& clock);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Binds, starts serving in the background and returns the bound port.
  absl::StatusOr<int> Start();
  void Stop();

  int port() const { return port_; }
  // "http://127.0.0.1:PORT" (https with TLS).
  std::string url() const;

  Throttle& throttle() { return throttle_; }
  ServerStats& stats() { return stats_; }
  FaultPolicy& faults() { return faults_; }
  SimCluster& cluster() { return *cluster_; }

 private:
  struct Route;
  struct Reply;

  void Handle(const httplib::Request& req, httplib::Response& res);
  void HandleSim(const httplib::Request& req, httplib::Response& res);
  void HandleApi(const httplib::Request& req, const Route& route, const RequestFaults& faults,
                 httplib::Response& res, Reply* reply);
  void ServeWatch(const httplib::Request& req, const Route& route, httplib::Response& res,
                  Reply* reply);
  void HandleSimFaults(const httplib::Request& req, httplib::Response& res);
  void ServeList(const httplib::Request& req, const Route& route, Reply* reply);
  void ServeDelete(const httplib::Request& req, const Route& route, Reply* reply);
  void ServeDeleteCollection(const httplib::Request& req, const Route& route, Reply* reply);
  void ServeQuotaWrite(const httplib::Request& req, const Route& route, Reply* reply);
  void HandleSimQuotas(const httplib::Request& req, httplib::Response& res);
  void HandleSimPools(const httplib::Request& req, httplib::Response& res);
  std::string StatsJson();
  std::string LimitsJson();
  double Random();

  SimCluster* const cluster_;
  const ServerOptions options_;
  const Clock& clock_;
  Throttle throttle_;
  ServerStats stats_;
  FaultPolicy faults_;
  std::unique_ptr<httplib::Server> http_;
  std::thread listener_;
  std::atomic<bool> stopping_{false};
  int port_ = 0;
};

}  // namespace sluice::kubesim

#endif  // SLUICE_TOOLS_KUBESIM_API_SERVER_H_
