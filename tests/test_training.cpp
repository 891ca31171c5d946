#include <catch2/catch.hpp>
#include <cmath>

#include "vi/diagnostics.hpp"
#include "math/scalar_math.hpp"
#include "vi/flow_trainer.hpp"
#include "targets/expression.hpp"
#include "targets/target.hpp"

using namespace nfvi;

namespace {

std::vector<double> run(const TrainingConfig& config, int steps) {
  FlowTrainer trainer(config);
  for (int s = 0; s < steps; ++s) trainer.step();
  return trainer.kl_history();
}

}  // namespace

TEST_CASE("training: a short U1 run reaches kl_true below 0.1 nats", "[training]") {
  TrainingConfig config;  // U1, K = 50, N = 1000, lr 2e-3, seed 1
  FlowTrainer trainer(config);
  for (int s = 0; s < 1500; ++s) trainer.step();
  const double kl_true = true_kl(trainer.recent_kl_estimate(100), log_partition(Potential::U1));
  INFO("kl_true after 1500 steps: " << kl_true);
  CHECK(kl_true < 0.1);

  // From 2e5 fresh samples the estimate's standard error is ~1e-3 nats, and a
  // true KL cannot be negative: this checks log q and log Z against each other.
  Random rng(77);
  const double kl_fresh =
      true_kl(estimate_reverse_kl(trainer.flow(), Potential::U1, rng, 200000), log_partition(Potential::U1));
  INFO("kl_true from 2e5 fresh samples: " << kl_fresh);
  CHECK(kl_fresh > -0.005);
  CHECK(kl_fresh < 0.1);
}

TEST_CASE("training: two runs with the same seed are identical, another seed differs", "[training]") {
  TrainingConfig config;
  config.flow = "planar:10";
  config.samples = 200;
  const auto a = run(config, 50);
  const auto b = run(config, 50);
  CHECK(a == b);
  config.seed = 2;
  CHECK(run(config, 50) != a);
}

TEST_CASE("training: the first 10 KL estimates of a fixed-seed U1 run are pinned", "[training]") {
  // From a trusted run (gradients checked by the finite-difference tests):
  // U1, K = 50, N = 1000, lr 2e-3, seed 1.
  const std::vector<double> pinned = {2.9131576706760143, 2.6632546135449373, 2.4230716848316152, 2.1929418065106647,
                                      1.9755711646358542, 1.9333485736292453, 1.782412160117943,  1.4849016716610766,
                                      1.1189769243831731, 1.3834674927368749};
  const auto history = run(TrainingConfig{}, 10);
  REQUIRE(history.size() == pinned.size());
  for (size_t i = 0; i < pinned.size(); ++i) {
    INFO("step " << i + 1);
    CHECK(history[i] == Approx(pinned[i]).epsilon(1e-10));
  }
}

TEST_CASE("training: divergence is reported with its step and the last good parameters are kept", "[training]") {
  TrainingConfig config;
  config.learning_rate = 1e300;  // steps of ~1e300 overflow |w|^2 on the next step
  FlowTrainer trainer(config);
  long long failed_step = 0;
  Vector before;
  try {
    for (int s = 0; s < 10; ++s) {
      before = trainer.flow().parameters();
      trainer.step();
    }
  } catch (const TrainingDiverged& e) {
    failed_step = e.step();
    CHECK(std::string(e.what()).find("step " + std::to_string(e.step())) != std::string::npos);
  }
  REQUIRE(failed_step > 0);
  CHECK(trainer.steps_taken() == failed_step - 1);
  CHECK(trainer.flow().parameters() == before);
}

TEST_CASE("training: bad settings are rejected", "[training]") {
  TrainingConfig config;
  config.flow = "planar:0";
  CHECK_THROWS_AS(FlowTrainer(config), std::invalid_argument);
  config = {};
  config.samples = 0;
  CHECK_THROWS_AS(FlowTrainer(config), std::invalid_argument);
  for (double lr : {0.0, -1e-3, std::nan(""), static_cast<double>(INFINITY)}) {
    config = {};
    config.learning_rate = lr;
    CHECK_THROWS_AS(FlowTrainer(config), std::invalid_argument);
  }
}

TEST_CASE("seed study step counts", "[training]") {
  CHECK(seed_study_steps(Potential::U1) == 5000);
  CHECK(seed_study_steps(Potential::U2) == 5000);
  CHECK(seed_study_steps(Potential::U3) == 10000);
  CHECK(seed_study_steps(Potential::U4) == 10000);
  CHECK(seed_study_steps(Potential::U8) == 10000);
}

