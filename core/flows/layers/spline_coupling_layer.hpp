// A rational-quadratic spline coupling layer (Durkan et al. 2019, "Neural
// Spline Flows"). With z split into a conditioning part a and a transformed
// part b (coupling.hpp), the conditioner MLP gives, for every coordinate of
// b, the 3B - 1 values of one monotone spline on [-L, L]
// (rational_quadratic_spline.hpp), the identity outside:
//
//   f(z)_a = z_a,   f(z)_b,j = g_j(z_b,j; MLP(z_a)),   log|det df/dz| = sum_j log g_j'(z_b,j).
//
// Inverse, in closed form: z_a = y_a, and each z_b,j is the spline's
// inverse (a quadratic root) with the knots from MLP(y_a).
// Parameters: the conditioner's weights (nn/mlp.hpp layout),
// {|a|, hidden x depth, |b| (3B - 1)}; output rows [j (3B-1), (j+1)(3B-1))
// are coordinate j's widths, heights and interior slopes.
#pragma once

#include "flows/layers/coupling.hpp"
#include "flows/layers/flow_layer.hpp"
#include "flows/layers/layer_kind.hpp"
#include "flows/layers/rational_quadratic_spline.hpp"

namespace nfvi {

class SplineCouplingLayer : public FlowLayer {
 public:
  SplineCouplingLayer(int dim, int coupling_index, int bins, double bound, int hidden, int depth);

  std::unique_ptr<FlowLayer> clone() const override { return std::make_unique<SplineCouplingLayer>(*this); }
  std::string spec() const override;
  int dim() const override { return dim_; }
  Eigen::Index parameter_count() const override { return network_.parameter_count(); }
  void initialize(Eigen::Ref<Vector> params, Random& rng) const override;
  void forward(VectorConstRef params, SamplesConstRef z, SamplesRef z_out, Eigen::Ref<Array> log_det) override;

  // With g = dz_out and e = dlog_det (N), per sample n and coordinate j of b:
  //   dz_b,j = the spline's dL/dx for dg = g_b,j and dlog_slope = e, which also
  //            gives dL/d(its 3B - 1 values) (rational_quadratic_spline.hpp);
  //   dz_a   = g_a + MLP backward of those values' gradients, which also adds the weights'.
  void backward(VectorConstRef params, SamplesConstRef z, SamplesConstRef dz_out, ArrayConstRef dlog_det,
                SamplesRef dz, Eigen::Ref<Vector> dparams) override;
  void inverse(VectorConstRef params, SamplesConstRef z_out, SamplesRef z, Eigen::Ref<Array> log_det) override;

  // The inverse's backward (flow_layer.hpp): dz_out = J^-T (dz + dlog_det grad_z log_det).
  // With theta = MLP(z_a) the knots' raw values, y_j = g(z_b,j; theta_j) and
  // log_det = sum_j log g'(z_b,j; theta_j), J is block lower-triangular:
  //   J = [ I  0 ; M  diag(g') ],   M = dg/dtheta dtheta/dz_a,
  // and log_det depends on z_b (through dlog g'/dx) and on z_a (through theta).
  // Solving J^T x = dz + E grad log_det (g = dz, E = dlog_det), b rows first:
  //   x_b,j = (g_b,j + E dlog g'/dx) / g'
  //   x_a   = g_a + (dtheta/dz_a)^T [ E dlog_det/dtheta - sum_j x_b,j dg_j/dtheta ]
  // where the bracket is the spline's backward for dg = -x_b,j and
  // dlog_slope = E (rational_quadratic_spline.hpp), then the MLP's input backward.
  void inverse_backward(VectorConstRef params, SamplesConstRef z, SamplesConstRef dz, ArrayConstRef dlog_det,
                        SamplesRef dz_out) override;

 private:
  int dim_, hidden_, depth_;
  SplineShape shape_;
  CouplingSplit split_;
  Mlp network_;
  RationalQuadraticSplines spline_;  // the knots of the last forward (or inverse), one spline per (sample, coordinate)
  Matrix z_a_, z_b_;  // from the last forward: (|a|, N), (|b|, N)
};

LayerKind spline_coupling_layer_kind();

}  // namespace nfvi
