#include "tools/sluicectl/yaml_json.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <regex>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace sluice::ctl {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

constexpr absl::string_view kTagPrefix = "tag:yaml.org,2002:";

enum class ScalarType { kNull, kBool, kInt, kFloat, kString };

bool IsNull(const std::string& s) {
  return s.empty() || s == "~" || absl::AsciiStrToLower(s) == "null";
}
bool IsBool(const std::string& s) {
  const std::string lower = absl::AsciiStrToLower(s);
  return lower == "true" || lower == "false";
}
bool IsInt(const std::string& s) {
  static const std::regex* const kInt = new std::regex("[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+");
  return std::regex_match(s, *kInt);
}
bool IsFloat(const std::string& s) {
  static const std::regex* const kFloat =
      new std::regex(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  return std::regex_match(s, *kFloat);
}
bool IsSpecialFloat(const std::string& s) {
  const std::string lower = absl::AsciiStrToLower(s);
  return lower == ".inf" || lower == "+.inf" || lower == "-.inf" || lower == ".nan";
}

// The type of a scalar from its tag, or from its text when untagged and plain.
ScalarType Resolve(const YAML::Node& node) {
  const std::string& tag = node.Tag();
  const std::string& text = node.Scalar();
  if (tag == "!") return ScalarType::kString;  // quoted, or tagged non-specific
  if (absl::StartsWith(tag, kTagPrefix)) {
    const absl::string_view type = absl::string_view(tag).substr(kTagPrefix.size());
    if (type == "null") return ScalarType::kNull;
    if (type == "bool") return ScalarType::kBool;
    if (type == "int") return ScalarType::kInt;
    if (type == "float") return ScalarType::kFloat;
    return ScalarType::kString;
  }
  if (tag != "?" && !tag.empty()) return ScalarType::kString;  // a local tag
  if (IsNull(text)) return ScalarType::kNull;
  if (IsBool(text)) return ScalarType::kBool;
  if (IsInt(text)) return ScalarType::kInt;
  if (IsFloat(text) || IsSpecialFloat(text)) return ScalarType::kFloat;
  return ScalarType::kString;
}

class Converter {
 public:
  explicit Converter(JsonWriter& writer) : writer_(writer) {}

  absl::Status Convert(const YAML::Node& node, const std::string& path) {
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        writer_.Null();
        return absl::OkStatus();
      case YAML::NodeType::Scalar:
        return Scalar(node, path);
      case YAML::NodeType::Sequence: {
        writer_.StartArray();
        size_t i = 0;
        for (const YAML::Node& item : node) {
          if (absl::Status s = Convert(item, absl::StrCat(path, "[", i++, "]")); !s.ok()) return s;
        }
        writer_.EndArray();
        return absl::OkStatus();
      }
      case YAML::NodeType::Map: {
        writer_.StartObject();
        for (const auto& entry : node) {
          if (!entry.first.IsScalar()) return Fail(entry.first, path, "a map key must be a scalar");
          const std::string& key = entry.first.Scalar();
          writer_.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
          const std::string child = path.empty() ? key : absl::StrCat(path, ".", key);
          if (absl::Status s = Convert(entry.second, child); !s.ok()) return s;
        }
        writer_.EndObject();
        return absl::OkStatus();
      }
    }
    return absl::OkStatus();
  }

 private:
  static absl::Status Fail(const YAML::Node& node, const std::string& path, absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(path.empty() ? "(document)" : path, " (line ",
                                                   node.Mark().line + 1, "): ", why));
  }

  absl::Status Scalar(const YAML::Node& node, const std::string& path) {
    const std::string& text = node.Scalar();
    switch (Resolve(node)) {
      case ScalarType::kNull:
        writer_.Null();
        return absl::OkStatus();
      case ScalarType::kBool: {
        if (!IsBool(text)) return Fail(node, path, absl::StrCat("'", text, "' is not a boolean"));
        writer_.Bool(absl::AsciiStrToLower(text) == "true");
        return absl::OkStatus();
      }
      case ScalarType::kInt:
        return Int(node, path);
      case ScalarType::kFloat:
        return Float(node, path);
      case ScalarType::kString:
        writer_.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
        return absl::OkStatus();
    }
    return absl::OkStatus();
  }

  absl::Status Int(const YAML::Node& node, const std::string& path) {
    const std::string& text = node.Scalar();
    int64_t value = 0;
    bool ok = false;
    if (absl::StartsWith(text, "0o") || absl::StartsWith(text, "0x")) {
      errno = 0;
      char* end = nullptr;
      value = std::strtoll(text.c_str() + 2, &end, text[1] == 'o' ? 8 : 16);
      ok = errno == 0 && end != nullptr && *end == '\0' && text.size() > 2;
    } else {
      ok = absl::SimpleAtoi(text, &value);
    }
    if (!ok) {
      return Fail(node, path, absl::StrCat("'", text, "' is not a 64-bit integer"));
    }
    writer_.Int64(value);
    return absl::OkStatus();
  }

  absl::Status Float(const YAML::Node& node, const std::string& path) {
    const std::string& text = node.Scalar();
    if (IsSpecialFloat(text)) {
      return Fail(node, path, absl::StrCat("'", text, "' (infinity, NaN) has no JSON form"));
    }
    double value = 0;
    if (!absl::SimpleAtod(text, &value) || !std::isfinite(value)) {
      return Fail(node, path, absl::StrCat("'", text, "' is not a finite number"));
    }
    writer_.Double(value);
    return absl::OkStatus();
  }

  JsonWriter& writer_;
};

}  // namespace

absl::StatusOr<std::string> YamlToJson(const YAML::Node& node) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  Converter converter(writer);
  if (absl::Status s = converter.Convert(node, ""); !s.ok()) return s;
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace sluice::ctl