TEST_CASE("training: the cosine schedule runs from lr down towards 0, constant stays", "[training]") {
  TrainingConfig config;
  config.learning_rate = 0.01;
  CHECK(learning_rate_at(config, 1) == 0.01);
  CHECK(learning_rate_at(config, 999) == 0.01);
  config.schedule = LearningRateSchedule::Cosine;
  config.schedule_steps = 100;
  CHECK(learning_rate_at(config, 1) == Approx(0.01));
  CHECK(learning_rate_at(config, 51) == Approx(0.005));
  CHECK(learning_rate_at(config, 100) == Approx(0.01 * 0.5 * (1 + std::cos(kPi * 0.99))));
  CHECK(learning_rate_at(config, 100) > 0);
  config.schedule_steps = 0;
  CHECK_THROWS_AS(FlowTrainer(config), std::invalid_argument);
}

TEST_CASE("training: a schedule set before the first step gives the run that had it from the start", "[training]") {
  TrainingConfig config;
  config.flow = "spline:1,planar:2";
  config.samples = 50;
  config.learning_rate = 0.01;
  TrainingConfig scheduled = config;
  scheduled.schedule = LearningRateSchedule::Cosine;
  scheduled.schedule_steps = 20;
  scheduled.anneal_steps = 10;
  const std::vector<double> expected = run(scheduled, 20);

  FlowTrainer trainer(config);
  trainer.set_schedule(LearningRateSchedule::Cosine, 20, 10, 0.01);
  for (int s = 0; s < 20; ++s) trainer.step();
  CHECK(trainer.kl_history() == expected);
  CHECK(expected != run(config, 20));  // the schedule changed the run

  CHECK_THROWS_AS(trainer.set_schedule(LearningRateSchedule::Cosine, 0, 0, 0.01), std::invalid_argument);
  CHECK_THROWS_AS(trainer.set_schedule(LearningRateSchedule::Constant, 0, -1, 0.01), std::invalid_argument);
  CHECK(trainer.config().schedule_steps == 20);  // a refused schedule changes nothing
}

TEST_CASE("training: the path derivative starts at its step, the standard estimator runs before it", "[training][stl]") {
  TrainingConfig config;
  config.flow = "spline:1,planar:2";
  config.samples = 50;
  config.learning_rate = 0.01;
  config.gradient = GradientEstimator::PathDerivative;
  config.path_derivative_from = 6;
  CHECK(gradient_estimator_at(config, 1) == GradientEstimator::Standard);
  CHECK(gradient_estimator_at(config, 5) == GradientEstimator::Standard);
  CHECK(gradient_estimator_at(config, 6) == GradientEstimator::PathDerivative);
  CHECK(gradient_estimator_at(config, 1000) == GradientEstimator::PathDerivative);

  const std::vector<double> switched = run(config, 12);
  TrainingConfig standard = config;
  standard.gradient = GradientEstimator::Standard;
  const std::vector<double> standard_run = run(standard, 12);
  TrainingConfig stl_throughout = config;
  stl_throughout.path_derivative_from = 1;
  const std::vector<double> stl_run = run(stl_throughout, 12);
  // Steps 1-6 report the KL before their own update: the first six agree with
  // the standard run; from step 7 the path derivative's update shows.
  for (int i = 0; i < 6; ++i) CHECK(switched[i] == standard_run[i]);
  CHECK(switched[6] != standard_run[6]);
  CHECK(switched[1] != stl_run[1]);  // the path derivative alone changes step 2

  // With the standard estimator the switch is ignored; below 1 it is refused.
  CHECK(gradient_estimator_at(standard, 100) == GradientEstimator::Standard);
  config.path_derivative_from = 0;
  CHECK_THROWS_AS(FlowTrainer(config), std::invalid_argument);
}

TEST_CASE("training: a target replaces the potential, in any dimension, and a NaN names its first sample",
          "[training][targets]") {
  // The U1 expression trains as the built-in U1 does, to round-off.
  TrainingConfig builtin;
  builtin.flow = "planar:4";
  builtin.samples = 64;
  TrainingConfig typed = builtin;
  typed.target = make_expression_target(energy_expression(Potential::U1), 2);
  FlowTrainer a(builtin), b(typed);
  for (int s = 0; s < 20; ++s) REQUIRE(b.step() == Approx(a.step()).epsilon(1e-10));

  // A 10-D funnel: the flow has the target's dimension.
  TrainingConfig funnel = builtin;
  funnel.target = make_library_target("funnel");
  FlowTrainer f(funnel);
  REQUIRE(f.flow().dim() == 10);
  REQUIRE(std::isfinite(f.step()));

  // log(z1) is NaN for half the samples: the message names the step and the first one.
  TrainingConfig bad = builtin;
  bad.target = make_expression_target("log(z1) + z2^2", 2);
  FlowTrainer t(bad);
  try {
    t.step();
    FAIL("no divergence");
  } catch (const TrainingDiverged& e) {
    REQUIRE(e.step() == 1);
    const std::string message = e.what();
    INFO(message);
    REQUIRE(message.rfind("training diverged at step 1: the KL estimate or its gradient is not finite (U = NaN at sample ", 0) == 0);
    REQUIRE(message.find(", z = (-") != std::string::npos);  // z1 < 0 there
  }
}
