// A CSV of samples, columns z1,z2,log_q, written under a temporary name
// (<path>.partial) and renamed only by commit(), so that a failed run never
// leaves a partial file under the requested name.
#pragma once

#include <fstream>
#include <string>

#include "types.hpp"

namespace nfvi {

class SamplesCsv {
 public:
  // Throws UsageError ("--out: cannot write ...") if the file cannot be created.
  explicit SamplesCsv(std::string path);
  ~SamplesCsv();  // removes the partial file unless committed
  SamplesCsv(const SamplesCsv&) = delete;
  SamplesCsv& operator=(const SamplesCsv&) = delete;

  // Appends z (2, n) and log_q (n). Throws std::runtime_error (and removes
  // the partial file) if a value is not finite; `what` names the source.
  void append(SamplesConstRef z, ArrayConstRef log_q, const std::string& what);

  // Flushes and renames to the final path; throws std::runtime_error on failure.
  void commit();

 private:
  std::string path_;
  std::string partial_;
  std::ofstream out_;
  long long written_ = 0;
  bool committed_ = false;
};

}  // namespace nfvi
