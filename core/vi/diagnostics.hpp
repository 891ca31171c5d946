// Diagnostics for 2-D targets: log Z by quadrature, the true KL, and densities
// on a grid for figures.
#pragma once

#include <functional>

#include "targets/energies.hpp"
#include "math/types.hpp"

namespace nfvi {

// A square view [lo, hi]^2.
struct View {
  double lo = -6;
  double hi = 6;
};

// A regular grid of `points` per axis over [-limit, limit]^2. The default is
// wide and fine enough for every energy here (the peer uses the same).
struct QuadratureGrid {
  double limit = 10;
  int points = 2001;
};

// log Z = log of the integral of exp(-U) over the grid, by the rectangle rule
// with a stable log-sum-exp: log sum_ij exp(-U(z_ij)) + log h^2.
double log_partition(const std::function<double(double, double)>& energy, const QuadratureGrid& grid = {});
double log_partition(Potential potential, const QuadratureGrid& grid = {});

// KL(q||p) in nats, from the reverse-KL estimate E[log q + U] and log Z.
inline double true_kl(double kl_estimate, double log_z) { return kl_estimate + log_z; }

// exp(-U) at the centres of a bins x bins grid over the view, row-major with
// row iy covering z2 (values[iy * bins + ix]).
std::vector<double> true_density_grid(Potential potential, const View& view, int bins);
std::vector<double> true_density_grid(const std::function<double(double, double)>& energy, const View& view, int bins);

// 2-D histogram of samples (2, N) over the view, as a density (integrates to
// the fraction of samples inside). Same layout as true_density_grid.
std::vector<double> histogram_density(SamplesConstRef samples, const View& view, int bins);

}  // namespace nfvi
