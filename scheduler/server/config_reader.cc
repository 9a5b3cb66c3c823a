#include "scheduler/server/config_reader.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace sluice {
namespace {

// Edit distance, to suggest the key that was probably meant.
size_t Distance(absl::string_view a, absl::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

bool Scalar(const YAML::Node& node) { return node && node.IsScalar(); }

}  // namespace

std::string ConfigReader::Join(const std::string& path, absl::string_view key) {
  return path.empty() ? std::string(key) : absl::StrCat(path, ".", key);
}

std::string ConfigReader::Index(const std::string& path, size_t i) {
  return absl::StrCat(path, "[", i, "]");
}

void ConfigReader::Error(const std::string& path, absl::string_view message) {
  errors_.push_back(absl::StrCat(path.empty() ? "<root>" : path, ": ", message));
}

absl::Status ConfigReader::ToStatus(absl::string_view what) const {
  if (errors_.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(what, ": ", errors_.size(),
                                                 errors_.size() == 1 ? " error" : " errors", "\n  ",
                                                 absl::StrJoin(errors_, "\n  ")));
}

bool ConfigReader::ExpectMap(const YAML::Node& node, const std::string& path) {
  if (!node || node.IsNull() || node.IsMap()) return true;
  Error(path, "must be a map of keys to values");
  return false;
}

void ConfigReader::CheckKeys(const YAML::Node& node, const std::string& path,
                             std::initializer_list<absl::string_view> known) {
  if (!node || !node.IsMap()) return;
  for (const auto& entry : node) {
    const std::string key = entry.first.as<std::string>("");
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    absl::string_view best;
    size_t best_distance = 3;
    for (absl::string_view candidate : known) {
      const size_t d = Distance(key, candidate);
      if (d < best_distance) {
        best = candidate;
        best_distance = d;
      }
    }
    Error(Join(path, key),
          best.empty() ? "unknown key" : absl::StrCat("unknown key (did you mean ", best, "?)"));
  }
}

void ConfigReader::ReadString(const YAML::Node& node, const std::string& path, std::string* out) {
  if (!node || node.IsNull()) return;
  if (!Scalar(node)) {
    Error(path, "must be a string");
    return;
  }
  *out = node.Scalar();
}

void ConfigReader::ReadBool(const YAML::Node& node, const std::string& path, bool* out) {
  if (!node || node.IsNull()) return;
  const std::string v = Scalar(node) ? node.Scalar() : "";
  if (v == "true" || v == "yes" || v == "on") {
    *out = true;
  } else if (v == "false" || v == "no" || v == "off") {
    *out = false;
  } else {
    Error(path, "must be true or false");
  }
}

void ConfigReader::ReadDouble(const YAML::Node& node, const std::string& path, double* out,
                              double min, double max) {
  if (!node || node.IsNull()) return;
  double v = 0;
  if (!Scalar(node) || !absl::SimpleAtod(node.Scalar(), &v) || !std::isfinite(v)) {
    Error(path, "must be a number");
    return;
  }
  if (v < min) {
    Error(path, absl::StrCat("must be >= ", min));
  } else if (v > max) {
    Error(path, absl::StrCat("must be <= ", max));
  } else {
    *out = v;
  }
}

void ConfigReader::ReadUint(const YAML::Node& node, const std::string& path, uint64_t* out,
                            uint64_t min, uint64_t max) {
  if (!node || node.IsNull()) return;
  uint64_t v = 0;
  if (!Scalar(node) || !absl::SimpleAtoi(node.Scalar(), &v)) {
    Error(path, "must be a whole number >= 0");
    return;
  }
  if (v < min) {
    Error(path, absl::StrCat("must be >= ", min));
  } else if (v > max) {
    Error(path, absl::StrCat("must be <= ", max));
  } else {
    *out = v;
  }
}

void ConfigReader::ReadUint32(const YAML::Node& node, const std::string& path, uint32_t* out,
                              uint32_t min, uint32_t max) {
  uint64_t v = *out;
  ReadUint(node, path, &v, min, max);
  *out = static_cast<uint32_t>(v);
}

void ConfigReader::ReadDuration(const YAML::Node& node, const std::string& path,
                                absl::Duration* out, absl::Duration min, absl::Duration max) {
  if (!node || node.IsNull()) return;
  absl::Duration d;
  if (!Scalar(node) || !absl::ParseDuration(node.Scalar(), &d)) {
    Error(path, "must be a duration such as 500ms, 30s, 10m or 1h");
    return;
  }
  if (d < min) {
    Error(path, absl::StrCat("must be >= ", absl::FormatDuration(min)));
  } else if (d > max) {
    Error(path, absl::StrCat("must be <= ", absl::FormatDuration(max)));
  } else {
    *out = d;
  }
}

}  // namespace sluice
