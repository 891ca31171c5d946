// Tests of the importance-weight diagnostics: log Z by importance sampling
// and its standard error, the ESS, Pareto k^ (Zhang-Stephens tail fit and the
// PSIS path), and the verdict on whole fits of Gaussian targets whose
// weights are known in closed form.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include "flows/flow.hpp"
#include "math/random.hpp"
#include "math/scalar_math.hpp"
#include "vi/diagnostics.hpp"
#include "vi/flow_trainer.hpp"
#include "vi/importance_diagnostics.hpp"
#include "vi/importance_weights.hpp"
#include "vi/pareto_k_hat.hpp"

using namespace nfvi;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// n draws of a GPD(k, sigma) by inversion of F(x) = 1 - (1 + k x/sigma)^(-1/k):
//   x = sigma ((1 - u)^(-k) - 1) / k = sigma expm1(-k log1p(-u)) / k,
// and x = -sigma log1p(-u) for k = 0. u in [0, 1), so log1p(-u) is finite.
Array generalized_pareto_draws(Random& rng, double k, double sigma, Eigen::Index n) {
  Array x(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const double log_survival = std::log1p(-rng.uniform());  // log(1 - u)
    x(i) = k == 0 ? -sigma * log_survival : sigma * std::expm1(-k * log_survival) / k;
  }
  return x;
}

// The energy of N(mean, diag(sd^2)) in 2-D, U = 1/2 sum_d ((z_d - mean_d)/sd_d)^2,
// whose normaliser is Z = 2 pi sd_1 sd_2.
EnergyFunction gaussian_energy(double mean1, double mean2, double sd1, double sd2) {
  return [=](SamplesConstRef z, Array& energy, Samples& gradient) {
    const Array e1 = (z.row(0).transpose().array() - mean1) / sd1;
    const Array e2 = (z.row(1).transpose().array() - mean2) / sd2;
    energy = 0.5 * (e1.square() + e2.square());
    gradient.resize(2, z.cols());
    gradient.row(0) = (e1 / sd1).transpose().matrix();
    gradient.row(1) = (e2 / sd2).transpose().matrix();
  };
}

// The base alone, N(mean, diag(sd^2)): a flow with no layers.
Flow gaussian_flow(double mean1, double mean2, double sd1, double sd2) {
  Flow flow(2, std::vector<std::unique_ptr<FlowLayer>>{});
  Vector& p = flow.parameters();
  p(Flow::mu_offset()) = mean1;
  p(Flow::mu_offset() + 1) = mean2;
  p(flow.rho_offset()) = softplus_inverse(sd1);
  p(flow.rho_offset() + 1) = softplus_inverse(sd2);
  return flow;
}

double sample_sd(const Array& v) {
  return std::sqrt((v - v.mean()).square().sum() / static_cast<double>(v.size() - 1));
}

}  // namespace

// ---------------------------------------------------------------------------
// log Z by importance sampling, its standard error, the ESS

TEST_CASE("log_mean_exp is exact and finite for log weights of magnitude 1e4", "[diagnostics][importance]") {
  // exp(1e4) overflows a double and exp(-1e4) underflows: a naive mean would
  // give inf or -inf.
  REQUIRE(std::exp(1e4) == kInf);
  REQUIRE(std::exp(-1e4) == 0);
  // a + log j, j = 1..n: log mean exp = a + log((n + 1) / 2).
  const Eigen::Index n = 1000;
  const Array log_j = Array::LinSpaced(n, 1, static_cast<double>(n)).log();
  for (double a : {-1e4, 0.0, 1e4}) {
    INFO("shift " << a);
    CHECK(log_mean_exp(log_j + a) == Approx(a + std::log((n + 1) / 2.0)).margin(1e-11));
    // The standard error and the ESS depend on ratios of weights only: the
    // shift leaves them unchanged.
    const ImportanceLogZ shifted = importance_log_z(log_j + a), plain = importance_log_z(log_j);
    CHECK(shifted.standard_error == Approx(plain.standard_error).epsilon(1e-9));
    CHECK(effective_sample_size(log_j + a) == Approx(effective_sample_size(log_j)).epsilon(1e-9));
  }
  // Both extremes at once: the small one is exactly nothing beside the other.
  Array mixed(2);
  mixed << 1e4, -1e4;
  CHECK(log_mean_exp(mixed) == Approx(1e4 - std::log(2.0)).margin(1e-11));
}

