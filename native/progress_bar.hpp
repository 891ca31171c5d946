// A one-line progress bar on stderr for long runs:
//   [#########.............] 2300/5000  46%  KL -2.9731  1180 steps/s  ETA 2s
// On a terminal it redraws in place; otherwise (logs, CI) it prints a line
// every 10%, so logs stay short. update() is also where long loops stop for
// SIGINT and SIGTERM (it throws Interrupted, see interrupt.hpp).
#pragma once

#include <chrono>
#include <string>

namespace nfvi {

class ProgressBar {
 public:
  ProgressBar(long long total, std::string label);
  // Reports progress after `done` units; `status` is shown after the counts.
  void update(long long done, const std::string& status);
  // Draws the final state and ends the line.
  void finish(const std::string& status);
  // Ends the current line (if any) so that an error message starts on its own.
  void interrupt();

 private:
  void draw(long long done, const std::string& status, bool final_line);

  long long total_;
  std::string label_;
  bool interactive_;
  int last_decile_ = -1;
  bool line_open_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace nfvi
