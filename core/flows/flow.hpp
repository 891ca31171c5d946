// A normalizing flow: the Gaussian base q0 followed by any sequence of layers
// (flows/layers/), all parameters in one flat vector.
//
//   z_0 = mu + sigma * eps,  z_k = f_k(z_{k-1}),
//   log q(z_K) = log q0(z_0) - sum_k log|det df_k/dz_{k-1}|.
//
// Layout of the parameters: [ mu (D) | rho (D) | layer 1 | ... | layer K ],
// each layer's segment in the layout of its kind. A flow of planar layers
// (flow spec "planar:K") has the layout and the numbers that nfvi's planar
// flow always had.
//
// The density anywhere: log_density(z) inverts every layer exactly, so
// log q(z) is exact at any point, not only at the flow's own samples.
//
// Shapes: eps and every z_k are (D, N) Samples; log_q is (N).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "flows/gaussian_base.hpp"
#include "flows/layers/flow_layer.hpp"
#include "math/random.hpp"
#include "math/types.hpp"

namespace nfvi {

class Flow {
 public:
  // The layers must all have dimension dim.
  Flow(int dim, std::vector<std::unique_ptr<FlowLayer>> layers);
  // A flow from a spec such as "spline:2,planar:10" (flows/flow_spec.hpp);
  // throws FlowSpecError for a bad spec.
  Flow(int dim, const std::string& spec);
  Flow(const Flow& other);
  Flow& operator=(const Flow& other);
  Flow(Flow&&) noexcept = default;
  Flow& operator=(Flow&&) noexcept = default;

  int dim() const { return dim_; }
  int layers() const { return static_cast<int>(layers_.size()); }
  const FlowLayer& layer(int k) const { return *layers_.at(static_cast<size_t>(k)); }
  // The canonical spec of this flow's layers, e.g. "planar:50" or "spline:2:bins=8,radial:3".
  std::string spec() const;

  Eigen::Index parameter_count() const { return offsets_.back(); }
  Vector& parameters() { return params_; }
  const Vector& parameters() const { return params_; }
  static Eigen::Index mu_offset() { return 0; }
  Eigen::Index rho_offset() const { return dim_; }
  Eigen::Index layer_offset(int k) const { return offsets_.at(static_cast<size_t>(k)); }

  // q0 = N(0, I) (mu = 0, rho = softplus^-1(1)), then each layer's own
  // initial values, layer by layer from rng. (The seed sets rho = 0 but reads
  // softplus(rho) as a variance, so its q0 starts at sigma = 0.83; with sigma
  // = softplus(rho) a unit start converged more reliably here, e.g. U4
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

  // d log q(z_K) / dz_K (D, N) at the last forward's samples, the parameters
  // held fixed: the base's -eps / sigma at z_0, carried up through every
  // layer's inverse backward with dlog_det = -1 (log q = log q0 - sum_k
  // log_det_k, and z_{k-1} = f_k^-1(z_k)):
  //   g_0 = -eps / sigma,   g_k = J_k^-T (g_{k-1} - grad log|det J_k|(z_{k-1})),   result g_K.
  // Leaves the forward's state for backward.
  void log_q_gradient(Samples& gradient);

  // log q(z) and d log q / dz (D, N) at given points z (D, N): log_density,
  // then a forward from the base points it gives (round-off away from z),
  // then log_q_gradient. Overwrites what the last forward kept.
  void log_density_gradient(SamplesConstRef z, Array& log_q, Samples& gradient);

  // log q(z) at given points z (D, N), by inverting every layer:
  //   z_{k-1} = f_k^-1(z_k),  log q(z_K) = log q0(z_0) - sum_k log|det df_k/dz_{k-1}|.
  // Also gives the base point z_0 of each (D, N) if base is non-null. It
  // overwrites what the last forward kept (call it between steps).
  void log_density(SamplesConstRef z, Array& log_q, Samples* base = nullptr);

 private:
  void layout();
  // log q -= log|prod det_k| over the current run of layers (det_product_, run_dets_).
  void subtract_run_log_det();

  // Layers that offer their determinant have it multiplied over runs of up
  // to this many before one log is taken. Each |det| of a planar layer is
  // 1 + (1 - h^2) psi; 8 of them stay in the normal range unless psi is
  // extreme, and then subtract_log_det falls back to a sum of logs.
  static constexpr int kLayersPerLog = 8;

  int dim_;
  std::vector<std::unique_ptr<FlowLayer>> layers_;
  std::vector<Eigen::Index> offsets_;  // K + 1 entries: start of each layer's segment, then the total
  Vector params_;

  GaussianBase base_;
  Samples eps_;             // (D, N)
  std::vector<Samples> z_;  // K + 1 entries of (D, N)
  Array log_q_;             // (N)
  Array log_det_;           // (N) scratch
  Array det_product_;       // (N) product of det df_k/dz over the current run of layers
  std::vector<const Array*> run_dets_;  // the determinants of the current run's layers
  Samples dz_;              // (D, N) backward scratch
};

// K planar layers of dimension dim: the flow of spec "planar:K" (K may be 0,
// the base alone), as the conditional model and the tests build it.
std::vector<std::unique_ptr<FlowLayer>> planar_layers(int dim, int layers);

// Draws n samples from the flow in chunks (so that the per-layer cache stays
// small): z (D, n) and log q(z) (n).
void sample_flow(Flow& flow, Random& rng, Eigen::Index n, Samples& z, Array& log_q, Eigen::Index chunk = 20000);

// log q on the centres of a bins x bins grid over [lo, hi]^2 (D = 2), row-major
// with row iy covering z2 (values[iy * bins + ix]), by log_density.
std::vector<double> log_density_grid(Flow& flow, double lo, double hi, int bins);

}  // namespace nfvi
