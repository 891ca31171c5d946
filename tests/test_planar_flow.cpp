#include <catch2/catch.hpp>
#include <cmath>

#include "gradient_check.hpp"
#include "flows/flow.hpp"
#include "flows/layers/planar_layer.hpp"
#include "flows/layers/planar_layer.hpp"
#include "math/random.hpp"
#include "vi/reverse_kl.hpp"

using namespace nfvi;
using namespace nfvi::testing;

namespace {

// A 50-layer flow with the seed's initialisation plus random u, mu and rho,
// so that every parameter matters.
Flow random_flow(int layers, std::uint64_t seed) {
  Flow flow(2, planar_layers(2, layers));
  Random rng(seed);
  flow.initialize(rng);
  Vector& p = flow.parameters();
  p(0) = 0.3 * rng.normal();
  p(1) = 0.3 * rng.normal();
  p(2) = 0.2 * rng.normal();
  p(3) = 0.2 * rng.normal();
  for (int k = 0; k < layers; ++k) {
    const Eigen::Index o = flow.layer_offset(k);
    p(o + 2) = 0.4 * rng.normal();
    p(o + 3) = 0.4 * rng.normal();
  }
  return flow;
}

}  // namespace

TEST_CASE("reverse KL: gradient with respect to every parameter of a 50-layer flow", "[flow][gradient]") {
  for (const std::string name : {"U1", "U8"}) {
    const Potential potential = *potential_from_name(name);
    Flow flow = random_flow(50, 21);
    Random rng(22);
    Samples eps(2, 16);
    rng.fill_normal(eps);

    ReverseKL objective(potential);
    Vector analytic;
    objective.evaluate(flow, eps, &analytic);

    const Vector theta = flow.parameters();
    const auto loss = [&](const Vector& t) {
      Flow f(2, planar_layers(2, 50));
      f.parameters() = t;
      ReverseKL o(potential);
      return o.evaluate(f, eps, nullptr);
    };
    // The loss of 50 layers is large (~30-60 nats), so the round-off |L| eps / h of the
    // two-point stencil is ~1e-6 relative; the fourth-order central stencil with
    // h = 1e-3 brings the finite-difference error to ~1e-8.
    const Vector numeric = central_difference_gradient_4th(loss, theta, 1e-3);
    INFO(name << ": " << theta.size() << " parameters; worst relative error " << max_relative_error(analytic, numeric));
    CHECK(analytic.size() == Flow(2, planar_layers(2, 50)).parameter_count());
    CHECK(max_relative_error(analytic, numeric) < 1e-6);
  }
}

TEST_CASE("planar flow: log|det| of 50 layers equals the log-determinant of the finite-difference Jacobian",
          "[flow][logdet]") {
  Flow flow = random_flow(50, 31);
  const Vector sigma =
      flow.parameters().segment(flow.rho_offset(), 2).unaryExpr([](double r) { return std::log1p(std::exp(r)); });
  Random rng(32);
  for (int trial = 0; trial < 10; ++trial) {
    Vector eps(2);
    eps << rng.normal(), rng.normal();
    // eps -> z_K has Jacobian J_flow diag(sigma), so
    // log|det d z_K / d eps| = sum_k log|det J_k| + sum log sigma = log q0(z_0) - log q(z_K) + sum log sigma.
    flow.forward(eps);
    const double log_q = flow.log_q()(0);
    const double log_q0 = -0.5 * eps.squaredNorm() - sigma.array().log().sum() - std::log(2 * M_PI);
    const double sum_log_det = log_q0 - log_q;

    const auto map = [&](const Vector& e) {
      Flow copy = flow;
      copy.forward(e);
      return Vector(copy.output().col(0));
    };
    const Matrix jacobian = central_difference_jacobian(map, eps, 1e-6);
    const double expected = std::log(std::abs(jacobian.determinant())) - sigma.array().log().sum();
    INFO("trial " << trial);
    CHECK(sum_log_det == Approx(expected).epsilon(1e-6).margin(1e-7));
  }
}

TEST_CASE("planar flow: samples after layer 0 are the base samples and after layer K the output", "[flow]") {
  Flow flow = random_flow(5, 41);
  Random rng(42);
  Samples eps(2, 100);
  rng.fill_normal(eps);
  flow.forward(eps);
  const Vector mu = flow.parameters().head(2);
  CHECK((flow.samples_after_layer(5) - flow.output()).norm() == 0);
  const Samples centred = flow.samples_after_layer(0).colwise() - mu;
  // z_0 - mu = sigma * eps, coordinatewise.
  for (int i = 0; i < 2; ++i) {
    const double sigma = std::log1p(std::exp(flow.parameters()(2 + i)));
    CHECK((centred.row(i) - sigma * eps.row(i)).norm() < 1e-12);
  }
}

TEST_CASE("sample_flow draws the same points in chunks as in one batch", "[flow]") {
  Flow flow = random_flow(10, 51);
  Samples z_chunked, z_whole;
  Array q_chunked, q_whole;
  Random a(52), b(52);
  sample_flow(flow, a, 1000, z_chunked, q_chunked, 128);
  sample_flow(flow, b, 1000, z_whole, q_whole, 1000);
  CHECK((z_chunked - z_whole).norm() == 0);
  CHECK((q_chunked - q_whole).matrix().norm() == 0);
}

namespace {

// log q(z_K) taken layer by layer, one log|det| per layer: what Flow
// computes with one log per run of layers.
Array log_q_layer_by_layer(const Flow& flow, const Samples& eps) {
  const Vector& p = flow.parameters();
  const Eigen::Index n = eps.cols();
  GaussianBase base;
  Samples z(2, n), z_next(2, n);
  Array log_q(n), log_det(n);
  base.forward(p.segment(0, 2), p.segment(2, 2), eps, z, log_q);
  for (int k = 0; k < flow.layers(); ++k) {
    const Eigen::Index o = flow.layer_offset(k);
    PlanarLayer layer;
    layer.forward(p.segment(o, 2), p.segment(o + 2, 2), p(o + 4), z, z_next, log_det);
    log_q -= log_det;
    z = z_next;
  }
  return log_q;
}

}  // namespace

TEST_CASE("planar flow: one log per run of layers equals one log per layer, and NaN stays visible", "[flow][logdet]") {
  Random rng(51);
  Samples eps(2, 37);  // not a multiple of any pack width
  rng.fill_normal(eps);
  // 50 layers: six runs of 8 and one of 2.
  Flow flow = random_flow(50, 52);
  flow.forward(eps);
  const Array expected = log_q_layer_by_layer(flow, eps);
  CHECK((flow.log_q() - expected).abs().maxCoeff() < 1e-12 * (1 + expected.abs().maxCoeff()));

  // A NaN parameter in one layer of a run must reach log q (the trainer's
  // divergence check looks there), not be lost in the product.
  flow.parameters()(flow.layer_offset(13) + 4) = std::nan("");
  flow.forward(eps);
  CHECK(flow.log_q().isNaN().all());
}
