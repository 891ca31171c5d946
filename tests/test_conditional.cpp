// Conditional VI: the rotated ring's gradient, the conditional flow and the
// whole batched objective against central differences, and the trainer.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "flows/conditional_flow.hpp"
#include "vi/conditional_reverse_kl.hpp"
#include "vi/conditional_trainer.hpp"
#include "vi/diagnostics.hpp"
#include "vi/pareto_k_hat.hpp"
#include "targets/energies.hpp"
#include "gradient_check.hpp"
#include "math/random.hpp"

using namespace nfvi;
using namespace nfvi::testing;

namespace {

// A small conditional flow (1 -> 6 -> 5 -> P, K = 3) with random weights
// and biases, so that every weight matters.
ConditionalFlow small_flow(std::uint64_t seed) {
  ConditionalFlow flow(2, 3, {6, 5});
  Random rng(seed);
  flow.initialize(rng, MlpInit::TorchLinear);
  for (auto& v : flow.parameters()) v += 0.3 * rng.normal();
  return flow;
}

}  // namespace

TEST_CASE("rotated ring: gradient matches central differences at random angles", "[conditional][energies][gradient]") {
  Random rng(201);
  int checked = 0;
  while (checked < 300) {
    const double z1 = 7 * (2 * rng.uniform() - 1);
    const double z2 = 7 * (2 * rng.uniform() - 1);
    const double angle = 8 * (2 * rng.uniform() - 1);  // also outside [-pi, pi]
    if (std::hypot(z1, z2) < 0.05) continue;           // |z| has no derivative at 0
    ++checked;
    Vector z(2);
    z << z1, z2;
    const EnergyAtPoint e = rotated_ring_energy_at(z1, z2, angle);
    Vector analytic(2);
    analytic << e.d_z1, e.d_z2;
    const Vector numeric = central_difference_gradient(
        [&](const Vector& p) { return rotated_ring_energy_at(p(0), p(1), angle).value; }, z);
    INFO("angle " << angle << " at (" << z1 << ", " << z2 << ")");
    REQUIRE(max_relative_error(analytic, numeric) < 1e-6);
  }
}

TEST_CASE("rotated ring: the batched energy agrees with the pointwise one, floor and no floor",
          "[conditional][energies]") {
  Random rng(202);
  Samples z(2, 400);
  rng.fill_normal(z);
  z *= 4;
  z(0, 0) = 0;  // the origin, where the gradient is taken as the bumps' part only
  z(1, 0) = 0;
  for (double floor : {kRotatedRingFloor, 0.0, 1e-5}) {
    for (double angle : {-kPi, -1.0, 0.0, 0.3, 2.5, 7.0}) {
      Array energy;
      Samples gradient;
      evaluate_ring_energy(z, angle, 2.0, floor, energy, gradient);
      for (Eigen::Index n = 0; n < z.cols(); ++n) {
        const EnergyAtPoint e = ring_energy_at(z(0, n), z(1, n), angle, 2.0, floor);
        INFO("floor " << floor << " angle " << angle << " sample " << n);
        // A gradient coordinate is a difference of O(1) terms (radial and bumps), so
        // round-off is ~1e-16 absolute even where it is ~0 (e.g. at the origin): floor 1e-6.
        REQUIRE(relative_error(energy(n), e.value, 1e-9) < 1e-12);
        REQUIRE(relative_error(gradient(0, n), e.d_z1, 1e-6) < 1e-9);
        REQUIRE(relative_error(gradient(1, n), e.d_z2, 1e-6) < 1e-9);
      }
    }
  }
  // The family uses floor 1e-6 and distance 2, and U1 is its member at angle 0 without the floor.
  CHECK(rotated_ring_energy_at(0.7, -1.1, 0.4).value == ring_energy_at(0.7, -1.1, 0.4, 2.0, 1e-6).value);
  // At angle 0 the two bumps' sum is U1's plus 1e-6: exp(radial - U) = exp(radial - U1) + 1e-6.
  const double radial = 0.5 * std::pow((std::hypot(1.5, 0.2) - 2) / 0.4, 2);
  CHECK(std::exp(radial - rotated_ring_energy_at(1.5, 0.2, 0.0).value) ==
        Approx(std::exp(radial - energy_at(Potential::U1, 1.5, 0.2).value) + 1e-6).epsilon(1e-12));
}

