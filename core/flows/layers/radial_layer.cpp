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

namespace {

// Per sample, from v = z - z0 (D, N): r = |v|, h = 1/(alpha + r), A = 1 + beta h,
// B = A - beta r h^2, as whole (N) arrays (one pass each, vectorised by Eigen).
struct RadialTerms {
  Array r, h, a, b;
  RadialTerms(const Samples& v, double alpha, double beta) {
    r = v.colwise().norm().transpose().array();
    h = 1 / (alpha + r);
    a = 1 + beta * h;
    b = a - beta * r * h * h;
  }
};

}  // namespace

void RadialLayer::forward(VectorConstRef params, SamplesConstRef z, SamplesRef z_out, Eigen::Ref<Array> log_det) {
  const RadialParameters p(params, dim_);
  const Samples v = z.colwise() - params.head(dim_);
  const RadialTerms t(v, p.alpha, p.beta);
  const Array scale = p.beta * t.h;
  for (int d = 0; d < dim_; ++d) z_out.row(d) = z.row(d).array() + scale.transpose() * v.row(d).array();
  log_det = (dim_ - 1) * t.a.log() + t.b.log();
}

void RadialLayer::backward(VectorConstRef params, SamplesConstRef z, SamplesConstRef dz_out, ArrayConstRef dlog_det,
                           SamplesRef dz, Eigen::Ref<Vector> dparams) {
  const RadialParameters p(params, dim_);
  const double beta = p.beta, dm1 = dim_ - 1;
  const Samples v = z.colwise() - params.head(dim_);
  const RadialTerms t(v, p.alpha, p.beta);
  const Samples g = dz_out;  // read before dz (which may alias it) is written
  const Array& e = dlog_det;
  const Array h2 = t.h * t.h;
  const Array vg = (v.array() * g.array()).colwise().sum().transpose();
  const Array dlogdet_dr = -dm1 * beta * h2 / t.a + (-2 * beta * h2 + 2 * beta * t.r * h2 * t.h) / t.b;
  // d|v|/dv = v / r; at r = 0 the terms with v / r vanish with v.
  const Array radial = (t.r > 0).select((-beta * h2 * vg + e * dlogdet_dr) / t.r, 0.0);
  for (int d = 0; d < dim_; ++d) dz.row(d) = t.a.transpose() * g.row(d).array() + radial.transpose() * v.row(d).array();
  dparams.head(dim_) += (g - dz).rowwise().sum();
  const double dbeta = (t.h * vg + e * (dm1 * t.h / t.a + (t.h - t.r * h2) / t.b)).sum();
  const double dalpha =
      (-beta * h2 * vg + e * (-dm1 * beta * h2 / t.a + (-beta * h2 + 2 * beta * t.r * h2 * t.h) / t.b)).sum();
  dparams(dim_) += (dalpha - dbeta) * p.dalpha_raw;
  dparams(dim_ + 1) += dbeta * p.dbeta_raw;
}

void RadialLayer::inverse_backward(VectorConstRef params, SamplesConstRef z, SamplesConstRef dz,
                                   ArrayConstRef dlog_det, SamplesRef dz_out) {
  const RadialParameters p(params, dim_);
  const double beta = p.beta, dm1 = dim_ - 1;
  const Samples v = z.colwise() - params.head(dim_);
  const RadialTerms t(v, p.alpha, p.beta);
  const Samples g = dz;  // read before dz_out (which may alias it) is written
  const Array h2 = t.h * t.h;
  const Array vg = (v.array() * g.array()).colwise().sum().transpose();
  const Array dlogdet_dr = -dm1 * beta * h2 / t.a + (-2 * beta * h2 + 2 * beta * t.r * h2 * t.h) / t.b;
  const Array radial =
      (t.r > 0).select(((vg / t.r) * (1 / t.b - 1 / t.a) + dlog_det * dlogdet_dr / t.b) / t.r, 0.0);
  for (int d = 0; d < dim_; ++d)
    dz_out.row(d) = g.row(d).array() / t.a.transpose() + radial.transpose() * v.row(d).array();
}

void RadialLayer::inverse(VectorConstRef params, SamplesConstRef z_out, SamplesRef z, Eigen::Ref<Array> log_det) {
  const RadialParameters p(params, dim_);
  const auto z0 = params.head(dim_);
  const double alpha = p.alpha, beta = p.beta;
  const Samples w = z_out.colwise() - z0;
  for (Eigen::Index n = 0; n < z_out.cols(); ++n) {
    const double rho = w.col(n).norm();
    // r^2 + c r - alpha rho = 0 with c = alpha + beta - rho: the positive root,
    // in the form that does not cancel for either sign of c.
    const double c = alpha + beta - rho, root = std::sqrt(c * c + 4 * alpha * rho);
    const double r = c >= 0 ? (rho > 0 ? 2 * alpha * rho / (c + root) : 0.0) : (root - c) / 2;
    const double h = 1 / (alpha + r);
    const double a = 1 + beta * h, b = a - beta * r * h * h;
    z.col(n) = z0 + w.col(n) / a;
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
