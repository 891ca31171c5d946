#include <catch2/catch.hpp>

#include "flows/gaussian_base.hpp"
#include "gradient_check.hpp"
#include "math/random.hpp"

using namespace nfvi;
using namespace nfvi::testing;

// L = sum(C .* z) + sum(c .* log q0) for fixed random weights C, c: its
// gradient with respect to (mu, rho) exercises both backward paths.
TEST_CASE("Gaussian base: gradient with respect to mu and rho", "[base][gradient]") {
  Random rng(11);
  const int d = 2, n = 7;
  Samples eps(d, n), weight_z(d, n), weight_q(1, n);
  rng.fill_normal(eps);
  rng.fill_normal(weight_z);
  rng.fill_normal(weight_q);
  Vector theta(2 * d);
  theta << 0.4, -1.1, -0.3, 0.9;  // mu, rho

  const auto loss = [&](const Vector& t) {
    GaussianBase base;
    Samples z(d, n);
    Array log_q(n);
    base.forward(t.head(d), t.tail(d), eps, z, log_q);
    return (weight_z.cwiseProduct(z)).sum() + (weight_q.row(0).transpose().array() * log_q).sum();
  };

  GaussianBase base;
  Samples z(d, n);
  Array log_q(n);
  base.forward(theta.head(d), theta.tail(d), eps, z, log_q);
  Vector dmu = Vector::Zero(d), drho = Vector::Zero(d);
  base.backward(eps, weight_z, weight_q.row(0).transpose().array(), dmu, drho);
  Vector analytic(2 * d);
  analytic << dmu, drho;

  const Vector numeric = central_difference_gradient(loss, theta);
  INFO("analytic " << analytic.transpose() << "\nnumeric  " << numeric.transpose());
  CHECK(max_relative_error(analytic, numeric) < 1e-6);
}

TEST_CASE("Gaussian base: log q0 is the diagonal normal log-density", "[base]") {
  Vector mu(2), rho(2);
  mu << 1, -2;
  rho << 0.3, -0.7;
  Samples eps(2, 1);
  eps << 0.5, -1.5;
  GaussianBase base;
  Samples z(2, 1);
  Array log_q(1);
  base.forward(mu, rho, eps, z, log_q);
  double expected = 0;
  for (int i = 0; i < 2; ++i) {
    const double sigma = std::log1p(std::exp(rho(i)));
    CHECK(z(i, 0) == Approx(mu(i) + sigma * eps(i, 0)));
    expected += -0.5 * std::pow((z(i, 0) - mu(i)) / sigma, 2) - std::log(sigma) - 0.5 * std::log(2 * M_PI);
  }
  CHECK(log_q(0) == Approx(expected).epsilon(1e-12));
}
