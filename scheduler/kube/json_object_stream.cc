#include "scheduler/kube/json_object_stream.h"

#include <cctype>

#include "absl/strings/str_cat.h"

namespace sluice::kube {

JsonObjectStream::JsonObjectStream(size_t max_object_bytes) : max_object_bytes_(max_object_bytes) {}

void JsonObjectStream::Reset() {
  buffer_.clear();
  scan_pos_ = 0;
  fed_bytes_ = 0;
  depth_ = 0;
  in_string_ = false;
  escaped_ = false;
  error_ = absl::OkStatus();
}

absl::Status JsonObjectStream::Feed(absl::string_view chunk,
                                    absl::FunctionRef<void(absl::string_view)> on_object) {
  if (!error_.ok()) return error_;
  // Bytes between objects are consumed straight from `chunk`; only an incomplete object
  // is copied into buffer_. `data` is the text being scanned: buffer_ when it holds a
  // partial object, else the chunk itself (no copy for objects wholly inside one chunk).
  size_t object_start = 0;  // in `data`, valid while depth_ > 0
  absl::string_view data = chunk;
  if (depth_ > 0) {
    buffer_.append(chunk.data(), chunk.size());
    data = buffer_;
  }
  size_t i = depth_ > 0 ? scan_pos_ : 0;
  const size_t n = data.size();
  const char* p = data.data();
  // Stream offset of data[0], for messages.
  const uint64_t data_offset = fed_bytes_ + chunk.size() - n;
  fed_bytes_ += chunk.size();
  while (i < n) {
    if (depth_ == 0) {
      const char c = p[i];
      if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
        ++i;
        continue;
      }
      if (c != '{') {
        const auto byte = static_cast<unsigned char>(c);
        error_ = absl::InvalidArgumentError(absl::StrCat(
            "JSON stream: expected '{' at byte ", data_offset + i, " of the stream, found ",
            std::isprint(byte) ? absl::StrCat("'", absl::string_view(&c, 1), "' ") : "", "(0x",
            absl::Hex(byte, absl::kZeroPad2), ")"));
        return error_;
      }
      object_start = i;
      depth_ = 1;
      ++i;
      continue;
    }
    if (in_string_) {
      for (; i < n; ++i) {
        const char c = p[i];
        if (escaped_) {
          escaped_ = false;
        } else if (c == '\\') {
          escaped_ = true;
        } else if (c == '"') {
          in_string_ = false;
          ++i;
          break;
        }
      }
      continue;
    }
    switch (p[i]) {
      case '"':
        in_string_ = true;
        break;
      case '{':
      case '[':
        ++depth_;
        break;
      case '}':
      case ']':
        if (--depth_ == 0) {
          on_object(absl::string_view(p + object_start, i + 1 - object_start));
        }
        break;
      default:
        break;
    }
    ++i;
  }
  // Keep only the incomplete object, if any.
  if (depth_ > 0) {
    if (data.data() == buffer_.data()) {
      if (object_start > 0) buffer_.erase(0, object_start);
    } else {
      buffer_.assign(p + object_start, n - object_start);
    }
    scan_pos_ = n - object_start;
    if (buffer_.size() > max_object_bytes_) {
      error_ = absl::ResourceExhaustedError(
          absl::StrCat("JSON stream: object larger than ", max_object_bytes_, " bytes"));
      return error_;
    }
  } else {
    buffer_.clear();
    scan_pos_ = 0;
  }
  return absl::OkStatus();
}

}  // namespace sluice::kube
