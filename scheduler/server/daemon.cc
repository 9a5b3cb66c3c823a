#include "scheduler/server/daemon.h"

#include <sys/stat.h>
#include <unistd.h>

#include <random>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "scheduler/common/log.h"
#include "scheduler/server/cost_attribution.h"
#include "scheduler/server/effective_config.h"
#include "scheduler/server/engine_loop.h"
#include "scheduler/server/event_log.h"
#include "scheduler/server/intake.h"
#include "scheduler/server/kube_bridge.h"
#include "scheduler/server/listen_security.h"
#include "scheduler/server/metrics.h"
#include "scheduler/server/metrics_server.h"
#include "scheduler/server/scheduler_service.h"

namespace sluice {
namespace {

// The intake's limits for `config`: its limits and the configured pool names.
IntakeLimits IntakeLimitsOf(const SluicedConfig& config) {
  IntakeLimits limits = config.intake;
  for (const PoolConfig& pool : config.engine.capacity.pools) limits.pool_names.insert(pool.name);
  return limits;
}

uint64_t NewEpoch() {
  std::random_device random;
  uint64_t epoch = 0;
  while (epoch == 0) epoch = (uint64_t{random()} << 32) ^ random();
  return epoch;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Daemon>> Daemon::Start(const SluicedConfig& config,
                                                      const Options& options) {
  std::unique_ptr<Daemon> daemon(new Daemon());
  absl::Status status = daemon->Init(config, options);
  if (!status.ok()) {
    daemon->Shutdown(absl::ZeroDuration());
    return status;
  }
  return daemon;
}

absl::Status Daemon::Init(const SluicedConfig& config, const Options& options) {
  // Who may connect is settled before anything starts.
  if (absl::Status allowed = CheckListenSecurity(config); !allowed.ok()) return allowed;
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      MakeServerCredentials(config);
  if (!credentials.ok()) return credentials.status();
  clock_ = options.clock != nullptr ? options.clock : &RealClock::Get();
  epoch_ = NewEpoch();
  metrics_ = std::make_unique<SluiceMetrics>();
  events_ = std::make_unique<EventLog>(config.event_history);

  PodWriter* writer = options.writer;
  if (writer == nullptr) {
    if (!options.make_kube) {
      return absl::InvalidArgumentError("no Kubernetes side configured (make_kube or writer)");
    }
    absl::StatusOr<std::unique_ptr<KubeBridge>> kube =
        options.make_kube(config.kube, *clock_, metrics_.get());
    if (!kube.ok()) return kube.status();
    kube_ = std::move(*kube);
    writer = kube_->writer();
  }
  if (!config.cost.ledger.empty()) {
    absl::StatusOr<std::unique_ptr<CostAttribution>> cost =
        CostAttribution::Open(config, *clock_, metrics_->registry().get());
    if (!cost.ok()) return cost.status();
    cost_ = std::move(*cost);
    if (absl::Status restored = cost_->Restore(); !restored.ok()) return restored;
    SLUICE_LOG(kInfo, "cost ledger open", {"path", config.cost.ledger},
               {"open_attempts", absl::StrCat(cost_->tracker().open_count())});
  }
  engine_ = std::make_unique<Engine>(*clock_, config.engine, writer, events_.get());
  loop_ = std::make_unique<EngineLoop>(*clock_, engine_.get());
  loop_->SetPeriodicHook(absl::Milliseconds(500),
                         [metrics = metrics_.get(), cost = cost_.get()](Engine& engine) {
                           metrics->SnapshotEngine(engine);
                           if (cost != nullptr) cost->SnapshotMetrics();
                         });
  if (kube_ != nullptr && cost_ != nullptr) kube_->SetCostTracker(&cost_->tracker());
  if (kube_ != nullptr) kube_->Connect(loop_.get());
  loop_->Start();
  if (kube_ != nullptr) kube_->StartInformer();

  intake_ = std::make_unique<IntentIntake>(IntakeLimitsOf(config));
  config_source_ = options.config_source;
  effective_config_ = std::make_unique<EffectiveConfig>();
  effective_config_->Applied(config, clock_->WallNow(), config_source_);
  ServerIdentity identity;
  identity.epoch = epoch_;
  identity.version = options.version;
  identity.started = clock_->WallNow();
  identity.kube_server = kube_ != nullptr ? kube_->server() : "(injected writer)";
  service_ = std::make_unique<SchedulerService>(identity, loop_.get(), events_.get(), intake_.get(),
                                                metrics_.get(), effective_config_.get());
  service_->set_cost(cost_.get());

  if (absl::Status listening = StartGrpc(config, std::move(*credentials)); !listening.ok()) {
    return listening;
  }
  server_->GetHealthCheckService()->SetServingStatus("", true);
  server_->GetHealthCheckService()->SetServingStatus("sluice.v1.Scheduler", true);

  // Metrics.
  if (!config.metrics_listen.empty()) {
    absl::StatusOr<std::unique_ptr<MetricsServer>> metrics_server =
        MetricsServer::Start(config.metrics_listen, metrics_->registry());
    if (!metrics_server.ok()) return metrics_server.status();
    metrics_server_ = std::move(*metrics_server);
    metrics_port_ = metrics_server_->port();
  }
  return absl::OkStatus();
}

absl::Status Daemon::StartGrpc(const SluicedConfig& config,
                               std::shared_ptr<grpc::ServerCredentials> credentials) {
  absl::StatusOr<ListenAddress> address = ParseListenAddress(config.listen);
  if (!address.ok()) return address.status();
  const bool unix_socket = address->kind == ListenAddress::Kind::kUnixSocket;
  if (unix_socket) ::unlink(address->socket_path.c_str());  // a stale socket from an earlier run
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int bound_port = 0;
  builder.AddListeningPort(config.listen, credentials, unix_socket ? nullptr : &bound_port);
  builder.RegisterService(service_.get());
  builder.SetMaxReceiveMessageSize(64 << 20);
  builder.SetMaxSendMessageSize(64 << 20);
  {
    // The socket is born 0600: no window in which another user could connect
    // before SecureSocketFile. umask is per process; nothing else creates
    // files while the daemon starts.
    const mode_t old_mask = unix_socket ? ::umask(0177) : 0;
    server_ = builder.BuildAndStart();
    if (unix_socket) ::umask(old_mask);
  }
  if (server_ == nullptr) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", config.listen));
  }
  if (unix_socket) {
    if (absl::Status secured = SecureSocketFile(address->socket_path, config.listen_socket_group);
        !secured.ok()) {
      return secured;
    }
    listen_address_ = config.listen;
  } else {
    if (bound_port == 0) return absl::UnavailableError(absl::StrCat("cannot bind ", config.listen));
    listen_address_ =
        absl::StrCat(config.listen.substr(0, config.listen.rfind(':')), ":", bound_port);
  }
  return absl::OkStatus();
}

void Daemon::Reconfigure(const SluicedConfig& config) {
  loop_->Post(
      [engine_config = config.engine](Engine& engine) { engine.Reconfigure(engine_config); });
  intake_->SetLimits(IntakeLimitsOf(config));
  effective_config_->Applied(config, clock_->WallNow(), config_source_);
  if (cost_ != nullptr) {
    loop_->Post([cost = cost_.get(), options = CostAttribution::TrackerOptions(config)](
                    Engine&) mutable { cost->tracker().set_options(std::move(options)); });
  }
}

void Daemon::Shutdown(absl::Duration drain_timeout) {
  if (shut_down_) return;
  shut_down_ = true;
  if (server_ != nullptr) {
    server_->GetHealthCheckService()->SetServingStatus("", false);
    // Refuse new RPCs; streams still open are cancelled at the deadline.
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  }
  if (loop_ != nullptr) {
    // Let writes in flight answer so no pod is left half-known.
    const MonoTime deadline = clock_->MonoNow() + drain_timeout;
    loop_->RunSync([](Engine& engine) { engine.StopDispatching(); });
    while (clock_->MonoNow() < deadline) {
      uint32_t in_flight = 0;
      loop_->RunSync([&in_flight](Engine& engine) { in_flight = engine.Status(false).in_flight; });
      if (in_flight == 0) break;
      absl::SleepFor(absl::Milliseconds(20));
    }
    loop_->Stop();
  }
  if (kube_ != nullptr) kube_->Stop();
  metrics_server_.reset();
  server_.reset();
  // After the loop and the informer: nothing feeds the tracker any more; the
  // ledger applies its queue before closing.
  cost_.reset();
}

Daemon::~Daemon() { Shutdown(absl::ZeroDuration()); }

}  // namespace sluice
