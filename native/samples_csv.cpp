#include "samples_csv.hpp"

#include <cstdio>
#include <stdexcept>

#include "cli_checks.hpp"

namespace nfvi {

SamplesCsv::SamplesCsv(std::string path) : path_(std::move(path)), partial_(path_ + ".partial") {
  out_.open(partial_, std::ios::binary);
  if (!out_) throw UsageError("--out: cannot write " + path_);
  out_ << "z1,z2,log_q\n";
}

SamplesCsv::~SamplesCsv() {
  if (committed_) return;
  out_.close();
  std::remove(partial_.c_str());
}

void SamplesCsv::append(SamplesConstRef z, ArrayConstRef log_q, const std::string& what) {
  if (!z.allFinite() || !log_q.allFinite())
    throw std::runtime_error(what + " produced non-finite samples (near sample " + std::to_string(written_) + ")");
  char line[96];
  for (Eigen::Index i = 0; i < z.cols(); ++i) {
    std::snprintf(line, sizeof line, "%.9g,%.9g,%.9g\n", z(0, i), z(1, i), log_q(i));
    out_ << line;
  }
  written_ += z.cols();
}

void SamplesCsv::commit() {
  out_.flush();
  if (!out_) throw std::runtime_error("writing " + path_ + " failed");
  out_.close();
  if (std::rename(partial_.c_str(), path_.c_str()) != 0)
    throw std::runtime_error("cannot rename " + partial_ + " to " + path_);
  committed_ = true;
}

}  // namespace nfvi
