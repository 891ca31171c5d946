// The path-derivative gradient ("sticking the landing", Roeder, Wu & Duvenaud
// 2017; vi/reverse_kl.hpp) and what it is built on:
//  - d log q / dz of a flow of every kind, against central differences of
//    the exact density (log_density, through the inverses), in 2, 3 and 5-D;
//  - the whole estimator against central differences of the function it is
//    the gradient of, log q with the parameters frozen at the sampling path's end;
//  - its mean over many draws against the standard gradient's (the score term
//    it drops has mean zero);
//  - at an exact optimum (a Gaussian target that q matches), zero for every
//    draw, while the standard gradient is not.
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>

#include "flows/flow.hpp"
#include "flows/layers/planar_layer.hpp"
#include "gradient_check.hpp"
#include "math/scalar_math.hpp"
#include "random_matrix.hpp"
#include "vi/flow_trainer.hpp"
#include "vi/reverse_kl.hpp"

using namespace nfvi;
using namespace nfvi::testing;

namespace {

Flow perturbed_flow(int dim, const std::string& spec, std::uint64_t seed, double spread) {
  Flow flow(dim, spec);
  Random rng(seed);
  flow.initialize(rng);
  for (Eigen::Index i = 0; i < flow.parameter_count(); ++i) flow.parameters()(i) += spread * rng.normal();
  return flow;
}

Vector flat(const Samples& m) { return Eigen::Map<const Vector>(m.data(), m.size()); }

const char* const kMixedFlows[] = {"planar:3", "radial:3", "affine:2:hidden=6", "spline:2:hidden=6",
                                   "spline:1:hidden=6:bins=5,radial:2,planar:2,affine:1:hidden=5"};

// U = |z - m|^2 / 2 s^2 coordinate by coordinate: N(m, diag s^2), log Z = sum log(s sqrt(2 pi)).
EnergyFunction gaussian_energy(const Vector& m, const Vector& s) {
  return [m, s](SamplesConstRef z, Array& energy, Samples& gradient) {
    const Samples scaled = (z.colwise() - m).array().colwise() / s.array();
    energy = 0.5 * scaled.colwise().squaredNorm().transpose().array();
    gradient = scaled.array().colwise() / s.array();
  };
}

}  // namespace

TEST_CASE("path derivative: d log q / dz of mixed flows against central differences of the exact density",
          "[flow][gradient][stl]") {
  for (int dim : {2, 3, 5}) {
    for (const char* spec : kMixedFlows) {
      INFO(spec << " in " << dim << "-D");
      Flow flow = perturbed_flow(dim, spec, 61, 0.2);
      Random rng(62);
      // Points the flow sampled, and points anywhere.
      Samples eps(dim, 4);
      rng.fill_normal(eps);
      flow.forward(eps);
      Samples z(dim, 8);
      z.leftCols(4) = flow.output();
      z.rightCols(4) = random_matrix(rng, dim, 4, 2.0);

      Array log_q;
      Samples gradient;
      flow.log_density_gradient(z, log_q, gradient);
      const auto total_log_q = [&](const Vector& v) {
        Array lq;
        flow.log_density(Eigen::Map<const Samples>(v.data(), dim, 8), lq);
        return lq.sum();
      };
      const double error = worst_error_two_steps(total_log_q, flat(z), flat(gradient));
      INFO("worst relative error " << error);
      CHECK(error < 1e-6);

      // At the flow's own samples, from the forward's state, without the inverse.
      flow.forward(eps);
      Samples at_samples;
      flow.log_q_gradient(at_samples);
      CHECK((at_samples - gradient.leftCols(4)).cwiseAbs().maxCoeff() <
            1e-8 * std::max(1.0, gradient.cwiseAbs().maxCoeff()));
    }
  }
}

