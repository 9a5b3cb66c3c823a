#ifndef SLUICE_SCHEDULER_SERVER_EFFECTIVE_CONFIG_H_
#define SLUICE_SCHEDULER_SERVER_EFFECTIVE_CONFIG_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "scheduler/server/config.h"

namespace sluice {

// The configuration sluiced runs with, as GetStatus reports it.
struct EffectiveConfigSnapshot {
  // Every key with its value in force (defaults, file and flags merged), as
  // `sluiced --print-config` prints it. Holds file paths, never secrets.
  std::string yaml;
  // 1 at start, +1 on each applied reload.
  uint64_t generation = 0;
  absl::Time loaded;
  // The file it came from; empty when there is none (defaults and flags).
  std::string source;
};

// Holds the latest applied configuration. Thread-safe: the reload path sets
// it, gRPC threads read it.
class EffectiveConfig {
 public:
  // Records `config` as applied at `now`, bumping the generation.
  void Applied(const SluicedConfig& config, absl::Time now, std::string source);
  // Nullptr before the first Applied.
  std::shared_ptr<const EffectiveConfigSnapshot> Get() const;

 private:
  mutable absl::Mutex mu_;
  std::shared_ptr<const EffectiveConfigSnapshot> current_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sluice

#endif  // SLUICE_SCHEDULER_SERVER_EFFECTIVE_CONFIG_H_
