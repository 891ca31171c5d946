#include "flows/layers/rational_quadratic_spline.hpp"

#include <algorithm>
#include <cmath>

#include "math/scalar_math.hpp"
#include "math/simd_math.hpp"

namespace nfvi {
namespace {

// Each column's softmax over its rows, stably: (B, M) -> (B, M). The exps go
// through simd_math (vectorised in WebAssembly too, where Eigen's are scalar).
Matrix column_softmax(const Eigen::Ref<const Matrix>& v) {
  Matrix e = v.rowwise() - v.colwise().maxCoeff();
  simd::exp_into(e.data(), e.data(), e.size());
  e.array().rowwise() /= e.colwise().sum().array();
  return e;
}

// dv_i = p_i (dp_i - sum_j p_j dp_j): the softmax's backward, added into dv.
void softmax_backward(const double* p, const std::vector<double>& dp, double* dv) {
  double dot = 0;
  for (size_t i = 0; i < dp.size(); ++i) dot += p[i] * dp[i];
  for (size_t i = 0; i < dp.size(); ++i) dv[i] += p[i] * (dp[i] - dot);
}

}  // namespace

void RationalQuadraticSplines::set_knots(const Eigen::Ref<const Matrix>& raw) {
  const int bins = shape_.bins;
  const Eigen::Index m_count = raw.cols();
  const double m = SplineShape::kMinimum, span = 2 * shape_.bound, share = 1 - bins * m;
  width_p_ = column_softmax(raw.topRows(bins));
  height_p_ = column_softmax(raw.middleRows(bins, bins));
  w_ = (span * (m + share * width_p_.array())).matrix();
  h_ = (span * (m + share * height_p_.array())).matrix();
  x_.resize(bins + 1, m_count);
  y_.resize(bins + 1, m_count);
  x_.row(0).setConstant(-shape_.bound);
  y_.row(0).setConstant(-shape_.bound);
  for (int k = 0; k < bins; ++k) {
    x_.row(k + 1) = x_.row(k) + w_.row(k);
    y_.row(k + 1) = y_.row(k) + h_.row(k);
  }
  static const double c0 = softplus_inverse(1 - SplineShape::kMinimum);
  const Eigen::ArrayXXd v = raw.bottomRows(bins - 1).array() + c0;
  // With e = exp(-|v|) in (0, 1]: softplus(v) = max(v, 0) + log(1 + e) (1 + e
  // loses only what is far below the minimum slope m), and sigmoid(v) is
  // 1 / (1 + e) for v >= 0, e / (1 + e) otherwise.
  Eigen::ArrayXXd e = -v.abs();
  simd::exp_into(e.data(), e.data(), e.size());
  Eigen::ArrayXXd log_1pe = 1 + e;
  simd::log_into(log_1pe.data(), log_1pe.data(), log_1pe.size());
  delta_.resize(bins + 1, m_count);
  delta_.row(0).setOnes();
  delta_.row(bins).setOnes();
  delta_.middleRows(1, bins - 1) = (m + v.max(0.0) + log_1pe).matrix();
  delta_sig_ = (v >= 0).select(1 / (1 + e), e / (1 + e)).matrix();
  if (static_cast<int>(dw_.size()) != bins) {
    dw_.assign(static_cast<size_t>(bins), 0.0);
    dh_.assign(static_cast<size_t>(bins), 0.0);
  }
}

int RationalQuadraticSplines::bin_of(const Matrix& knots, Eigen::Index m, double v) const {
  const double* column = knots.data() + m * knots.rows();
  // Beyond the last knot (by round-off) is the last bin.
  const double* it = std::upper_bound(column + 1, column + knots.rows() - 1, v);
  return static_cast<int>(it - column) - 1;
}

RationalQuadraticSplines::InBin RationalQuadraticSplines::evaluate(Eigen::Index m, int k, double xi,
                                                                   bool with_partials) const {
  const double wk = w_(k, m), hk = h_(k, m), dk = delta_(k, m), dk1 = delta_(k + 1, m);
  const double s = hk / wk, e = xi * (1 - xi), e1 = 1 - 2 * xi, c2 = dk1 + dk - 2 * s;
  const double num = s * xi * xi + dk * e, den = s + c2 * e;
  const double mid = dk1 * xi * xi + 2 * s * e + dk * (1 - xi) * (1 - xi);
  InBin r{};
  r.n_over_d = num / den;
  r.g = y_(k, m) + hk * r.n_over_d;
  r.log_slope = 2 * std::log(s) + std::log(mid) - 2 * std::log(den);
  if (!with_partials) return r;
  // num, den and mid by xi, s, delta_k and delta_{k+1}.
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

double RationalQuadraticSplines::forward(Eigen::Index m, double x, double& log_slope) const {
  if (!(x >= -shape_.bound && x <= shape_.bound)) {
    log_slope = 0;
    return x;
  }
  const int k = bin_of(x_, m, x);
  const InBin r = evaluate(m, k, (x - x_(k, m)) / w_(k, m), false);
  log_slope = r.log_slope;
  return r.g;
}

double RationalQuadraticSplines::backward(Eigen::Index m, double x, double dg, double dlog_slope, double* draw) const {
  if (!(x >= -shape_.bound && x <= shape_.bound)) return dg;
  const int bins = shape_.bins;
  const int k = bin_of(x_, m, x);
  const size_t i = static_cast<size_t>(k);
  const double wk = w_(k, m), xi = (x - x_(k, m)) / wk, s = h_(k, m) / wk;
  const InBin r = evaluate(m, k, xi, true);
  const double t_xi = dg * r.g_xi + dlog_slope * r.l_xi;
  const double t_s = dg * r.g_s + dlog_slope * r.l_s;
  const double t_dk = dg * r.g_dk + dlog_slope * r.l_dk;
  const double t_dk1 = dg * r.g_dk1 + dlog_slope * r.l_dk1;

  // Widths and heights: this bin's own, and every earlier one through the knot x_k (y_k).
  std::vector<double>& dw = dw_;
  std::vector<double>& dh = dh_;
  const double dx_k = -t_xi / wk, dy_k = dg;
  // w = 2L (m + (1 - B m) p): dp = 2L (1 - B m) dw, then the softmax.
  const double scale = 2 * shape_.bound * (1 - bins * SplineShape::kMinimum);
  for (size_t j = 0; j < static_cast<size_t>(bins); ++j) {
    dw[j] = j < i ? scale * dx_k : 0.0;
    dh[j] = j < i ? scale * dy_k : 0.0;
  }
  dw[i] = scale * (-(t_xi * xi + t_s * s) / wk);
  dh[i] = scale * (t_s / wk + dg * r.n_over_d);
  softmax_backward(width_p_.data() + m * bins, dw, draw);
  softmax_backward(height_p_.data() + m * bins, dh, draw + bins);
  // Interior slopes delta_1..delta_{B-1}: delta = m + softplus(d' + c0).
  if (k >= 1) draw[2 * bins + k - 1] += t_dk * delta_sig_(k - 1, m);
  if (k + 1 <= bins - 1) draw[2 * bins + k] += t_dk1 * delta_sig_(k, m);
  return t_xi / wk;
}

double RationalQuadraticSplines::slope(Eigen::Index m, double x, double& dlog_slope_dx) const {
  if (!(x >= -shape_.bound && x <= shape_.bound)) {
    dlog_slope_dx = 0;
    return 1;
  }
  const int k = bin_of(x_, m, x);
  const double wk = w_(k, m);
  const InBin r = evaluate(m, k, (x - x_(k, m)) / wk, true);
  dlog_slope_dx = r.l_xi / wk;
  return std::exp(r.log_slope);
}

double RationalQuadraticSplines::inverse(Eigen::Index m, double y, double& log_slope) const {
  if (!(y >= -shape_.bound && y <= shape_.bound)) {
    log_slope = 0;
    return y;
  }
  const int k = bin_of(y_, m, y);
  const double wk = w_(k, m), hk = h_(k, m), dk = delta_(k, m), dk1 = delta_(k + 1, m), s = hk / wk;
  const double dy = y - y_(k, m), c2 = dk1 + dk - 2 * s;
  const double a = hk * (s - dk) + dy * c2, b = hk * dk - dy * c2, c = -s * dy;
  const double discriminant = std::max(b * b - 4 * a * c, 0.0);
  double xi = (c == 0) ? 0.0 : 2 * c / (-b - std::sqrt(discriminant));
  // The root carries the round-off of a, b and c; Newton steps on g(xi) = y,
  // whose g is the forward's own formula, bring it to the forward's precision.
  xi = std::clamp(xi, 0.0, 1.0);
  InBin r = evaluate(m, k, xi, false);
  for (int step = 0; step < 3; ++step) {
    const double residual = r.g - y;
    if (residual == 0) break;
    const double slope = std::exp(r.log_slope) * wk;  // dg/dxi
    const double next = std::clamp(xi - residual / slope, 0.0, 1.0);
    if (next == xi) break;
    xi = next;
    r = evaluate(m, k, xi, false);
  }
  log_slope = r.log_slope;
  return x_(k, m) + xi * wk;
}

}  // namespace nfvi
