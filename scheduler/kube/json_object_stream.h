#ifndef SLUICE_SCHEDULER_KUBE_JSON_OBJECT_STREAM_H_
#define SLUICE_SCHEDULER_KUBE_JSON_OBJECT_STREAM_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace sluice::kube {

// Splits a byte stream of concatenated JSON objects (a watch body) into whole objects,
// however the bytes are cut into chunks: an object may span many chunks and a chunk may
// hold many objects. Needs no newline between objects (whitespace between them is
// skipped). Tracks strings and escapes, so braces and quotes inside strings are handled.
// It only finds object boundaries; it does not validate the JSON inside (the parser
// that receives the object does).
//
// Not thread-safe: owned by one thread (the I/O thread for watches).
//
// Example:
//   JsonObjectStream stream;
//   absl::Status s = stream.Feed(chunk, [&](absl::string_view object) { Handle(object); });
class JsonObjectStream {
 public:
  // An object larger than `max_object_bytes` is an error (memory bound on a bad stream).
  explicit JsonObjectStream(size_t max_object_bytes = size_t{64} << 20);

  // Appends `chunk` and calls `on_object` once per object it completes, in stream order.
  // The view is valid only during the call. Returns InvalidArgument when a byte between
  // objects is neither whitespace nor `{` (the message gives its offset in the stream
  // and its value), ResourceExhausted when an object exceeds the limit; after an error
  // every later Feed returns the same error.
  absl::Status Feed(absl::string_view chunk,
                    absl::FunctionRef<void(absl::string_view object)> on_object);

  // Bytes held for an object not yet complete (0 at a boundary between objects).
  size_t pending_bytes() const { return buffer_.size(); }

  // Forgets any partial object and error; ready for a new stream.
  void Reset();

 private:
  const size_t max_object_bytes_;
  std::string buffer_;      // bytes of the current incomplete object (from its `{`)
  uint64_t fed_bytes_ = 0;  // bytes fed so far (offsets in error messages)
  int depth_ = 0;           // nesting depth; 0 between objects
  bool in_string_ = false;  // inside a string literal
  absl::Status error_;
};

}  // namespace sluice::kube

#endif  // SLUICE_SCHEDULER_KUBE_JSON_OBJECT_STREAM_H_
