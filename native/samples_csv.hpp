// A CSV of samples, columns z1,...,zD,log_q, written through an OutputFile: the
// target is checked when the CSV is opened (before any sampling), and it
// receives the rows only at commit(), so that a failed run never leaves a
// partial file under the requested name. "-" writes to standard output.
#pragma once

#include <string>

#include "output_file.hpp"
#include "math/types.hpp"

namespace nfvi {

class SamplesCsv {
 public:
  // Throws UsageError ("--out: ...") if `path` cannot receive the CSV.
  explicit SamplesCsv(const std::string& path, int dim = 2);

  // Appends z (D, n) and log_q (n). Throws std::runtime_error if a value is
  // not finite (nothing is then written); `what` names the source.
  void append(SamplesConstRef z, ArrayConstRef log_q, const std::string& what);

  // Makes the file complete; throws std::runtime_error on failure.
  void commit();

 private:
  OutputFile out_;
  long long written_ = 0;
};

}  // namespace nfvi
