#ifndef SLUICE_TOOLS_KUBESIM_JSON_WRITER_H_
#define SLUICE_TOOLS_KUBESIM_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::kubesim {

// Appends compact JSON to a caller-owned string, escaping strings the way Go's
// encoding/json does (what kube-apiserver emits): `"` `\` and control
// characters, plus `<`, `>`, `&`, U+2028 and U+2029 as \u escapes. Commas are
// inserted automatically; the caller is responsible for balanced Begin/End
// calls and for writing a value after every Key().
//
// Not thread-safe; one writer per output string.
//
// Example:
//   std::string out;
//   JsonWriter w(&out);
//   w.BeginObject();
//   w.Key("kind");
//   w.String("Status");
//   w.EndObject();  // out == {"kind":"Status"}
class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(out) {}

  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  void Key(std::string_view key);

  void String(std::string_view value);
  void Int(int64_t value);
  void Uint(uint64_t value);
  void Double(double value);
  void Bool(bool value);
  void Null();
  // A value that is already valid JSON, written as is.
  void Raw(std::string_view json);

  // Shorthands for Key() followed by a value.
  void KeyString(std::string_view key, std::string_view value) {
    Key(key);
    String(value);
  }
  void KeyInt(std::string_view key, int64_t value) {
    Key(key);
    Int(value);
  }
  void KeyBool(std::string_view key, bool value) {
    Key(key);
    Bool(value);
  }

  // Continues after a value written to the string by other means (the next
  // Key() or value is preceded by a comma).
  void ContinueAfterValue() { need_comma_ = true; }

  std::string* out() { return out_; }

 private:
  void BeforeValue();

  std::string* out_;
  bool need_comma_ = false;
};

// Appends `value` as a quoted, escaped JSON string (Go encoding/json rules).
void AppendJsonString(std::string* out, std::string_view value);

}  // namespace sluice::kubesim

#endif  // SLUICE_TOOLS_KUBESIM_JSON_WRITER_H_
