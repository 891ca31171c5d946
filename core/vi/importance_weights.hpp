// Importance weights of a fitted q against a target p(z) = exp(-U(z)) / Z:
// log Z by importance sampling, its standard error, and the effective sample
// size. Everything takes the log weights (M), one per fresh sample z_i ~ q,
//
//   log w_i = -U(z_i) - log q(z_i),   E_q[w] = Z,
//
// and works relative to their largest value a = max_i log w_i, so that
// weights of any size (log w ~ +-1e4 is common far from a fit) neither
// overflow nor underflow all at once: w~_i = exp(log w_i - a) is in (0, 1],
// and every quantity below is either a ratio of sums of w~ (the scale e^a
// cancels) or is put back on the log scale by adding a.
//
// A log weight of -inf (U = +inf at a sample: q has mass where p has none)
// is a weight of 0 and is allowed. NaN or +inf log weights are not: the
// functions here return NaN for them (fit diagnostics says so in words).
#pragma once

#include "math/types.hpp"

namespace nfvi {

// log((1/M) sum_i exp(a_i)) = a + log(sum_i exp(a_i - a)) - log M, a = max_i a_i.
// -inf if every a_i is -inf; NaN if some a_i is NaN or +inf, or M = 0.
double log_mean_exp(ArrayConstRef values);

// The importance-sampling estimate of log Z and its standard error.
//
//   Z^ = (1/M) sum_i w_i,   log Z^ = log_mean_exp(log w).
//
// Standard error by the delta method: Var(Z^) ~ Var(w)/M, and
// d log Z^ = dZ^ / Z^, so
//
//   se(log Z^) = sd(w) / (sqrt(M) mean(w)),
//
// with sd the sample standard deviation (divisor M - 1). The ratio sd/mean
// does not change when every w is scaled, so it is computed from w~ in two
// passes (the mean, then the squared deviations from it). It is the error of
// a Gaussian approximation: it means little when the weights have a heavy
// tail (Pareto k^ > 0.5, pareto_k_hat.hpp), whose variance is infinite.
// NaN for M < 2.
struct ImportanceLogZ {
  double log_z = 0;
  double standard_error = 0;
};
ImportanceLogZ importance_log_z(ArrayConstRef log_weights);

// Kish's effective sample size of the weights,
//
//   ESS = (sum_i w_i)^2 / sum_i w_i^2 = (sum_i w~_i)^2 / sum_i w~_i^2,
//
// between 1 (one weight dominates) and M (equal weights). Divide by M for
// the fraction. NaN if every weight is 0 or some log weight is NaN or +inf.
double effective_sample_size(ArrayConstRef log_weights);

}  // namespace nfvi
