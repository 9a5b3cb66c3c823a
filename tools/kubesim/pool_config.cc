#include "tools/kubesim/pool_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "scheduler/common/quantity.h"
#include "tools/kubesim/strings.h"

namespace sluice::kubesim {
namespace {

using Limit = std::optional<int64_t>;  // nullopt: unlimited

absl::Status Error(std::string_view where, std::string_view what) {
  return absl::InvalidArgumentError(Cat(where, ": ", what));
}

enum class Unit { kCount, kMilli, kBytes };

// A limit from text: "unlimited"/"" -> nullopt, else a quantity in `unit`.
absl::StatusOr<Limit> LimitFromText(std::string_view where, std::string_view text, Unit unit) {
  if (text.empty() || text == "unlimited" || text == "null" || text == "~") return Limit();
  absl::StatusOr<Quantity> q = Quantity::Parse(ToAbsl(text));
  if (!q.ok()) return Error(where, ToStd(q.status().message()));
  if (q->Sign() < 0) return Error(where, "must not be negative");
  switch (unit) {
    case Unit::kCount:
      if (q->MilliValue() % 1000 != 0) return Error(where, "must be a whole number");
      return Limit(q->Value());
    case Unit::kMilli:
      return Limit(q->MilliValue());
    case Unit::kBytes:
      return Limit(q->Value());
  }
  return Limit();
}

absl::StatusOr<Limit> ReadLimit(std::string_view where, const YAML::Node& node, Unit unit) {
  if (node.IsNull()) return Limit();
  if (!node.IsScalar()) return Error(where, "must be a number or a quantity");
  return LimitFromText(where, node.Scalar(), unit);
}

absl::StatusOr<absl::Duration> DurationFromText(std::string_view where, std::string_view text) {
  absl::Duration d;
  double seconds;
  if (absl::ParseDuration(ToAbsl(text), &d)) return d;
  if (absl::SimpleAtod(ToAbsl(text), &seconds)) return absl::Seconds(seconds);
  return Error(where, Cat("\"", text, "\" is not a duration (e.g. 20s, 1.5m, 500ms)"));
}

absl::StatusOr<bool> BoolFromText(std::string_view where, std::string_view text) {
  if (text == "true" || text == "True" || text == "1") return true;
  if (text == "false" || text == "False" || text == "0") return false;
  return Error(where, "must be true or false");
}

absl::StatusOr<double> RateFromText(std::string_view where, std::string_view text) {
  double v;
  std::string t(text);
  double scale = 1;
  if (!t.empty() && t.back() == '%') {
    t.pop_back();
    scale = 0.01;
  }
  if (!absl::SimpleAtod(t, &v) || v < 0) {
    return Error(where, "must be a non-negative fraction per minute (0.02 or 2%)");
  }
  return v * scale;
}

absl::Status ReadStringMap(std::string_view where, const YAML::Node& node, StringMap* out) {
  if (!node.IsMap()) return Error(where, "must be a map of strings");
  for (const auto& kv : node) {
    if (!kv.second.IsScalar()) return Error(where, "values must be strings");
    out->emplace_back(kv.first.Scalar(), kv.second.Scalar());
  }
  NormalizeStringMap(out);
  return absl::OkStatus();
}

absl::Status CheckKeys(std::string_view where, const YAML::Node& node,
                       std::initializer_list<std::string_view> known) {
  if (!node.IsMap()) return Error(where, "must be a map");
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return Error(where, Cat("unknown key \"", key, "\""));
    }
  }
  return absl::OkStatus();
}

// Reads pods/cpu/memory members of `node` into the optional-of-limit fields.
absl::Status ReadLimits(std::string_view where, const YAML::Node& node, std::optional<Limit>* pods,
                        std::optional<Limit>* cpu, std::optional<Limit>* memory) {
  struct Field {
    const char* key;
    Unit unit;
    std::optional<Limit>* out;
  };
  for (const Field& f : {Field{"pods", Unit::kCount, pods}, Field{"cpu", Unit::kMilli, cpu},
                         Field{"memory", Unit::kBytes, memory}}) {
    if (!node[f.key]) continue;
    absl::StatusOr<Limit> l = ReadLimit(Cat(where, ".", f.key), node[f.key], f.unit);
    if (!l.ok()) return l.status();
    *f.out = *l;
  }
  return absl::OkStatus();
}

