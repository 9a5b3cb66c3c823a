#ifndef SLUICE_TOOLS_LOADGEN_PROGRESS_LINE_H_
#define SLUICE_TOOLS_LOADGEN_PROGRESS_LINE_H_

#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "tools/loadgen/pod_ledger.h"

namespace sluice::loadgen {

// One line of progress: "  12.5s  submitted 20000/20000  created 8123 (650/s)  ...".
std::string FormatProgress(const LedgerCounts& counts, uint64_t pods, absl::Duration elapsed);

// Rewrites one line on stderr when stderr is a terminal; does nothing
// otherwise (so logs and pipes stay clean). One thread.
class ProgressLine {
 public:
  ProgressLine();
  void Update(const std::string& line);
  // Ends the line (a newline) if one was written.
  void Finish();

 private:
  const bool enabled_;
  bool written_ = false;
};

}  // namespace sluice::loadgen

#endif  // SLUICE_TOOLS_LOADGEN_PROGRESS_LINE_H_