TEST_CASE("log_mean_exp takes weights of 0 and refuses NaN and +inf", "[diagnostics][importance]") {
  Array a(2);
  a << 0, -kInf;
  CHECK(log_mean_exp(a) == Approx(std::log(0.5)).margin(1e-15));
  a << -kInf, -kInf;
  CHECK(log_mean_exp(a) == -kInf);
  a << 0, std::numeric_limits<double>::quiet_NaN();
  CHECK(std::isnan(log_mean_exp(a)));
  a << 0, kInf;
  CHECK(std::isnan(log_mean_exp(a)));
  CHECK(std::isnan(log_mean_exp(Array(0))));
}

TEST_CASE("importance log Z and its standard error equal the direct formulas on small cases",
          "[diagnostics][importance]") {
  // w = 1, 2, 3, 4: mean 2.5, sample sd sqrt(5/3), se = sd / (sqrt(4) 2.5).
  Array w(4);
  w << 1, 2, 3, 4;
  const ImportanceLogZ four = importance_log_z(w.log());
  CHECK(four.log_z == Approx(std::log(2.5)).epsilon(1e-14));
  CHECK(four.standard_error == Approx(std::sqrt(5.0 / 3.0) / (2 * 2.5)).epsilon(1e-14));
  CHECK(effective_sample_size(w.log()) == Approx(100.0 / 30.0).epsilon(1e-14));

  // Random log weights in [-3, 3], M = 7, against the formulas in plain exp.
  Random rng(11);
  Array log_w(7);
  for (Eigen::Index i = 0; i < log_w.size(); ++i) log_w(i) = 6 * rng.uniform() - 3;
  const Array weights = log_w.exp();
  const double mean = weights.mean();
  const ImportanceLogZ got = importance_log_z(log_w);
  CHECK(got.log_z == Approx(std::log(mean)).epsilon(1e-14));
  CHECK(got.standard_error == Approx(sample_sd(weights) / (std::sqrt(7.0) * mean)).epsilon(1e-13));
  CHECK(effective_sample_size(log_w) ==
        Approx(weights.sum() * weights.sum() / weights.square().sum()).epsilon(1e-14));

  // One weight is no spread at all.
  CHECK(std::isnan(importance_log_z(Array::Zero(1)).standard_error));
}

TEST_CASE("the delta-method standard error of log Z agrees with a bootstrap", "[diagnostics][importance]") {
  // Lognormal weights with log-sd 0.5 (every moment finite), M = 2000, and
  // B = 2000 bootstrap resamples: the bootstrap sd of log Z^ has a relative
  // Monte Carlo error of about 1/sqrt(2B) = 1.6%.
  Random rng(5);
  const Eigen::Index m = 2000, resamples = 2000;
  Array log_w(m);
  for (Eigen::Index i = 0; i < m; ++i) log_w(i) = 0.5 * rng.normal() + 300;  // 300: far from 0, on purpose
  const ImportanceLogZ estimate = importance_log_z(log_w);

  Array replicate(resamples), resampled(m);
  for (Eigen::Index b = 0; b < resamples; ++b) {
    for (Eigen::Index i = 0; i < m; ++i)
      resampled(i) = log_w(static_cast<Eigen::Index>(rng.uniform() * static_cast<double>(m)));
    replicate(b) = log_mean_exp(resampled);
  }
  INFO("delta method " << estimate.standard_error << ", bootstrap " << sample_sd(replicate));
  CHECK(estimate.standard_error == Approx(sample_sd(replicate)).epsilon(0.05));
}

TEST_CASE("the ESS of equal weights is M and of one dominant weight about 1", "[diagnostics][importance]") {
  const Eigen::Index m = 10000;
  CHECK(effective_sample_size(Array::Constant(m, 1234.5)) == Approx(static_cast<double>(m)).epsilon(1e-12));
  // One weight e^50 times the others: ESS = (1 + (M-1) e^-50)^2 / (1 + (M-1) e^-100).
  Array log_w = Array::Constant(m, -50.0);
  log_w(17) = 0;
  const double small = static_cast<double>(m - 1) * std::exp(-50.0);
  CHECK(effective_sample_size(log_w) == Approx(1.0).margin(1e-12));
  CHECK(effective_sample_size(log_w) == Approx((1 + small) * (1 + small)).epsilon(1e-15));
  // Two equal dominant weights: 2.
  log_w(99) = 0;
  CHECK(effective_sample_size(log_w) == Approx(2.0).margin(1e-12));
}

