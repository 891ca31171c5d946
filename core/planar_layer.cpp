#include "planar_layer.hpp"

#include <cmath>

#include "array_math.hpp"
#include "scalar_math.hpp"

namespace nfvi {

Vector planar_u_hat(VectorConstRef w, VectorConstRef u) {
  const double s = w.dot(u);
  const double m = -1 + softplus(s + kPlanarShift);
  return u + ((m - s) / w.squaredNorm()) * w;
}

void PlanarLayer::forward(VectorConstRef w, VectorConstRef u, double b, SamplesConstRef z, SamplesRef z_out,
                          Eigen::Ref<Array> log_det) {
  const Eigen::Index dim = w.size();
  w_ = w;
  u_ = u;
  s_ = w.dot(u);
  psi_ = -1 + softplus(s_ + kPlanarShift);
  w_sq_ = w.squaredNorm();
  c_ = (psi_ - s_) / w_sq_;
  u_hat_ = u + c_ * w;

  // a = w^T z + b, one coordinate row at a time.
  scratch_.setConstant(z.cols(), b);
  for (Eigen::Index d = 0; d < dim; ++d) scratch_ += w(d) * z.row(d).transpose().array();
  tanh_into(scratch_, h_);
  for (Eigen::Index d = 0; d < dim; ++d) z_out.row(d) = z.row(d) + u_hat_(d) * h_.matrix().transpose();
  g_ = 1 + (1 - h_.square()) * psi_;
  log_det = g_.abs().log();
}

void PlanarLayer::backward(SamplesConstRef z, SamplesConstRef dz_out, ArrayConstRef dlog_det, SamplesRef dz,
                           Eigen::Ref<Vector> dw, Eigen::Ref<Vector> du, double& db) {
  const Eigen::Index dim = w_.size();
  h_prime_ = 1 - h_.square();

  // du_hat = sum_n h_n dz_out_n, taken before dz (which may alias dz_out) is written.
  Vector du_hat(dim);
  for (Eigen::Index d = 0; d < dim; ++d) du_hat(d) = dz_out.row(d).dot(h_.matrix().transpose());

  // da = h' (u_hat^T dz_out) - dlog_det 2 h h' psi / g
  scratch_.setZero(h_.size());
  for (Eigen::Index d = 0; d < dim; ++d) scratch_ += u_hat_(d) * dz_out.row(d).transpose().array();
  scratch_ = h_prime_ * scratch_ - dlog_det * (2 * psi_) * h_ * h_prime_ / g_;
  const Array& da = scratch_;

  Vector dw_direct(dim);
  for (Eigen::Index d = 0; d < dim; ++d) {
    dw_direct(d) = z.row(d).dot(da.matrix().transpose());
    dz.row(d) = dz_out.row(d) + w_(d) * da.matrix().transpose();
  }
  const double dpsi = (dlog_det * h_prime_ / g_).sum();
  db += da.sum();

  const double m_prime = sigmoid(s_ + kPlanarShift);
  const double dc = du_hat.dot(w_);
  const double ds = dpsi * m_prime + dc * (m_prime - 1) / w_sq_;
  du += du_hat + ds * w_;
  dw += dw_direct + ds * u_ + c_ * du_hat - (2 * c_ * dc / w_sq_) * w_;
}

}  // namespace nfvi
