#include "samples_csv.hpp"

#include <cstdio>
#include <stdexcept>

#include "file_flags.hpp"

namespace nfvi {

SamplesCsv::SamplesCsv(const std::string& path) : out_(open_output_file("--out", path, /*allow_stdout=*/true)) {
  out_.write("z1,z2,log_q\n");
}

void SamplesCsv::append(SamplesConstRef z, ArrayConstRef log_q, const std::string& what) {
  if (!z.allFinite() || !log_q.allFinite())
    throw std::runtime_error(what + " produced non-finite samples (near sample " + std::to_string(written_) + ")");
  std::string text;
  text.reserve(static_cast<size_t>(z.cols()) * 48);
  char line[96];
  for (Eigen::Index i = 0; i < z.cols(); ++i) {
    const int n = std::snprintf(line, sizeof line, "%.9g,%.9g,%.9g\n", z(0, i), z(1, i), log_q(i));
    text.append(line, static_cast<size_t>(n));
  }
  out_.write(text);
  written_ += z.cols();
}

void SamplesCsv::commit() { out_.commit(); }

}  // namespace nfvi
