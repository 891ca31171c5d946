#include "flows/layers/rational_quadratic_spline.hpp"

#include <algorithm>
#include <cmath>

#include "math/scalar_math.hpp"

namespace nfvi {
namespace {

// Softmax of n values, stably.
void softmax(const double* v, int n, std::vector<double>& p) {
  const double top = *std::max_element(v, v + n);
  double sum = 0;
  for (int i = 0; i < n; ++i) sum += (p[static_cast<size_t>(i)] = std::exp(v[i] - top));
  for (int i = 0; i < n; ++i) p[static_cast<size_t>(i)] /= sum;
}

// dv_i = p_i (dp_i - sum_j p_j dp_j): the softmax's backward, added into dv.
void softmax_backward(const std::vector<double>& p, const std::vector<double>& dp, double* dv) {
  double dot = 0;
  for (size_t i = 0; i < p.size(); ++i) dot += p[i] * dp[i];
  for (size_t i = 0; i < p.size(); ++i) dv[i] += p[i] * (dp[i] - dot);
}

}  // namespace

RationalQuadraticSpline::RationalQuadraticSpline(const SplineShape& shape)
    : shape_(shape),
      width_p_(static_cast<size_t>(shape.bins)),
      height_p_(static_cast<size_t>(shape.bins)),
      w_(static_cast<size_t>(shape.bins)),
      h_(static_cast<size_t>(shape.bins)),
      x_(static_cast<size_t>(shape.bins) + 1),
      y_(static_cast<size_t>(shape.bins) + 1),
      delta_(static_cast<size_t>(shape.bins) + 1, 1.0),
      delta_raw_(static_cast<size_t>(std::max(shape.bins - 1, 0))),
      dw_(static_cast<size_t>(shape.bins)),
      dh_(static_cast<size_t>(shape.bins)) {}

void RationalQuadraticSpline::set_knots(const double* raw) {
  const int bins = shape_.bins;
  const double m = SplineShape::kMinimum, span = 2 * shape_.bound, share = 1 - bins * m;
  softmax(raw, bins, width_p_);
  softmax(raw + bins, bins, height_p_);
  x_[0] = y_[0] = -shape_.bound;
  for (size_t k = 0; k < static_cast<size_t>(bins); ++k) {
    w_[k] = span * (m + share * width_p_[k]);
    h_[k] = span * (m + share * height_p_[k]);
    x_[k + 1] = x_[k] + w_[k];
    y_[k + 1] = y_[k] + h_[k];
  }
  static const double c0 = softplus_inverse(1 - SplineShape::kMinimum);
  for (size_t k = 1; k < static_cast<size_t>(bins); ++k) {
    const double v = raw[2 * bins + static_cast<int>(k) - 1] + c0;
    delta_[k] = m + softplus(v);
    delta_raw_[k - 1] = sigmoid(v);
  }
}

int RationalQuadraticSpline::bin_of(const std::vector<double>& knots, double v) const {
  // The last knot k with knots[k] <= v, among 0..B-1 (v beyond the last knot, by round-off, is in the last bin).
  const auto it = std::upper_bound(knots.begin() + 1, knots.end() - 1, v);
  return static_cast<int>(it - knots.begin()) - 1;
}

RationalQuadraticSpline::InBin RationalQuadraticSpline::evaluate(int k, double xi, bool with_partials) const {
  const size_t i = static_cast<size_t>(k);
  const double wk = w_[i], hk = h_[i], dk = delta_[i], dk1 = delta_[i + 1];
  const double s = hk / wk, e = xi * (1 - xi), e1 = 1 - 2 * xi, c2 = dk1 + dk - 2 * s;
  const double num = s * xi * xi + dk * e, den = s + c2 * e;
  const double mid = dk1 * xi * xi + 2 * s * e + dk * (1 - xi) * (1 - xi);
  InBin r{};
  r.n_over_d = num / den;
  r.g = y_[i] + hk * r.n_over_d;
  r.log_slope = 2 * std::log(s) + std::log(mid) - 2 * std::log(den);
  if (!with_partials) return r;
  // N and Dn (num, den) and M (mid) by xi, s, delta_k and delta_{k+1}.
  const double n_xi = 2 * s * xi + dk * e1, n_s = xi * xi, n_dk = e, n_dk1 = 0;
  const double d_xi = c2 * e1, d_s = 1 - 2 * e, d_dk = e, d_dk1 = e;
  const double m_xi = 2 * dk1 * xi + 2 * s * e1 - 2 * dk * (1 - xi), m_s = 2 * e, m_dk = (1 - xi) * (1 - xi),
               m_dk1 = xi * xi;
  const double q = hk / (den * den);
  r.g_xi = q * (n_xi * den - num * d_xi);
  r.g_s = q * (n_s * den - num * d_s);
  r.g_dk = q * (n_dk * den - num * d_dk);
  r.g_dk1 = q * (n_dk1 * den - num * d_dk1);
  r.l_xi = m_xi / mid - 2 * d_xi / den;
  r.l_s = 2 / s + m_s / mid - 2 * d_s / den;
  r.l_dk = m_dk / mid - 2 * d_dk / den;
  r.l_dk1 = m_dk1 / mid - 2 * d_dk1 / den;
  return r;
}

double RationalQuadraticSpline::forward(double x, double& log_slope) const {
  if (!(x >= -shape_.bound && x <= shape_.bound)) {
    log_slope = 0;
    return x;
  }
  const int k = bin_of(x_, x);
  const InBin r = evaluate(k, (x - x_[static_cast<size_t>(k)]) / w_[static_cast<size_t>(k)], false);
  log_slope = r.log_slope;
  return r.g;
}

double RationalQuadraticSpline::backward(double x, double dg, double dlog_slope, double* draw) const {
  if (!(x >= -shape_.bound && x <= shape_.bound)) return dg;
  const int bins = shape_.bins;
  const int k = bin_of(x_, x);
  const size_t i = static_cast<size_t>(k);
  const double wk = w_[i], xi = (x - x_[i]) / wk, s = h_[i] / wk;
  const InBin r = evaluate(k, xi, true);
  const double t_xi = dg * r.g_xi + dlog_slope * r.l_xi;
  const double t_s = dg * r.g_s + dlog_slope * r.l_s;
  const double t_dk = dg * r.g_dk + dlog_slope * r.l_dk;
  const double t_dk1 = dg * r.g_dk1 + dlog_slope * r.l_dk1;

  // Widths and heights: this bin's own, and every earlier one through the knot x_k (y_k).
  std::vector<double>& dw = dw_;
  std::vector<double>& dh = dh_;
  std::fill(dw.begin(), dw.end(), 0.0);
  std::fill(dh.begin(), dh.end(), 0.0);
  const double dx_k = -t_xi / wk, dy_k = dg;
  for (size_t j = 0; j < i; ++j) {
    dw[j] += dx_k;
    dh[j] += dy_k;
  }
  dw[i] += -(t_xi * xi + t_s * s) / wk;
  dh[i] += t_s / wk + dg * r.n_over_d;
  // w = 2L (m + (1 - B m) p): dp = 2L (1 - B m) dw, then the softmax.
  const double scale = 2 * shape_.bound * (1 - bins * SplineShape::kMinimum);
  for (int j = 0; j < bins; ++j) {
    dw[static_cast<size_t>(j)] *= scale;
    dh[static_cast<size_t>(j)] *= scale;
  }
  softmax_backward(width_p_, dw, draw);
  softmax_backward(height_p_, dh, draw + bins);
  // Interior slopes delta_1..delta_{B-1}: delta = m + softplus(d' + c0).
  if (k >= 1) draw[2 * bins + k - 1] += t_dk * delta_raw_[i - 1];
  if (k + 1 <= bins - 1) draw[2 * bins + k] += t_dk1 * delta_raw_[i];
  return t_xi / wk;
}

double RationalQuadraticSpline::inverse(double y, double& log_slope) const {
  if (!(y >= -shape_.bound && y <= shape_.bound)) {
    log_slope = 0;
    return y;
  }
  const int k = bin_of(y_, y);
  const size_t i = static_cast<size_t>(k);
  const double wk = w_[i], hk = h_[i], dk = delta_[i], dk1 = delta_[i + 1], s = hk / wk;
  const double dy = y - y_[i], c2 = dk1 + dk - 2 * s;
  const double a = hk * (s - dk) + dy * c2, b = hk * dk - dy * c2, c = -s * dy;
  const double discriminant = std::max(b * b - 4 * a * c, 0.0);
  double xi = (c == 0) ? 0.0 : 2 * c / (-b - std::sqrt(discriminant));
  // The root carries the round-off of a, b and c (up to ~1e-9 relative where
  // the bin is steep or flat); Newton steps on g(xi) = y, whose g is the
  // forward's own formula, bring it to the forward's precision.
  InBin r = evaluate(k, std::clamp(xi, 0.0, 1.0), false);
  for (int step = 0; step < 3; ++step) {
    const double residual = r.g - y;
    if (residual == 0) break;
    const double slope = std::exp(r.log_slope) * wk;  // dg/dxi
    const double next = std::clamp(xi - residual / slope, 0.0, 1.0);
    if (next == xi) break;
    xi = next;
    r = evaluate(k, xi, false);
  }
  log_slope = r.log_slope;
  return x_[i] + xi * wk;
}

}  // namespace nfvi
