#include "flows/amortized_planar_flow.hpp"

#include <cassert>

#include "flows/layers/planar_layer.hpp"

namespace nfvi {
namespace {

// tanh(a) = sign(a) (1 - e) / (1 + e), e = exp(-2|a|): vectorised and overflow-free (see array_math.hpp).
Eigen::ArrayXXd tanh_of(const Eigen::ArrayXXd& a) {
  const Eigen::ArrayXXd e = (-2 * a.abs()).exp();
  return a.sign() * (1 - e) / (1 + e);
}

// softplus(x) = max(x, 0) + log1p(exp(-|x|)), elementwise.
Eigen::ArrayXXd softplus_of(const Eigen::ArrayXXd& x) { return x.max(0.0) + (-x.abs()).exp().log1p(); }

}  // namespace

AmortizedPlanarFlow::AmortizedPlanarFlow(int dim, int layers)
    : dim_(dim),
      layers_(layers),
      z_(static_cast<size_t>(layers)),
      h_(static_cast<size_t>(layers)),
      g_(static_cast<size_t>(layers)),
      u_hat_(static_cast<size_t>(layers)),
      s_(static_cast<size_t>(layers)),
      psi_(static_cast<size_t>(layers)),
      w_sq_(static_cast<size_t>(layers)),
      c_(static_cast<size_t>(layers)) {}

void AmortizedPlanarFlow::forward(MatrixConstRef params, MatrixConstRef z0, Eigen::Ref<Matrix> z_K,
                                  Eigen::Ref<Array> log_det_sum) {
  const Eigen::Index D = dim_, K = layers_, B = params.cols(), SB = z0.cols();
  assert(params.rows() == parameter_rows() && z0.rows() == D && SB % B == 0);
  const Eigen::Index S = SB / B;
  log_det_sum.setZero();
  z_K = z0;
  for (Eigen::Index k = 0; k < K; ++k) {
    const auto w = params.middleRows(k * D, D);
    const auto u = params.middleRows(K * D + k * D, D);
    const auto b = params.row(2 * K * D + k).array();
    const size_t i = static_cast<size_t>(k);
    s_[i] = w.cwiseProduct(u).colwise().sum().array();
    psi_[i] = -1 + softplus_of(s_[i] + kPlanarShift);
    w_sq_[i] = w.colwise().squaredNorm().array();
    c_[i] = (psi_[i] - s_[i]) / w_sq_[i];
    u_hat_[i] = u + (w.array().rowwise() * c_[i].row(0)).matrix();

    z_[i] = z_K;
    Eigen::ArrayXXd a(1, SB);
    for (Eigen::Index s = 0; s < S; ++s)
      a.middleCols(s * B, B) = w.cwiseProduct(z_[i].middleCols(s * B, B)).colwise().sum().array() + b;
    h_[i] = tanh_of(a);
    for (Eigen::Index s = 0; s < S; ++s) {
      z_K.middleCols(s * B, B).array() += u_hat_[i].array().rowwise() * h_[i].middleCols(s * B, B).row(0);
      g_[i].resize(1, SB);
      g_[i].middleCols(s * B, B) = 1 + (1 - h_[i].middleCols(s * B, B).square()) * psi_[i];
    }
    log_det_sum += g_[i].abs().log().row(0).transpose();
  }
}

void AmortizedPlanarFlow::backward(MatrixConstRef params, MatrixConstRef dz_K, ArrayConstRef dlog_det_sum,
                                   Eigen::Ref<Matrix> dz0, Eigen::Ref<Matrix> dparams) {
  const Eigen::Index D = dim_, K = layers_, B = params.cols(), SB = dz_K.cols();
  const Eigen::Index S = SB / B;
  const Eigen::ArrayXXd dlog_det = dlog_det_sum.transpose();  // (1, S B)
  dz_out_ = dz_K;
  for (Eigen::Index k = K - 1; k >= 0; --k) {
    const size_t i = static_cast<size_t>(k);
    const auto w = params.middleRows(k * D, D);
    const auto u = params.middleRows(K * D + k * D, D);
    const Eigen::ArrayXXd& h = h_[i];
    const Eigen::ArrayXXd h_prime = 1 - h.square();
    const Eigen::ArrayXXd& psi = psi_[i];

    Matrix du_hat = Matrix::Zero(D, B), dw_direct = Matrix::Zero(D, B);
    Eigen::ArrayXXd dpsi = Eigen::ArrayXXd::Zero(1, B), db = Eigen::ArrayXXd::Zero(1, B);
    for (Eigen::Index s = 0; s < S; ++s) {
      const auto cols = Eigen::seqN(s * B, B);
      auto dz_out = dz_out_.middleCols(s * B, B);
      du_hat.array() += dz_out.array().rowwise() * h(0, cols);
      // da = h' (u_hat^T dz_out) - dlog_det 2 h h' psi / g
      const Eigen::ArrayXXd da = h_prime(0, cols) * u_hat_[i].cwiseProduct(dz_out).colwise().sum().array() -
                                 dlog_det(0, cols) * 2 * h(0, cols) * h_prime(0, cols) * psi / g_[i](0, cols);
      dw_direct.array() += z_[i].middleCols(s * B, B).array().rowwise() * da.row(0);
      dpsi += dlog_det(0, cols) * h_prime(0, cols) / g_[i](0, cols);
      db += da;
      dz_out.array() += w.array().rowwise() * da.row(0);  // dz = dz_out + w da
    }
    const Eigen::ArrayXXd m_prime = 1 / (1 + (-(s_[i] + kPlanarShift)).exp());
    const Eigen::ArrayXXd dc = du_hat.cwiseProduct(w).colwise().sum().array();
    const Eigen::ArrayXXd ds = dpsi * m_prime + dc * (m_prime - 1) / w_sq_[i];
    dparams.middleRows(K * D + k * D, D).array() += du_hat.array() + w.array().rowwise() * ds.row(0);
    dparams.middleRows(k * D, D).array() += dw_direct.array() + u.array().rowwise() * ds.row(0) +
                                            du_hat.array().rowwise() * c_[i].row(0) -
                                            w.array().rowwise() * (2 * c_[i] * dc / w_sq_[i]).row(0);
    dparams.row(2 * K * D + k).array() += db.row(0);
  }
  dz0 = dz_out_;
}

}  // namespace nfvi
