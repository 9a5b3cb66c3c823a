#include "scheduler/kube/json_object_stream.h"

#include <array>
#include <cctype>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace sluice::kube {
namespace {

// The bytes that change the scanner's state outside strings.
constexpr std::array<bool, 256> kStructural = [] {
  std::array<bool, 256> table{};
  for (char c : {'"', '{', '}', '[', ']'}) table[static_cast<unsigned char>(c)] = true;
  return table;
}();

// Whether the quote at p[at] is escaped: an odd run of backslashes precedes it.
// The run may start in `before` (the bytes that precede `p` in the stream); it
// cannot reach past the string's opening quote.
bool Escaped(const char* p, size_t at, absl::string_view before) {
  size_t run = 0;
  size_t k = at;
  while (k > 0 && p[k - 1] == '\\') {
    ++run;
    --k;
  }
  if (k == 0) {
    for (size_t b = before.size(); b > 0 && before[b - 1] == '\\'; --b) ++run;
  }
  return run % 2 == 1;
}

// The position of the quote that closes the string being scanned, searching
// p[i, n); `n` if it is not there.
size_t StringEnd(const char* p, size_t i, size_t n, absl::string_view before) {
  while (i < n) {
    const void* quote = std::memchr(p + i, '"', n - i);
    if (quote == nullptr) return n;
    const auto at = static_cast<size_t>(static_cast<const char*>(quote) - p);
    if (!Escaped(p, at, before)) return at;
    i = at + 1;
  }
  return n;
}

}  // namespace

JsonObjectStream::JsonObjectStream(size_t max_object_bytes) : max_object_bytes_(max_object_bytes) {}

void JsonObjectStream::Reset() {
  buffer_.clear();
  fed_bytes_ = 0;
  depth_ = 0;
  in_string_ = false;
  error_ = absl::OkStatus();
}

absl::Status JsonObjectStream::Feed(absl::string_view chunk,
                                    absl::FunctionRef<void(absl::string_view)> on_object) {
  if (!error_.ok()) return error_;
  // The chunk is scanned in place. An object that began in an earlier chunk
  // (`carried`) has its first bytes in buffer_ and is completed there; every
  // other object is handed out as a view of the chunk. Only the bytes of an
  // object cut by a chunk boundary are ever copied.
  const char* p = chunk.data();
  const size_t n = chunk.size();
  bool carried = depth_ > 0;
  size_t object_start = 0;  // in the chunk, for an object that began in it
  size_t i = 0;
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
            "JSON stream: expected '{' at byte ", fed_bytes_ + i, " of the stream, found ",
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
      i = StringEnd(p, i, n, carried ? absl::string_view(buffer_) : absl::string_view());
      if (i < n) {
        in_string_ = false;
        ++i;
      }
      continue;
    }
    // Outside strings only the structural bytes matter; skip the rest.
    while (i < n && !kStructural[static_cast<unsigned char>(p[i])]) ++i;
    if (i == n) break;
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
          if (carried) {
            buffer_.append(p, i + 1);
            on_object(buffer_);
            buffer_.clear();
            carried = false;
          } else {
            on_object(absl::string_view(p + object_start, i + 1 - object_start));
          }
        }
        break;
      default:
        break;
    }
    ++i;
  }
  fed_bytes_ += n;
  // Keep the incomplete object, if any.
  if (depth_ > 0) {
    if (carried) {
      buffer_.append(p, n);
    } else {
      buffer_.assign(p + object_start, n - object_start);
    }
    if (buffer_.size() > max_object_bytes_) {
      error_ = absl::ResourceExhaustedError(
          absl::StrCat("JSON stream: object larger than ", max_object_bytes_, " bytes"));
      return error_;
    }
  }
  return absl::OkStatus();
}

}  // namespace sluice::kube
