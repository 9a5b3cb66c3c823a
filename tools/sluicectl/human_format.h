#ifndef SLUICE_TOOLS_SLUICECTL_HUMAN_FORMAT_H_
#define SLUICE_TOOLS_SLUICECTL_HUMAN_FORMAT_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/time/time.h"
#include "google/protobuf/map.h"
#include "google/protobuf/timestamp.pb.h"
#include "sluice/v1/scheduler.pb.h"

namespace sluice::ctl {

// How the human (table) output spells the API's values. JSON output does not
// use these: it prints the enum names of the proto.

// CamelCase words without the enum's prefix: INTENT_STATE_CREATE_FAILED ->
// "CreateFailed", EVENT_TYPE_RESCHEDULED -> "Rescheduled". Unknown values:
// their number.
std::string StateWord(v1::IntentState state);
std::string EventWord(v1::EventType type);
// As sluiced's configuration spells policies: ON_DEMAND, SPOT_PREFERRED,
// SPOT_ONLY; UNSPECIFIED for the default.
std::string PolicyWord(v1::CapacityPolicy policy);

// A duration in milliseconds as a person reads it, to the largest two units:
// 0 -> "0s", 850 -> "850ms", 1500 -> "1.5s", 192000 -> "3m12s", 7500000 -> "2h5m".
std::string MillisText(uint64_t ms);

// A timestamp in UTC, RFC 3339 to the second: "2024-05-01T12:00:00Z".
std::string TimestampText(const google::protobuf::Timestamp& time);
absl::Time ToTime(const google::protobuf::Timestamp& time);

// The epoch as sluiced logs it: lower-case hex without leading zeros.
std::string EpochText(uint64_t epoch);

// A number without trailing zeros: 50 -> "50", 12.25 -> "12.25", 0.001 ->
// "0.001" (at most 3 decimals).
std::string NumberText(double value);

// "k1=v1 k2=v2", keys sorted.
std::string KeyValues(const google::protobuf::Map<std::string, std::string>& map);

}  // namespace sluice::ctl

#endif  // SLUICE_TOOLS_SLUICECTL_HUMAN_FORMAT_H_
