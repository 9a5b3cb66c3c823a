#ifndef SLUICE_TOOLS_SLUICECTL_YAML_JSON_H_
#define SLUICE_TOOLS_SLUICECTL_YAML_JSON_H_

#include <string>

#include "absl/status/statusor.h"
#include "yaml-cpp/yaml.h"

namespace sluice::ctl {

// Converts a YAML node to compact JSON (as a Kubernetes request body).
//
// Untagged plain scalars are resolved with YAML 1.2's core schema: `null`,
// `~` and empty -> null; true/false (any case) -> booleans; decimal, 0o octal
// and 0x hex integers and decimal floats -> numbers; everything else, and
// every quoted scalar, -> a string. `!!str`, `!!int`, `!!float`, `!!bool`,
// `!!null` force the type. Map keys become strings.
//
// InvalidArgument, naming the node's path (`spec.containers[0].ports[1]`) and
// line, for what JSON cannot hold: .inf/.nan, a non-scalar map key, a value
// that does not fit the tag it was given.
absl::StatusOr<std::string> YamlToJson(const YAML::Node& node);

}  // namespace sluice::ctl

#endif  // SLUICE_TOOLS_SLUICECTL_YAML_JSON_H_
