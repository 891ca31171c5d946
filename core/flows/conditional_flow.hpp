// A conditional (amortized) planar flow: an MLP maps a scalar condition x
// (here an angle) to every parameter of a planar flow, and the samples of
// each condition pass through their own flow.
//
//   theta(x) = MLP(x)                     (P) in the layout of Flow with planar layers:
//              [ mu (D) | rho (D) | w_1 (D) u_1 (D) b_1 | ... | w_K (D) u_K (D) b_K ]
//   z_0 = mu(x) + softplus(rho(x)) * eps,  z_k = f_k(z_{k-1}; w_k(x), u_k(x), b_k(x)),
//   log q(z_K | x) = log q0(z_0 | x) - sum_k log|det df_k/dz_{k-1}|.
//
// The network is {1, hidden..., P} with ELU hidden layers and a linear
// output (mlp.hpp); its flat weight vector is the only trainable state.
//
// Shapes: conditions (B), one per condition; eps and the output z are
// (D, B*S) Samples in which condition b owns the S columns [b S, (b+1) S);
// log_q is (B*S); the per-condition flow parameters are (P, B).
#pragma once

#include <vector>

#include "nn/mlp.hpp"
#include "flows/flow.hpp"
#include "math/random.hpp"
#include "math/types.hpp"

namespace nfvi {

class ConditionalFlow {
 public:
  // hidden: the widths of the hidden layers, e.g. {512, 512}. Throws
  // std::invalid_argument for dim < 1, layers < 0 or a hidden width < 1.
  ConditionalFlow(int dim, int layers, const std::vector<int>& hidden);

  int dim() const { return dim_; }
  int layers() const { return layers_; }
  Eigen::Index flow_parameter_count() const { return flow_parameter_count(dim_, layers_); }
  static Eigen::Index flow_parameter_count(int dim, int layers) { return 2 * Eigen::Index{dim} + Eigen::Index{layers} * (2 * Eigen::Index{dim} + 1); }

  Mlp& network() { return network_; }
  const Mlp& network() const { return network_; }
  Vector& parameters() { return network_.parameters(); }  // the MLP's flat weights
  const Vector& parameters() const { return network_.parameters(); }

  void initialize(Random& rng, MlpInit init) { network_.initialize(rng, init); }

  // Runs the MLP on the conditions (B) and pushes the columns of eps
  // (D, B*S) that belong to each condition through that condition's flow.
  // eps.cols() must be a multiple of B. Keeps every intermediate for backward.
  void forward(VectorConstRef conditions, SamplesConstRef eps);

  const Samples& output() const { return z_; }                         // (D, B*S) z_K
  const Array& log_q() const { return log_q_; }                        // (B*S)
  const Matrix& flow_parameters() const { return network_.output(); }  // (P, B)
  int samples_per_condition() const { return samples_per_condition_; }

  // Given dz = dL/dz_K (D, B*S) and dlog_q = dL/dlog q (B*S) for the last
  // forward, adds dL/dparameters (the MLP's weights) into gradient:
  //   dtheta_b = the planar flow's backward for condition b's columns   (P)
  //   dweights += MLP backward of dtheta = [dtheta_1 ... dtheta_B]      (P, B)
  void backward(SamplesConstRef dz_out, ArrayConstRef dlog_q, Eigen::Ref<Vector> gradient);

  // A Flow of planar layers holding theta(condition): for sampling q(z | x), figures
  // and export in the flow model format. Leaves the last forward's state
  // (and a pending backward) untouched.
  Flow flow_for(double condition) const;

 private:
  int dim_;
  int layers_;
  Mlp network_;
  std::vector<Flow> flows_;  // B flows, one per condition of the last forward
  int samples_per_condition_ = 0;
  Matrix conditions_;        // (1, B) network input
  Samples z_;                // (D, B*S)
  Array log_q_;              // (B*S)
  Matrix dflow_parameters_;  // (P, B) backward scratch: dL/dtheta of each condition, zeroed in backward
};

}  // namespace nfvi
