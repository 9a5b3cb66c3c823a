#include "scheduler/engine/pod_writer.h"

namespace sluice {

absl::string_view WriteOutcomeName(WriteOutcome outcome) {
  switch (outcome) {
    case WriteOutcome::kSuccess:
      return "success";
    case WriteOutcome::kAlreadyExists:
      return "already_exists";
    case WriteOutcome::kNotFound:
      return "not_found";
    case WriteOutcome::kThrottled:
      return "throttled";
    case WriteOutcome::kTransient:
      return "transient";
    case WriteOutcome::kQuotaExceeded:
      return "quota_exceeded";
    case WriteOutcome::kPermanent:
      return "permanent";
  }
  return "unknown";
}

}  // namespace sluice
