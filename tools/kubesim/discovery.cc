#include "tools/kubesim/discovery.h"

#include "tools/kubesim/json_writer.h"

namespace sluice::kubesim {

std::string VersionJson() {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.KeyString("major", "1");
  w.KeyString("minor", "30");
  w.KeyString("gitVersion", kServerGitVersion);
  w.KeyString("gitCommit", "0000000000000000000000000000000000000000");
  w.KeyString("gitTreeState", "clean");
  w.KeyString("buildDate", "2024-04-17T00:00:00Z");
  w.KeyString("goVersion", "go1.22.2");
  w.KeyString("compiler", "gc");
  w.KeyString("platform", "linux/amd64");
  w.EndObject();
  return out;
}

std::string ApiVersionsJson(std::string_view server_address) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.KeyString("kind", "APIVersions");
  w.Key("versions");
  w.BeginArray();
  w.String("v1");
  w.EndArray();
  w.Key("serverAddressByClientCIDRs");
  w.BeginArray();
  w.BeginObject();
  w.KeyString("clientCIDR", "0.0.0.0/0");
  w.KeyString("serverAddress", server_address);
  w.EndObject();
  w.EndArray();
  w.EndObject();
  return out;
}

std::string ApiGroupListJson() {
  return R"({"kind":"APIGroupList","apiVersion":"v1","groups":[]})";
}

std::string ApiResourceListJson(const std::vector<const ResourceInfo*>& resources) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.KeyString("kind", "APIResourceList");
  w.KeyString("groupVersion", "v1");
  w.Key("resources");
  w.BeginArray();
  for (const ResourceInfo* r : resources) {
    w.BeginObject();
    w.KeyString("name", r->name);
    w.KeyString("singularName", r->singular);
    w.KeyBool("namespaced", r->namespaced);
    w.KeyString("kind", r->kind);
    w.Key("verbs");
    w.BeginArray();
    for (const std::string& v : r->verbs) w.String(v);
    w.EndArray();
    if (!r->short_names.empty()) {
      w.Key("shortNames");
      w.BeginArray();
      for (const std::string& s : r->short_names) w.String(s);
      w.EndArray();
    }
    if (r->name == "pods") {
      w.Key("categories");
      w.BeginArray();
      w.String("all");
      w.EndArray();
    }
    w.EndObject();
    if (r->name == "pods") {
      // The status subresource (GET only here).
      w.BeginObject();
      w.KeyString("name", "pods/status");
      w.KeyString("singularName", "");
      w.KeyBool("namespaced", true);
      w.KeyString("kind", "Pod");
      w.Key("verbs");
      w.BeginArray();
      w.String("get");
      w.EndArray();
      w.EndObject();
    }
  }
  w.EndArray();
  w.EndObject();
  return out;
}

}  // namespace sluice::kubesim
