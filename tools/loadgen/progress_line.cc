#include "tools/loadgen/progress_line.h"

#include <unistd.h>

#include <cstdio>

#include "absl/strings/str_format.h"

namespace sluice::loadgen {

std::string FormatProgress(const LedgerCounts& c, uint64_t pods, absl::Duration elapsed) {
  const double seconds = absl::ToDoubleSeconds(elapsed);
  const double rate = seconds > 0 ? static_cast<double>(c.created) / seconds : 0;
  return absl::StrFormat("%7.1fs  answered %d/%d  created %d (%.0f/s)  finished %d  failed %d",
                         seconds, c.answers, pods, c.created, rate, c.finished,
                         c.create_failed + c.rejected);
}

ProgressLine::ProgressLine() : enabled_(isatty(STDERR_FILENO) == 1) {}

void ProgressLine::Update(const std::string& line) {
  if (!enabled_) return;
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
  std::fflush(stderr);
  written_ = true;
}

void ProgressLine::Finish() {
  if (!written_) return;
  std::fputs("\n", stderr);
  written_ = false;
}

}  // namespace sluice::loadgen
