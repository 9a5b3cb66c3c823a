#include "scheduler/common/quote.h"

#include <cstdint>

namespace sluice {
namespace {

// Length of the valid UTF-8 sequence starting at s[i] (2 to 4 bytes), or 0 if
// the bytes there are not one (overlong forms and surrogates included).
size_t Utf8SequenceLength(absl::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t b0 = byte(i);
  size_t len = 0;
  uint32_t min_code_point = 0;
  uint32_t code_point = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    min_code_point = 0x80;
    code_point = b0 & 0x1Fu;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    min_code_point = 0x800;
    code_point = b0 & 0x0Fu;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    min_code_point = 0x10000;
    code_point = b0 & 0x07u;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    const uint8_t b = byte(i + k);
    if ((b & 0xC0u) != 0x80u) return 0;
    code_point = (code_point << 6) | (b & 0x3Fu);
  }
  if (code_point < min_code_point || code_point > 0x10FFFF) return 0;
  if (code_point >= 0xD800 && code_point <= 0xDFFF) return 0;
  return len;
}

}  // namespace

std::string QuoteForMessage(absl::string_view value, size_t max_bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(value.size() < max_bytes ? value.size() + 2 : max_bytes + 5);
  out.push_back('"');
  size_t i = 0;
  bool truncated = false;
  while (i < value.size()) {
    if (i >= max_bytes) {
      truncated = true;
      break;
    }
    const char c = value[i];
    const auto u = static_cast<uint8_t>(c);
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\a':
        out.append("\\a");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\v':
        out.append("\\v");
        break;
      default:
        if (u >= 0x20 && u < 0x7F) {
          out.push_back(c);
        } else if (u >= 0x80) {
          const size_t len = Utf8SequenceLength(value, i);
          if (len > 0) {
            out.append(value.data() + i, len);
            i += len;
            continue;
          }
          out.append("\\x");
          out.push_back(kHex[u >> 4]);
          out.push_back(kHex[u & 0x0F]);
        } else {
          out.append("\\x");
          out.push_back(kHex[u >> 4]);
          out.push_back(kHex[u & 0x0F]);
        }
        break;
    }
    ++i;
  }
  out.push_back('"');
  if (truncated) out.append("...");
  return out;
}

}  // namespace sluice