absl::StatusOr<PoolEvent> ReadEvent(std::string_view where, const YAML::Node& node) {
  if (absl::Status s = CheckKeys(where, node, {"at", "stockout", "pods", "cpu", "memory"});
      !s.ok()) {
    return s;
  }
  PoolEvent e;
  if (!node["at"] || !node["at"].IsScalar()) return Error(where, "\"at\" is required");
  absl::StatusOr<absl::Duration> at = DurationFromText(Cat(where, ".at"), node["at"].Scalar());
  if (!at.ok()) return at.status();
  e.at = *at;
  if (node["stockout"]) {
    absl::StatusOr<bool> b = BoolFromText(Cat(where, ".stockout"), node["stockout"].Scalar());
    if (!b.ok()) return b.status();
    e.stockout = *b;
  }
  if (absl::Status s = ReadLimits(where, node, &e.pods, &e.cpu_milli, &e.memory_bytes); !s.ok()) {
    return s;
  }
  return e;
}

void Assign(std::optional<Limit> from, Limit* to) {
  if (from.has_value()) *to = *from;
}

absl::StatusOr<PoolConfig> ReadPool(std::string_view where, const YAML::Node& node) {
  if (absl::Status s = CheckKeys(
          where, node,
          {"name", "class", "selector", "labels", "nodeSelector", "capacity", "pods", "cpu",
           "memory", "stockout", "events", "reclaim_per_minute", "reclaim_notice",
           "stockout_reason", "capacity_reason", "reclaim_condition_reason", "reclaim_reason"});
      !s.ok()) {
    return s;
  }
  PoolConfig p;
  if (!node["name"] || !node["name"].IsScalar() || node["name"].Scalar().empty()) {
    return Error(where, "\"name\" is required");
  }
  p.name = node["name"].Scalar();
  const std::string at = Cat("pool \"", p.name, "\"");
  if (node["class"]) p.pool_class = node["class"].Scalar();
  for (const char* key : {"selector", "labels"}) {
    if (!node[key]) continue;
    if (absl::Status s = ReadStringMap(Cat(at, ".", key), node[key], &p.match_labels); !s.ok()) {
      return s;
    }
  }
  if (node["nodeSelector"]) {
    if (absl::Status s =
            ReadStringMap(Cat(at, ".nodeSelector"), node["nodeSelector"], &p.match_node_selector);
        !s.ok()) {
      return s;
    }
  }
  if (p.match_labels.empty() && p.match_node_selector.empty()) {
    p.match_labels.emplace_back(kPoolLabel, p.name);
  }
  std::optional<Limit> pods, cpu, memory;
  if (node["capacity"]) {
    if (absl::Status s =
            CheckKeys(Cat(at, ".capacity"), node["capacity"], {"pods", "cpu", "memory"});
        !s.ok()) {
      return s;
    }
    if (absl::Status s = ReadLimits(Cat(at, ".capacity"), node["capacity"], &pods, &cpu, &memory);
        !s.ok()) {
      return s;
    }
  }
  if (absl::Status s = ReadLimits(at, node, &pods, &cpu, &memory); !s.ok()) return s;
  Assign(pods, &p.capacity.pods);
  Assign(cpu, &p.capacity.cpu_milli);
  Assign(memory, &p.capacity.memory_bytes);
  if (node["stockout"]) {
    absl::StatusOr<bool> b = BoolFromText(Cat(at, ".stockout"), node["stockout"].Scalar());
    if (!b.ok()) return b.status();
    p.stockout = *b;
  }
  if (node["events"]) {
    if (!node["events"].IsSequence()) return Error(Cat(at, ".events"), "must be a list");
    for (size_t i = 0; i < node["events"].size(); ++i) {
      absl::StatusOr<PoolEvent> e = ReadEvent(Cat(at, ".events[", i, "]"), node["events"][i]);
      if (!e.ok()) return e.status();
      p.events.push_back(*std::move(e));
    }
    std::stable_sort(p.events.begin(), p.events.end(),
                     [](const PoolEvent& a, const PoolEvent& b) { return a.at < b.at; });
  }
  if (node["reclaim_per_minute"]) {
    absl::StatusOr<double> r =
        RateFromText(Cat(at, ".reclaim_per_minute"), node["reclaim_per_minute"].Scalar());
    if (!r.ok()) return r.status();
    p.reclaim_per_minute = *r;
  }
  if (node["reclaim_notice"]) {
    absl::StatusOr<absl::Duration> d =
        DurationFromText(Cat(at, ".reclaim_notice"), node["reclaim_notice"].Scalar());
    if (!d.ok()) return d.status();
    p.reclaim_notice = *d;
  }
  for (auto [key, out] : {std::pair{"stockout_reason", &p.stockout_reason},
                          std::pair{"capacity_reason", &p.capacity_reason},
                          std::pair{"reclaim_condition_reason", &p.reclaim_condition_reason},
                          std::pair{"reclaim_reason", &p.reclaim_reason}}) {
    if (node[key]) *out = node[key].IsNull() ? std::string() : node[key].Scalar();
  }
  return p;
}

}  // namespace

