// Diagnostics for 2-D targets: log Z by quadrature, the true KL, and densities
// on a grid for figures.
#pragma once

#include <functional>

#include "flows/flow.hpp"
#include "targets/energies.hpp"
#include "targets/target.hpp"
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

// log Z of a 2-D energy over a box, by the same rectangle rule as
// log_partition on a points x points grid whose corners are the box's, the
// energy evaluated a row of the grid at a time. edge_ratio is the largest
// density on the box's edge over the largest in the box: when it is not
// negligible the box cuts off mass, and log Z (and so the true KL) is too
// small. Throws std::domain_error, naming the point, where U is NaN or -inf.
struct BoxLogPartition {
  double log_z;
  double edge_ratio;
};
BoxLogPartition log_partition_over_box(const EnergyFunction& energy, const Box& box, int points = 2001);

// The edge_ratio above which log_partition_over_box's box is reported as too small.
inline constexpr double kNegligibleEdgeDensity = 1e-6;

// KL(q||p) in nats, from the reverse-KL estimate E[log q + U] and log Z.
inline double true_kl(double kl_estimate, double log_z) { return kl_estimate + log_z; }

// exp(-U) at the centres of a bins x bins grid over the view, row-major with
// row iy covering z2 (values[iy * bins + ix]).
std::vector<double> true_density_grid(Potential potential, const View& view, int bins);
std::vector<double> true_density_grid(const std::function<double(double, double)>& energy, const View& view, int bins);

// The same over a box, bins x bins cells (of width (xmax - xmin)/bins and
// height (ymax - ymin)/bins), with a batched 2-D energy.
std::vector<double> true_density_grid(const EnergyFunction& energy, const Box& box, int bins);
// The flow's exact density q (by its inverse) at the same cell centres: a 2-D flow only.
std::vector<double> learned_density_grid(Flow& flow, const Box& box, int bins);
// A histogram of the first two rows of samples (D, N) over a box, as a
// density of (z1, z2): for D > 2, the marginal of the first coordinate pair.
std::vector<double> histogram_density(SamplesConstRef samples, const Box& box, int bins);

// 2-D histogram of samples (2, N) over the view, as a density (integrates to
// the fraction of samples inside). Same layout as true_density_grid.
std::vector<double> histogram_density(SamplesConstRef samples, const View& view, int bins);

}  // namespace nfvi
