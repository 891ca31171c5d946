// The reverse-KL objective for a flow q and a target p ∝ exp(-U):
//
//   L = mean_n [ log q(z_K,n) + U(z_K,n) ],   KL(q||p) = E_q[log q + U] + log Z.
//
// L alone can be negative: it is KL minus log Z. Report log Z and the true
// KL beside it (see diagnostics.hpp).
//
// Gradient: dL/dz_K = grad U(z_K) / N and dL/dlog q = 1 / N, pushed back
// through the flow.
#pragma once

#include <utility>

#include "targets/energies.hpp"
#include "flows/flow.hpp"
#include "math/random.hpp"
#include "math/types.hpp"

namespace nfvi {

class ReverseKL {
 public:
  explicit ReverseKL(Potential potential) : energy_function_(energy_function(potential)) {}
  // Any batched target, e.g. rotated_ring_energy(angle).
  explicit ReverseKL(EnergyFunction energy) : energy_function_(std::move(energy)) {}

  // L for the given base noise eps (D, N). If gradient is non-null it is
  // overwritten with the gradient of the annealed objective
  //   L_beta = mean_n [ log q(z_K,n) + beta U(z_K,n) ]   (beta = 1: L itself)
  // with respect to the parameters (this is where gradients are cleared):
  // dL_beta/dz_K = beta grad U / N, dL_beta/dlog q = 1 / N. The value
  // returned is L (beta = 1), so that estimates stay comparable.
  double evaluate(Flow& flow, SamplesConstRef eps, Vector* gradient, double beta = 1);

  // Draws eps ~ N(0, I) with n columns and evaluates as above.
  double evaluate(Flow& flow, Random& rng, Eigen::Index n, Vector* gradient, double beta = 1);

 private:
  EnergyFunction energy_function_;
  Samples eps_;          // (D, N)
  Array energy_;         // (N)
  Samples energy_grad_;  // (D, N)
};

// E_q[log q + U] from n fresh samples, drawn in chunks, without gradients: a
// low-variance estimate for a trained flow. Add log Z for the true KL.
double estimate_reverse_kl(Flow& flow, const EnergyFunction& energy, Random& rng, Eigen::Index n);
double estimate_reverse_kl(Flow& flow, Potential potential, Random& rng, Eigen::Index n);

}  // namespace nfvi