// ---------------------------------------------------------------------------
// Pareto k^

TEST_CASE("the PSIS tail size, threshold and prior adjustment follow the paper", "[diagnostics][pareto]") {
  // ceil(min(0.2 M, 3 sqrt(M))).
  CHECK(pareto_tail_size(20) == 4);
  CHECK(pareto_tail_size(21) == 5);
  CHECK(pareto_tail_size(100) == 20);
  CHECK(pareto_tail_size(225) == 45);  // where 0.2 M = 3 sqrt(M)
  CHECK(pareto_tail_size(10000) == 300);
  CHECK(pareto_tail_size(100000) == 949);
  // min(1 - 1/log10(M), 0.7).
  CHECK(pareto_k_threshold(100) == Approx(0.5));
  CHECK(pareto_k_threshold(1000) == Approx(2.0 / 3.0));
  CHECK(pareto_k_threshold(10000) == Approx(0.7));
  CHECK(pareto_k_threshold(1000000) == Approx(0.7));
  // (n k + 5) / (n + 10): 0.5 is fixed, and 10 points pull halfway to it.
  CHECK(pareto_k_prior_adjusted(0.5, 300) == Approx(0.5));
  CHECK(pareto_k_prior_adjusted(1.0, 10) == Approx(0.75));
  CHECK(pareto_k_prior_adjusted(0.9, 300) == Approx((300 * 0.9 + 5) / 310.0));
}

TEST_CASE("the Zhang-Stephens fit recovers the GPD shape from 1e5 draws", "[diagnostics][pareto]") {
  // The shapes of the brief, and an exponential and a bounded tail too. The
  // fit's standard deviation is about (1 + k)/sqrt(n) = 0.003-0.006 here,
  // well inside the 0.05 asked for.
  const double sigma = 2.5;
  Random rng(2024);
  for (double k : {0.2, 0.5, 0.8, 0.0, -0.3}) {
    const Array x = generalized_pareto_draws(rng, k, sigma, 100000);
    const GeneralizedPareto fit = fit_generalized_pareto(x);
    INFO("k " << k << ": fitted k " << fit.k << ", sigma " << fit.sigma);
    CHECK(std::abs(fit.k - k) < 0.05);
    CHECK(std::abs(fit.k - k) < 5 * (1 + k) / std::sqrt(1e5));
    CHECK(fit.sigma == Approx(sigma).epsilon(0.05));

    // The shape does not change with the scale of the data, and sigma scales
    // with it (the grid follows the data's scale): as in pareto_k_hat, which
    // fits exceedances in units of the largest weight.
    const GeneralizedPareto scaled = fit_generalized_pareto(x * 1e-7);
    CHECK(scaled.k == Approx(fit.k).epsilon(1e-9));
    CHECK(scaled.sigma == Approx(fit.sigma * 1e-7).epsilon(1e-9));
  }
}

// The GPD log-likelihood, for the brute-force check below.
static double gpd_log_likelihood(const Array& x, double k, double sigma) {
  if (k == 0) return -static_cast<double>(x.size()) * std::log(sigma) - x.sum() / sigma;
  const Array t = k * x / sigma;
  if ((t <= -1).any()) return -kInf;
  return -static_cast<double>(x.size()) * std::log(sigma) - (1 / k + 1) * t.log1p().sum();
}

