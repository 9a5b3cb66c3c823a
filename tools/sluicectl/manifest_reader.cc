#include "tools/sluicectl/manifest_reader.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tools/sluicectl/yaml_json.h"
#include "yaml-cpp/yaml.h"

namespace sluice::ctl {
namespace {

std::string ScalarAt(const YAML::Node& node, const char* key) {
  const YAML::Node value = node[key];
  return value && value.IsScalar() ? value.Scalar() : "";
}

class PodCollector {
 public:
  PodCollector(absl::string_view source_name, std::vector<PodManifest>* out)
      : source_name_(source_name), out_(out) {}

  // One document of the stream (`index` counts from 1).
  absl::Status Document(const YAML::Node& doc, size_t index) {
    const std::string where = absl::StrCat(source_name_, ": document ", index);
    if (doc.IsNull()) return absl::OkStatus();
    if (doc.IsSequence()) return Items(doc, where, "");
    if (!doc.IsMap()) return Fail(where, doc, "expected a Pod, a List of pods or a sequence");
    const std::string kind = ScalarAt(doc, "kind");
    if (kind == "List" || kind == "PodList") {
      const YAML::Node items = doc["items"];
      if (!items || items.IsNull()) return absl::OkStatus();
      if (!items.IsSequence()) return Fail(where, items, "items: expected a sequence");
      return Items(items, where, "items");
    }
    return Pod(doc, where);
  }

 private:
  static absl::Status Fail(const std::string& where, const YAML::Node& node,
                           absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, " (line ", node.Mark().line + 1, "): ", why));
  }

  absl::Status Items(const YAML::Node& items, const std::string& where, absl::string_view field) {
    size_t i = 0;
    for (const YAML::Node& item : items) {
      const std::string item_where = absl::StrCat(where, ", ", field, "[", i++, "]");
      if (absl::Status s = Pod(item, item_where); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  absl::Status Pod(const YAML::Node& pod, const std::string& where) {
    if (!pod.IsMap()) return Fail(where, pod, "a pod must be a map");
    const std::string kind = ScalarAt(pod, "kind");
    if (!kind.empty() && kind != "Pod") {
      return Fail(where, pod, absl::StrCat("kind ", kind, ": only pods can be submitted"));
    }
    PodManifest manifest;
    manifest.source = where;
    const YAML::Node metadata = pod["metadata"];
    if (metadata && metadata.IsMap()) {
      manifest.pod_namespace = ScalarAt(metadata, "namespace");
      manifest.name = ScalarAt(metadata, "name");
      manifest.generate_name = ScalarAt(metadata, "generateName");
    }
    absl::StatusOr<std::string> json = YamlToJson(pod);
    if (!json.ok())
      return absl::InvalidArgumentError(absl::StrCat(where, ": ", json.status().message()));
    manifest.json = std::move(*json);
    out_->push_back(std::move(manifest));
    return absl::OkStatus();
  }

  const absl::string_view source_name_;
  std::vector<PodManifest>* const out_;
};

}  // namespace

absl::StatusOr<std::vector<PodManifest>> ReadPodManifests(absl::string_view text,
                                                          absl::string_view source_name) {
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(source_name, ":", e.mark.line + 1, ":", e.mark.column + 1, ": ", e.msg));
  }
  std::vector<PodManifest> pods;
  PodCollector collector(source_name, &pods);
  for (size_t i = 0; i < docs.size(); ++i) {
    if (absl::Status s = collector.Document(docs[i], i + 1); !s.ok()) return s;
  }
  return pods;
}

absl::StatusOr<std::vector<PodManifest>> ReadPodManifestFile(const std::string& path) {
  std::stringstream text;
  if (path == "-") {
    text << std::cin.rdbuf();
    return ReadPodManifests(text.str(), "<stdin>");
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return absl::NotFoundError(absl::StrCat("cannot read ", path, ": ", std::strerror(errno)));
  }
  text << file.rdbuf();
  return ReadPodManifests(text.str(), path);
}

}  // namespace sluice::ctl
