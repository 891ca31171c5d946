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
// Shapes: w, u, u_hat (D); z, z_out, dz (D, N) Samples; log_det, dlog_det (N).
// Parameters are passed in, not owned, so that the same layer serves a flow
// with one parameter set and a conditional flow with one set per condition.
#pragma once

#include "types.hpp"

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

class PlanarLayer {
 public:
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
  Vector w_;                     // (D)
  Vector u_;                     // (D)
  PlanarConstraint constraint_;  // of the last forward
  Array h_;                      // (N) tanh(w^T z + b)
  Array g_;                      // (N) 1 + (1 - h^2) psi
};

}  // namespace nfvi
