#include "tools/kubesim/json_writer.h"

#include <charconv>
#include <cmath>
#include <cstring>

namespace sluice::kubesim {

namespace {

// 1 for the bytes that need attention: control characters, '"', '\\', '<',
// '>', '&', and 0xE2 (the first byte of U+2028 / U+2029).
struct EscapeTable {
  bool special[256] = {};
  constexpr EscapeTable() {
    for (int c = 0; c < 0x20; ++c) special[c] = true;
    special[static_cast<unsigned char>('"')] = true;
    special[static_cast<unsigned char>('\\')] = true;
    special[static_cast<unsigned char>('<')] = true;
    special[static_cast<unsigned char>('>')] = true;
    special[static_cast<unsigned char>('&')] = true;
    special[0xE2] = true;
  }
};
constexpr EscapeTable kEscape;

}  // namespace

void AppendJsonString(std::string* out, std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  const char* p = value.data();
  const size_t n = value.size();
  size_t start = 0;
  for (size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(p[i]);
    if (!kEscape.special[c]) continue;
    char buf[6];
    size_t len = 0;
    size_t skip = 1;
    switch (c) {
      case '"':
        buf[0] = '\\';
        buf[1] = '"';
        len = 2;
        break;
      case '\\':
        buf[0] = '\\';
        buf[1] = '\\';
        len = 2;
        break;
      case '\n':
        buf[0] = '\\';
        buf[1] = 'n';
        len = 2;
        break;
      case '\r':
        buf[0] = '\\';
        buf[1] = 'r';
        len = 2;
        break;
      case '\t':
        buf[0] = '\\';
        buf[1] = 't';
        len = 2;
        break;
      case 0xE2:
        // U+2028 and U+2029 are E2 80 A8 / E2 80 A9 in UTF-8.
        if (i + 2 < n && static_cast<unsigned char>(p[i + 1]) == 0x80 &&
            (static_cast<unsigned char>(p[i + 2]) & 0xFE) == 0xA8) {
          std::memcpy(buf, static_cast<unsigned char>(p[i + 2]) == 0xA9 ? "\\u2029" : "\\u2028", 6);
          len = 6;
          skip = 3;
          break;
        }
        continue;
      default:  // other control characters and < > &
        buf[0] = '\\';
        buf[1] = 'u';
        buf[2] = '0';
        buf[3] = '0';
        buf[4] = kHex[c >> 4];
        buf[5] = kHex[c & 0xF];
        len = 6;
        break;
    }
    out->append(p + start, i - start);
    out->append(buf, len);
    i += skip - 1;
    start = i + 1;
  }
  out->append(p + start, n - start);
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