TEST_CASE("the Zhang-Stephens fit is near the maximum-likelihood fit found by brute force",
          "[diagnostics][pareto]") {
  // An independent check of the estimator's sign conventions: the full
  // two-parameter likelihood, maximised over sigma by golden section for each
  // k on a grid of step 0.005. For n = 2000 the MLE's sd is ~0.03; the
  // Bayesian estimate of Zhang & Stephens should be within a fraction of it.
  Random rng(99);
  for (double k_true : {0.3, 0.7}) {
    const Array x = generalized_pareto_draws(rng, k_true, 1.0, 2000);
    double best_k = 0, best_l = -kInf;
    for (double k = -0.2; k <= 1.2; k += 0.005) {
      // log sigma in [log(1e-2), log(1e2)] (and above k x_max for k < 0).
      double lo = std::log(k < 0 ? -k * x.maxCoeff() * (1 + 1e-9) : 1e-2), hi = std::log(1e2);
      const double golden = (std::sqrt(5.0) - 1) / 2;
      for (int it = 0; it < 80; ++it) {
        const double a = hi - golden * (hi - lo), b = lo + golden * (hi - lo);
        if (gpd_log_likelihood(x, k, std::exp(a)) > gpd_log_likelihood(x, k, std::exp(b)))
          hi = b;
        else
          lo = a;
      }
      const double l = gpd_log_likelihood(x, k, std::exp((lo + hi) / 2));
      if (l > best_l) best_l = l, best_k = k;
    }
    const GeneralizedPareto fit = fit_generalized_pareto(x);
    INFO("true k " << k_true << ": Zhang-Stephens " << fit.k << ", brute-force MLE " << best_k);
    CHECK(std::abs(fit.k - best_k) < 0.01);
    // Its likelihood is within a fraction of a nat of the maximum.
    CHECK(gpd_log_likelihood(x, fit.k, fit.sigma) > best_l - 0.5);
  }
}

TEST_CASE("the Zhang-Stephens fit of degenerate samples", "[diagnostics][pareto]") {
  CHECK(fit_generalized_pareto(Array::Zero(10)).k == -kInf);
  Array ties(6);
  ties << 0, 0, 0, 0.5, 1.0, 2.0;  // the first quartile is 0
  CHECK(std::isfinite(fit_generalized_pareto(ties).k));
  // One and two points: the first quartile is x_(1) (rank floor(n/4 + 1/2) is 0 for n = 1).
  CHECK(std::isfinite(fit_generalized_pareto(Array::Constant(1, 3.0)).k));
  Array two(2);
  two << 1.0, 3.0;
  CHECK(std::isfinite(fit_generalized_pareto(two).k));
  CHECK_THROWS_AS(fit_generalized_pareto(Array(0)), std::invalid_argument);
  Array bad(2);
  bad << 1, -1;
  CHECK_THROWS_AS(fit_generalized_pareto(bad), std::invalid_argument);
  bad << 1, std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_AS(fit_generalized_pareto(bad), std::invalid_argument);
}

TEST_CASE("PSIS k-hat recovers the tail index of Pareto-tailed weights as large as e^5000",
          "[diagnostics][pareto]") {
  // Weights w = c u^(-k), u uniform: a Pareto tail of index k, P(w > t) =
  // (t/c)^(-1/k). Over any threshold u0 the exceedances are exactly
  // GPD(k, k u0), so the PSIS tail (949 points of 1e5) estimates k with sd
  // about (1 + k)/sqrt(949) = 0.04-0.06. c = e^5000 would overflow: this is
  // the log-space path. Over R = 16 independent replicates each k-hat is
  // within 4 sd, and their mean within 0.05 (> 3.4 sd of a mean of 16).
  const Eigen::Index m = 100000, replicates = 16;
  Random rng(7);
  for (double k : {0.2, 0.5, 0.8}) {
    const double sd = (1 + k) / std::sqrt(static_cast<double>(pareto_tail_size(m)));
    double sum_fit = 0, sum_hat = 0;
    for (Eigen::Index r = 0; r < replicates; ++r) {
      Array log_w(m);
      for (Eigen::Index i = 0; i < m; ++i) log_w(i) = 5000 - k * std::log1p(-rng.uniform());
      const ParetoKHat tail = pareto_k_hat(log_w);
      REQUIRE(tail.tail_size == 949);
      CHECK(std::abs(tail.k_fit - k) < 4 * sd);
      // The prior's pull is (0.5 - k) 10/959, at most 0.003 here.
      CHECK(tail.k_hat == Approx(pareto_k_prior_adjusted(tail.k_fit, 949)).epsilon(1e-15));
      sum_fit += tail.k_fit;
      sum_hat += tail.k_hat;
    }
    INFO("k " << k << ": mean k fit " << sum_fit / replicates << ", mean k-hat " << sum_hat / replicates);
    CHECK(std::abs(sum_fit / replicates - k) < 0.05);
    CHECK(std::abs(sum_hat / replicates - k) < 0.05);
  }
}

