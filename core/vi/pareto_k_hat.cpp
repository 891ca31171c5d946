#include "vi/pareto_k_hat.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

namespace nfvi {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// The profile log-likelihood of the GPD at theta, and the k that attains it.
//
// Reparameterise (k, sigma) by theta = -k / sigma. Then 1 + k x / sigma =
// 1 - theta x and sigma = -k / theta, so for a sample x_1..x_n
//
//   f(x) = (-theta / k) (1 - theta x)^(-1/k - 1),
//   l(theta, k) = n log(-theta / k) - (1/k + 1) sum_i log(1 - theta x_i).
//
// With s(theta) = (1/n) sum_i log1p(-theta x_i),
//   dl/dk = -n/k + n s(theta) / k^2 = 0   gives   k(theta) = s(theta),
// the best k for this theta. Putting it back (sum_i log(1 - theta x_i) = n k):
//
//   l_p(theta) = n [ log(-theta / k(theta)) - k(theta) - 1 ].
//
// Signs: the density needs 1 - theta x_i > 0, i.e. theta < 1 / x_(n).
// theta < 0 (a heavy tail) gives log1p(-theta x) > 0, so k > 0; 0 < theta <
// 1/x_(n) (a bounded tail) gives k < 0; either way -theta/k > 0. As theta ->
// 0, k(theta) ~ -theta mean(x), so -theta/k -> 1/mean(x) and l_p -> n [-log
// mean(x) - 1], the exponential's maximum: that limit is used when k(theta)
// is exactly 0.
struct ProfilePoint {
  double log_likelihood;
  double k;
};

ProfilePoint profile_log_likelihood(double theta, const Array& x, double mean_x) {
  const double n = static_cast<double>(x.size());
  const double k = (-theta * x).log1p().mean();
  if (k == 0 || theta == 0) return {n * (-std::log(mean_x) - 1), 0.0};
  return {n * (std::log(-theta / k) - k - 1), k};
}

}  // namespace

// Zhang & Stephens' estimator.
//
// The maximum of l_p need not exist (for k < -1 the likelihood is unbounded
// as theta -> 1/x_(n)) and is erratic for small n. Zhang and Stephens take
// instead the posterior mean of theta, with k profiled out,
//
//   theta^ = integral theta pi(theta) L_p(theta) dtheta / integral pi(theta) L_p(theta) dtheta,
//   L_p = exp(l_p),
//
// under a prior pi fitted to the data's scale: 1/x_(n) - theta is a GPD of
// shape 1/2 and scale 1/(6 x*), x* the sample's first quartile. Its quantile
// at probability p_j = (j - 1/2)/m is
//
//   theta_j = 1/x_(n) + (1 - sqrt(m / (j - 1/2))) / (3 x*),   j = 1..m,
//
// and points at quantiles carry equal prior mass 1/m, so the integrals become
// sums over them:
//
//   theta^ = sum_j omega_j theta_j,
//   omega_j = L_p(theta_j) / sum_l L_p(theta_l) = 1 / sum_l exp(l_p(theta_l) - l_p(theta_j)).
//
// l_p is n times an average, so L_p itself over- or underflows for any
// sizeable n; omega_j = exp(l_p(theta_j) - max_l l_p(theta_l)) / sum_l of the
// same is the same number and stays in [0, 1]. Then
//
//   k^ = k(theta^) = (1/n) sum_i log1p(-theta^ x_i),   sigma^ = -k^ / theta^.
//
// Every theta_j is below 1/x_(n) (sqrt(m/(j - 1/2)) > 1), hence so is their
// weighted mean theta^, and every log1p is of a number above -1.
//
// m = 20 + floor(sqrt(n)) points, Zhang and Stephens' choice. x* =
// x_(floor(n/4 + 1/2)) (1-based order statistics; x_(1) for n = 1, where
// that index is 0); should it be 0 (ties at the threshold), the smallest
// positive x takes its place: any positive x* gives a proper prior, it only
// sets the prior's scale.
GeneralizedPareto fit_generalized_pareto(ArrayConstRef exceedances) {
  const Eigen::Index n = exceedances.size();
  if (n == 0) throw std::invalid_argument("a generalized Pareto fit needs at least one point");
  std::vector<double> sorted(exceedances.data(), exceedances.data() + n);
  for (double v : sorted)
    if (!(v >= 0) || !std::isfinite(v))
      throw std::invalid_argument("a generalized Pareto fit needs finite exceedances >= 0");
  std::sort(sorted.begin(), sorted.end());
  const double largest = sorted.back();
  if (largest == 0) return {-kInf, 0.0};

  const Array x = Eigen::Map<const Array>(sorted.data(), n);  // (n), ascending
  const double mean_x = x.mean();
  const auto quartile_rank = std::max<Eigen::Index>(
      1, static_cast<Eigen::Index>(std::floor(static_cast<double>(n) / 4 + 0.5)));
  double quartile = sorted[static_cast<size_t>(quartile_rank - 1)];
  if (quartile == 0) quartile = *std::upper_bound(sorted.begin(), sorted.end(), 0.0);

  const int m = 20 + static_cast<int>(std::floor(std::sqrt(static_cast<double>(n))));
  Array theta(m), log_likelihood(m);  // (m) each
  for (int j = 1; j <= m; ++j) {
    theta(j - 1) = 1 / largest + (1 - std::sqrt(m / (j - 0.5))) / (3 * quartile);
    log_likelihood(j - 1) = profile_log_likelihood(theta(j - 1), x, mean_x).log_likelihood;
  }
  const Array omega_unnormalised = (log_likelihood - log_likelihood.maxCoeff()).exp();
  const double theta_hat = (omega_unnormalised * theta).sum() / omega_unnormalised.sum();

  if (theta_hat == 0) return {0.0, mean_x};  // the exponential limit
  const double k_hat = (-theta_hat * x).log1p().mean();
  return {k_hat, -k_hat / theta_hat};
}

