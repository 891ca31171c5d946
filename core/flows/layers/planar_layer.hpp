// One planar layer (Rezende & Mohamed 2015):
//
//   f(z) = z + u_hat tanh(w^T z + b),
//   log|det df/dz| = log|1 + (1 - tanh^2(w^T z + b)) w^T u_hat|.
//
// f is invertible when w^T u_hat >= -1. The free parameter u is mapped to
//   u_hat = u + (m(w^T u) - w^T u) w / |w|^2,  m(s) = -1 + softplus(s + 0.5413),
// so w^T u_hat = m(w^T u) > -1 always. The shift 0.5413 ~ softplus^-1(1)
// (the seed's) makes u_hat = u when u = 0.
//
// Parameters (2 D + 1): [ w (D) | u (D) | b ].
// Shapes: w, u, u_hat (D); z, z_out, dz (D, N) Samples; log_det, dlog_det (N).
//
// Inverse. Given y = f(z), let alpha = w^T z. Then
//   w^T y = alpha + psi tanh(alpha + b),   psi = w^T u_hat > -1,
// whose derivative in alpha, 1 + psi (1 - tanh^2(alpha + b)), is at least
// min(1, 1 + psi) > 0: the right side is strictly increasing, so alpha is
// its unique root. |psi tanh| <= |psi| brackets it in [w^T y - |psi|,
// w^T y + |psi|]; Newton steps that leave the bracket (or do not shrink the
// residual) are replaced by bisection. Then z = y - u_hat tanh(alpha + b).
#pragma once

#include "flows/layers/flow_layer.hpp"
#include "flows/layers/layer_kind.hpp"
#include "math/types.hpp"

namespace nfvi {

// The shift inside m(s): softplus(0.5413) ~ 1, so m(0) ~ 0.
inline constexpr double kPlanarShift = 0.5413;

// The map u -> u_hat for given w, with the intermediate values that the
// layer's backward needs.
struct PlanarConstraint {
  PlanarConstraint() = default;
  PlanarConstraint(VectorConstRef w, VectorConstRef u);

  double s = 0;     // w^T u
  double psi = 0;   // w^T u_hat = m(s)
  double w_sq = 0;  // |w|^2
  double c = 0;     // (m(s) - s)/|w|^2
  Vector u_hat;     // (D) u + c w
};

class PlanarLayer : public FlowLayer {
 public:
  explicit PlanarLayer(int dim = 2) : dim_(dim) {}
  static Eigen::Index parameter_count(int dim) { return 2 * Eigen::Index{dim} + 1; }

  // --- FlowLayer, on the segment [w | u | b]
  std::unique_ptr<FlowLayer> clone() const override { return std::make_unique<PlanarLayer>(*this); }
  std::string spec() const override { return "planar"; }
  int dim() const override { return dim_; }
  Eigen::Index parameter_count() const override { return parameter_count(dim_); }
  // w ~ N(0, I), u = 0, b ~ N(0, 1), as in the seed study (w drawn before b).
  void initialize(Eigen::Ref<Vector> params, Random& rng) const override;
  // w = 0 leaves u_hat undefined (it divides by |w|^2).
  std::string invalid_parameters(VectorConstRef params) const override {
    return params.head(dim_).squaredNorm() == 0 ? "w must not be all zeros" : "";
  }
  void forward(VectorConstRef params, SamplesConstRef z, SamplesRef z_out, Eigen::Ref<Array> log_det) override;
  bool offers_determinant() const override { return true; }
  const Array& forward_det(VectorConstRef params, SamplesConstRef z, SamplesRef z_out) override;
  void backward(VectorConstRef params, SamplesConstRef z, SamplesConstRef dz_out, ArrayConstRef dlog_det,
                SamplesRef dz, Eigen::Ref<Vector> dparams) override;
  void inverse(VectorConstRef params, SamplesConstRef z_out, SamplesRef z, Eigen::Ref<Array> log_det) override;

  // The inverse's backward (flow_layer.hpp): dz_out = J^-T (dz + dlog_det grad_z log g).
  // With a = w^T z + b, h = tanh(a), h' = 1 - h^2, psi = w^T u_hat and
  // g = 1 + h' psi = det J:
  //   J = I + h' u_hat w^T,   so   J^T = I + (h' w) u_hat^T,
  // and Sherman-Morrison, (I + x y^T)^-1 = I - x y^T / (1 + y^T x) with
  // x = h' w, y = u_hat (1 + y^T x = g > 0), gives
  //   J^-T = I - (h' / g) w u_hat^T.
  // log g depends on z through a only: dh'/da = -2 h h', so
  //   grad_z log g = -(2 h h' psi / g) w.
  // Per sample, with v = dz + dlog_det grad_z log g = dz + c w, c = -dlog_det 2 h h' psi / g:
  //   dz_out = v - (h' / g)(u_hat^T v) w
  //          = dz + w [ c - (h' / g)(u_hat^T dz + c psi) ]      (u_hat^T w = psi).
  // Both J^-T and the log-det term move only along w: one scalar per sample.
  void inverse_backward(VectorConstRef params, SamplesConstRef z, SamplesConstRef dz, ArrayConstRef dlog_det,
                        SamplesRef dz_out) override;

  // --- the same maths with w, u and b apart
  // z_out = f(z), log_det = log|det df/dz| per sample. z_out must not alias z.
  void forward(VectorConstRef w, VectorConstRef u, double b, SamplesConstRef z, SamplesRef z_out,
               Eigen::Ref<Array> log_det);

  // z_out = f(z) without the logarithm: det() then holds det df/dz per sample,
  // so that a flow can take one log of the product of several layers' determinants.
  void forward(VectorConstRef w, VectorConstRef u, double b, SamplesConstRef z, SamplesRef z_out);

  // (N) det df/dz = g = 1 + (1 - h^2) psi per sample, from the last forward.
  // g > 0 in exact arithmetic, since psi > -1 and 0 < 1 - h^2 <= 1.
  const Array& det() const { return g_; }

  // Given dz_out = dL/dz_out and dlog_det = dL/dlog_det, writes dz = dL/dz and
  // adds into dw, du and db. With h = tanh(a), a = w^T z + b, h' = 1 - h^2,
  // psi = w^T u_hat = m(s), s = w^T u, g = 1 + h' psi:
  //   da      = h' (u_hat^T dz_out) - dlog_det 2 h h' psi / g
  //   dz      = dz_out + w da
  //   du_hat  = sum_n h_n dz_out_n
  //   dpsi    = sum_n dlog_det_n h'_n / g_n
  //   db     += sum_n da_n ;   dw_direct = sum_n da_n z_n
  // and through u_hat = u + c w, c = (m(s) - s)/n, n = |w|^2:
  //   dc      = du_hat^T w
  //   ds      = dpsi m'(s) + dc (m'(s) - 1)/n          (m' = sigmoid(s + shift))
  //   du     += du_hat + ds w
  //   dw     += dw_direct + ds u + c du_hat - 2 c dc w / n
  // z must be the input given to forward. dz may alias dz_out.
  void backward(SamplesConstRef z, SamplesConstRef dz_out, ArrayConstRef dlog_det, SamplesRef dz, Eigen::Ref<Vector> dw,
                Eigen::Ref<Vector> du, double& db);

 private:
  int dim_;
  Vector w_;                     // (D)
  Vector u_;                     // (D)
  PlanarConstraint constraint_;  // of the last forward
  Array h_;                      // (N) tanh(w^T z + b)
  Array g_;                      // (N) 1 + (1 - h^2) psi
};

LayerKind planar_layer_kind();

}  // namespace nfvi
