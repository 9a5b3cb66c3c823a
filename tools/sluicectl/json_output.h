#ifndef SLUICE_TOOLS_SLUICECTL_JSON_OUTPUT_H_
#define SLUICE_TOOLS_SLUICECTL_JSON_OUTPUT_H_

#include <string>

#include "google/protobuf/message.h"

namespace sluice::ctl {

// The format of everything a command prints on stdout (`-o`).
enum class OutputFormat { kTable, kJson, kCsv };

// `message` in protobuf's JSON mapping with the proto's field names
// (`queue_depth`, as in scheduler.proto) and every field, zeros included, so
// scripts always find their keys. 64-bit integers are strings, enums their
// names. `pretty`: indented, else on one line. Ends with '\n'.
std::string ToJson(const google::protobuf::Message& message, bool pretty = true);

}  // namespace sluice::ctl

#endif  // SLUICE_TOOLS_SLUICECTL_JSON_OUTPUT_H_
