#ifndef SLUICE_TOOLS_SLUICECTL_INTERRUPTS_H_
#define SLUICE_TOOLS_SLUICECTL_INTERRUPTS_H_

#include <functional>

namespace sluice::ctl {

// Ctrl-C (SIGINT) and SIGTERM for the whole process.
//
// InstallInterrupts() blocks both signals in the calling thread, and so in
// every thread started after it (call it first in main, before gRPC starts
// its threads), and waits for them on a thread of its own. A signal then runs
// the handler set with SetInterruptHandler, on that thread; without a handler,
// or at the second signal, the process exits with 128 + the signal number,
// as a shell reports a process killed by it.
void InstallInterrupts();

// Sets (or, with nullptr, clears) the handler. The handler runs with an
// internal lock held: clearing it waits for a running handler to return, so
// whatever the handler touches may be destroyed after clearing. Thread-safe.
void SetInterruptHandler(std::function<void()> handler);

}  // namespace sluice::ctl

#endif  // SLUICE_TOOLS_SLUICECTL_INTERRUPTS_H_
