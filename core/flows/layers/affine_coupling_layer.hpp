// An affine coupling layer (RealNVP, Dinh et al. 2017). With z split into a
// conditioning part a and a transformed part b (coupling.hpp), and the
// conditioner MLP giving (s', t) = MLP(z_a), two |b|-vectors per sample:
//
//   s = c tanh(s' / c)                    (a bounded log-scale, c = scale)
//   f(z)_a = z_a,   f(z)_b = z_b * exp(s) + t,   log|det df/dz| = sum_b s.
//
// Inverse, in closed form: z_a = y_a, z_b = (y_b - t) * exp(-s), with (s, t)
// from y_a = z_a. Parameters: the conditioner's weights (nn/mlp.hpp layout),
// {|a|, hidden x depth, 2|b|}; output rows [0, |b|) are s', [|b|, 2|b|) are t.
#pragma once

#include "flows/layers/coupling.hpp"
#include "flows/layers/flow_layer.hpp"
#include "flows/layers/layer_kind.hpp"

namespace nfvi {

class AffineCouplingLayer : public FlowLayer {
 public:
  AffineCouplingLayer(int dim, int coupling_index, int hidden, int depth, double scale);

  std::unique_ptr<FlowLayer> clone() const override { return std::make_unique<AffineCouplingLayer>(*this); }
  std::string spec() const override;
  int dim() const override { return dim_; }
  Eigen::Index parameter_count() const override { return network_.parameter_count(); }
  void initialize(Eigen::Ref<Vector> params, Random& rng) const override;
  void forward(VectorConstRef params, SamplesConstRef z, SamplesRef z_out, Eigen::Ref<Array> log_det) override;

  // With g = dz_out and e = dlog_det (N):
  //   dz_b  = g_b * exp(s)
  //   ds    = g_b * z_b * exp(s) + e          (e added to every row of b)
  //   ds'   = ds (1 - tanh^2(s'/c)),   dt = g_b
  //   dz_a  = g_a + MLP backward of [ds'; dt], which also adds the weights' gradient.
  void backward(VectorConstRef params, SamplesConstRef z, SamplesConstRef dz_out, ArrayConstRef dlog_det,
                SamplesRef dz, Eigen::Ref<Vector> dparams) override;
  void inverse(VectorConstRef params, SamplesConstRef z_out, SamplesRef z, Eigen::Ref<Array> log_det) override;

  // The inverse's backward (flow_layer.hpp): dz_out = J^-T (dz + dlog_det grad_z log_det).
  // J is block lower-triangular, with M = d f_b / d z_a = diag(z_b exp(s)) ds/dz_a + dt/dz_a:
  //   J = [ I  0 ; M  diag(exp s) ],   J^T = [ I  M^T ; 0  diag(exp s) ],
  // and log_det = sum_b s depends on z_a only. Solving J^T x = dz + E grad log_det
  // (g = dz, E = dlog_det), the b rows first, then the a rows:
  //   x_b = g_b exp(-s)
  //   x_a = g_a + (ds/dz_a)^T (E - z_b exp(s) x_b) - (dt/dz_a)^T x_b
  //       = g_a + MLP input backward of [ (E - z_b g_b)(1 - tanh^2(s'/c)) ; -x_b ].
  void inverse_backward(VectorConstRef params, SamplesConstRef z, SamplesConstRef dz, ArrayConstRef dlog_det,
                        SamplesRef dz_out) override;

 private:
  int dim_, hidden_, depth_;
  double scale_;
  CouplingSplit split_;
  Mlp network_;
  // From the last forward:
  Matrix z_a_, z_b_;           // (|a|, N), (|b|, N)
  Eigen::ArrayXXd tanh_, exp_s_;  // (|b|, N) tanh(s'/c) and exp(s)
};

LayerKind affine_coupling_layer_kind();

}  // namespace nfvi
