// SIGINT and SIGTERM end a run cleanly: the handler only records the signal,
// and the run's loops (every ProgressBar::update, and the sampling loops)
// throw Interrupted at their next check. The exception unwinds through the
// run's RunDirectory or OutputFile, which remove what the run had not
// finished, and main() exits with 128 + the signal's number. A second signal
// ends the process at once (the next run on the directory removes the leftovers).
#pragma once

#include <stdexcept>

namespace nfvi {

struct Interrupted : std::runtime_error {
  explicit Interrupted(int signal_number);
  int signal_number;
};

void install_interrupt_handlers();

// Throws Interrupted if SIGINT or SIGTERM has arrived.
void throw_if_interrupted();

}  // namespace nfvi
