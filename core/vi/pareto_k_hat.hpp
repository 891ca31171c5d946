// Pareto k^: how heavy the right tail of the importance weights is, by the
// Pareto-smoothed importance sampling (PSIS) diagnostic of Vehtari, Simpson,
// Gelman, Yao and Gabry, "Pareto smoothed importance sampling" (JMLR 25,
// 2024), with the tail fitted by the estimator of Zhang and Stephens, "A new
// and efficient estimation method for the generalized Pareto distribution"
// (Technometrics 51, 2009).
//
// Why the tail. If the weights w = p~(z)/q(z) have a tail P(w > t) ~ t^(-1/k),
// then E[w^r] is finite only for r < 1/k: for k < 1/2 the variance of the
// weights is finite and importance sampling converges at the usual rate; for
// 1/2 <= k < 1 the mean exists but the variance does not; for k >= 1 not even
// the mean (Z) does. Vehtari et al. show that k^ also predicts how many
// samples an IS estimate needs, and call it reliable when
//
//   k^ < min(1 - 1/log10(M), 0.7)          (M samples),
//
// the sample-size-dependent threshold of their paper. A reverse-KL fit that
// is too narrow, or misses a mode of p, has heavy-tailed weights: q rarely
// visits a region where p is large, and each visit gets a huge weight.
//
// The generalized Pareto distribution (GPD) of shape k and scale sigma > 0,
//
//   F(x) = 1 - (1 + k x / sigma)^(-1/k),  x >= 0 (and x < -sigma/k if k < 0),
//   f(x) = (1/sigma) (1 + k x / sigma)^(-1/k - 1),
//
// (k -> 0: the exponential distribution) is the limit law of the exceedances
// X - u | X > u over a high threshold u of almost any distribution
// (Pickands-Balkema-de Haan), with k the tail index above. Here k > 0 is a
// heavy tail, as in Vehtari et al.; Zhang and Stephens write the same
// distribution with the opposite sign, 1 - (1 - k' x/sigma)^(1/k'), k' = -k.
#pragma once

#include "math/types.hpp"

namespace nfvi {

// A fitted GPD: shape k (> 0 heavy-tailed) and scale sigma.
struct GeneralizedPareto {
  double k = 0;
  double sigma = 0;
};

// Zhang & Stephens' estimate of (k, sigma) from a sample x (n >= 1) of a
// GPD, x_i >= 0, in any order; no prior adjustment. Derivation in the .cpp.
// If every x_i is 0 (no spread at all) it returns k = -inf, sigma = 0.
// Throws std::invalid_argument for an empty sample, or a negative or
// non-finite x_i.
GeneralizedPareto fit_generalized_pareto(ArrayConstRef exceedances);

// Vehtari et al.'s weakly informative prior on k, worth 10 observations at
// k = 0.5, for a tail of n points: (n k + 10 * 0.5) / (n + 10). It stabilises
// k^ for small tails and pulls it towards the boundary of finite variance.
double pareto_k_prior_adjusted(double k, Eigen::Index tail_size);

// The PSIS tail size for M samples: ceil(min(0.2 M, 3 sqrt(M))) (the paper's
// M for independent draws, whose relative efficiency is 1).
Eigen::Index pareto_tail_size(Eigen::Index samples);

// The paper's reliability threshold for M samples: min(1 - 1/log10(M), 0.7).
double pareto_k_threshold(Eigen::Index samples);

// k^ is estimated from a tail of at least 5 points, so from M >= 21 samples
// (the smallest M with pareto_tail_size(M) >= 5).
inline constexpr Eigen::Index kParetoMinTail = 5;
inline constexpr Eigen::Index kParetoMinSamples = 21;

// k^ of a sample of log weights (M), as PSIS computes it:
//   1. take the n = pareto_tail_size(M) largest weights, and as threshold u
//      the largest weight below them (the (n+1)-th largest);
//   2. fit a GPD to the exceedances w_(M-n+j) - u, j = 1..n, by Zhang &
//      Stephens; computed as exp(log w - max log w) (1 - exp(log u - log w)),
//      i.e. scaled by 1/max w, which leaves k unchanged and keeps every
//      exceedance in [0, 1] however large the weights are;
//   3. k^ = pareto_k_prior_adjusted(k, n).
// k_hat = -inf when the tail is flat: the n + 1 largest log weights agree to
// within kFlatTailLogSpread (q = p up to round-off), so the weights are
// bounded and no tail is there to fit. k_hat = NaN when M < 21 or some log
// weight is NaN or +inf, or every weight is 0. A log weight of -inf is a
// weight of 0.
struct ParetoKHat {
  double k_hat = 0;        // with the prior adjustment: the diagnostic
  double k_fit = 0;        // the tail's Zhang-Stephens k, before the adjustment
  double sigma_fit = 0;    // its scale, in units of the largest weight
  Eigen::Index tail_size = 0;
};
ParetoKHat pareto_k_hat(ArrayConstRef log_weights);

// Log weights whose spread is below this are equal up to round-off (log w of
// a Gaussian fitted exactly varies by ~1e-14).
inline constexpr double kFlatTailLogSpread = 1e-10;

}  // namespace nfvi
