#include "tools/kubesim/json_writer.h"

#include <charconv>
#include <cmath>

namespace sluice::kubesim {

void AppendJsonString(std::string* out, std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t start = 0;
  const size_t n = value.size();
  for (size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    const char* escape = nullptr;
    char unicode_buf[7];
    size_t skip = 1;
    if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&') {
      // U+2028 and U+2029 are E2 80 A8 / E2 80 A9 in UTF-8.
      if (c == 0xE2 && i + 2 < n && static_cast<unsigned char>(value[i + 1]) == 0x80 &&
          (static_cast<unsigned char>(value[i + 2]) & 0xFE) == 0xA8) {
        const bool is_2029 = static_cast<unsigned char>(value[i + 2]) == 0xA9;
        escape = is_2029 ? "\\u2029" : "\\u2028";
        skip = 3;
      } else {
        continue;
      }
    } else if (c == '"') {
      escape = "\\\"";
    } else if (c == '\\') {
      escape = "\\\\";
    } else if (c == '\n') {
      escape = "\\n";
    } else if (c == '\r') {
      escape = "\\r";
    } else if (c == '\t') {
      escape = "\\t";
    } else {
      unicode_buf[0] = '\\';
      unicode_buf[1] = 'u';
      unicode_buf[2] = '0';
      unicode_buf[3] = '0';
      unicode_buf[4] = kHex[c >> 4];
      unicode_buf[5] = kHex[c & 0xF];
      unicode_buf[6] = '\0';
      escape = unicode_buf;
    }
    out->append(value.data() + start, i - start);
    out->append(escape);
    i += skip - 1;
    start = i + 1;
  }
  out->append(value.data() + start, n - start);
  out->push_back('"');
}

void JsonWriter::BeforeValue() {
  if (need_comma_) out_->push_back(',');
  need_comma_ = true;
}

void JsonWriter::BeginObject() {
  BeforeValue();
  out_->push_back('{');
  need_comma_ = false;
}

void JsonWriter::EndObject() {
  out_->push_back('}');
  need_comma_ = true;
}

void JsonWriter::BeginArray() {
  BeforeValue();
  out_->push_back('[');
  need_comma_ = false;
}

void JsonWriter::EndArray() {
  out_->push_back(']');
  need_comma_ = true;
}

void JsonWriter::Key(std::string_view key) {
  if (need_comma_) out_->push_back(',');
  AppendJsonString(out_, key);
  out_->push_back(':');
  need_comma_ = false;
}

void JsonWriter::String(std::string_view value) {
  BeforeValue();
  AppendJsonString(out_, value);
}

void JsonWriter::Int(int64_t value) {
  BeforeValue();
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof(buf), value);
  out_->append(buf, res.ptr);
}

void JsonWriter::Uint(uint64_t value) {
  BeforeValue();
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof(buf), value);
  out_->append(buf, res.ptr);
}

void JsonWriter::Double(double value) {
  BeforeValue();
  if (!std::isfinite(value)) {
    out_->append("null");
    return;
  }
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof(buf), value);
  out_->append(buf, res.ptr);
}

void JsonWriter::Bool(bool value) {
  BeforeValue();
  out_->append(value ? "true" : "false");
}

void JsonWriter::Null() {
  BeforeValue();
  out_->append("null");
}

void JsonWriter::Raw(std::string_view json) {
  BeforeValue();
  out_->append(json);
}

}  // namespace sluice::kubesim
