#include "vi/mode_coverage.hpp"

#include <limits>
#include <stdexcept>

namespace nfvi {

ModeCoverage mode_coverage(SamplesConstRef samples, const std::vector<std::pair<double, double>>& centres,
                           double threshold) {
  if (samples.rows() < 2) throw std::invalid_argument("mode_coverage: the samples need at least 2 coordinates");
  if (samples.cols() < 1) throw std::invalid_argument("mode_coverage: no samples");
  if (centres.empty()) throw std::invalid_argument("mode_coverage: no mode centres");
  std::vector<Eigen::Index> counts(centres.size(), 0);
  for (Eigen::Index i = 0; i < samples.cols(); ++i) {
    const double x = samples(0, i), y = samples(1, i);
    size_t nearest = 0;
    double best = std::numeric_limits<double>::infinity();
    for (size_t k = 0; k < centres.size(); ++k) {
      const double dx = x - centres[k].first, dy = y - centres[k].second;
      const double d2 = dx * dx + dy * dy;
      if (d2 < best) {
        best = d2;
        nearest = k;
      }
    }
    ++counts[nearest];  // a NaN sample (never nearer than infinity) goes to the first centre
  }
  ModeCoverage out;
  out.threshold = threshold;
  out.samples = samples.cols();
  out.mass.resize(centres.size());
  for (size_t k = 0; k < centres.size(); ++k) {
    out.mass[k] = static_cast<double>(counts[k]) / static_cast<double>(samples.cols());
    // Compare counts, not rounded fractions: a mode holds threshold x N samples or more.
    if (static_cast<double>(counts[k]) >= threshold * static_cast<double>(samples.cols())) ++out.covered;
  }
  return out;
}

}  // namespace nfvi