TEST_CASE("path derivative: the gradient of log q with frozen parameters at the end of the sampling path, plus U "
          "(central differences)",
          "[flow][gradient][stl]") {
  for (const char* spec : kMixedFlows) {
    for (const double beta : {1.0, 0.3}) {
      INFO(spec << ", beta " << beta);
      const Flow frozen = perturbed_flow(2, spec, 71, 0.2);
      Random rng(72);
      Samples eps(2, 6);
      rng.fill_normal(eps);
      Flow flow = frozen;
      ReverseKL objective(Potential::U3);
      Vector analytic;
      objective.evaluate(flow, eps, &analytic, beta, GradientEstimator::PathDerivative);
      const auto stl_objective = [&](const Vector& theta) {
        Flow moving = frozen, fixed = frozen;
        moving.parameters() = theta;
        moving.forward(eps);
        Array log_q, energy;
        Samples energy_gradient;
        fixed.log_density(moving.output(), log_q);
        evaluate_energy(Potential::U3, moving.output(), energy, energy_gradient);
        return (log_q + beta * energy).mean();
      };
      const double error = worst_error_two_steps(stl_objective, frozen.parameters(), analytic);
      INFO(analytic.size() << " parameters; worst relative error " << error);
      CHECK(error < 1e-6);
    }
  }
}

TEST_CASE("path derivative: over many draws at fixed parameters its mean is the standard gradient's, within 4 "
          "standard errors",
          "[flow][gradient][stl]") {
  for (const char* spec : {"planar:4", "spline:1:hidden=6:bins=5,radial:2,planar:2,affine:1:hidden=5"}) {
    INFO(spec);
    Flow flow = perturbed_flow(2, spec, 81, 0.2);
    Random rng(82);
    ReverseKL objective(Potential::U1);
    const int draws = 4000;
    const Eigen::Index p = flow.parameter_count();
    // Each draw: one sample, both estimators on the same eps. Their
    // difference is the score term, whose mean is zero.
    Vector sum_standard = Vector::Zero(p), sum_stl = Vector::Zero(p), sum_diff = Vector::Zero(p),
           sum_diff_sq = Vector::Zero(p), sum_standard_sq = Vector::Zero(p), sum_stl_sq = Vector::Zero(p);
    Samples eps(2, 1);
    Vector standard, stl;
    for (int r = 0; r < draws; ++r) {
      rng.fill_normal(eps);
      objective.evaluate(flow, eps, &standard);
      objective.evaluate(flow, eps, &stl, 1.0, GradientEstimator::PathDerivative);
      const Vector diff = standard - stl;
      sum_standard += standard;
      sum_stl += stl;
      sum_diff += diff;
      sum_diff_sq += diff.cwiseAbs2();
      sum_standard_sq += standard.cwiseAbs2();
      sum_stl_sq += stl.cwiseAbs2();
    }
    const auto standard_error = [&](const Vector& sum, const Vector& sum_sq) {
      const Vector mean = sum / draws;
      return Vector(((sum_sq / draws - mean.cwiseAbs2()) * draws / (draws - 1.0)).cwiseSqrt() / std::sqrt(draws));
    };
    // Paired (the same draws): mean of the difference within 4 of its standard errors.
    const Vector se_diff = standard_error(sum_diff, sum_diff_sq);
    const Vector mean_diff = sum_diff / draws;
    double worst = 0;
    for (Eigen::Index i = 0; i < p; ++i) worst = std::max(worst, std::abs(mean_diff(i)) / se_diff(i));
    INFO(p << " parameters; largest |mean difference| / standard error " << worst);
    CHECK(worst < 4);
    // Unpaired: the two means within 4 standard errors of their difference.
    const Vector se_unpaired =
        (standard_error(sum_standard, sum_standard_sq).cwiseAbs2() + standard_error(sum_stl, sum_stl_sq).cwiseAbs2())
            .cwiseSqrt();
    double worst_unpaired = 0;
    for (Eigen::Index i = 0; i < p; ++i)
      worst_unpaired = std::max(worst_unpaired, std::abs(sum_standard(i) - sum_stl(i)) / draws / se_unpaired(i));
    INFO("unpaired: " << worst_unpaired);
    CHECK(worst_unpaired < 4);
    // The score term is not zero draw by draw: the test compares two different estimators.
    CHECK(se_diff.maxCoeff() > 1e-3);
  }
}

