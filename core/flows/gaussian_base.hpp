// The base distribution q0 = N(mu, diag(sigma^2)) with sigma = softplus(rho),
// sampled by reparameterisation: z = mu + sigma * eps, eps ~ N(0, I).
//
// Shapes: mu, rho (D); eps, z (D, N) Samples; log_q (N).
#pragma once

#include "math/types.hpp"

namespace nfvi {

class GaussianBase {
 public:
  // z = mu + sigma * eps and log q0(z) = -|eps|^2/2 - sum log sigma - D/2 log 2 pi.
  void forward(VectorConstRef mu, VectorConstRef rho, SamplesConstRef eps, SamplesRef z, Eigen::Ref<Array> log_q);

  // Given dz = dL/dz (D, N) and dlog_q = dL/dlog_q0 (N), adds into dmu and drho:
  //   dmu    += sum_n dz_n
  //   dsigma  = sum_n dz_n * eps_n - (sum_n dlog_q_n) / sigma
  //   drho   += dsigma * sigmoid(rho)                 (softplus' = sigmoid)
  void backward(SamplesConstRef eps, SamplesConstRef dz, ArrayConstRef dlog_q, Eigen::Ref<Vector> dmu,
                Eigen::Ref<Vector> drho) const;

 private:
  Vector sigma_;        // (D) softplus(rho)
  Vector dsigma_drho_;  // (D) sigmoid(rho)
};

}  // namespace nfvi
