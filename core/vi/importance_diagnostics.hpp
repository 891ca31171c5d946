// Can a reverse-KL fit be trusted? The diagnostics of a fitted flow q against
// a target p(z) = exp(-U(z)) / Z, from M fresh samples z_i ~ q and their log
// importance weights
//
//   log w_i = -U(z_i) - log q(z_i).
//
// Reverse KL, E_q[log q + U] + log Z, only looks where q puts its mass: a q
// that is too narrow, or that sits on one mode of several, can reach a small
// estimate and still miss much of p. What gives that away is the weights: in
// the regions that q under-covers, the rare samples get huge weights. So:
//
//   - log Z by importance sampling, with its delta-method standard error
//     (importance_weights.hpp);
//   - the effective sample size, and its fraction of M;
//   - Pareto k^ of the weights' tail (pareto_k_hat.hpp) against the
//     threshold min(1 - 1/log10(M), 0.7): below it importance sampling
//     from q is reliable (which says nothing of how close q is to p);
//   - the reverse-KL estimate mean_i(log q + U) = -mean_i(log w_i) and its
//     standard error sd/sqrt(M), from the same samples. With log Z from
//     quadrature, KL = kl_estimate + log Z (diagnostics.hpp), within
//     +- kl_estimate_se; without it, kl_estimate + log_z_is >= 0 (Jensen on
//     the sample: log mean exp >= mean), which is close to the KL only when
//     importance sampling is reliable and otherwise too low.
#pragma once

#include <string>

#include "flows/flow.hpp"
#include "math/random.hpp"
#include "math/types.hpp"
#include "targets/energies.hpp"

namespace nfvi {

struct ImportanceDiagnostics {
  Eigen::Index samples = 0;  // M
  double log_z_is = 0;       // log mean_i w_i
  double log_z_is_se = 0;    // sd(w) / (sqrt(M) mean(w))
  double ess = 0;            // (sum w)^2 / sum w^2, in [1, M]
  double ess_fraction = 0;   // ess / M
  // Pareto k^ (prior-adjusted; -inf for a flat tail, NaN when not estimated:
  // see pareto_k_hat.hpp) and the threshold for M samples.
  double k_hat = 0;
  double k_hat_threshold = 0;
  Eigen::Index k_hat_tail_size = 0;
  bool reliable = false;     // k_hat < k_hat_threshold
  // One line for the user, e.g. "k-hat 0.83 >= 0.70: the importance weights
  // have a heavy tail (q misses mass of the target); importance sampling
  // from q is not reliable (its log Z and expectations may be badly off)".
  // It is about reweighting q's samples into p's, not about how close q is
  // to p: a q much wider than p has light-tailed weights and a large KL.
  std::string verdict;
  double kl_estimate = 0;     // mean_i (log q + U) = -mean_i log w_i
  double kl_estimate_se = 0;  // sd_i(log q + U) / sqrt(M)
  double kl_is = 0;           // kl_estimate + log_z_is, >= 0: the KL without quadrature, when reliable
};

// The diagnostics of given log weights (M), e.g. -(log q + U) of samples
// already drawn. Log weights of -inf (weights of 0) are allowed; NaN or +inf
// ones make every figure NaN, with reliable = false and a verdict that says so.
ImportanceDiagnostics diagnose_log_weights(ArrayConstRef log_weights);

// Draws M fresh samples from the flow, chunk columns at a time (the base
// noise is the same stream as sample_flow's), evaluates the energy on them,
// keeps only their log weights (M), and diagnoses those. Uses the flow's
// forward, so it overwrites what the last forward kept (call it between steps).
ImportanceDiagnostics diagnose_fit(Flow& flow, const EnergyFunction& energy, Random& rng, Eigen::Index samples,
                                   Eigen::Index chunk = 20000);
ImportanceDiagnostics diagnose_fit(Flow& flow, Potential potential, Random& rng, Eigen::Index samples,
                                   Eigen::Index chunk = 20000);

// The verdict line for k^ and its threshold (as in ImportanceDiagnostics).
std::string reliability_verdict(double k_hat, double threshold, Eigen::Index samples);

// In 2-D log Z is also known by quadrature. How far the IS estimate is from
// it, in standard errors: (log_z_is - log_z_quadrature) / log_z_is_se
// (NaN if either is not finite or the se is 0 and the two differ; 0 if they
// are equal).
double log_z_disagreement(const ImportanceDiagnostics& d, double log_z_quadrature);

// Beyond this many standard errors the two log Z figures disagree.
inline constexpr double kLogZDisagreementSe = 3;

// "" when the IS and quadrature log Z agree within kLogZDisagreementSe
// standard errors, else one line saying so and what it means. The IS
// estimate only sees the part of p that q's samples reach: log_z_is far below the quadrature log Z means q
// misses about 1 - exp(log_z_is - log_z_quadrature) of p's mass (which k^,
// computed from the same samples, cannot see); far above means a few huge
// weights, a heavy tail that makes the standard error meaningless.
std::string log_z_disagreement_warning(const ImportanceDiagnostics& d, double log_z_quadrature);

}  // namespace nfvi
