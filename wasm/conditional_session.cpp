#include "conditional_session.hpp"

#include <climits>
#include <cmath>
#include <stdexcept>

#include "conditional_model_json.hpp"
#include "vi/diagnostics.hpp"
#include "targets/energies.hpp"

namespace nfvi {
namespace {

constexpr double kMaxSeed = 9007199254740991.0;  // 2^53 - 1
// Drawing q(z|angle) on the page: one fixed stream, so a sweep does not flicker.
constexpr std::uint64_t kDrawSeed = 0x636f6e642064726bULL;

std::uint64_t checked_seed(double seed) {
  if (!(seed >= 0 && seed <= kMaxSeed) || std::floor(seed) != seed)
    throw std::invalid_argument("seed must be a whole number from 0 to 2^53 - 1");
  return static_cast<std::uint64_t>(seed);
}

void check_range(int value, int lo, int hi, const std::string& name) {
  if (value < lo || value > hi)
    throw std::invalid_argument(name + " must be a whole number from " + std::to_string(lo) + " to " +
                                std::to_string(hi));
}

// One phase in the browser: phase 1 never ends.
ConditionalConfig checked_config(int layers, int hidden, int angles_per_step, int samples_per_angle,
                                 double learning_rate, double seed) {
  check_range(layers, 1, 200, "layers");
  check_range(hidden, 1, 1024, "hidden units");
  check_range(angles_per_step, 1, 1024, "angles per step");
  check_range(samples_per_angle, 1, 10000, "samples per angle");
  if (static_cast<double>(layers) * angles_per_step * samples_per_angle > 5e6)
    throw std::invalid_argument("layers x angles x samples must be at most 5000000 in the browser");
  if (!(learning_rate > 0 && learning_rate <= 1))
    throw std::invalid_argument("learning rate must be a number in (0, 1]");
  ConditionalConfig config;
  config.layers = layers;
  config.hidden = hidden;
  config.angles_per_step = angles_per_step;
  config.phase1_steps = INT_MAX;
  config.phase1_samples = samples_per_angle;
  config.phase1_lr = learning_rate;
  config.phase2_samples = samples_per_angle;
  config.phase2_lr = learning_rate;
  config.seed = checked_seed(seed);
  return config;
}

void check_angle(double angle) {
  if (!std::isfinite(angle) || std::abs(angle) > 100)
    throw std::invalid_argument("angle must be a number in [-100, 100]");
}

void check_bins(int bins) { check_range(bins, 1, 1000, "bins"); }

}  // namespace

ConditionalSession::ConditionalSession(int layers, int hidden, int angles_per_step, int samples_per_angle,
                                       double learning_rate, double seed)
    : trainer_(std::make_unique<ConditionalTrainer>(
          checked_config(layers, hidden, angles_per_step, samples_per_angle, learning_rate, seed))) {}

ConditionalSession::ConditionalSession(const std::string& model_json, int angles_per_step, int samples_per_angle,
                                       double learning_rate, double seed) {
  const ConditionalModel model = conditional_model_from_text(model_json);
  if (model.dim != 2) throw std::invalid_argument("the page shows 2-D flows only");
  const int hidden = model.sizes.size() > 2 ? model.sizes.at(1) : 1;
  ConditionalConfig config = checked_config(model.layers, 1, angles_per_step, samples_per_angle, learning_rate, seed);
  config.hidden = hidden;
  config.hidden_layers = static_cast<int>(model.sizes.size()) - 2;
  config.angle_min = model.angle_min;
  config.angle_max = model.angle_max;
  trainer_ = std::make_unique<ConditionalTrainer>(config);
  trainer_->set_parameters(model.parameters);
}

ConditionalSession::TrainResult ConditionalSession::train(int steps) {
  check_range(steps, 0, 1000000, "steps");
  TrainResult result;
  result.estimates.reserve(static_cast<size_t>(steps));
  try {
    for (int s = 0; s < steps; ++s) result.estimates.push_back(trainer_->step());
  } catch (const TrainingDiverged& e) {
    result.error = e.what();
  }
  return result;
}

double ConditionalSession::kl_true_at(double angle, int samples) const {
  check_angle(angle);
  check_range(samples, 1, 2000000, "samples");
  return trainer_->kl_true(angle, samples);
}

std::vector<double> ConditionalSession::true_density(double angle, int bins) const {
  check_angle(angle);
  check_bins(bins);
  return true_density_grid([angle](double z1, double z2) { return rotated_ring_energy_at(z1, z2, angle).value; },
                           View{}, bins);
}

std::vector<double> ConditionalSession::learned_density(double angle, int bins, int samples) const {
  check_angle(angle);
  check_bins(bins);
  check_range(samples, 1, 2000000, "samples");
  Samples z;
  Array log_q;
  trainer_->sample(angle, samples, kDrawSeed, z, log_q);
  return histogram_density(z, View{}, bins);
}

std::string ConditionalSession::to_json() const {
  nlohmann::json doc = conditional_model_to_json(conditional_model_of(*trainer_));
  const ConditionalConfig& config = trainer_->config();
  doc["written_by"] = "nfvi web page";
  doc["steps"] = trainer_->steps_taken();
  doc["seed"] = config.seed;
  // The training settings in the shape of `nfvi cond`'s summary.json, so that
  // the page trains a loaded network on as it was trained (one phase here).
  doc["training"] = {{"steps", trainer_->steps_taken()},
                     {"angles_per_step", config.angles_per_step},
                     {"phase1", {{"steps", trainer_->steps_taken()},
                                 {"samples_per_angle", config.phase1_samples},
                                 {"lr", config.phase1_lr}}},
                     {"seed", config.seed}};
  return doc.dump(1);
}

}  // namespace nfvi
