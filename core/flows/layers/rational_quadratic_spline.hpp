// The monotone rational-quadratic spline of Durkan et al. (2019, "Neural
// Spline Flows"), one coordinate at a time: B bins on [-L, L], the identity
// outside, with its derivative, gradient and exact inverse.
//
// Knots. From 3B - 1 unconstrained values (B widths, B heights, B - 1
// interior derivatives, in that order):
//   w_k = 2L (m + (1 - B m) softmax(w')_k),  h_k likewise from h',
//   x_k = -L + sum_{j<k} w_j,  y_k = -L + sum_{j<k} h_j,
//   delta_k = m + softplus(d'_k + c0)  (k = 1..B-1),  delta_0 = delta_B = 1,
// with m the minimum (1e-3) and c0 = softplus^-1(1 - m), so that all-zero
// values give the identity (equal bins, every slope 1).
//
// In bin k, with xi = (x - x_k)/w_k, s = h_k/w_k, e = xi (1 - xi):
//   g(x)  = y_k + h_k (s xi^2 + delta_k e) / (s + (delta_{k+1} + delta_k - 2 s) e)
//   g'(x) = s^2 (delta_{k+1} xi^2 + 2 s e + delta_k (1 - xi)^2) / (s + (delta_{k+1} + delta_k - 2 s) e)^2
// and the inverse is the root xi = 2c / (-b - sqrt(b^2 - 4ac)) of a
// quadratic, with a = h_k (s - delta_k) + (y - y_k)(delta_{k+1} + delta_k - 2s),
// b = h_k delta_k - (y - y_k)(delta_{k+1} + delta_k - 2s), c = -s (y - y_k),
// polished by Newton steps on g(xi) = y.
#pragma once

#include <vector>

#include "math/types.hpp"

namespace nfvi {

struct SplineShape {
  int bins = 8;        // B
  double bound = 5;    // L
  static constexpr double kMinimum = 1e-3;  // of every bin's width and height and of every slope
  int raw_count() const { return 3 * bins - 1; }
};

// M splines at once, one per column of a (3B - 1, M) matrix of raw values:
// the knots are computed for all columns together (the softmax and softplus
// vectorise over the batch), then each column's spline is evaluated alone.
class RationalQuadraticSplines {
 public:
  explicit RationalQuadraticSplines(const SplineShape& shape) : shape_(shape) {}

  // Sets the knots of M splines from raw (3B - 1, M).
  void set_knots(const Eigen::Ref<const Matrix>& raw);
  Eigen::Index count() const { return w_.cols(); }

  // Spline m: g(x); log_slope = log g'(x) (0 outside [-L, L]).
  double forward(Eigen::Index m, double x, double& log_slope) const;

  // Given dg = dL/dg and dlog_slope = dL/dlog g' at x for spline m, returns
  // dL/dx and adds dL/draw into draw (its 3B - 1 values).
  //   In bin k, with T_v = dg dg/dv + dlog_slope dlog g'/dv for v in {xi, s, delta_k, delta_{k+1}}:
  //   dx = T_xi / w_k;  dx_k = -T_xi / w_k;  dw_k = -(T_xi xi + T_s s) / w_k;
  //   dh_k = T_s / w_k + dg (g - y_k) / h_k;  dy_k = dg;
  //   every w_j (h_j) with j < k gets dx_k (dy_k); then through
  //   w = 2L (m + (1 - B m) p), p = softmax(w'): dw'_i = p_i (dp_i - sum_j p_j dp_j),
  //   and delta = m + softplus(d' + c0): dd' = ddelta sigmoid(d' + c0).
  double backward(Eigen::Index m, double x, double dg, double dlog_slope, double* draw) const;

  // Spline m at x: returns g'(x) and writes d log g'(x) / dx into dlog_slope_dx
  // (1 and 0 outside [-L, L]). In bin k: dlog g'/dx = (dlog g'/dxi) / w_k.
  double slope(Eigen::Index m, double x, double& dlog_slope_dx) const;

  // Spline m: x = g^-1(y); log_slope = log g'(x).
  double inverse(Eigen::Index m, double y, double& log_slope) const;

 private:
  // g and log g' in bin k of spline m at xi, and the partial derivatives that backward needs.
  struct InBin {
    double g, log_slope;
    double g_xi, g_s, g_dk, g_dk1;  // dg/dv
    double l_xi, l_s, l_dk, l_dk1;  // dlog g'/dv
    double n_over_d;                // (g - y_k) / h_k
  };
  InBin evaluate(Eigen::Index m, int k, double xi, bool with_partials) const;
  // The last knot k with knots(k, m) <= v, among 0..B-1.
  int bin_of(const Matrix& knots, Eigen::Index m, double v) const;

  SplineShape shape_;
  // Column m is spline m's:
  Matrix width_p_, height_p_;  // (B, M) the softmax probabilities
  Matrix w_, h_, x_, y_;       // (B, M) widths and heights; (B + 1, M) knots
  Matrix delta_, delta_sig_;   // (B + 1, M) slopes at the knots; (B - 1, M) sigmoid(d' + c0)
  mutable std::vector<double> dw_, dh_;  // (B) backward scratch
};

}  // namespace nfvi
