#ifndef SLUICE_SCHEDULER_ENGINE_POD_WRITER_H_
#define SLUICE_SCHEDULER_ENGINE_POD_WRITER_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "scheduler/common/resource_list.h"
#include "scheduler/engine/pool.h"

namespace sluice {

struct IntentSpec;

// A pod create the engine wants sent to the APIServer.
struct CreatePodCommand {
  uint64_t request_id = 0;  // echo it in Engine::OnCreateResult
  absl::string_view pod_namespace;
  absl::string_view pod_name;
  // The manifest as submitted; the writer stamps Sluice's labels on it.
  absl::string_view manifest;
  absl::string_view workflow_uid;
  uint32_t attempt = 0;  // 1 for the first attempt
  // The capacity pool the pod goes to (its labels, nodeSelector, tolerations
  // and annotations are stamped on the pod); null without pools.
  const PoolConfig* pool = nullptr;
  // The workflow's name and namespace (the namespace defaults to the pod's).
  absl::string_view workflow_name;
  absl::string_view workflow_namespace;
  // The intent (cost labels, requests), for writers that stamp cost facts on
  // the pod; null from writers' tests.
  const IntentSpec* spec = nullptr;
};

// A pod delete the engine wants sent to the APIServer.
struct DeletePodCommand {
  uint64_t request_id = 0;  // echo it in Engine::OnDeleteResult
  absl::string_view pod_namespace;
  absl::string_view pod_name;
  // Delete only this incarnation of the pod when known (a precondition).
  absl::string_view pod_uid;
};

// How the engine sees the APIServer's answer to a write.
enum class WriteOutcome : uint8_t {
  kSuccess,        // 200, 201, 202
  kAlreadyExists,  // 409 AlreadyExists on create: the pod exists, which is success
  kNotFound,       // 404 on delete: already gone
  kThrottled,      // 429: retry after `retry_after`
  kTransient,      // 5xx, timeouts, connection errors, 401: retry with backoff
  kQuotaExceeded,  // 403 exceeded quota: waits for headroom (another writer used it)
  kPermanent,      // any other refusal: the intent fails with the APIServer's message
};
absl::string_view WriteOutcomeName(WriteOutcome outcome);

struct WriteResult {
  WriteOutcome outcome = WriteOutcome::kSuccess;
  int http_status = 0;  // 0 when no HTTP answer arrived (connection error)
  // For kThrottled: the Retry-After header; zero when absent.
  absl::Duration retry_after = absl::ZeroDuration();
  // The Kubernetes Status reason (AlreadyExists, Invalid, ...) or a transport error code.
  std::string reason;
  std::string message;
  // metadata.uid of the created pod when the answer carried it.
  std::string pod_uid;
  // For kQuotaExceeded: the quota named and the APIServer's figures for the
  // exceeded resources (fresher than the quota's status).
  std::string quota_name;
  ResourceList quota_used;
  ResourceList quota_limited;
  absl::Duration latency = absl::ZeroDuration();
};

// Where the engine sends its writes. Implemented by the dispatcher (HTTP) and
// by the simulated cluster (virtual time).
//
// Called on the engine thread. Must not block and must not call back into the
// engine synchronously: answers arrive later through Engine::OnCreateResult /
// OnDeleteResult on the engine thread. The views in a command are valid only
// for the duration of the call.
class PodWriter {
 public:
  virtual ~PodWriter() = default;
  virtual void Create(const CreatePodCommand& command) = 0;
  virtual void Delete(const DeletePodCommand& command) = 0;
};

}  // namespace sluice

#endif  // SLUICE_SCHEDULER_ENGINE_POD_WRITER_H_
