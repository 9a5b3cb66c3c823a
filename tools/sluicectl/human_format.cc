#include "tools/sluicectl/human_format.h"

#include <cctype>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

namespace sluice::ctl {
namespace {

// "CREATE_FAILED" -> "CreateFailed".
std::string Camel(absl::string_view upper_snake) {
  std::string out;
  bool start = true;
  for (const char c : upper_snake) {
    if (c == '_') {
      start = true;
      continue;
    }
    out += start ? c : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    start = false;
  }
  return out;
}

std::string EnumWord(const std::string& name, absl::string_view prefix, int number) {
  if (name.empty()) return absl::StrCat(number);
  absl::string_view rest = name;
  absl::ConsumePrefix(&rest, prefix);
  return Camel(rest);
}

}  // namespace

std::string StateWord(v1::IntentState state) {
  return EnumWord(v1::IntentState_Name(state), "INTENT_STATE_", state);
}

std::string EventWord(v1::EventType type) {
  return EnumWord(v1::EventType_Name(type), "EVENT_TYPE_", type);
}

std::string PolicyWord(v1::CapacityPolicy policy) {
  const std::string& name = v1::CapacityPolicy_Name(policy);
  if (name.empty()) return absl::StrCat(static_cast<int>(policy));
  absl::string_view rest = name;
  absl::ConsumePrefix(&rest, "CAPACITY_POLICY_");
  return std::string(rest);
}

std::string MillisText(uint64_t ms) {
  if (ms < 1000) return absl::StrCat(ms, "ms");
  if (ms < 60'000) {
    const uint64_t tenths = ms / 100;
    if (tenths % 10 == 0) return absl::StrCat(tenths / 10, "s");
    return absl::StrCat(tenths / 10, ".", tenths % 10, "s");
  }
  const uint64_t seconds = ms / 1000;
  if (seconds < 3600) {
    return seconds % 60 == 0 ? absl::StrCat(seconds / 60, "m")
                             : absl::StrCat(seconds / 60, "m", seconds % 60, "s");
  }
  const uint64_t minutes = seconds / 60;
  if (minutes < uint64_t{24 * 60}) {
    return minutes % 60 == 0 ? absl::StrCat(minutes / 60, "h")
                             : absl::StrCat(minutes / 60, "h", minutes % 60, "m");
  }
  const uint64_t hours = minutes / 60;
  return hours % 24 == 0 ? absl::StrCat(hours / 24, "d")
                         : absl::StrCat(hours / 24, "d", hours % 24, "h");
}

absl::Time ToTime(const google::protobuf::Timestamp& time) {
  return absl::FromUnixSeconds(time.seconds()) + absl::Nanoseconds(time.nanos());
}

std::string TimestampText(const google::protobuf::Timestamp& time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", ToTime(time), absl::UTCTimeZone());
}

std::string EpochText(uint64_t epoch) { return absl::StrCat(absl::Hex(epoch)); }

std::string NumberText(double value) {
  std::string text = absl::StrFormat("%.3f", value);
  text.erase(text.find_last_not_of('0') + 1);
  if (absl::EndsWith(text, ".")) text.pop_back();
  if (text == "-0") text = "0";
  return text;
}

std::string KeyValues(const google::protobuf::Map<std::string, std::string>& map) {
  std::map<std::string, std::string> sorted(map.begin(), map.end());
  return absl::StrJoin(sorted, " ", absl::PairFormatter("="));
}

}  // namespace sluice::ctl