TEST_CASE("PSIS k-hat of lognormal weights grows with their spread", "[diagnostics][pareto]") {
  // log w ~ N(0, s^2). Every moment of a lognormal is finite, but its tail
  // at a finite threshold looks like a Pareto tail whose index grows with s
  // (roughly s / (z + s), z the threshold's normal quantile): k-hat measures
  // the tail that M samples see. A narrow spread is reliable, a wide one
  // is not (here the means are about 0.01, 0.25, 0.65 and 1.4), and k-hat
  // increases with s.
  const Eigen::Index m = 10000;
  Random rng(3);
  double previous = -kInf;
  for (double s : {0.25, 1.0, 2.0, 4.0}) {
    double sum = 0;
    for (int r = 0; r < 8; ++r) {
      Array log_w(m);
      for (Eigen::Index i = 0; i < m; ++i) log_w(i) = s * rng.normal();
      sum += pareto_k_hat(log_w).k_hat;
    }
    const double mean_k_hat = sum / 8;
    INFO("log-sd " << s << ": mean k-hat " << mean_k_hat);
    CHECK(mean_k_hat > previous + 0.05);
    if (s == 0.25) CHECK(mean_k_hat < pareto_k_threshold(m));
    if (s == 4.0) CHECK(mean_k_hat > pareto_k_threshold(m));
    previous = mean_k_hat;
  }
}

TEST_CASE("PSIS k-hat of flat, tiny and broken samples", "[diagnostics][pareto]") {
  // Equal weights: nothing to fit, the weights are bounded.
  CHECK(pareto_k_hat(Array::Constant(1000, 42.0)).k_hat == -kInf);
  // Too few samples for a tail of 5.
  CHECK(std::isnan(pareto_k_hat(Array::LinSpaced(20, 0, 1)).k_hat));
  CHECK(std::isfinite(pareto_k_hat(Array::LinSpaced(21, 0, 1)).k_hat));
  // NaN or +inf anywhere: not estimated.
  Array log_w = Array::LinSpaced(100, 0, 1);
  log_w(3) = std::numeric_limits<double>::quiet_NaN();
  CHECK(std::isnan(pareto_k_hat(log_w).k_hat));
  log_w(3) = kInf;
  CHECK(std::isnan(pareto_k_hat(log_w).k_hat));
  // Weights of 0 are weights: with u = 0, the tail is fitted as is.
  log_w = Array::LinSpaced(100, 0, 1);
  log_w.head(90).setConstant(-kInf);
  CHECK(std::isfinite(pareto_k_hat(log_w).k_hat));
  CHECK(std::isnan(pareto_k_hat(Array::Constant(100, -kInf)).k_hat));
}

// ---------------------------------------------------------------------------
// Whole fits: Gaussian targets, the base alone as q

TEST_CASE("a Gaussian target fitted exactly by the base: ESS = M, exact log Z, reliable",
          "[diagnostics][importance]") {
  const double m1 = 0.3, m2 = -0.7, s1 = 1.5, s2 = 0.6;
  Flow flow = gaussian_flow(m1, m2, s1, s2);
  Random rng(1);
  const Eigen::Index m = 10000;
  const ImportanceDiagnostics d = diagnose_fit(flow, gaussian_energy(m1, m2, s1, s2), rng, m);
  const double log_z = std::log(2 * kPi * s1 * s2);
  CHECK(d.samples == m);
  CHECK(d.ess_fraction == Approx(1.0).margin(1e-12));
  CHECK(d.ess == Approx(static_cast<double>(m)).epsilon(1e-12));
  CHECK(d.log_z_is == Approx(log_z).margin(1e-12));
  CHECK(d.log_z_is_se < 1e-12);
  CHECK(d.k_hat < d.k_hat_threshold);
  CHECK(d.k_hat == -kInf);  // a flat tail
  CHECK(d.reliable);
  CHECK(d.verdict.find("importance sampling from q is reliable") != std::string::npos);
  // log q + U = -log Z at every sample: the KL estimate is -log Z, the KL 0.
  CHECK(d.kl_estimate == Approx(-log_z).margin(1e-12));
  CHECK(d.kl_estimate_se < 1e-12);
  CHECK(std::abs(d.kl_estimate + log_z) < 1e-12);
  CHECK(std::abs(d.kl_is) < 1e-12);
}