TEST_CASE("rotated ring: rotation leaves log Z unchanged and the density rotates", "[conditional][energies]") {
  const double log_z0 = log_partition([](double a, double b) { return rotated_ring_energy_at(a, b, 0.0).value; });
  const double log_z1 = log_partition([](double a, double b) { return rotated_ring_energy_at(a, b, 1.1).value; });
  CHECK(log_z1 == Approx(log_z0).epsilon(1e-6));
  // U(R z | x) = U(z | 0) with R the rotation that maps x' back: z = R_x^T y.
  const double x = 0.9, c = std::cos(x), s = std::sin(x);
  const double y1 = 1.3, y2 = -0.4;
  CHECK(rotated_ring_energy_at(c * y1 + s * y2, -s * y1 + c * y2, x).value ==
        Approx(rotated_ring_energy_at(y1, y2, 0.0).value).epsilon(1e-12));
}

TEST_CASE("conditional flow: each condition's samples go through the flow of that condition", "[conditional]") {
  ConditionalFlow flow = small_flow(203);
  Vector conditions(3);
  conditions << -2.0, 0.5, 3.0;
  Random rng(204);
  Samples eps(2, 3 * 4);
  rng.fill_normal(eps);
  flow.forward(conditions, eps);
  REQUIRE(flow.samples_per_condition() == 4);
  REQUIRE(flow.flow_parameters().rows() == Flow(2, planar_layers(2, 3)).parameter_count());
  for (int b = 0; b < 3; ++b) {
    Flow single = flow.flow_for(conditions(b));
    CHECK((single.parameters() - flow.flow_parameters().col(b)).norm() < 1e-13);
    single.forward(eps.middleCols(b * 4, 4));
    CHECK((single.output() - flow.output().middleCols(b * 4, 4)).norm() < 1e-13);
    CHECK((single.log_q() - flow.log_q().segment(b * 4, 4)).matrix().norm() < 1e-13);
  }
  CHECK_THROWS_AS(flow.forward(conditions, Samples::Zero(2, 10)), std::invalid_argument);
}

TEST_CASE("conditional objective: gradient with respect to every network weight", "[conditional][gradient]") {
  ConditionalFlow flow = small_flow(205);
  Vector conditions(3);
  conditions << -2.4, 0.7, 2.9;
  Random rng(206);
  Samples eps(2, 3 * 5);
  rng.fill_normal(eps);

  ConditionalReverseKL objective(rotated_ring_family());
  Vector analytic;
  const double loss = objective.evaluate(flow, conditions, eps, &analytic);
  CHECK(analytic.size() == flow.parameters().size());
  CHECK(loss == Approx(objective.condition_losses().mean()).epsilon(1e-12));

  const Vector theta = flow.parameters();
  const auto f = [&](const Vector& t) {
    ConditionalFlow copy = flow;
    copy.parameters() = t;
    ConditionalReverseKL o(rotated_ring_family());
    return o.evaluate(copy, conditions, eps, nullptr);
  };
  // Fourth-order stencil; h = 1e-4 balances truncation (the MLP, flows and
  // energy compose to large higher derivatives: h = 1e-3 gives ~1e-6) against round-off.
  const Vector numeric = central_difference_gradient_4th(f, theta, 1e-4);
  INFO(theta.size() << " weights; worst relative error " << max_relative_error(analytic, numeric));
  CHECK(max_relative_error(analytic, numeric) < 1e-7);
  // Not trivially passing: the gradient is far from zero.
  CHECK(analytic.norm() > 1e-2);
}