TEST_CASE("path derivative: at an exact optimum it is zero for every draw, the standard gradient is not",
          "[flow][gradient][stl]") {
  for (int dim : {2, 3}) {
    INFO(dim << "-D");
    Vector m(dim), s(dim);
    for (int d = 0; d < dim; ++d) {
      m(d) = 0.5 - 0.7 * d;
      s(d) = 0.6 + 0.4 * d;
    }
    // The layers at the identity: the coupling layers start there; a radial
    // layer with beta' = alpha' has beta = 0; a planar layer with
    // u = s* w / |w|^2, s* = softplus^-1(1) - 0.5413, has u_hat = m(s*) w / |w|^2 = 0
    // (to round-off). The base matches the target.
    for (const std::string& spec : {std::string(""), std::string("planar:2,radial:1,affine:1,spline:1")}) {
      INFO("layers: " << (spec.empty() ? "none" : spec));
      Flow flow = spec.empty() ? Flow(dim, std::vector<std::unique_ptr<FlowLayer>>{}) : Flow(dim, spec);
      Random rng(91);
      flow.initialize(rng);
      for (int k = 0; k < flow.layers(); ++k) {
        auto p = flow.parameters().segment(flow.layer_offset(k), flow.layer(k).parameter_count());
        if (flow.layer(k).spec() == "planar") {
          const Vector w = p.head(dim);
          p.segment(dim, dim) = (softplus_inverse(1.0) - kPlanarShift) / w.squaredNorm() * w;
        } else if (flow.layer(k).spec() == "radial") {
          p(dim + 1) = p(dim);
        }
      }
      flow.parameters().segment(Flow::mu_offset(), dim) = m;
      for (int d = 0; d < dim; ++d) flow.parameters()(flow.rho_offset() + d) = softplus_inverse(s(d));

      ReverseKL objective(gaussian_energy(m, s));
      Samples eps(dim, 10);
      Vector standard, stl;
      double smallest_standard = INFINITY, largest_stl = 0;
      for (int r = 0; r < 20; ++r) {
        rng.fill_normal(eps);
        const double loss = objective.evaluate(flow, eps, &standard);
        // log q + U = -log Z for every sample: the estimate itself has no variance here.
        CHECK(loss == Approx(-(s.array() * std::sqrt(2 * kPi)).log().sum()).epsilon(1e-12));
        objective.evaluate(flow, eps, &stl, 1.0, GradientEstimator::PathDerivative);
        smallest_standard = std::min(smallest_standard, standard.norm());
        largest_stl = std::max(largest_stl, stl.cwiseAbs().maxCoeff());
      }
      INFO("largest |STL component| " << largest_stl << ", smallest |standard gradient| " << smallest_standard);
      CHECK(largest_stl < 1e-12);
      CHECK(smallest_standard > 1e-2);
    }
  }
}

TEST_CASE("path derivative: training with it is deterministic and differs from the standard run, names",
          "[training][stl]") {
  TrainingConfig config;
  config.flow = "spline:1:hidden=8,planar:4";
  config.samples = 100;
  config.gradient = GradientEstimator::PathDerivative;
  const auto run = [](const TrainingConfig& c) {
    FlowTrainer trainer(c);
    for (int i = 0; i < 20; ++i) trainer.step();
    return trainer.kl_history();
  };
  const auto a = run(config);
  CHECK(a == run(config));
  config.gradient = GradientEstimator::Standard;
  const auto b = run(config);
  CHECK(a.front() == b.front());  // the same initial flow and first batch
  CHECK(a.back() != b.back());

  CHECK(gradient_estimator_name(GradientEstimator::Standard) == "standard");
  CHECK(gradient_estimator_name(GradientEstimator::PathDerivative) == "stl");
  CHECK(gradient_estimator_from_name("stl") == GradientEstimator::PathDerivative);
  CHECK(gradient_estimator_from_name("standard") == GradientEstimator::Standard);
  CHECK(!gradient_estimator_from_name("STL").has_value());
  CHECK(TrainingConfig{}.gradient == GradientEstimator::Standard);
}
