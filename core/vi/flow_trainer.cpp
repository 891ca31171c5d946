#include "vi/flow_trainer.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "math/scalar_math.hpp"

namespace nfvi {
namespace {

const TrainingConfig& validated(const TrainingConfig& config) {
  if (config.samples < 1) throw std::invalid_argument("samples must be at least 1");
  if (!(config.learning_rate > 0) || !std::isfinite(config.learning_rate))
    throw std::invalid_argument("learning rate must be a positive finite number");
  if (config.anneal_steps < 0 || !(config.anneal_start >= 0 && config.anneal_start <= 1))
    throw std::invalid_argument("annealing needs steps >= 0 and a start in [0, 1]");
  if (config.schedule != LearningRateSchedule::Constant && config.schedule_steps < 1)
    throw std::invalid_argument("a learning-rate schedule needs its number of steps");
  if (config.path_derivative_from < 1) throw std::invalid_argument("the path derivative's first step must be at least 1");
  return config;
}

// The energy, noting in `bad_point` the first sample of each batch where U or
// grad U is not finite, e.g. "U = NaN at sample 3, z = (-0.5, 1.25)".
EnergyFunction noting_bad_points(EnergyFunction energy, std::shared_ptr<std::string> bad_point) {
  return [energy = std::move(energy), bad_point](SamplesConstRef z, Array& u, Samples& gradient) {
    energy(z, u, gradient);
    bad_point->clear();
    if (u.allFinite() && gradient.allFinite()) return;
    for (Eigen::Index n = 0; n < z.cols(); ++n) {
      if (std::isfinite(u(n)) && gradient.col(n).allFinite()) continue;
      char text[64];
      std::snprintf(text, sizeof text, "%s", std::isnan(u(n)) ? "NaN" : u(n) > 0 ? "inf" : "-inf");
      *bad_point = std::string(std::isfinite(u(n)) ? "grad U is not finite" : "U = " + std::string(text)) +
                   " at sample " + std::to_string(n) + ", z = (";
      for (Eigen::Index d = 0; d < z.rows() && d < 6; ++d) {
        std::snprintf(text, sizeof text, "%s%.6g", d ? ", " : "", z(d, n));
        *bad_point += text;
      }
      *bad_point += z.rows() > 6 ? ", ...)" : ")";
      return;
    }
  };
}

}  // namespace

double learning_rate_at(const TrainingConfig& config, long long step) {
  if (config.schedule == LearningRateSchedule::Constant) return config.learning_rate;
  const double t = static_cast<double>(std::min(std::max(step, 1LL), config.schedule_steps) - 1);
  return config.learning_rate * 0.5 * (1 + std::cos(kPi * t / static_cast<double>(config.schedule_steps)));
}

double anneal_beta_at(const TrainingConfig& config, long long step) {
  if (config.anneal_steps <= 0) return 1.0;
  return std::min(1.0, config.anneal_start + static_cast<double>(step) / static_cast<double>(config.anneal_steps));
}

GradientEstimator gradient_estimator_at(const TrainingConfig& config, long long step) {
  if (config.gradient == GradientEstimator::PathDerivative && step < config.path_derivative_from)
    return GradientEstimator::Standard;
  return config.gradient;
}

int seed_study_steps(Potential potential) {
  return (potential == Potential::U1 || potential == Potential::U2) ? 5000 : 10000;
}

TrainingDiverged::TrainingDiverged(long long step, const std::string& what) : std::runtime_error(what), step_(step) {}

FlowTrainer::FlowTrainer(const TrainingConfig& config)
    : config_(validated(config)),
      rng_(config.seed),
      flow_(config.target ? config.target->dim : 2, config.flow),
      bad_point_(std::make_shared<std::string>()),
      objective_(noting_bad_points(config.target ? config.target->energy : energy_function(config.potential),
                                   bad_point_)),
      adam_(flow_.parameter_count(), config.learning_rate),
      last_good_adam_(adam_) {
  flow_.initialize(rng_);
}

void FlowTrainer::set_schedule(LearningRateSchedule schedule, long long schedule_steps, long long anneal_steps,
                               double anneal_start) {
  TrainingConfig changed = config_;
  changed.schedule = schedule;
  changed.schedule_steps = schedule_steps;
  changed.anneal_steps = anneal_steps;
  changed.anneal_start = anneal_start;
  config_ = validated(changed);
}

double FlowTrainer::step() {
  const long long step_number = steps_taken() + 1;
  last_good_parameters_ = flow_.parameters();
  last_good_adam_ = adam_;
  const auto diverged = [&](const std::string& reason) {
    flow_.parameters() = last_good_parameters_;
    adam_ = last_good_adam_;
    return TrainingDiverged(step_number, "training diverged at step " + std::to_string(step_number) + ": " + reason +
                                             (bad_point_->empty() ? "" : " (" + *bad_point_ + ")"));
  };

  adam_.set_learning_rate(learning_rate_at(config_, step_number));
  const double loss = objective_.evaluate(flow_, rng_, config_.samples, &gradient_, anneal_beta_at(config_, step_number),
                                          gradient_estimator_at(config_, step_number));
  if (!std::isfinite(loss) || !gradient_.allFinite()) throw diverged("the KL estimate or its gradient is not finite");
  adam_.step(flow_.parameters(), gradient_);
  if (!flow_.parameters().allFinite()) throw diverged("the parameters are not finite");
  history_.push_back(loss);
  return loss;
}

double FlowTrainer::recent_kl_estimate(int window) const {
  if (history_.empty()) return std::nan("");
  const size_t count = std::min(history_.size(), static_cast<size_t>(std::max(window, 1)));
  double sum = 0;
  for (size_t i = history_.size() - count; i < history_.size(); ++i) sum += history_[i];
  return sum / static_cast<double>(count);
}

}  // namespace nfvi