TEST_CASE("conditional objective: one condition equals the unconditional objective of its flow", "[conditional]") {
  ConditionalFlow flow = small_flow(207);
  Vector conditions = Vector::Constant(1, 1.3);
  Random rng(208);
  Samples eps(2, 50);
  rng.fill_normal(eps);
  ConditionalReverseKL objective(rotated_ring_family());
  Vector gradient;
  const double conditional_loss = objective.evaluate(flow, conditions, eps, &gradient);

  Flow single = flow.flow_for(1.3);
  ReverseKL plain(rotated_ring_energy(1.3));
  Vector flow_gradient;
  const double plain_loss = plain.evaluate(single, eps, &flow_gradient);
  CHECK(conditional_loss == Approx(plain_loss).epsilon(1e-12));
  // Chain rule through the last (linear) layer: its bias gradient is the flow's gradient.
  const Mlp& net = flow.network();
  const Eigen::Index last = net.layer_count() - 1;
  const Eigen::Index bias_offset =
      net.parameter_offset(static_cast<int>(last)) + Eigen::Index{net.sizes()[last + 1]} * net.sizes()[last];
  CHECK((gradient.segment(bias_offset, flow_gradient.size()) - flow_gradient).norm() <
        1e-12 * flow_gradient.norm() + 1e-14);
}

TEST_CASE("conditional trainer: same seed same losses, phases switch, bad settings rejected",
          "[conditional][training]") {
  ConditionalConfig config;
  config.layers = 4;
  config.hidden = 16;
  config.angles_per_step = 4;
  config.phase1_steps = 3;
  config.phase1_samples = 10;
  config.phase2_samples = 20;
  config.phase1_lr = 1e-3;
  config.phase2_lr = 1e-3;
  ConditionalTrainer a(config), b(config);
  for (int s = 0; s < 6; ++s) {
    CHECK(a.phase() == (s < 3 ? 1 : 2));
    CHECK(a.step() == b.step());
  }
  CHECK(a.steps_taken() == 6);
  config.seed = 2;
  ConditionalTrainer c(config);
  CHECK(c.step() != a.kl_history()[0]);

  CHECK(a.is_extrapolation(3.5));
  CHECK(a.is_extrapolation(-3.2));
  CHECK_FALSE(a.is_extrapolation(kPi));
  CHECK_FALSE(a.is_extrapolation(0.0));
  CHECK(std::isfinite(a.kl_true(5.0, 1000)));  // extrapolation is allowed

  const auto angles = ConditionalTrainer::evaluation_angles(26);
  REQUIRE(angles.size() == 26);
  CHECK(angles.front() == -kPi);
  CHECK(angles.back() == kPi);

  for (auto bad : {&ConditionalConfig::layers, &ConditionalConfig::hidden, &ConditionalConfig::angles_per_step,
                   &ConditionalConfig::phase1_samples, &ConditionalConfig::phase2_samples}) {
    ConditionalConfig broken = config;
    broken.*bad = 0;
    CHECK_THROWS_AS(ConditionalTrainer(broken), std::invalid_argument);
  }
  for (double lr : {0.0, -1.0, std::nan(""), static_cast<double>(INFINITY)}) {
    ConditionalConfig broken = config;
    broken.phase2_lr = lr;
    CHECK_THROWS_AS(ConditionalTrainer(broken), std::invalid_argument);
  }
  ConditionalConfig empty_range = config;
  empty_range.angle_max = empty_range.angle_min;
  CHECK_THROWS_AS(ConditionalTrainer(empty_range), std::invalid_argument);
}

