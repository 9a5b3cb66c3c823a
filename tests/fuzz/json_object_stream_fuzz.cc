// Fuzz target: the watch stream reader (JsonObjectStream). The input is fed
// whole to one reader and in chunks (sizes taken from the first bytes) to
// another: both must yield the same objects and the same verdict. The reader
// only finds boundaries (it counts { and [ alike, and leaves validation to
// the JSON parser that receives each object), so on invalid input an object
// may end with a ] that closes its {.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "scheduler/kube/json_object_stream.h"

namespace {

struct Outcome {
  std::vector<std::string> objects;
  absl::Status status;
};

Outcome Feed(absl::string_view stream, const std::vector<size_t>& chunks) {
  sluice::kube::JsonObjectStream reader(/*max_object_bytes=*/4096);
  Outcome out;
  size_t at = 0, next = 0;
  while (at < stream.size() && out.status.ok()) {
    size_t n = chunks.empty() ? stream.size() : chunks[next++ % chunks.size()];
    n = std::min(n, stream.size() - at);
    out.status = reader.Feed(stream.substr(at, n),
                             [&](absl::string_view object) { out.objects.emplace_back(object); });
    at += n;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  std::vector<size_t> chunks;
  const size_t header = std::min<size_t>(data[0] % 8 + 1, size - 1);
  for (size_t i = 1; i <= header; ++i) chunks.push_back(data[i] % 64 + 1);
  const absl::string_view stream(reinterpret_cast<const char*>(data) + header + 1,
                                 size - header - 1);
  const Outcome whole = Feed(stream, {});
  const Outcome pieces = Feed(stream, chunks);
  if (whole.status.ok() != pieces.status.ok()) __builtin_trap();
  // Up to the first error both readers saw the same complete objects.
  if (whole.status.ok() && whole.objects != pieces.objects) __builtin_trap();
  for (const std::string& object : whole.objects) {
    if (object.empty() || object.front() != '{' || (object.back() != '}' && object.back() != ']'))
      __builtin_trap();
  }
  return 0;
}
