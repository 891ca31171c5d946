#include "planar_layer.hpp"

#include <cmath>

#include "array_math.hpp"
#include "scalar_math.hpp"

namespace nfvi {

PlanarConstraint::PlanarConstraint(VectorConstRef w, VectorConstRef u)
    : s(w.dot(u)), psi(-1 + softplus(s + kPlanarShift)), w_sq(w.squaredNorm()), c((psi - s) / w_sq), u_hat(u + c * w) {}

void PlanarLayer::forward(VectorConstRef w, VectorConstRef u, double b, SamplesConstRef z, SamplesRef z_out,
                          Eigen::Ref<Array> log_det) {
  const Eigen::Index dim = w.size();
  w_ = w;
  u_ = u;
  constraint_ = PlanarConstraint(w, u);
  const Vector& u_hat = constraint_.u_hat;
  const double psi = constraint_.psi;

  // a = w^T z + b, one coordinate row at a time.
  scratch_.setConstant(z.cols(), b);
  for (Eigen::Index d = 0; d < dim; ++d) scratch_ += w(d) * z.row(d).transpose().array();
  tanh_into(scratch_, h_);
  for (Eigen::Index d = 0; d < dim; ++d) z_out.row(d) = z.row(d) + u_hat(d) * h_.matrix().transpose();
  g_ = 1 + (1 - h_.square()) * psi;
  log_det = g_.abs().log();
}

void PlanarLayer::backward(SamplesConstRef z, SamplesConstRef dz_out, ArrayConstRef dlog_det, SamplesRef dz,
                           Eigen::Ref<Vector> dw, Eigen::Ref<Vector> du, double& db) {
  const Eigen::Index dim = w_.size();
  const auto& [s, psi, w_sq, c, u_hat] = constraint_;
  h_prime_ = 1 - h_.square();

  // du_hat = sum_n h_n dz_out_n, taken before dz (which may alias dz_out) is written.
  Vector du_hat(dim);
  for (Eigen::Index d = 0; d < dim; ++d) du_hat(d) = dz_out.row(d).dot(h_.matrix().transpose());

  // da = h' (u_hat^T dz_out) - dlog_det 2 h h' psi / g
  scratch_.setZero(h_.size());
  for (Eigen::Index d = 0; d < dim; ++d) scratch_ += u_hat(d) * dz_out.row(d).transpose().array();
  scratch_ = h_prime_ * scratch_ - dlog_det * (2 * psi) * h_ * h_prime_ / g_;
  const Array& da = scratch_;

  Vector dw_direct(dim);
  for (Eigen::Index d = 0; d < dim; ++d) {
    dw_direct(d) = z.row(d).dot(da.matrix().transpose());
    dz.row(d) = dz_out.row(d) + w_(d) * da.matrix().transpose();
  }
  const double dpsi = (dlog_det * h_prime_ / g_).sum();
  db += da.sum();

  const double m_prime = sigmoid(s + kPlanarShift);
  const double dc = du_hat.dot(w_);
  const double ds = dpsi * m_prime + dc * (m_prime - 1) / w_sq;
  du += du_hat + ds * w_;
  dw += dw_direct + ds * u_ + c * du_hat - (2 * c * dc / w_sq) * w_;
}

}  // namespace nfvi