double pareto_k_prior_adjusted(double k, Eigen::Index tail_size) {
  const double n = static_cast<double>(tail_size);
  return (n * k + 10 * 0.5) / (n + 10);
}

Eigen::Index pareto_tail_size(Eigen::Index samples) {
  const double m = static_cast<double>(samples);
  return static_cast<Eigen::Index>(std::ceil(std::min(m / 5, 3 * std::sqrt(m))));
}

double pareto_k_threshold(Eigen::Index samples) {
  return std::min(1 - 1 / std::log10(static_cast<double>(samples)), 0.7);
}

ParetoKHat pareto_k_hat(ArrayConstRef log_weights) {
  ParetoKHat out;
  const Eigen::Index m = log_weights.size();
  out.tail_size = pareto_tail_size(m);
  out.k_hat = out.k_fit = out.sigma_fit = kNaN;
  if (out.tail_size < kParetoMinTail || out.tail_size >= m) return out;
  for (Eigen::Index i = 0; i < m; ++i)
    if (std::isnan(log_weights(i)) || log_weights(i) == kInf) return out;

  // The n + 1 largest log weights, ascending: the threshold, then the tail.
  // nth_element is linear; only the top n + 1 are sorted.
  const Eigen::Index n = out.tail_size;
  std::vector<double> a(log_weights.data(), log_weights.data() + m);
  const auto threshold_at = a.begin() + (m - n - 1);
  std::nth_element(a.begin(), threshold_at, a.end());
  std::sort(threshold_at, a.end());
  const double log_u = *threshold_at;
  const double log_max = a.back();
  if (log_max == -kInf) return out;  // every weight is 0
  if (log_max - log_u <= kFlatTailLogSpread) {
    out.k_hat = out.k_fit = -kInf;
    out.sigma_fit = 0;
    return out;
  }

  // Exceedances in units of the largest weight:
  //   (w - u) / w_max = exp(log w - log w_max) (1 - exp(log u - log w)),
  // the second factor by expm1, exact for log w just above log u, and 1
  // when u = 0 (log u = -inf).
  Array x(n);  // (n)
  for (Eigen::Index j = 0; j < n; ++j) {
    const double log_w = *(threshold_at + 1 + j);
    x(j) = log_w > log_u ? std::exp(log_w - log_max) * -std::expm1(log_u - log_w) : 0.0;
  }
  const GeneralizedPareto fit = fit_generalized_pareto(x);
  out.k_fit = fit.k;
  out.sigma_fit = fit.sigma;
  out.k_hat = pareto_k_prior_adjusted(fit.k, n);
  return out;
}

}  // namespace nfvi
