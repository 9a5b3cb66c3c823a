#ifndef SLUICE_SCHEDULER_KUBE_BEARER_TOKEN_H_
#define SLUICE_SCHEDULER_KUBE_BEARER_TOKEN_H_

#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "scheduler/common/clock.h"

namespace sluice::kube {

// The bearer token to send, static or read from a file that rotates (service account
// tokens are reissued about hourly). A file token is re-read when older than
// `reread_every` and after the server answers 401. Thread-safe. The token is a secret:
// it appears in no error message.
class BearerTokenSource {
 public:
  // `token_file` empty: `static_token` is used as is (may be empty: no Authorization
  // header). Otherwise the file wins and `static_token` is only the first value.
  // `clock` must outlive this object.
  BearerTokenSource(const Clock& clock, std::string static_token, std::string token_file,
                    absl::Duration reread_every = absl::Minutes(1));

  // The token to send now; empty when none is configured. Re-reads the file when due;
  // if that read fails, the last good token is returned, and an error only when there
  // has never been one.
  absl::StatusOr<std::string> Token();

  // The server rejected `used_token` with 401: re-reads the file now. True when the token
  // differs from `used_token` (one retry is worthwhile).
  bool RefreshAfterUnauthorized(absl::string_view used_token);

  bool from_file() const { return !token_file_.empty(); }
  // Successful file reads so far (tests and metrics).
  int64_t reads() const;

 private:
  absl::Status ReadLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Clock& clock_;
  const std::string token_file_;
  const absl::Duration reread_every_;
  mutable absl::Mutex mu_;
  std::string token_ ABSL_GUARDED_BY(mu_);
  bool loaded_ ABSL_GUARDED_BY(mu_) = false;
  bool read_attempted_ ABSL_GUARDED_BY(mu_) = false;
  MonoTime last_read_ ABSL_GUARDED_BY(mu_);
  absl::Status last_error_ ABSL_GUARDED_BY(mu_);  // of the last read
  int64_t reads_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace sluice::kube

#endif  // SLUICE_SCHEDULER_KUBE_BEARER_TOKEN_H_
