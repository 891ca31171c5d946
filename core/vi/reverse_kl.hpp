// The reverse-KL objective for a flow q and a target p ∝ exp(-U):
//
//   L = mean_n [ log q(z_K,n) + U(z_K,n) ],   KL(q||p) = E_q[log q + U] + log Z.
//
// L alone can be negative: it is KL minus log Z. Report log Z and the true
// KL beside it (see diagnostics.hpp).
//
// Gradient: dL/dz_K = grad U(z_K) / N and dL/dlog q = 1 / N, pushed back
// through the flow.
//
// Two estimators of that gradient (the same mean). With z_K = T_theta(eps):
//   standard: the gradient of mean_n [ log q_theta(T_theta(eps_n)) + beta U ],
//     which carries the score term grad_theta log q_theta(z) at fixed z (mean zero);
//   path derivative ("sticking the landing", Roeder, Wu & Duvenaud 2017): the
//     gradient of mean_n [ log q_thetabar(T_theta(eps_n)) + beta U ] with thetabar
//     held fixed at theta, the score term dropped. Only the sampling path is
//     differentiated: dL/dz_K = (d log q / dz_K + beta grad U) / N and
//     dL/dlog q = 0, with d log q / dz_K from the layers' inverse backward
//     (Flow::log_q_gradient). Where q = p exactly, d log q / dz = -grad U, so
//     this gradient is zero for every draw, while the standard one is not.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "targets/energies.hpp"
#include "flows/flow.hpp"
#include "math/random.hpp"
#include "math/types.hpp"

namespace nfvi {

enum class GradientEstimator { Standard, PathDerivative };

// "standard" or "stl", and back (nullopt for any other name).
std::string gradient_estimator_name(GradientEstimator estimator);
std::optional<GradientEstimator> gradient_estimator_from_name(const std::string& name);

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
  // The estimator chooses how (see above); the value returned is the same.
  double evaluate(Flow& flow, SamplesConstRef eps, Vector* gradient, double beta = 1,
                  GradientEstimator estimator = GradientEstimator::Standard);

  // Draws eps ~ N(0, I) with n columns and evaluates as above.
  double evaluate(Flow& flow, Random& rng, Eigen::Index n, Vector* gradient, double beta = 1,
                  GradientEstimator estimator = GradientEstimator::Standard);

 private:
  EnergyFunction energy_function_;
  Samples eps_;          // (D, N)
  Array energy_;         // (N)
  Samples energy_grad_;  // (D, N)
  Samples log_q_grad_;  // (D, N) d log q / dz_K, for the path derivative
};

// E_q[log q + U] from n fresh samples, drawn in chunks, without gradients: a
// low-variance estimate for a trained flow. Add log Z for the true KL.
double estimate_reverse_kl(Flow& flow, const EnergyFunction& energy, Random& rng, Eigen::Index n);
double estimate_reverse_kl(Flow& flow, Potential potential, Random& rng, Eigen::Index n);

}  // namespace nfvi