TEST_CASE("conditional trainer: uniform and stratified angles cover the range as stated", "[conditional][training]") {
  ConditionalConfig config;
  config.layers = 2;
  config.hidden = 8;
  config.angles_per_step = 16;
  config.phase1_samples = 4;
  config.angle_min = -1.0;
  config.angle_max = 3.0;
  const double width = (config.angle_max - config.angle_min) / config.angles_per_step;

  config.angle_sampling = AngleSampling::Stratified;
  ConditionalTrainer stratified(config);
  for (int step = 0; step < 20; ++step) {
    stratified.step();
    const Vector& angles = stratified.last_angles();
    REQUIRE(angles.size() == config.angles_per_step);
    for (int b = 0; b < config.angles_per_step; ++b) {  // one angle in each bin, in order
      CHECK(angles(b) >= config.angle_min + b * width);
      CHECK(angles(b) < config.angle_min + (b + 1) * width);
    }
  }

  // Uniform: independent angles inside the range; over 20 steps some bin gets
  // two angles in one step (the chance that none does is below 1e-100).
  config.angle_sampling = AngleSampling::Uniform;
  ConditionalTrainer uniform(config);
  bool some_bin_doubled = false;
  for (int step = 0; step < 20; ++step) {
    uniform.step();
    std::vector<int> per_bin(static_cast<size_t>(config.angles_per_step), 0);
    for (double a : uniform.last_angles()) {
      CHECK(a >= config.angle_min);
      CHECK(a < config.angle_max);
      some_bin_doubled |= ++per_bin[static_cast<size_t>((a - config.angle_min) / width)] > 1;
    }
  }
  CHECK(some_bin_doubled);
}

TEST_CASE("conditional trainer: a short run lowers the loss and kl_true is close to the estimate",
          "[conditional][training]") {
  ConditionalConfig config;
  config.layers = 8;
  config.hidden = 64;
  config.angles_per_step = 8;
  config.phase1_steps = 400;
  config.phase1_samples = 50;
  config.phase1_lr = 1e-3;
  ConditionalTrainer trainer(config);
  for (int s = 0; s < 400; ++s) trainer.step();
  const auto& h = trainer.kl_history();
  double first = 0, last = 0;
  for (int i = 0; i < 20; ++i) first += h[static_cast<size_t>(i)] / 20;
  last = trainer.recent_kl_estimate(50);
  INFO("first 20 steps " << first << ", last 50 steps " << last << ", log Z " << trainer.log_z());
  CHECK(last < first - 0.5);
  // A KL is never negative: with 4e4 fresh samples the error is ~ 1e-2 nats.
  for (double angle : {-2.0, 0.4, 2.9}) {
    const double kl = trainer.kl_true(angle, 40000);
    INFO("angle " << angle << " kl_true " << kl);
    CHECK(kl > -0.02);
    CHECK(kl < 2.0);
    // The diagnostics come from the very samples behind kl_true.
    const ImportanceDiagnostics d = trainer.diagnose(angle, 40000);
    CHECK(true_kl(d.kl_estimate, trainer.log_z()) == kl);
    CHECK(d.samples == 40000);
    CHECK(d.ess_fraction > 0);
    CHECK(d.ess_fraction <= 1);
    CHECK(std::isfinite(d.k_hat));
    CHECK(d.k_hat_threshold == Approx(pareto_k_threshold(40000)));
    // kl_estimate + IS log Z >= 0 on any sample (Jensen: log mean exp >= mean).
    CHECK(d.kl_is >= 0);
  }
}

TEST_CASE("conditional trainer: divergence is reported with its step and the last good weights are kept",
          "[conditional][training]") {
  ConditionalConfig config;
  config.layers = 4;
  config.hidden = 16;
  config.angles_per_step = 4;
  config.phase1_samples = 10;
  config.phase1_lr = 1e300;
  ConditionalTrainer trainer(config);
  long long failed_step = 0;
  Vector before;
  try {
    for (int s = 0; s < 10; ++s) {
      before = trainer.flow().parameters();
      trainer.step();
    }
  } catch (const TrainingDiverged& e) {
    failed_step = e.step();
  }
  REQUIRE(failed_step > 0);
  CHECK(trainer.steps_taken() == failed_step - 1);
  CHECK(trainer.flow().parameters() == before);
}
