// Reverse-KL training of a planar flow against one energy: the loop that the
// native program, the WebAssembly module and the tests all drive.
//
// One seed fixes everything: the initial parameters and every batch of base
// noise come from one Random stream, in that order.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "adam.hpp"
#include "energies.hpp"
#include "planar_flow.hpp"
#include "random.hpp"
#include "reverse_kl.hpp"

namespace nfvi {

struct TrainingConfig {
  Potential potential = Potential::U1;
  int layers = 50;
  int samples = 1000;  // samples per step, N
  double learning_rate = 2e-3;
  std::uint64_t seed = 1;
};

// The seed study's number of steps for an energy: 5000 for U1 and U2, 10000 otherwise.
int seed_study_steps(Potential potential);

// Thrown when the loss or the parameters stop being finite. The trainer has
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
  // Throws std::invalid_argument for layers < 1, samples < 1 or a learning
  // rate that is not a positive finite number.
  explicit FlowTrainer(const TrainingConfig& config);

  // One Adam step; returns its KL estimate (the loss before the update).
  double step();

  const TrainingConfig& config() const { return config_; }
  PlanarFlow& flow() { return flow_; }
  const PlanarFlow& flow() const { return flow_; }
  long long steps_taken() const { return static_cast<long long>(history_.size()); }
  const std::vector<double>& kl_history() const { return history_; }

  // Mean of the last `window` KL estimates (fewer if fewer steps were taken).
  double recent_kl_estimate(int window = 100) const;

 private:
  TrainingConfig config_;
  Random rng_;
  PlanarFlow flow_;
  ReverseKL objective_;
  Adam adam_;
  Vector gradient_;
  Vector last_good_parameters_;
  Adam last_good_adam_;
  std::vector<double> history_;
};

}  // namespace nfvi