TEST_CASE("diagnose_fit draws the stream of sample_flow, in chunks of any size", "[diagnostics][importance]") {
  // A flow with layers, against U1: the log weights are -(log q + U) of
  // sample_flow's samples from the same seed, whatever the chunk.
  Random init(4);
  Flow flow(2, "planar:4");
  flow.initialize(init);
  const EnergyFunction energy = energy_function(Potential::U1);

  Random rng_a(8), rng_b(8), rng_c(8);
  Samples z, gradient;
  Array log_q, u;
  sample_flow(flow, rng_a, 5000, z, log_q);
  energy(z, u, gradient);
  const ImportanceDiagnostics expected = diagnose_log_weights(-(log_q + u));
  for (Eigen::Index chunk : {20000, 777}) {
    Random& rng = chunk == 20000 ? rng_b : rng_c;
    const ImportanceDiagnostics d = diagnose_fit(flow, Potential::U1, rng, 5000, chunk);
    INFO("chunk " << chunk);
    CHECK(d.log_z_is == Approx(expected.log_z_is).epsilon(1e-12));
    CHECK(d.log_z_is_se == Approx(expected.log_z_is_se).epsilon(1e-10));
    CHECK(d.ess == Approx(expected.ess).epsilon(1e-10));
    CHECK(d.k_hat == Approx(expected.k_hat).epsilon(1e-8));
    CHECK(d.kl_estimate == Approx(expected.kl_estimate).epsilon(1e-12));
    CHECK(d.kl_estimate_se == Approx(expected.kl_estimate_se).epsilon(1e-10));
    CHECK(d.verdict == expected.verdict);
  }
}

TEST_CASE("the KL estimate and its standard error equal the direct formulas", "[diagnostics][importance]") {
  Array log_w(5);
  log_w << -1.0, 0.5, 2.0, -3.0, 0.25;
  const ImportanceDiagnostics d = diagnose_log_weights(log_w);
  const Array kl_terms = -log_w;  // log q + U
  CHECK(d.kl_estimate == Approx(kl_terms.mean()).epsilon(1e-15));
  CHECK(d.kl_estimate_se == Approx(sample_sd(kl_terms) / std::sqrt(5.0)).epsilon(1e-14));
  CHECK(d.kl_is == Approx(d.kl_estimate + log_mean_exp(log_w)).epsilon(1e-15));
  CHECK(d.kl_is >= 0);  // log mean exp >= mean
  // Five samples are too few for k-hat.
  CHECK(std::isnan(d.k_hat));
  CHECK_FALSE(d.reliable);
  CHECK(d.verdict.find("too few") != std::string::npos);
}

