// Conditional (amortized) VI on the rotated-ring family: the training loop
// and the per-angle diagnostics that the native program, the WebAssembly
// module and the tests all drive. No I/O.
//
//   target p(z | x) ∝ exp(-U(z | x)), U = the seed's U1 ring (distance 2,
//   1e-6 inside the log) rotated by the angle x (energies.hpp);
//   model  q(z | x) = the planar flow whose parameters an MLP computes from x
//   (conditional_flow.hpp), trained by the batched reverse KL
//   (conditional_reverse_kl.hpp) with Adam.
//
// The schedule is the seed's two phases: steps 1 .. phase1_steps draw
// phase1_samples per angle at Adam lr phase1_lr; later steps draw
// phase2_samples per angle at phase2_lr. Entering phase 2 starts a fresh Adam
// (zero moments), as the seed's code makes a new optimiser per phase.
//
// One seed fixes everything. One Random stream gives, in this order: the
// network's initial weights; then, every step, angles_per_step uniform
// numbers that place the angles (see AngleSampling) followed by the base
// noise, condition by condition, sample by sample.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "nn/adam.hpp"
#include "flows/conditional_flow.hpp"
#include "vi/conditional_reverse_kl.hpp"
#include "vi/importance_diagnostics.hpp"
#include "vi/flow_trainer.hpp"  // TrainingDiverged
#include "nn/mlp.hpp"
#include "math/random.hpp"
#include "math/scalar_math.hpp"  // kPi

namespace nfvi {

// How a step's B angles are drawn from [angle_min, angle_max). Both give
// every angle the uniform distribution, so the objective and the expected
// gradient are the same.
//   Uniform:    B independent uniform angles (the seed's; the default).
//   Stratified: the range cut into B equal bins, one uniform angle in each, so
//               every step covers the whole range, its ends included.
// At the seed's settings the two did not differ measurably: over seeds 1-10
// the mean kl_true was 0.030 (uniform) and 0.032 (stratified) nats, and a
// seed's result moves by as much when only the round-off changes (README,
// Conditional VI).
enum class AngleSampling { Uniform, Stratified };

struct ConditionalConfig {
  int layers = 32;        // planar layers K per condition
  int hidden = 512;       // units in each hidden layer of the MLP
  int hidden_layers = 2;  // the seed's 1 -> 512 -> 512 -> P
  int angles_per_step = 32;
  int phase1_steps = 5000;   // steps 1 .. phase1_steps are phase 1
  int phase1_samples = 100;  // samples per angle
  double phase1_lr = 3e-5;
  int phase2_samples = 1000;
  double phase2_lr = 1e-5;
  double angle_min = -kPi;  // training angles are drawn uniformly from here ...
  double angle_max = kPi;   // ... to here
  AngleSampling angle_sampling = AngleSampling::Uniform;
  // PyTorch's nn.Linear rule, as the seed's network: its random biases spread
  // the first layer's kinks over the angles. He and Glorot start the biases at
  // 0, every kink sits at x = 0, and at lr 3e-5 phase 1 stalls (seed 1: 1.39
  // nats at step 5000 with He, 0.16 with TorchLinear).
  MlpInit init = MlpInit::TorchLinear;
  std::uint64_t seed = 1;
};

// The fixed seed of the fresh samples behind kl_true (the same samples for
// every angle, so that angles are compared on common random numbers).
inline constexpr std::uint64_t kKlTrueSeed = 1000003;

class ConditionalTrainer {
 public:
  // Throws std::invalid_argument for a setting out of range (any count < 1,
  // phase1_steps < 0, a learning rate that is not positive and finite, or an
  // angle range that is empty or not finite).
  explicit ConditionalTrainer(const ConditionalConfig& config);

  // One Adam step on a fresh batch; returns its loss (the batched KL
  // estimate, before the update). Throws TrainingDiverged (with the
  // parameters and Adam's state restored) if the loss, the gradient or the
  // updated parameters are not finite.
  double step();

  // Replaces the network's weights (e.g. from a saved model). Throws
  // std::invalid_argument unless the size matches and every value is finite.
  void set_parameters(VectorConstRef parameters);

  const ConditionalConfig& config() const { return config_; }
  ConditionalFlow& flow() { return flow_; }
  const ConditionalFlow& flow() const { return flow_; }
  long long steps_taken() const { return static_cast<long long>(history_.size()); }
  // The phase (1 or 2) of the next step.
  int phase() const { return steps_taken() < config_.phase1_steps ? 1 : 2; }
  const std::vector<double>& kl_history() const { return history_; }  // one loss per step
  const Vector& last_angles() const { return angles_; }  // the conditions of the last step (B)
  // Mean of the last `window` losses (fewer if fewer steps were taken); NaN before any step.
  double recent_kl_estimate(int window = 100) const;

  // log Z of the target, by quadrature (diagnostics.hpp) at angle 0: a
  // rotation does not change Z. Computed on first use, then cached.
  double log_z() const;

  // True if the angle lies outside [angle_min, angle_max], where the network
  // was trained: its q(z | angle) is then an extrapolation. Every angle is
  // accepted.
  bool is_extrapolation(double angle) const;

  // n samples of q(z | angle): z (2, n) and log q (n), from Random(seed).
  void sample(double angle, Eigen::Index n, std::uint64_t seed, Samples& z, Array& log_q) const;

  // KL(q(. | angle) || p(. | angle)) in nats: log Z + the mean of
  // log q(z | angle) + U(z | angle) over n fresh samples from Random(seed).
  double kl_true(double angle, Eigen::Index n = 100000, std::uint64_t seed = kKlTrueSeed) const;

  // The importance diagnostics of q(. | angle) against p(. | angle) from the
  // same n fresh samples as kl_true (importance_diagnostics.hpp):
  // true_kl(d.kl_estimate, log_z()) is kl_true(angle, n, seed), to the bit.
  ImportanceDiagnostics diagnose(double angle, Eigen::Index n = 100000, std::uint64_t seed = kKlTrueSeed) const;

  // The seed's evaluation angles: `count` evenly spaced over [-pi, pi], ends included.
  static std::vector<double> evaluation_angles(int count = 26);

 private:
  ConditionalConfig config_;
  Random rng_;
  ConditionalFlow flow_;
  ConditionalReverseKL objective_;
  Adam adam_;
  Vector gradient_;
  Vector angles_;  // (B) this step's conditions
  Samples eps_;    // (2, B*S) this step's base noise
  Vector last_good_parameters_;
  Adam last_good_adam_;
  std::vector<double> history_;
  mutable std::optional<double> log_z_;
};

}  // namespace nfvi
