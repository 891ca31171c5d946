#include "planar_layer.hpp"

#include <cmath>

#include "scalar_math.hpp"

namespace nfvi {

Vector planar_u_hat(VectorConstRef w, VectorConstRef u) {
  const double s = w.dot(u);
  const double m = -1 + softplus(s + kPlanarShift);
  return u + ((m - s) / w.squaredNorm()) * w;
}

void PlanarLayer::forward(VectorConstRef w, VectorConstRef u, double b, MatrixConstRef z, Eigen::Ref<Matrix> z_out,
                          Eigen::Ref<Array> log_det) {
  w_ = w;
  u_ = u;
  s_ = w.dot(u);
  psi_ = -1 + softplus(s_ + kPlanarShift);
  w_sq_ = w.squaredNorm();
  c_ = (psi_ - s_) / w_sq_;
  u_hat_ = u + c_ * w;

  h_ = ((w.transpose() * z).array().transpose() + b).tanh();
  z_out = z + u_hat_ * h_.matrix().transpose();
  g_ = 1 + (1 - h_.square()) * psi_;
  log_det = g_.abs().log();
}

void PlanarLayer::backward(MatrixConstRef z, MatrixConstRef dz_out, ArrayConstRef dlog_det, Eigen::Ref<Matrix> dz,
                           Eigen::Ref<Vector> dw, Eigen::Ref<Vector> du, double& db) const {
  const Array h_prime = 1 - h_.square();
  const Array da = h_prime * (u_hat_.transpose() * dz_out).array().transpose() -
                   dlog_det * 2 * h_ * h_prime * psi_ / g_;
  dz = dz_out + w_ * da.matrix().transpose();

  const Vector du_hat = dz_out * h_.matrix();
  const double dpsi = (dlog_det * h_prime / g_).sum();
  db += da.sum();

  const double m_prime = sigmoid(s_ + kPlanarShift);
  const double dc = du_hat.dot(w_);
  const double ds = dpsi * m_prime + dc * (m_prime - 1) / w_sq_;
  du += du_hat + ds * w_;
  dw += z * da.matrix() + ds * u_ + c_ * du_hat - (2 * c_ * dc / w_sq_) * w_;
}

}  // namespace nfvi