// q = N(mean, (r sd)^2 I) against p = N(mean, sd^2 I) in 2-D. With
// e = (z - mean)/(r sd), |e|^2 = 2E for E ~ Exp(1) (a chi-square of 2 degrees
// of freedom), and
//   log w = -U - log q = const + |z - mean|^2 (1/(r sd)^2 - 1/sd^2) / 2 = const + (1 - r^2) E,
// so for r < 1 the weights are exactly Pareto with tail index k = 1 - r^2,
// P(w > t) ~ t^(-1/(1 - r^2)), and for r > 1 they are bounded.
// KL(q||p) = 2 (log(1/r) + r^2/2 - 1/2).
TEST_CASE("a q too narrow for a Gaussian target is not reliable, and a slightly wide one is",
          "[diagnostics][importance]") {
  const double mean1 = 0.3, mean2 = -0.7, sd = 1.5;
  const EnergyFunction energy = gaussian_energy(mean1, mean2, sd, sd);
  const double log_z = std::log(2 * kPi * sd * sd);
  const Eigen::Index m = 100000;

  SECTION("narrow: sigma_q = 0.3 sigma_p, whose weights have k = 0.91") {
    // k-hat from the 949-point tail of M = 1e5 has sd about (1 + k)/sqrt(949)
    // = 0.06. At sigma_q = 0.5 sigma_p (k = 0.75) the threshold 0.7 is within
    // one sd, too close to call; at 0.4 (k = 0.84) within 2.3 sd, so about
    // one replicate in a hundred would pass by chance; at 0.3 it is 3.4 sd.
    const double r = 0.3, k = 1 - r * r;
    const double sd_k = (1 + k) / std::sqrt(949.0);
    Flow flow = gaussian_flow(mean1, mean2, r * sd, r * sd);
    Random rng(21);
    double sum = 0;
    const int replicates = 8;
    for (int rep = 0; rep < replicates; ++rep) {
      const ImportanceDiagnostics d = diagnose_fit(flow, energy, rng, m);
      INFO("replicate " << rep << ": k-hat " << d.k_hat << ", ESS fraction " << d.ess_fraction << ": "
                        << d.verdict);
      CHECK(d.k_hat > d.k_hat_threshold);
      CHECK_FALSE(d.reliable);
      CHECK(d.verdict.find("not reliable") != std::string::npos);
      CHECK(std::abs(d.k_hat - k) < 4 * sd_k);
      sum += d.k_hat;
    }
    CHECK(std::abs(sum / replicates - k) < 3.5 * sd_k / std::sqrt(static_cast<double>(replicates)));
  }

  SECTION("slightly wide: sigma_q = 1.2 sigma_p, bounded weights") {
    const double r = 1.2;
    Flow flow = gaussian_flow(mean1, mean2, r * sd, r * sd);
    Random rng(22);
    const ImportanceDiagnostics d = diagnose_fit(flow, energy, rng, m);
    INFO("k-hat " << d.k_hat << ", ESS fraction " << d.ess_fraction << ": " << d.verdict);
    CHECK(d.k_hat < 0.5);
    CHECK(d.reliable);
    CHECK(d.verdict.find("importance sampling from q is reliable") != std::string::npos);
    CHECK(d.verdict.find("not") == std::string::npos);
    // Per dimension E_q[w^2] / Z^2 = integral p^2/q = r^2 / sqrt(2 r^2 - 1)
    // (finite for r^2 > 1/2), so in 2-D ESS/M -> (2 r^2 - 1) / r^4 = 0.907.
    CHECK(d.ess_fraction == Approx((2 * r * r - 1) / (r * r * r * r)).epsilon(0.01));
    // The error bars hold: log Z within 4 se, the KL within 4 se.
    const double kl = 2 * (std::log(1 / r) + r * r / 2 - 0.5);
    CHECK(std::abs(d.log_z_is - log_z) < 4 * d.log_z_is_se);
    CHECK(std::abs(d.kl_estimate + log_z - kl) < 4 * d.kl_estimate_se);
  }
}

TEST_CASE("the verdict says what a k-hat means, in one line", "[diagnostics][importance]") {
  CHECK(reliability_verdict(0.83, 0.7, 10000) ==
        "k-hat 0.83 >= 0.70: the importance weights have a heavy tail (q misses mass of the target); importance "
        "sampling from q is not reliable (its log Z and expectations may be badly off)");
  CHECK(reliability_verdict(0.3, 0.7, 10000) ==
        "k-hat 0.30 < 0.70: the importance weights have a light tail; importance sampling from q is reliable (its "
        "log Z and expectations can be trusted; how close q is to p is the KL's to say)");
  CHECK(reliability_verdict(0.6, 0.7, 10000).find("variance is probably infinite") != std::string::npos);
  CHECK(reliability_verdict(0.6, 0.5, 100).find("not reliable") != std::string::npos);
  CHECK(reliability_verdict(std::numeric_limits<double>::quiet_NaN(), 0.5, 20).find("too few") != std::string::npos);
  for (const std::string& line : {reliability_verdict(0.83, 0.7, 10000), reliability_verdict(-kInf, 0.7, 10000)})
    CHECK(line.find('\n') == std::string::npos);

  // Non-finite log weights: nothing is estimated, and the verdict says why.
  Array log_w = Array::LinSpaced(1000, 0, 1);
  log_w(10) = std::numeric_limits<double>::quiet_NaN();
  const ImportanceDiagnostics d = diagnose_log_weights(log_w);
  CHECK(std::isnan(d.log_z_is));
  CHECK(std::isnan(d.ess));
  CHECK_FALSE(d.reliable);
  CHECK(d.verdict.find("not finite") != std::string::npos);
}

