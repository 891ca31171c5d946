// The batched reverse-KL objective over conditions, for a conditional flow
// q(z | x) and a family of targets p(z | x) ∝ exp(-U(z | x)):
//
//   L = (1/B) sum_b (1/S) sum_s [ log q(z_bs | x_b) + U(z_bs | x_b) ]
//     = mean over the B*S columns of log q + U,
//
// the average over the B conditions of each one's reverse-KL estimate
// (reverse_kl.hpp), so L + log Z is the mean true KL when Z does not depend
// on x (true for rotations). Gradient, pushed back through the flows and the
// MLP (conditional_flow.hpp):
//   dL/dz_bs = grad_z U(z_bs | x_b) / (B S),   dL/dlog q_bs = 1 / (B S).
#pragma once

#include <utility>

#include "flows/conditional_flow.hpp"
#include "targets/energies.hpp"
#include "math/types.hpp"

namespace nfvi {

class ConditionalReverseKL {
 public:
  explicit ConditionalReverseKL(ConditionalEnergyFunction energy) : energy_function_(std::move(energy)) {}

  // L for conditions (B) and base noise eps (D, B*S) (condition b owns
  // columns [b S, (b+1) S)). If gradient is non-null it is overwritten with
  // dL/d(network weights) (this is where gradients are cleared).
  double evaluate(ConditionalFlow& flow, VectorConstRef conditions, SamplesConstRef eps, Vector* gradient);

  // Each condition's own estimate mean_s [log q + U] from the last evaluate (B).
  const Array& condition_losses() const { return condition_losses_; }

 private:
  ConditionalEnergyFunction energy_function_;
  Array energy_;            // (B*S)
  Samples energy_grad_;     // (D, B*S)
  Array block_energy_;      // (S) one condition's energies
  Samples block_grad_;      // (D, S)
  Array condition_losses_;  // (B)
};

}  // namespace nfvi
