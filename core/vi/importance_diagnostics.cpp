#include "vi/importance_diagnostics.hpp"

#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

#include "vi/importance_weights.hpp"
#include "vi/pareto_k_hat.hpp"

namespace nfvi {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The verdict's numbers, two decimals each (pattern holds one or two %.2f).
std::string format(const char* pattern, double a, double b = 0) {
  char text[256];
  std::snprintf(text, sizeof text, pattern, a, b);
  return text;
}

}  // namespace

std::string reliability_verdict(double k_hat, double threshold, Eigen::Index samples) {
  if (std::isnan(k_hat)) {
    if (samples < kParetoMinSamples)
      return "k-hat not estimated: " + std::to_string(samples) + " samples are too few (at least " +
             std::to_string(kParetoMinSamples) + " are needed); the fit's reliability is unknown";
    return "k-hat not estimated: the importance weights are not finite (NaN, or all 0); the fit is not reliable";
  }
  if (k_hat == -std::numeric_limits<double>::infinity())
    return format("k-hat -inf < %.2f: the largest importance weights are all equal (q matches the target up to "
                  "round-off); the fit is reliable",
                  threshold);
  if (!(k_hat < threshold))
    return format("k-hat %.2f > %.2f: the importance weights have a heavy tail (q misses mass of the target); "
                  "the fit is not reliable (IS estimates and the KL may be badly off)",
                  k_hat, threshold);
  // Below the threshold. Between 0.5 and it, the weights' variance is
  // probably infinite: IS still converges, but the delta-method standard
  // error (a variance) understates the error of log Z.
  if (k_hat > 0.5)
    return format("k-hat %.2f < %.2f: the fit is reliable, but the weights' variance is probably infinite "
                  "(k-hat > 0.5), so the IS standard error understates the error of log Z",
                  k_hat, threshold);
  return format("k-hat %.2f < %.2f: the importance weights have a light tail; the fit is reliable (IS "
                "estimates and the KL can be trusted)",
                k_hat, threshold);
}

ImportanceDiagnostics diagnose_log_weights(ArrayConstRef log_weights) {
  ImportanceDiagnostics out;
  const Eigen::Index m = log_weights.size();
  out.samples = m;
  out.k_hat_threshold = pareto_k_threshold(m);

  const ImportanceLogZ log_z = importance_log_z(log_weights);
  out.log_z_is = log_z.log_z;
  out.log_z_is_se = log_z.standard_error;
  out.ess = effective_sample_size(log_weights);
  out.ess_fraction = out.ess / static_cast<double>(m);

  const ParetoKHat tail = pareto_k_hat(log_weights);
  out.k_hat = tail.k_hat;
  out.k_hat_tail_size = tail.tail_size;
  out.reliable = out.k_hat < out.k_hat_threshold;  // false for NaN
  out.verdict = reliability_verdict(out.k_hat, out.k_hat_threshold, m);

  // log q + U = -log w: its mean and the standard error of that mean,
  // sd / sqrt(M) with the sample standard deviation (divisor M - 1), in two
  // passes (the mean, then the squared deviations from it).
  out.kl_estimate = m >= 1 ? -log_weights.mean() : kNaN;
  out.kl_estimate_se = m >= 2 ? std::sqrt((log_weights + out.kl_estimate).square().sum() /
                                          (static_cast<double>(m - 1) * static_cast<double>(m)))
                              : kNaN;
  out.kl_is = out.kl_estimate + out.log_z_is;
  return out;
}

ImportanceDiagnostics diagnose_fit(Flow& flow, const EnergyFunction& energy_function, Random& rng,
                                   Eigen::Index samples, Eigen::Index chunk) {
  if (samples < 1 || chunk < 1) throw std::invalid_argument("diagnose_fit needs at least one sample per chunk");
  Array log_weights(samples);  // (M)
  Samples eps, energy_gradient;
  Array energy;
  for (Eigen::Index start = 0; start < samples; start += chunk) {
    const Eigen::Index n = std::min(chunk, samples - start);
    eps.resize(flow.dim(), n);
    rng.fill_normal(eps);
    flow.forward(eps);
    energy_function(flow.output(), energy, energy_gradient);
    log_weights.segment(start, n) = -energy - flow.log_q();
  }
  return diagnose_log_weights(log_weights);
}

ImportanceDiagnostics diagnose_fit(Flow& flow, Potential potential, Random& rng, Eigen::Index samples,
                                   Eigen::Index chunk) {
  return diagnose_fit(flow, energy_function(potential), rng, samples, chunk);
}

}  // namespace nfvi
