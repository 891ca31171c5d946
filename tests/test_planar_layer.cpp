#include <catch2/catch.hpp>
#include <cmath>

#include "gradient_check.hpp"
#include "flows/layers/planar_layer.hpp"
#include "math/random.hpp"

using namespace nfvi;
using namespace nfvi::testing;

namespace {

constexpr int kDim = 2;

// Packs (z, w, u, b) into one vector so that one finite-difference pass covers them all.
struct LayerPoint {
  Samples z;
  Vector w, u;
  double b;
};

Vector pack(const LayerPoint& p) {
  Vector x(p.z.size() + 2 * kDim + 1);
  x << Eigen::Map<const Vector>(p.z.data(), p.z.size()), p.w, p.u, p.b;
  return x;
}

LayerPoint unpack(const Vector& x, Eigen::Index n) {
  LayerPoint p;
  p.z = Eigen::Map<const Samples>(x.data(), kDim, n);
  p.w = x.segment(kDim * n, kDim);
  p.u = x.segment(kDim * n + kDim, kDim);
  p.b = x(kDim * n + 2 * kDim);
  return p;
}

}  // namespace

TEST_CASE("planar layer: dz, dw, du and db (through u_hat) match central differences", "[planar][gradient]") {
  Random rng(5);
  // 19 samples: whole packs of simd::kLanes (2, 4 or 8) and a remainder, so that both loops are checked.
  const Eigen::Index n = 19;
  // Parameter sets: ordinary ones, and ones where w^T u < -1 so that the
  // u -> u_hat correction is large.
  for (int trial = 0; trial < 12; ++trial) {
    LayerPoint p;
    p.z.resize(kDim, n);
    rng.fill_normal(p.z);
    p.w = Vector(kDim);
    p.u = Vector(kDim);
    for (int i = 0; i < kDim; ++i) {
      p.w(i) = 1.5 * rng.normal();
      p.u(i) = 1.5 * rng.normal();
    }
    if (trial % 2 == 1) p.u = -(2.0 + trial) * p.w / p.w.squaredNorm() + 0.3 * p.u;
    p.b = rng.normal();

    Samples weight_z(kDim, n), weight_ld(1, n);
    rng.fill_normal(weight_z);
    rng.fill_normal(weight_ld);
    const Array weight_log_det = weight_ld.row(0).transpose().array();

    const auto loss = [&](const Vector& x) {
      const LayerPoint q = unpack(x, n);
      PlanarLayer layer;
      Samples z_out(kDim, n);
      Array log_det(n);
      layer.forward(q.w, q.u, q.b, q.z, z_out, log_det);
      return weight_z.cwiseProduct(z_out).sum() + (weight_log_det * log_det).sum();
    };

    PlanarLayer layer;
    Samples z_out(kDim, n);
    Array log_det(n);
    layer.forward(p.w, p.u, p.b, p.z, z_out, log_det);
    Samples dz(kDim, n);
    Vector dw = Vector::Zero(kDim), du = Vector::Zero(kDim);
    double db = 0;
    layer.backward(p.z, weight_z, weight_log_det, dz, dw, du, db);
    const Vector analytic = pack({dz, dw, du, db});

    const Vector numeric = central_difference_gradient(loss, pack(p), 1e-6);
    INFO("trial " << trial << " w^T u = " << p.w.dot(p.u));
    INFO("analytic " << analytic.transpose() << "\nnumeric  " << numeric.transpose());
    CHECK(max_relative_error(analytic, numeric) < 1e-6);
  }
}

TEST_CASE("planar layer: log|det J| equals the log-determinant of the finite-difference Jacobian", "[planar][logdet]") {
  Random rng(9);
  for (int trial = 0; trial < 20; ++trial) {
    Vector w(kDim), u(kDim), z(kDim);
    for (int i = 0; i < kDim; ++i) {
      w(i) = 2 * rng.normal();
      u(i) = 2 * rng.normal();
      z(i) = 2 * rng.normal();
    }
    const double b = rng.normal();
    const auto f = [&](const Vector& x) {
      PlanarLayer layer;
      Samples out(kDim, 1);
      Array ld(1);
      layer.forward(w, u, b, x, out, ld);
      return Vector(out.col(0));
    };
    PlanarLayer layer;
    Samples out(kDim, 1);
    Array log_det(1);
    layer.forward(w, u, b, z, out, log_det);
    const Matrix jacobian = central_difference_jacobian(f, z);
    INFO("trial " << trial);
    CHECK(log_det(0) == Approx(std::log(std::abs(jacobian.determinant()))).epsilon(1e-7).margin(1e-8));
  }
}

TEST_CASE("planar layer: w^T u_hat >= -1 for any parameters", "[planar][invertibility]") {
  Random rng(13);
  for (int trial = 0; trial < 10000; ++trial) {
    Vector w(kDim), u(kDim);
    // Scales from 1e-3 to 1e3, and u pointing against w.
    const double scale_w = std::pow(10.0, 6 * rng.uniform() - 3);
    const double scale_u = std::pow(10.0, 6 * rng.uniform() - 3);
    for (int i = 0; i < kDim; ++i) {
      w(i) = scale_w * rng.normal();
      u(i) = scale_u * rng.normal();
    }
    if (trial % 3 == 0) u = -scale_u * w;
    const Vector u_hat = PlanarConstraint(w, u).u_hat;
    INFO("w " << w.transpose() << " u " << u.transpose());
    REQUIRE(u_hat.allFinite());
    REQUIRE(w.dot(u_hat) >= -1 - 1e-9 * std::max(1.0, w.norm() * u.norm()));
  }
}

TEST_CASE("planar layer: u_hat = u when u = 0, and w^T u_hat = m(w^T u)", "[planar]") {
  Vector w(2), u(2);
  w << 0.6, -1.7;
  u << 0, 0;
  CHECK((PlanarConstraint(w, u).u_hat - u).norm() < 1e-4);  // m(0) = -1 + softplus(0.5413) ~ 1e-5
  for (double scale : {-30.0, -1.0, 0.2, 10.0}) {
    u = scale * w;
    const double s = w.dot(u);
    // m(s) = -1 + softplus(s + 0.5413): ~ s - 0.4587 for large s, ~ -1 for very negative s.
    CHECK(w.dot(PlanarConstraint(w, u).u_hat) == Approx(-1 + std::log1p(std::exp(s + kPlanarShift))).epsilon(1e-12));
  }
}
