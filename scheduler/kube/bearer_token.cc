#include "scheduler/kube/bearer_token.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "scheduler/kube/file_contents.h"

namespace sluice::kube {

BearerTokenSource::BearerTokenSource(const Clock& clock, std::string static_token,
                                     std::string token_file, absl::Duration reread_every)
    : clock_(clock), token_file_(std::move(token_file)), reread_every_(reread_every) {
  token_ = std::string(absl::StripAsciiWhitespace(static_token));
  loaded_ = token_file_.empty() || !token_.empty();
}

absl::Status BearerTokenSource::ReadLocked() {
  // Attempts count as reads for scheduling, so a missing file is not hammered.
  last_read_ = clock_.MonoNow();
  read_attempted_ = true;
  absl::StatusOr<std::string> contents = ReadFileContents(token_file_);
  if (!contents.ok()) {
    return absl::Status(contents.status().code(),
                        absl::StrCat("bearer token: ", contents.status().message()));
  }
  absl::string_view trimmed = absl::StripAsciiWhitespace(*contents);
  if (trimmed.empty()) {
    return absl::FailedPreconditionError(absl::StrCat("bearer token: ", token_file_, " is empty"));
  }
  token_ = std::string(trimmed);
  loaded_ = true;
  ++reads_;
  return absl::OkStatus();
}

absl::StatusOr<std::string> BearerTokenSource::Token() {
  absl::MutexLock lock(&mu_);
  if (token_file_.empty()) return token_;
  if (!read_attempted_ || clock_.MonoNow() - last_read_ >= reread_every_) {
    last_error_ = ReadLocked();
  }
  // Until one read succeeds, the failure stands (not an empty token: that would
  // send requests without credentials).
  if (!loaded_) return last_error_;
  return token_;
}

bool BearerTokenSource::RefreshAfterUnauthorized(absl::string_view used_token) {
  absl::MutexLock lock(&mu_);
  if (token_file_.empty()) return false;
  if (token_ != used_token) return true;  // another request already picked up a new one
  last_error_ = ReadLocked();
  if (!last_error_.ok()) return false;
  return token_ != used_token;
}

int64_t BearerTokenSource::reads() const {
  absl::MutexLock lock(&mu_);
  return reads_;
}

}  // namespace sluice::kube
