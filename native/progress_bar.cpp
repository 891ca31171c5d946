#include "progress_bar.hpp"

#include <unistd.h>

#include <cstdio>

#include "interrupt.hpp"

namespace nfvi {

ProgressBar::ProgressBar(long long total, std::string label)
    : total_(total > 0 ? total : 1),
      label_(std::move(label)),
      interactive_(isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

void ProgressBar::update(long long done, const std::string& status) {
  throw_if_interrupted();  // every long loop reports progress, so every one stops here
  const auto now = std::chrono::steady_clock::now();
  if (interactive_) {
    if (now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    draw(done, status, false);
  } else {
    const int decile = static_cast<int>(10 * done / total_);
    if (decile == last_decile_) return;
    last_decile_ = decile;
    draw(done, status, false);
  }
}

void ProgressBar::finish(const std::string& status) { draw(total_, status, true); }

void ProgressBar::interrupt() {
  if (line_open_) std::fputc('\n', stderr);
  line_open_ = false;
}

void ProgressBar::draw(long long done, const std::string& status, bool final_line) {
  constexpr int kWidth = 30;
  const double fraction = static_cast<double>(done) / static_cast<double>(total_);
  const int filled = static_cast<int>(fraction * kWidth);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.append(static_cast<size_t>(kWidth - filled), '.');

  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0.0;
  const double eta = rate > 0 ? static_cast<double>(total_ - done) / rate : 0.0;

  std::fprintf(stderr, "%s%s [%s] %lld/%lld %3.0f%%  %s  %.0f/s  %s %.0fs%s", interactive_ ? "\r" : "", label_.c_str(),
               bar.c_str(), done, total_, 100 * fraction, status.c_str(), rate, final_line ? "took" : "ETA",
               final_line ? elapsed : eta, (interactive_ && !final_line) ? "" : "\n");
  line_open_ = interactive_ && !final_line;
  std::fflush(stderr);
}

}  // namespace nfvi
