#include "vi/diagnostics.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace nfvi {

double log_partition(const std::function<double(double, double)>& energy, const QuadratureGrid& grid) {
  if (grid.points < 2 || !(grid.limit > 0))
    throw std::invalid_argument("quadrature grid needs 2+ points and limit > 0");
  const double h = 2 * grid.limit / (grid.points - 1);
  // Two passes: the maximum of -U, then the sum of exp(-U - max).
  std::vector<double> neg_u(static_cast<size_t>(grid.points) * static_cast<size_t>(grid.points));
  double max_value = -std::numeric_limits<double>::infinity();
  size_t idx = 0;
  for (int i = 0; i < grid.points; ++i) {
    const double z1 = -grid.limit + i * h;
    for (int j = 0; j < grid.points; ++j, ++idx) {
      const double z2 = -grid.limit + j * h;
      neg_u[idx] = -energy(z1, z2);
      max_value = std::max(max_value, neg_u[idx]);
    }
  }
  double sum = 0;
  for (double v : neg_u) sum += std::exp(v - max_value);
  return max_value + std::log(sum) + 2 * std::log(h);
}

double log_partition(Potential potential, const QuadratureGrid& grid) {
  return log_partition([potential](double z1, double z2) { return energy_at(potential, z1, z2).value; }, grid);
}

std::vector<double> true_density_grid(Potential potential, const View& view, int bins) {
  return true_density_grid([potential](double z1, double z2) { return energy_at(potential, z1, z2).value; }, view,
                           bins);
}

std::vector<double> true_density_grid(const std::function<double(double, double)>& energy, const View& view, int bins) {
  std::vector<double> values(static_cast<size_t>(bins) * static_cast<size_t>(bins));
  const double width = (view.hi - view.lo) / bins;
  for (int iy = 0; iy < bins; ++iy) {
    const double z2 = view.lo + (iy + 0.5) * width;
    for (int ix = 0; ix < bins; ++ix) {
      const double z1 = view.lo + (ix + 0.5) * width;
      values[static_cast<size_t>(iy) * bins + ix] = std::exp(-energy(z1, z2));
    }
  }
  return values;
}

std::vector<double> histogram_density(SamplesConstRef samples, const View& view, int bins) {
  std::vector<double> values(static_cast<size_t>(bins) * static_cast<size_t>(bins), 0.0);
  const double width = (view.hi - view.lo) / bins;
  for (Eigen::Index n = 0; n < samples.cols(); ++n) {
    const double fx = (samples(0, n) - view.lo) / width;
    const double fy = (samples(1, n) - view.lo) / width;
    if (!(fx >= 0 && fx < bins && fy >= 0 && fy < bins)) continue;  // also skips NaN
    values[static_cast<size_t>(fy) * bins + static_cast<size_t>(fx)] += 1;
  }
  const double scale = samples.cols() > 0 ? 1.0 / (static_cast<double>(samples.cols()) * width * width) : 0.0;
  for (double& v : values) v *= scale;
  return values;
}

}  // namespace nfvi
