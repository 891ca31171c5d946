// A flow of any layers: the whole objective's gradient, the density by the
// inverse against the density of the flow's own samples, and the exact
// density after training against quadrature and a histogram.
#include <catch2/catch.hpp>
#include <cmath>

#include "flows/flow.hpp"
#include "gradient_check.hpp"
#include "random_matrix.hpp"
#include "vi/diagnostics.hpp"
#include "vi/flow_trainer.hpp"
#include "vi/reverse_kl.hpp"

using namespace nfvi;
using namespace nfvi::testing;

namespace {

Flow perturbed_flow(const std::string& spec, std::uint64_t seed, double spread) {
  Flow flow(2, spec);
  Random rng(seed);
  flow.initialize(rng);
  for (Eigen::Index i = 0; i < flow.parameter_count(); ++i) flow.parameters()(i) += spread * rng.normal();
  return flow;
}

}  // namespace

TEST_CASE("flow: the reverse-KL gradient of a mixed flow, every parameter (central differences)", "[flow][gradient]") {
  for (const std::string name : {"U1", "U3"}) {
    const Potential potential = *potential_from_name(name);
    Flow flow = perturbed_flow("spline:1:hidden=6,radial:2,planar:2,affine:1:hidden=5", 5, 0.2);
    Random rng(6);
    Samples eps(2, 12);
    rng.fill_normal(eps);
    ReverseKL objective(potential);
    Vector analytic;
    objective.evaluate(flow, eps, &analytic);
    const auto loss = [&](const Vector& t) {
      Flow f = flow;
      f.parameters() = t;
      ReverseKL o(potential);
      return o.evaluate(f, eps, nullptr);
    };
    const Vector numeric = central_difference_gradient_4th(loss, flow.parameters(), 1e-4);
    INFO(name << ": " << numeric.size() << " parameters; worst relative error " << max_relative_error(analytic, numeric));
    CHECK(max_relative_error(analytic, numeric) < 1e-6);
  }
}

TEST_CASE("flow: log q by the inverse equals log q of the flow's own samples, for every family", "[flow][inverse]") {
  for (const std::string spec : {"planar:20", "radial:10", "affine:6", "spline:4", "spline:2,radial:3,planar:5"}) {
    INFO(spec);
    Flow flow = perturbed_flow(spec, 7, 0.1);
    Random rng(8);
    Samples eps(2, 300);
    rng.fill_normal(eps);
    flow.forward(eps);
    const Samples z = flow.output();
    const Array log_q = flow.log_q();
    const Samples z0 = flow.samples_after_layer(0);
    Array by_inverse;
    Samples base;
    flow.log_density(z, by_inverse, &base);
    CHECK((by_inverse - log_q).abs().maxCoeff() < 1e-9);
    CHECK((base - z0).cwiseAbs().maxCoeff() < 1e-9);
  }
}

TEST_CASE("flow: after a short training, the exact density of every family integrates to 1 and matches a histogram",
          "[flow][density][training]") {
  for (const std::string spec : {"planar:10", "radial:10", "affine:4", "spline:2"}) {
    INFO(spec);
    TrainingConfig config;
    config.flow = spec;
    config.samples = 500;
    config.learning_rate = 5e-3;
    FlowTrainer trainer(config);
    for (int s = 0; s < 300; ++s) trainer.step();
    Flow& flow = trainer.flow();
    // The rectangle rule over [-10, 10]^2 at 400^2 points.
    const int bins = 400;
    const double lo = -10, hi = 10, cell = (hi - lo) / bins;
    const std::vector<double> log_q = log_density_grid(flow, lo, hi, bins);
    double mass = 0;
    for (double v : log_q) mass += std::exp(v) * cell * cell;
    INFO("mass " << mass);
    CHECK(std::abs(mass - 1) < 1e-3);

    // Total variation between the exact density and a 10^6-sample histogram on the figures' grid.
    const View view;
    const int fig_bins = 100;
    std::vector<double> exact = log_density_grid(flow, view.lo, view.hi, fig_bins);
    for (double& v : exact) v = std::exp(v);
    Random rng(9);
    Samples z;
    Array log_q_samples;
    sample_flow(flow, rng, 1000000, z, log_q_samples);
    const std::vector<double> histogram = histogram_density(z, view, fig_bins);
    const double area = std::pow((view.hi - view.lo) / fig_bins, 2);
    double tv = 0;
    for (size_t i = 0; i < exact.size(); ++i) tv += 0.5 * std::abs(exact[i] - histogram[i]) * area;
    INFO("total variation " << tv);
    CHECK(tv < 0.05);
  }
}

TEST_CASE("flow: the beta-annealed objective's gradient (central differences), beta = 1 is the plain one exactly",
          "[flow][gradient][anneal]") {
  Flow flow = perturbed_flow("spline:1:hidden=6,planar:3", 15, 0.2);
  Random rng(16);
  Samples eps(2, 10);
  rng.fill_normal(eps);
  ReverseKL objective(Potential::U2);
  Vector plain, beta_one;
  const double l_plain = objective.evaluate(flow, eps, &plain);
  const double l_one = objective.evaluate(flow, eps, &beta_one, 1.0);
  CHECK(l_plain == l_one);
  CHECK(plain == beta_one);

  const double beta = 0.3;
  Vector analytic;
  const double value = objective.evaluate(flow, eps, &analytic, beta);
  CHECK(value == l_plain);  // the value reported is always the plain estimate
  const auto annealed = [&](const Vector& t) {
    Flow f = flow;
    f.parameters() = t;
    f.forward(eps);
    Array energy;
    Samples gradient;
    evaluate_energy(Potential::U2, f.output(), energy, gradient);
    return (f.log_q() + beta * energy).mean();
  };
  const Vector numeric = central_difference_gradient_4th(annealed, flow.parameters(), 1e-4);
  INFO("worst relative error " << max_relative_error(analytic, numeric));
  CHECK(max_relative_error(analytic, numeric) < 1e-6);

  TrainingConfig config;
  config.anneal_steps = 100;
  CHECK(anneal_beta_at(config, 1) == Approx(0.02));
  CHECK(anneal_beta_at(config, 50) == Approx(0.51));
  CHECK(anneal_beta_at(config, 99) == 1.0);
  config.anneal_steps = 0;
  CHECK(anneal_beta_at(config, 1) == 1.0);
}
