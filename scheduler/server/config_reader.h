#ifndef SLUICE_SCHEDULER_SERVER_CONFIG_READER_H_
#define SLUICE_SCHEDULER_SERVER_CONFIG_READER_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "yaml-cpp/yaml.h"

namespace sluice {

// Reads typed values out of a YAML tree and collects every problem with its
// path (`pools[2].prices.vcpu_hour: must be >= 0`) instead of stopping at the
// first. Missing keys leave the output untouched (the default stands).
//
// Not thread-safe; one reader per parse.
class ConfigReader {
 public:
  // Reports keys of `node` (a map at `path`) that are not in `known`.
  void CheckKeys(const YAML::Node& node, const std::string& path,
                 std::initializer_list<absl::string_view> known);

  void ReadString(const YAML::Node& node, const std::string& path, std::string* out);
  void ReadBool(const YAML::Node& node, const std::string& path, bool* out);
  void ReadDouble(const YAML::Node& node, const std::string& path, double* out, double min,
                  double max);
  void ReadUint(const YAML::Node& node, const std::string& path, uint64_t* out, uint64_t min,
                uint64_t max);
  void ReadUint32(const YAML::Node& node, const std::string& path, uint32_t* out, uint32_t min,
                  uint32_t max);
  // Durations as Go/absl write them: "500ms", "30s", "10m", "1h30m".
  void ReadDuration(const YAML::Node& node, const std::string& path, absl::Duration* out,
                    absl::Duration min, absl::Duration max);

  // True if `node` is a map (or absent); reports otherwise.
  bool ExpectMap(const YAML::Node& node, const std::string& path);

  void Error(const std::string& path, absl::string_view message);
  bool ok() const { return errors_.empty(); }
  const std::vector<std::string>& errors() const { return errors_; }
  // InvalidArgument listing every error, one per line; OK if none.
  absl::Status ToStatus(absl::string_view what) const;

  static std::string Join(const std::string& path, absl::string_view key);
  static std::string Index(const std::string& path, size_t i);

 private:
  std::vector<std::string> errors_;
};

}  // namespace sluice

#endif  // SLUICE_SCHEDULER_SERVER_CONFIG_READER_H_
