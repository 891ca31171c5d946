// A normalizing flow: the Gaussian base q0 followed by K planar layers.
//
//   z_0 = mu + sigma * eps,  z_k = f_k(z_{k-1}),
//   log q(z_K) = log q0(z_0) - sum_k log|det df_k/dz_{k-1}|.
//
// All parameters live in one flat vector, so that Adam, serialisation and the
// finite-difference tests see a single array. Layout:
//   [ mu (D) | rho (D) | w_1 (D) u_1 (D) b_1 | ... | w_K (D) u_K (D) b_K ]
//
// Shapes: eps and every z_k are (D, N) Samples; log_q is (N).
#pragma once

#include <vector>

#include "gaussian_base.hpp"
#include "planar_layer.hpp"
#include "random.hpp"
#include "types.hpp"

namespace nfvi {

class PlanarFlow {
 public:
  PlanarFlow(int dim, int layers);

  static Eigen::Index parameter_count(int dim, int layers) {
    return 2 * Eigen::Index{dim} + Eigen::Index{layers} * (2 * Eigen::Index{dim} + 1);
  }

  int dim() const { return dim_; }
  int layers() const { return layers_; }

  Vector& parameters() { return params_; }
  const Vector& parameters() const { return params_; }

  // Views into the flat parameter vector (and into a gradient of the same layout).
  static Eigen::Index mu_offset() { return 0; }
  Eigen::Index rho_offset() const { return dim_; }
  Eigen::Index layer_offset(int k) const { return 2 * dim_ + Eigen::Index{k} * (2 * dim_ + 1); }

  // Initial values: w ~ N(0, 1), u = 0, b ~ N(0, 1) as in the seed study, and
  // q0 = N(0, I): mu = 0, rho = softplus^-1(1). (The seed sets rho = 0 but
  // reads softplus(rho) as a variance, so its q0 starts at sigma = 0.83; with
  // sigma = softplus(rho) a unit start converged more reliably here, e.g. U4
  // reached kl_true < 0.02 in 9 of 10 seeds instead of 3 of 10.)
  void initialize(Random& rng);

  // Pushes eps (D, N) through the flow; keeps every intermediate z for backward.
  void forward(SamplesConstRef eps);

  const Samples& output() const { return z_.back(); }  // (D, N) z_K
  const Array& log_q() const { return log_q_; }        // (N)
  // Samples after layer k (k = 0 is the base sample z_0), from the last forward.
  const Samples& samples_after_layer(int k) const { return z_.at(static_cast<size_t>(k)); }

  // Given dz_K = dL/dz_K (D, N) and dlog_q = dL/dlog q (N), adds dL/dparameters
  // into gradient (same layout as parameters()). Uses the last forward's state.
  void backward(SamplesConstRef dz_out, ArrayConstRef dlog_q, Eigen::Ref<Vector> gradient);

 private:
  // log q0 minus log|prod det_k| over layers [first, end), whose product is in det_product_.
  void subtract_log_det(int first, int end);

  // Layers whose determinants are multiplied before one log is taken: logs
  // were the largest single cost of a step under WebAssembly. Each |det| is
  // 1 + (1 - h^2) psi; 8 of them stay in the normal range unless psi is
  // extreme, and then subtract_log_det falls back to a sum of logs.
  static constexpr int kLayersPerLog = 8;

  int dim_;
  int layers_;
  Vector params_;

  GaussianBase base_;
  std::vector<PlanarLayer> layer_ops_;
  Samples eps_;             // (D, N)
  std::vector<Samples> z_;  // K + 1 entries of (D, N)
  Array log_q_;             // (N)
  Array log_det_;           // (N) scratch
  Array det_product_;       // (N) product of det df_k/dz over the current run of layers
  Samples dz_;              // (D, N) backward scratch
};

// Draws n samples from the flow in chunks (so that the per-layer cache stays
// small): z (D, n) and log q(z) (n).
void sample_flow(PlanarFlow& flow, Random& rng, Eigen::Index n, Samples& z, Array& log_q, Eigen::Index chunk = 20000);

}  // namespace nfvi
