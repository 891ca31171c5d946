#include "vi/importance_diagnostics.hpp"

#include <algorithm>
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

// The verdict is about importance sampling from q (log Z, expectations
// under p by reweighting q's samples), not about how close q is to p: a q
// much wider than p has light-tailed weights and a large KL. The KL says
// how close; k-hat says whether q's samples can be reweighted into p's.
std::string reliability_verdict(double k_hat, double threshold, Eigen::Index samples) {
  if (std::isnan(k_hat)) {
    if (samples < kParetoMinSamples)
      return "k-hat not estimated: " + std::to_string(samples) + " samples are too few (at least " +
             std::to_string(kParetoMinSamples) + " are needed); the reliability of importance sampling from q is "
             "unknown";
    return "k-hat not estimated: the importance weights are not finite (NaN, or all 0); importance sampling from q "
           "is not reliable";
  }
  if (k_hat == -std::numeric_limits<double>::infinity())
    return format("k-hat -inf < %.2f: the largest importance weights are all equal (q matches the target up to "
                  "round-off); importance sampling from q is reliable",
                  threshold);
  if (!(k_hat < threshold))
    return format("k-hat %.2f >= %.2f: the importance weights have a heavy tail (q misses mass of the target); "
                  "importance sampling from q is not reliable (its log Z and expectations may be badly off)",
                  k_hat, threshold);
  // Below the threshold. Between 0.5 and it, the weights' variance is
  // probably infinite: IS still converges, but the delta-method standard
  // error (a variance) understates the error of log Z.
  if (k_hat > 0.5)
    return format("k-hat %.2f < %.2f: importance sampling from q is reliable, but the weights' variance is "
                  "probably infinite (k-hat > 0.5), so the IS standard error understates the error of log Z",
                  k_hat, threshold);
  return format("k-hat %.2f < %.2f: the importance weights have a light tail; importance sampling from q is "
                "reliable (its log Z and expectations can be trusted; how close q is to p is the KL's to say)",
                k_hat, threshold);
}

double log_z_disagreement(const ImportanceDiagnostics& d, double log_z_quadrature) {
  if (!std::isfinite(d.log_z_is) || !std::isfinite(log_z_quadrature) || !(d.log_z_is_se >= 0)) return kNaN;
  const double difference = d.log_z_is - log_z_quadrature;
  if (difference == 0) return 0;
  if (d.log_z_is_se == 0) return kNaN;
  return difference / d.log_z_is_se;
}

std::string log_z_disagreement_warning(const ImportanceDiagnostics& d, double log_z_quadrature) {
  const double z_score = log_z_disagreement(d, log_z_quadrature);
  if (std::abs(z_score) <= kLogZDisagreementSe) return "";
  char text[512];
  const double difference = d.log_z_is - log_z_quadrature;
  if (std::isnan(z_score)) {
    std::snprintf(text, sizeof text,
                  "the importance-sampled log Z (%.6g, se %.3g) cannot be compared with the quadrature log Z "
                  "(%.6g): the fit's importance weights are degenerate",
                  d.log_z_is, d.log_z_is_se, log_z_quadrature);
  } else if (difference < 0) {
    std::snprintf(text, sizeof text,
                  "the importance-sampled log Z %.4f +- %.4f is %.1f standard errors below the quadrature log Z "
                  "%.4f: q misses about %.2g%% of the target's mass, in regions none of its %lld samples reached "
                  "(k-hat cannot see this)",
                  d.log_z_is, d.log_z_is_se, -z_score, log_z_quadrature, 100 * -std::expm1(difference),
                  static_cast<long long>(d.samples));
  } else {
    std::snprintf(text, sizeof text,
                  "the importance-sampled log Z %.4f +- %.4f is %.1f standard errors above the quadrature log Z "
                  "%.4f: a few samples carry huge weights (a heavy tail, k-hat %.2f), so the standard error "
                  "understates the error",
                  d.log_z_is, d.log_z_is_se, z_score, log_z_quadrature, d.k_hat);
  }
  return text;
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
