// Reverse-KL training of a flow against one energy: the loop that the
// native program, the WebAssembly module and the tests all drive.
//
// One seed fixes everything: the initial parameters and every batch of base
// noise come from one Random stream, in that order.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "nn/adam.hpp"
#include <optional>

#include "targets/energies.hpp"
#include "targets/target.hpp"
#include "flows/flow.hpp"
#include "math/random.hpp"
#include "vi/reverse_kl.hpp"

namespace nfvi {

// How the learning rate moves over a run of T steps (step t = 1..T):
//   constant: lr;   cosine: lr (1 + cos(pi (t - 1) / T)) / 2, from lr down towards 0.
enum class LearningRateSchedule { Constant, Cosine };

struct TrainingConfig {
  Potential potential = Potential::U1;
  // Any target (targets/target.hpp), in any dimension: when set, it replaces
  // potential, and the flow has the target's dimension.
  std::optional<Target> target;
  std::string flow = "planar:50";  // the flow spec (flows/flow_spec.hpp)
  int samples = 1000;              // samples per step, N
  double learning_rate = 2e-3;
  LearningRateSchedule schedule = LearningRateSchedule::Constant;
  long long schedule_steps = 0;    // T, for a schedule other than constant
  // beta-annealing (Rezende & Mohamed 2015): step t minimises
  // E_q[log q + beta_t U] with beta_t = min(1, anneal_start + t / anneal_steps).
  // anneal_steps = 0: off (beta = 1, exactly today's objective).
  long long anneal_steps = 0;
  double anneal_start = 0.01;
  // The gradient's estimator (vi/reverse_kl.hpp): Standard, or PathDerivative
  // ("sticking the landing"). Standard is the run as it always was.
  GradientEstimator gradient = GradientEstimator::Standard;
  // With the path derivative: the steps before this one (1-based) still use
  // the standard estimator. The path derivative can throw a flexible flow
  // off (a spline flow's training KL on U8 rose from about 8 to above 400
  // nats near step 500); started later, it kept the lower variance it has
  // near a good fit (README, "The path-derivative gradient").
  long long path_derivative_from = 1;
  std::uint64_t seed = 1;
};

// beta_t of step t (1-based): 1 when annealing is off.
double anneal_beta_at(const TrainingConfig& config, long long step);

// The learning rate of step t (1-based) under the config's schedule.
double learning_rate_at(const TrainingConfig& config, long long step);

// The gradient's estimator of step t (1-based).
GradientEstimator gradient_estimator_at(const TrainingConfig& config, long long step);

// The seed study's number of steps for an energy: 5000 for U1 and U2, 10000 otherwise.
int seed_study_steps(Potential potential);

// Thrown when the loss or the parameters stop being finite; the message
// names the step and, if U or its gradient was not finite, the first such sample. The trainer has
// already restored the parameters and Adam's moments from before the failing
// step, so the last good state can be kept, saved or trained on with a
// smaller learning rate.
class TrainingDiverged : public std::runtime_error {
 public:
  TrainingDiverged(long long step, const std::string& what);
  long long step() const { return step_; }

 private:
  long long step_;
};

class FlowTrainer {
 public:
  // Throws FlowSpecError for a bad flow spec, and std::invalid_argument for
  // samples < 1, a learning rate that is not a positive finite number, or a
  // schedule without its number of steps.
  explicit FlowTrainer(const TrainingConfig& config);

  // One Adam step; returns its KL estimate (the loss before the update).
  double step();

  // Sets the learning-rate schedule and the annealing of the steps to come.
  // Steps count from the run's first, so a run that is given its schedule
  // before its first step equals one that had it from the start. Throws
  // std::invalid_argument for a schedule without steps or a bad annealing.
  void set_schedule(LearningRateSchedule schedule, long long schedule_steps, long long anneal_steps,
                    double anneal_start);

  const TrainingConfig& config() const { return config_; }
  // The gradient's estimator from the next step on (the page's toggle).
  void set_gradient(GradientEstimator estimator) { config_.gradient = estimator; }
  Flow& flow() { return flow_; }
  const Flow& flow() const { return flow_; }
  long long steps_taken() const { return static_cast<long long>(history_.size()); }
  const std::vector<double>& kl_history() const { return history_; }

  // Mean of the last `window` KL estimates (fewer if fewer steps were taken).
  double recent_kl_estimate(int window = 100) const;

 private:
  TrainingConfig config_;
  Random rng_;
  Flow flow_;
  // The first sample of the last step where U or grad U was not finite ("" if none).
  std::shared_ptr<std::string> bad_point_;
  ReverseKL objective_;
  Adam adam_;
  Vector gradient_;
  Vector last_good_parameters_;
  Adam last_good_adam_;
  std::vector<double> history_;
};

}  // namespace nfvi
