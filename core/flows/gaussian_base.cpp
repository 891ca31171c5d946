#include "flows/gaussian_base.hpp"

#include <cmath>

#include "math/scalar_math.hpp"

namespace nfvi {

void GaussianBase::forward(VectorConstRef mu, VectorConstRef rho, SamplesConstRef eps, SamplesRef z,
                           Eigen::Ref<Array> log_q) {
  const Eigen::Index d = mu.size();
  sigma_.resize(d);
  dsigma_drho_.resize(d);
  for (Eigen::Index i = 0; i < d; ++i) {
    sigma_(i) = softplus(rho(i));
    dsigma_drho_(i) = sigmoid(rho(i));
  }
  z = (sigma_.asDiagonal() * eps).colwise() + mu;
  const double log_norm = sigma_.array().log().sum() + 0.5 * static_cast<double>(d) * std::log(2 * M_PI);
  log_q = -0.5 * eps.colwise().squaredNorm().array().transpose() - log_norm;
}

void GaussianBase::backward(SamplesConstRef eps, SamplesConstRef dz, ArrayConstRef dlog_q, Eigen::Ref<Vector> dmu,
                            Eigen::Ref<Vector> drho) const {
  dmu += dz.rowwise().sum();
  const Vector dsigma = dz.cwiseProduct(eps).rowwise().sum() - (dlog_q.sum() * sigma_.cwiseInverse());
  drho += dsigma.cwiseProduct(dsigma_drho_);
}

}  // namespace nfvi
