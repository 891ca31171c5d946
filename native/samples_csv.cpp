#include "samples_csv.hpp"

#include <cstdio>
#include <stdexcept>

#include "file_flags.hpp"

namespace nfvi {

SamplesCsv::SamplesCsv(const std::string& path, int dim)
    : out_(open_output_file("--out", path, /*allow_stdout=*/true)) {
  std::string header;
  for (int d = 1; d <= dim; ++d) header += "z" + std::to_string(d) + ",";
  out_.write(header + "log_q\n");
}

void SamplesCsv::append(SamplesConstRef z, ArrayConstRef log_q, const std::string& what) {
  if (!z.allFinite() || !log_q.allFinite())
    throw std::runtime_error(what + " produced non-finite samples (near sample " + std::to_string(written_) + ")");
  std::string text;
  text.reserve(static_cast<size_t>(z.cols()) * 48);
  char line[48];
  for (Eigen::Index i = 0; i < z.cols(); ++i) {
    for (Eigen::Index d = 0; d < z.rows(); ++d)
      text.append(line, static_cast<size_t>(std::snprintf(line, sizeof line, "%.9g,", z(d, i))));
    text.append(line, static_cast<size_t>(std::snprintf(line, sizeof line, "%.9g\n", log_q(i))));
  }
  out_.write(text);
  written_ += z.cols();
}

void SamplesCsv::commit() { out_.commit(); }

}  // namespace nfvi
