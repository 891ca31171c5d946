#include "flows/layers/radial_layer.hpp"

#include <cmath>

#include "math/scalar_math.hpp"

namespace nfvi {
namespace {

struct RadialParameters {
  double alpha, beta, dalpha_raw, dbeta_raw;  // alpha, beta and the derivatives of softplus at alpha', beta'
  RadialParameters(VectorConstRef params, int dim) {
    const double a_raw = params(dim), b_raw = params(dim + 1);
    alpha = softplus(a_raw);
    beta = -alpha + softplus(b_raw);
    dalpha_raw = sigmoid(a_raw);
    dbeta_raw = sigmoid(b_raw);
  }
};

}  // namespace

void RadialLayer::initialize(Eigen::Ref<Vector> params, Random& rng) const {
  for (int d = 0; d < dim_; ++d) params(d) = rng.normal();
  params(dim_) = rng.normal();
  params(dim_ + 1) = params(dim_) + 0.1 * rng.normal();
}

void RadialLayer::forward(VectorConstRef params, SamplesConstRef z, SamplesRef z_out, Eigen::Ref<Array> log_det) {
  const RadialParameters p(params, dim_);
  const auto z0 = params.head(dim_);
  for (Eigen::Index n = 0; n < z.cols(); ++n) {
    const Vector v = z.col(n) - z0;
    const double r = v.norm(), h = 1 / (p.alpha + r);
    const double a = 1 + p.beta * h, b = a - p.beta * r * h * h;
    z_out.col(n) = z.col(n) + p.beta * h * v;
    log_det(n) = (dim_ - 1) * std::log(a) + std::log(b);
  }
}

void RadialLayer::backward(VectorConstRef params, SamplesConstRef z, SamplesConstRef dz_out, ArrayConstRef dlog_det,
                           SamplesRef dz, Eigen::Ref<Vector> dparams) {
  const RadialParameters p(params, dim_);
  const auto z0 = params.head(dim_);
  const double beta = p.beta;
  Vector dz0 = Vector::Zero(dim_);
  double dalpha = 0, dbeta = 0;
  for (Eigen::Index n = 0; n < z.cols(); ++n) {
    const Vector v = z.col(n) - z0;
    const Vector g = dz_out.col(n);  // read before dz (which may alias it) is written
    const double e = dlog_det(n);
    const double r = v.norm(), h = 1 / (p.alpha + r), h2 = h * h;
    const double a = 1 + beta * h, b = a - beta * r * h2;
    const double vg = v.dot(g);
    const double dlogdet_dr = -(dim_ - 1) * beta * h2 / a + (-2 * beta * h2 + 2 * beta * r * h2 * h) / b;
    // d|v|/dv = v / r; at r = 0 the terms with v / r vanish with v.
    const double radial = r > 0 ? (-beta * h2 * vg + e * dlogdet_dr) / r : 0.0;
    const Vector dz_n = a * g + radial * v;
    dz0 += g - dz_n;
    dz.col(n) = dz_n;
    dbeta += h * vg + e * ((dim_ - 1) * h / a + (h - r * h2) / b);
    dalpha += -beta * h2 * vg + e * (-(dim_ - 1) * beta * h2 / a + (-beta * h2 + 2 * beta * r * h2 * h) / b);
  }
  dparams.head(dim_) += dz0;
  dparams(dim_) += (dalpha - dbeta) * p.dalpha_raw;
  dparams(dim_ + 1) += dbeta * p.dbeta_raw;
}

void RadialLayer::inverse(VectorConstRef params, SamplesConstRef z_out, SamplesRef z, Eigen::Ref<Array> log_det) {
  const RadialParameters p(params, dim_);
  const auto z0 = params.head(dim_);
  const double alpha = p.alpha, beta = p.beta;
  for (Eigen::Index n = 0; n < z_out.cols(); ++n) {
    const Vector w = z_out.col(n) - z0;
    const double rho = w.norm();
    // r^2 + c r - alpha rho = 0 with c = alpha + beta - rho: the positive root,
    // in the form that does not cancel for either sign of c.
    const double c = alpha + beta - rho, root = std::sqrt(c * c + 4 * alpha * rho);
    const double r = c >= 0 ? (rho > 0 ? 2 * alpha * rho / (c + root) : 0.0) : (root - c) / 2;
    const double h = 1 / (alpha + r);
    const double a = 1 + beta * h, b = a - beta * r * h * h;
    z.col(n) = z0 + w / a;
    log_det(n) = (dim_ - 1) * std::log(a) + std::log(b);
  }
}

LayerKind radial_layer_kind() {
  LayerKind kind;
  kind.name = "radial";
  kind.summary = "radial layer (Rezende & Mohamed 2015): contracts or expands around a point z0";
  kind.make = [](int dim, const LayerOptions&, int) { return std::make_unique<RadialLayer>(dim); };
  return kind;
}

}  // namespace nfvi