TEST_CASE("the IS-against-quadrature warning fires beyond 3 standard errors, and says which way",
          "[diagnostics][importance]") {
  ImportanceDiagnostics d;
  d.samples = 100000;
  d.log_z_is = 2.80;
  d.log_z_is_se = 0.002;
  d.k_hat = 0.49;
  CHECK(log_z_disagreement(d, 2.80) == 0);
  CHECK(log_z_disagreement(d, 2.805) == Approx(-2.5));
  CHECK(log_z_disagreement_warning(d, 2.805).empty());
  CHECK(log_z_disagreement_warning(d, 2.795).empty());
  const std::string below = log_z_disagreement_warning(d, 2.85);  // 25 se below
  INFO(below);
  CHECK(below.find("25.0 standard errors below") != std::string::npos);
  CHECK(below.find("misses about 4.9% of the target's mass") != std::string::npos);
  const std::string above = log_z_disagreement_warning(d, 2.75);
  CHECK(above.find("above the quadrature") != std::string::npos);
  d.log_z_is = std::numeric_limits<double>::quiet_NaN();
  CHECK(std::isnan(log_z_disagreement(d, 2.8)));
  CHECK(log_z_disagreement_warning(d, 2.8).find("cannot be compared") != std::string::npos);
}

// ---------------------------------------------------------------------------
// Trained flows: IS log Z against quadrature

// The seed study's flow and settings (planar:50, N = 1000, lr 2e-3, seed 1),
// trained 5000 steps (the seed trains U3, U4 and U8 for 10000), then
// diagnosed from 1e5 fresh samples. Measured at these settings (IS - quadrature
// in standard errors, k-hat): U1 +0.6, -0.12; U2 -1.6, 0.30; U3 -1.1, 0.14;
// U4 -0.1, 0.50; U8 +1.8, 0.29.
TEST_CASE("after training, the IS log Z of U1-U4 and U8 is within 3 standard errors of quadrature",
          "[diagnostics][training]") {
  for (Potential potential : {Potential::U1, Potential::U2, Potential::U3, Potential::U4, Potential::U8}) {
    TrainingConfig config;
    config.potential = potential;
    FlowTrainer trainer(config);
    for (int s = 0; s < 5000; ++s) trainer.step();
    Random rng(1234);
    const ImportanceDiagnostics d = diagnose_fit(trainer.flow(), potential, rng, 100000);
    const double log_z = log_partition(potential);
    INFO(potential_name(potential) << ": IS log Z " << d.log_z_is << " +- " << d.log_z_is_se << ", quadrature "
                                   << log_z << ", ESS fraction " << d.ess_fraction << ", k-hat " << d.k_hat << ": "
                                   << d.verdict);
    CHECK(std::abs(log_z_disagreement(d, log_z)) < 3);
    CHECK(log_z_disagreement_warning(d, log_z).empty());
    CHECK(d.reliable);
    CHECK(d.ess_fraction > 0.8);
    // The KL of the trained flow from the same samples is a proper KL.
    CHECK(d.kl_estimate + log_z > -3 * d.kl_estimate_se);
    CHECK(d.kl_estimate + log_z < 0.05);
  }
}

// Why the agreement above is not automatic: U4 trained at N = 500 for 4000
// steps (seed 1) ends with kl_true 0.09 and a k-hat of 0.49, which says
// "reliable", and yet its IS log Z is 26 standard errors (0.05 nats) below
// the quadrature log Z. q puts almost no mass on about 5% of p, so its 1e5
// samples never visit that part: the weights there are not heavy-tailed, they are simply never
// drawn, and no diagnostic computed from q's samples alone can see that. Only
// the comparison with an independent log Z does: hence the warning.
TEST_CASE("a U4 fit that misses mass: k-hat cannot see it, the quadrature comparison can",
          "[diagnostics][training]") {
  TrainingConfig config;
  config.potential = Potential::U4;
  config.samples = 500;
  FlowTrainer trainer(config);
  for (int s = 0; s < 4000; ++s) trainer.step();
  Random rng(1234);
  const ImportanceDiagnostics d = diagnose_fit(trainer.flow(), Potential::U4, rng, 100000);
  const double log_z = log_partition(Potential::U4);
  const std::string warning = log_z_disagreement_warning(d, log_z);
  INFO("IS log Z " << d.log_z_is << " +- " << d.log_z_is_se << ", quadrature " << log_z << ", k-hat " << d.k_hat
                   << ": " << warning);
  CHECK(log_z_disagreement(d, log_z) < -10);
  CHECK(warning.find("standard errors below the quadrature log Z") != std::string::npos);
  CHECK(log_z - d.log_z_is > 0.02);
}
