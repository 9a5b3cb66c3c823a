#include "scheduler/server/effective_config.h"

#include <utility>

namespace sluice {

void EffectiveConfig::Applied(const SluicedConfig& config, absl::Time now, std::string source) {
  auto next = std::make_shared<EffectiveConfigSnapshot>();
  next->yaml = ConfigToYaml(config);
  next->loaded = now;
  next->source = std::move(source);
  absl::MutexLock lock(&mu_);
  next->generation = current_ == nullptr ? 1 : current_->generation + 1;
  current_ = std::move(next);
}

std::shared_ptr<const EffectiveConfigSnapshot> EffectiveConfig::Get() const {
  absl::MutexLock lock(&mu_);
  return current_;
}

}  // namespace sluice
