#include "vi/conditional_trainer.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "vi/diagnostics.hpp"
#include "vi/reverse_kl.hpp"

namespace nfvi {
namespace {

bool positive_finite(double x) { return std::isfinite(x) && x > 0; }

const ConditionalConfig& validated(const ConditionalConfig& c) {
  if (c.layers < 1) throw std::invalid_argument("layers must be at least 1");
  if (c.hidden < 1) throw std::invalid_argument("hidden units must be at least 1");
  if (c.hidden_layers < 1) throw std::invalid_argument("hidden layers must be at least 1");
  if (c.angles_per_step < 1) throw std::invalid_argument("angles per step must be at least 1");
  if (c.phase1_steps < 0) throw std::invalid_argument("phase 1 steps must not be negative");
  if (c.phase1_samples < 1 || c.phase2_samples < 1) throw std::invalid_argument("samples per angle must be at least 1");
  if (!positive_finite(c.phase1_lr) || !positive_finite(c.phase2_lr))
    throw std::invalid_argument("learning rates must be positive finite numbers");
  if (!std::isfinite(c.angle_min) || !std::isfinite(c.angle_max) || !(c.angle_max > c.angle_min))
    throw std::invalid_argument("the training angle range must be finite and non-empty");
  return c;
}

std::vector<int> hidden_sizes(const ConditionalConfig& c) {
  return std::vector<int>(static_cast<size_t>(c.hidden_layers), c.hidden);
}

}  // namespace

ConditionalTrainer::ConditionalTrainer(const ConditionalConfig& config)
    : config_(validated(config)),
      rng_(config.seed),
      flow_(2, config.layers, hidden_sizes(config)),
      objective_(rotated_ring_family()),
      adam_(flow_.parameters().size(), config.phase1_steps > 0 ? config.phase1_lr : config.phase2_lr),
      last_good_adam_(adam_) {
  flow_.initialize(rng_, config_.init);
}

double ConditionalTrainer::step() {
  const long long step_number = steps_taken() + 1;
  if (step_number == config_.phase1_steps + 1 && config_.phase1_steps > 0)
    adam_ = Adam(flow_.parameters().size(), config_.phase2_lr);  // phase 2: a fresh optimiser
  last_good_parameters_ = flow_.parameters();
  last_good_adam_ = adam_;
  const auto diverged = [&](const std::string& reason) {
    flow_.parameters() = last_good_parameters_;
    adam_ = last_good_adam_;
    return TrainingDiverged(step_number, "training diverged at step " + std::to_string(step_number) + ": " + reason);
  };

  const int b_count = config_.angles_per_step;
  const int s = step_number <= config_.phase1_steps ? config_.phase1_samples : config_.phase2_samples;
  angles_.resize(b_count);
  const double width = config_.angle_max - config_.angle_min;
  for (int b = 0; b < b_count; ++b) {
    const double u = rng_.uniform();
    angles_(b) = config_.angle_sampling == AngleSampling::Stratified
                     ? config_.angle_min + width * ((b + u) / b_count)
                     : config_.angle_min + width * u;
  }
  eps_.resize(2, Eigen::Index{b_count} * s);
  rng_.fill_normal(eps_);

  const double loss = objective_.evaluate(flow_, angles_, eps_, &gradient_);
  if (!std::isfinite(loss) || !gradient_.allFinite()) throw diverged("the KL estimate or its gradient is not finite");
  adam_.step(flow_.parameters(), gradient_);
  if (!flow_.parameters().allFinite()) throw diverged("the parameters are not finite");
  history_.push_back(loss);
  return loss;
}

void ConditionalTrainer::set_parameters(VectorConstRef parameters) {
  if (parameters.size() != flow_.parameters().size())
    throw std::invalid_argument("expected " + std::to_string(flow_.parameters().size()) + " network weights, got " +
                                std::to_string(parameters.size()));
  if (!parameters.allFinite()) throw std::invalid_argument("network weights must be finite");
  flow_.parameters() = parameters;
}

double ConditionalTrainer::recent_kl_estimate(int window) const {
  if (history_.empty()) return std::nan("");
  const size_t count = std::min(history_.size(), static_cast<size_t>(std::max(window, 1)));
  double sum = 0;
  for (size_t i = history_.size() - count; i < history_.size(); ++i) sum += history_[i];
  return sum / static_cast<double>(count);
}

double ConditionalTrainer::log_z() const {
  if (!log_z_) log_z_ = log_partition([](double z1, double z2) { return rotated_ring_energy_at(z1, z2, 0.0).value; });
  return *log_z_;
}

bool ConditionalTrainer::is_extrapolation(double angle) const {
  return angle < config_.angle_min || angle > config_.angle_max;
}

void ConditionalTrainer::sample(double angle, Eigen::Index n, std::uint64_t seed, Samples& z, Array& log_q) const {
  Flow flow = flow_.flow_for(angle);
  Random rng(seed);
  sample_flow(flow, rng, n, z, log_q);
}

double ConditionalTrainer::kl_true(double angle, Eigen::Index n, std::uint64_t seed) const {
  Flow flow = flow_.flow_for(angle);
  Random rng(seed);
  return true_kl(estimate_reverse_kl(flow, rotated_ring_energy(angle), rng, n), log_z());
}

ImportanceDiagnostics ConditionalTrainer::diagnose(double angle, Eigen::Index n, std::uint64_t seed) const {
  Flow flow = flow_.flow_for(angle);
  Random rng(seed);
  return diagnose_fit(flow, rotated_ring_energy(angle), rng, n);
}

std::vector<double> ConditionalTrainer::evaluation_angles(int count) {
  std::vector<double> angles;
  for (int i = 0; i < count; ++i) angles.push_back(count == 1 ? 0.0 : -kPi + 2 * kPi * i / (count - 1));
  return angles;
}

}  // namespace nfvi
