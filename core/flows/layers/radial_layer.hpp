// One radial layer (Rezende & Mohamed 2015):
//
//   f(z) = z + beta h(alpha, r) (z - z0),   r = |z - z0|,   h = 1 / (alpha + r),
//   log|det df/dz| = (D - 1) log(1 + beta h) + log(1 + beta h - beta r h^2),
//
// with alpha = softplus(alpha') > 0 and beta = -alpha + softplus(beta') > -alpha,
// which makes f invertible. Parameters (D + 2): [ z0 (D) | alpha' | beta' ].
//
// Inverse, in closed form. With v = z - z0, f(z) - z0 = (1 + beta h) v, so
// the output's distance rho = |f(z) - z0| = r (alpha + beta + r) / (alpha + r),
// increasing in r because beta > -alpha. Given rho, r is the positive root of
//   r^2 + (alpha + beta - rho) r - alpha rho = 0,
// and z = z0 + (y - z0) / (1 + beta h(r)).
//
// Shapes: z0 (D); z, z_out, dz (D, N); log_det, dlog_det (N).
#pragma once

#include "flows/layers/flow_layer.hpp"
#include "flows/layers/layer_kind.hpp"

namespace nfvi {

class RadialLayer : public FlowLayer {
 public:
  explicit RadialLayer(int dim) : dim_(dim) {}

  std::unique_ptr<FlowLayer> clone() const override { return std::make_unique<RadialLayer>(*this); }
  std::string spec() const override { return "radial"; }
  int dim() const override { return dim_; }
  Eigen::Index parameter_count() const override { return dim_ + 2; }
  // z0 ~ N(0, I), alpha' ~ N(0, 1), beta' = alpha' + 0.1 N(0, 1): close to the identity.
  void initialize(Eigen::Ref<Vector> params, Random& rng) const override;
  void forward(VectorConstRef params, SamplesConstRef z, SamplesRef z_out, Eigen::Ref<Array> log_det) override;

  // With v = z - z0, r = |v|, h = 1/(alpha + r), A = 1 + beta h and
  // B = 1 + beta h - beta r h^2 (so log_det = (D-1) log A + log B), and
  // g = dz_out, e = dlog_det per sample (h depends on z through r, dr/dz = v / r):
  //   dz      = A g - beta h^2 (v^T g) v / r + e dlogdet/dr v / r
  //   dlogdet/dr = -(D-1) beta h^2 / A + (-2 beta h^2 + 2 beta r h^3) / B
  //   dz0    += sum_n (g_n - dz_n)                       (z_out - z0 and log_det depend on v only)
  //   dbeta   = sum_n [ h v^T g + e ((D-1) h / A + (h - r h^2) / B) ]
  //   dalpha  = sum_n [ -beta h^2 v^T g + e (-(D-1) beta h^2 / A + (-beta h^2 + 2 beta r h^3) / B) ]
  //   dalpha' += (dalpha - dbeta) sigmoid(alpha'),   dbeta' += dbeta sigmoid(beta')
  // (beta = -alpha + softplus(beta') also moves with alpha).
  void backward(VectorConstRef params, SamplesConstRef z, SamplesConstRef dz_out, ArrayConstRef dlog_det,
                SamplesRef dz, Eigen::Ref<Vector> dparams) override;
  void inverse(VectorConstRef params, SamplesConstRef z_out, SamplesRef z, Eigen::Ref<Array> log_det) override;

  // The inverse's backward (flow_layer.hpp): dz_out = J^-T (dz + dlog_det grad_z log_det).
  // With v = z - z0, r = |v|, e = v / r and h' = dh/dr = -h^2,
  //   J = (1 + beta h) I + beta h' r e e^T = A I + c e e^T,   c = -beta r h^2,   A + c = B,
  // a scaled identity plus a rank-one term, symmetric, with
  //   J^-T = J^-1 = I / A + (1/B - 1/A) e e^T
  // (check: (A I + c e e^T)(I / A + (1/B - 1/A) e e^T) = I + e e^T ((A + c)/B - 1) = I).
  // log_det depends on z through r only: grad_z log_det = dlogdet/dr e (dlogdet/dr as
  // in backward). Per sample, with g = dz and E = dlog_det, u = g + E dlogdet/dr e:
  //   dz_out = u / A + (1/B - 1/A)(e^T u) e
  //          = g / A + [ (v^T g / r)(1/B - 1/A) + E dlogdet/dr / B ] v / r.
  // At r = 0 the bracket's terms vanish with v (and A = B there).
  void inverse_backward(VectorConstRef params, SamplesConstRef z, SamplesConstRef dz, ArrayConstRef dlog_det,
                        SamplesRef dz_out) override;

 private:
  int dim_;
};

LayerKind radial_layer_kind();

}  // namespace nfvi