absl::StatusOr<std::vector<PoolConfig>> ParsePoolsText(std::string_view text) {
  std::vector<PoolConfig> out;
  try {
    YAML::Node root = YAML::Load(std::string(text));
    YAML::Node list = root.IsMap() ? root["pools"] : root;
    if (root.IsMap() && (root.size() != 1 || !list)) {
      return absl::InvalidArgumentError("pools: expected a list, or a map with only \"pools\"");
    }
    if (!list.IsSequence()) return absl::InvalidArgumentError("pools: expected a list of pools");
    std::set<std::string> names;
    for (size_t i = 0; i < list.size(); ++i) {
      absl::StatusOr<PoolConfig> p = ReadPool(Cat("pools[", i, "]"), list[i]);
      if (!p.ok()) return p.status();
      if (!names.insert(p->name).second) {
        return absl::InvalidArgumentError(Cat("pools: \"", p->name, "\" appears twice"));
      }
      out.push_back(*std::move(p));
    }
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(Cat("pools: ", e.what()));
  }
  return out;
}

absl::StatusOr<PoolConfig> ParsePoolFlag(std::string_view text) {
  const std::string where = Cat("--pool \"", text, "\"");
  std::vector<std::string> entries = absl::StrSplit(ToAbsl(text), ',', absl::SkipWhitespace());
  if (entries.empty()) return Error(where, "expected NAME=PODS");
  PoolConfig p;
  for (size_t i = 0; i < entries.size(); ++i) {
    std::string_view entry = ToStd(absl::StripAsciiWhitespace(entries[i]));
    const size_t eq = entry.find('=');
    if (eq == std::string_view::npos || eq == 0) return Error(where, "entries are key=value");
    const std::string_view key = entry.substr(0, eq);
    const std::string_view value = entry.substr(eq + 1);
    if (i == 0) {
      p.name = std::string(key);
      absl::StatusOr<Limit> pods = LimitFromText(where, value, Unit::kCount);
      if (!pods.ok()) return pods.status();
      p.capacity.pods = *pods;
      continue;
    }
    if (key == "class") {
      p.pool_class = std::string(value);
    } else if (key == "cpu" || key == "memory") {
      absl::StatusOr<Limit> l =
          LimitFromText(where, value, key == "cpu" ? Unit::kMilli : Unit::kBytes);
      if (!l.ok()) return l.status();
      (key == "cpu" ? p.capacity.cpu_milli : p.capacity.memory_bytes) = *l;
    } else if (key == "reclaim_per_minute") {
      absl::StatusOr<double> r = RateFromText(where, value);
      if (!r.ok()) return r.status();
      p.reclaim_per_minute = *r;
    } else if (key == "reclaim_notice") {
      absl::StatusOr<absl::Duration> d = DurationFromText(where, value);
      if (!d.ok()) return d.status();
      p.reclaim_notice = *d;
    } else if (key == "stockout") {
      absl::StatusOr<bool> b = BoolFromText(where, value);
      if (!b.ok()) return b.status();
      p.stockout = *b;
    } else {
      return Error(where, Cat("unknown key \"", key, "\""));
    }
  }
  p.match_labels.emplace_back(kPoolLabel, p.name);
  return p;
}

absl::StatusOr<std::vector<PoolChange>> ParsePoolChanges(std::string_view body,
                                                         std::string_view path_name) {
  std::vector<PoolChange> out;
  try {
    YAML::Node root = YAML::Load(std::string(body));
    std::vector<YAML::Node> items;
    if (root.IsSequence()) {
      for (const auto& n : root) items.push_back(n);
    } else {
      items.push_back(root);
    }
    for (const YAML::Node& n : items) {
      if (absl::Status s =
              CheckKeys("pool change", n, {"name", "pods", "cpu", "memory", "stockout", "reclaim"});
          !s.ok()) {
        return s;
      }
      PoolChange c;
      c.name = n["name"] ? n["name"].Scalar() : std::string(path_name);
      if (c.name.empty()) return absl::InvalidArgumentError("pool change: \"name\" is missing");
      if (absl::Status s = ReadLimits(c.name, n, &c.pods, &c.cpu_milli, &c.memory_bytes); !s.ok()) {
        return s;
      }
      if (n["stockout"]) {
        absl::StatusOr<bool> b = BoolFromText(Cat(c.name, ".stockout"), n["stockout"].Scalar());
        if (!b.ok()) return b.status();
        c.stockout = *b;
      }
      if (n["reclaim"] && (!absl::SimpleAtoi(n["reclaim"].Scalar(), &c.reclaim) || c.reclaim < 0)) {
        return absl::InvalidArgumentError(Cat(c.name, ".reclaim: must be a count"));
      }
      out.push_back(std::move(c));
    }
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(Cat("pool change: ", e.what()));
  }
  return out;
}

}  // namespace sluice::kubesim
