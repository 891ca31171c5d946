#include "vi/diagnostics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
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

BoxLogPartition log_partition_over_box(const EnergyFunction& energy, const Box& box, int points) {
  if (points < 2 || !is_valid_box(box)) throw std::invalid_argument("quadrature needs 2+ points and a valid box");
  const double hx = (box.xmax - box.xmin) / (points - 1);
  const double hy = (box.ymax - box.ymin) / (points - 1);
  // -U on the grid, row i at z1 = xmin + i hx; then max, sum of exp(-U - max).
  std::vector<double> neg_u(static_cast<size_t>(points) * static_cast<size_t>(points));
  Samples row(2, points);  // (2, points): one row of the grid
  for (int j = 0; j < points; ++j) row(1, j) = box.ymin + j * hy;
  Array u;
  Samples gradient;
  double max_value = -std::numeric_limits<double>::infinity();
  double max_edge = -std::numeric_limits<double>::infinity();
  for (int i = 0; i < points; ++i) {
    row.row(0).setConstant(box.xmin + i * hx);
    energy(row, u, gradient);
    for (int j = 0; j < points; ++j) {
      const double v = -u(j);
      if (std::isnan(v) || v == std::numeric_limits<double>::infinity()) {
        char where[96];
        std::snprintf(where, sizeof where, "(%.6g, %.6g)", row(0, j), row(1, j));
        throw std::domain_error(std::string("the energy is ") + (std::isnan(v) ? "NaN" : "-inf") + " at " + where +
                                ", inside the box");
      }
      neg_u[static_cast<size_t>(i) * points + j] = v;
      max_value = std::max(max_value, v);
      if (i == 0 || i == points - 1 || j == 0 || j == points - 1) max_edge = std::max(max_edge, v);
    }
  }
  if (max_value == -std::numeric_limits<double>::infinity())
    throw std::domain_error("the energy is +inf (the density 0) everywhere in the box");
  double sum = 0;
  for (double v : neg_u) sum += std::exp(v - max_value);
  return {max_value + std::log(sum) + std::log(hx) + std::log(hy), std::exp(max_edge - max_value)};
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

namespace {

// The centres of a bins x bins grid of cells over the box: (2, bins^2), row-major over z2.
Samples cell_centres(const Box& box, int bins) {
  const double w = (box.xmax - box.xmin) / bins, h = (box.ymax - box.ymin) / bins;
  Samples points(2, static_cast<Eigen::Index>(bins) * bins);
  for (int iy = 0; iy < bins; ++iy)
    for (int ix = 0; ix < bins; ++ix) {
      points(0, iy * bins + ix) = box.xmin + (ix + 0.5) * w;
      points(1, iy * bins + ix) = box.ymin + (iy + 0.5) * h;
    }
  return points;
}

}  // namespace

std::vector<double> true_density_grid(const EnergyFunction& energy, const Box& box, int bins) {
  Array u;
  Samples gradient;
  energy(cell_centres(box, bins), u, gradient);
  std::vector<double> values(static_cast<size_t>(u.size()));
  for (Eigen::Index i = 0; i < u.size(); ++i) values[static_cast<size_t>(i)] = std::exp(-u(i));
  return values;
}

std::vector<double> learned_density_grid(Flow& flow, const Box& box, int bins) {
  if (flow.dim() != 2) throw std::invalid_argument("a density grid needs a 2-D flow");
  Array log_q;
  flow.log_density(cell_centres(box, bins), log_q);
  std::vector<double> values(static_cast<size_t>(log_q.size()));
  for (Eigen::Index i = 0; i < log_q.size(); ++i) values[static_cast<size_t>(i)] = std::exp(log_q(i));
  return values;
}

std::vector<double> histogram_density(SamplesConstRef samples, const Box& box, int bins) {
  std::vector<double> values(static_cast<size_t>(bins) * static_cast<size_t>(bins), 0.0);
  const double w = (box.xmax - box.xmin) / bins, h = (box.ymax - box.ymin) / bins;
  for (Eigen::Index n = 0; n < samples.cols(); ++n) {
    const double fx = (samples(0, n) - box.xmin) / w;
    const double fy = (samples(1, n) - box.ymin) / h;
    if (!(fx >= 0 && fx < bins && fy >= 0 && fy < bins)) continue;  // also skips NaN
    values[static_cast<size_t>(fy) * bins + static_cast<size_t>(fx)] += 1;
  }
  const double scale = samples.cols() > 0 ? 1.0 / (static_cast<double>(samples.cols()) * w * h) : 0.0;
  for (double& v : values) v *= scale;
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
