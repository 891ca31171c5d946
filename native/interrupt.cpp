#include "interrupt.hpp"

#include <csignal>
#include <string>

namespace nfvi {
namespace {

volatile std::sig_atomic_t g_signal = 0;

extern "C" void record_signal(int signal_number) {
  g_signal = signal_number;
  std::signal(signal_number, SIG_DFL);  // a second one ends the process
}

}  // namespace

Interrupted::Interrupted(int number)
    : std::runtime_error(std::string("interrupted by ") + (number == SIGINT ? "SIGINT" : "SIGTERM")),
      signal_number(number) {}

void install_interrupt_handlers() {
  std::signal(SIGINT, record_signal);
  std::signal(SIGTERM, record_signal);
}

void throw_if_interrupted() {
  if (g_signal != 0) throw Interrupted(g_signal);
}

}  // namespace nfvi
