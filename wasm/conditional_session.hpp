// A conditional (amortized) training session for the web page's
// "Conditional" view: one ConditionalTrainer over the rotated-ring family.
// The page trains a small network in one phase (one learning rate and one
// number of samples per angle), or loads a network trained by `nfvi cond`.
//
// Every method that can fail throws std::exception with a one-line message;
// the bindings turn it into a JavaScript Error.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "vi/conditional_trainer.hpp"

namespace nfvi {

class ConditionalSession {
 public:
  ConditionalSession(int layers, int hidden, int angles_per_step, int samples_per_angle, double learning_rate,
                     double seed);

  // A network read from `nfvi cond`'s summary.json (or the page's download);
  // training it further uses the given settings.
  ConditionalSession(const std::string& model_json, int angles_per_step, int samples_per_angle, double learning_rate,
                     double seed);

  struct TrainResult {
    std::vector<double> estimates;
    std::string error;  // empty unless a step diverged (the last good state is kept)
  };
  TrainResult train(int steps);

  int layers() const { return trainer_->config().layers; }
  int hidden() const { return trainer_->config().hidden; }
  double steps_taken() const { return static_cast<double>(trainer_->steps_taken()); }
  const std::vector<double>& kl_history() const { return trainer_->kl_history(); }
  double angle_min() const { return trainer_->config().angle_min; }
  double angle_max() const { return trainer_->config().angle_max; }
  bool is_extrapolation(double angle) const { return trainer_->is_extrapolation(angle); }

  double log_z() const { return trainer_->log_z(); }
  // Mean of the last 100 batched KL estimates, and that plus log Z.
  double kl_estimate() const { return trainer_->recent_kl_estimate(100); }
  double kl_true() const { return kl_estimate() + log_z(); }
  // KL(q(.|angle) || p(.|angle)) in nats from `samples` fresh samples.
  double kl_true_at(double angle, int samples) const;

  // bins x bins grids over [-6, 6]^2 (row iy covering z2): p(z|angle) and a
  // histogram of `samples` draws of q(z|angle) (the same draws for every
  // angle, so that a slider sweep does not flicker).
  std::vector<double> true_density(double angle, int bins) const;
  std::vector<double> learned_density(double angle, int bins, int samples) const;

  std::string to_json() const;

 private:
  std::unique_ptr<ConditionalTrainer> trainer_;
};

}  // namespace nfvi
