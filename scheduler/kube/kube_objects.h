#ifndef SLUICE_SCHEDULER_KUBE_KUBE_OBJECTS_H_
#define SLUICE_SCHEDULER_KUBE_KUBE_OBJECTS_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "scheduler/common/resource_list.h"

namespace sluice::kube {

enum class PodPhaseValue { kPending, kRunning, kSucceeded, kFailed, kUnknown };

// What Sluice reads of a pod (from a LIST or a watch event). Times are
// absl::InfinitePast() when absent.
struct PodInfo {
  std::string pod_namespace;
  std::string name;
  std::string uid;
  std::string resource_version;
  // Labels Sluice stamps or is configured to read (all labels are kept; pods
  // carry few).
  std::vector<std::pair<std::string, std::string>> labels;
  PodPhaseValue phase = PodPhaseValue::kPending;
  absl::Time creation_time = absl::InfinitePast();
  absl::Time deletion_time = absl::InfinitePast();  // metadata.deletionTimestamp
  absl::Time start_time = absl::InfinitePast();     // status.startTime
  // Condition PodScheduled: True (with when), or False/Unschedulable (with why).
  bool scheduled = false;
  absl::Time scheduled_time = absl::InfinitePast();
  bool unschedulable = false;
  std::string unschedulable_message;
  // Condition DisruptionTarget=True.
  bool disruption_target = false;
  std::string disruption_reason;
  std::string disruption_message;
  // status.reason / status.message, else the first terminated container's.
  std::string reason;
  std::string message;
  // The earliest container start and the latest container finish seen.
  absl::Time first_container_start = absl::InfinitePast();
  absl::Time last_container_finish = absl::InfinitePast();
  std::string node_name;

  // The value of label `key`, or empty.
  absl::string_view Label(absl::string_view key) const;
};

// What Sluice reads of a ResourceQuota.
struct QuotaInfo {
  std::string pod_namespace;
  std::string name;
  std::string resource_version;
  ResourceList hard;         // spec.hard
  ResourceList status_hard;  // status.hard (set once the controller has synced)
  ResourceList used;         // status.used
  bool status_known = false;
  std::vector<std::string> scopes;
  struct ScopeRequirement {
    std::string scope;
    std::string op;
    std::vector<std::string> values;
  };
  std::vector<ScopeRequirement> scope_selector;
};

enum class WatchEventType { kAdded, kModified, kDeleted, kBookmark, kError };

// The list metadata of a LIST answer.
struct ListMeta {
  std::string resource_version;
  std::string continue_token;
};

// A watch ERROR event's Status.
struct WatchError {
  int code = 0;
  std::string reason;
  std::string message;
};

// Parses Kubernetes JSON (LIST pages, watch events) into the structs above.
// Keeps a reusable parser: one per thread.
class KubeObjectParser {
 public:
  KubeObjectParser();
  ~KubeObjectParser();
  KubeObjectParser(const KubeObjectParser&) = delete;
  KubeObjectParser& operator=(const KubeObjectParser&) = delete;

  absl::Status ParsePod(absl::string_view json, PodInfo* pod);
  absl::Status ParsePodList(absl::string_view json, std::vector<PodInfo>* pods, ListMeta* meta);
  absl::Status ParseQuota(absl::string_view json, QuotaInfo* quota);
  absl::Status ParseQuotaList(absl::string_view json, std::vector<QuotaInfo>* quotas,
                              ListMeta* meta);

  // A watch event. For kBookmark, only the resourceVersion is set (in the
  // object's resource_version); for kError, `error` is filled.
  absl::Status ParsePodEvent(absl::string_view json, WatchEventType* type, PodInfo* pod,
                             WatchError* error);
  absl::Status ParseQuotaEvent(absl::string_view json, WatchEventType* type, QuotaInfo* quota,
                               WatchError* error);

  // metadata.uid of an object (a create's answer); empty if absent.
  std::string ObjectUid(absl::string_view json);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::kube

#endif  // SLUICE_SCHEDULER_KUBE_KUBE_OBJECTS_H_
