#include <catch2/catch.hpp>
#include <cmath>

#include "nn/adam.hpp"

using namespace nfvi;

TEST_CASE("Adam: the first step moves each parameter by lr against the gradient's sign", "[adam]") {
  Adam adam(3, 0.01);
  Vector theta(3), gradient(3);
  theta << 1, 2, 3;
  gradient << 0.5, -4, 1e-3;
  adam.step(theta, gradient);
  // m_hat = g, v_hat = g^2, so the update is lr g / (|g| + eps).
  CHECK(theta(0) == Approx(1 - 0.01 * 0.5 / (0.5 + 1e-8)));
  CHECK(theta(1) == Approx(2 + 0.01 * 4 / (4 + 1e-8)));
  CHECK(theta(2) == Approx(3 - 0.01 * 1e-3 / (1e-3 + 1e-8)));
}

TEST_CASE("Adam: minimises an ill-conditioned quadratic", "[adam]") {
  Adam adam(2, 0.05);
  Vector theta(2);
  theta << 3, -2;
  for (int t = 0; t < 3000; ++t) {
    Vector gradient(2);
    gradient << 100 * theta(0), 0.01 * theta(1);
    adam.step(theta, gradient);
  }
  CHECK(std::abs(theta(0)) < 1e-2);
  CHECK(std::abs(theta(1)) < 1e-2);
}

TEST_CASE("Adam in float takes the double optimiser's steps to float accuracy", "[adam][precision]") {
  Adam adam(3, 0.01);
  AdamOf<float> adam_float(3, 0.01);
  Vector theta(3);
  theta << 1, 2, 3;
  VectorOf<float> theta_float = theta.cast<float>();
  for (int t = 1; t <= 50; ++t) {
    Vector gradient(3);
    gradient << std::sin(t), 4 * std::cos(0.3 * t), 1e-3 * t;
    adam.step(theta, gradient);
    adam_float.step(theta_float, gradient.cast<float>());
  }
  CHECK((theta_float.cast<double>() - theta).cwiseAbs().maxCoeff() < 1e-5);
  CHECK(adam_float.state().v.cast<double>().isApprox(adam.state().v, 1e-5));
  CHECK(theta_float.cast<double>() != theta);  // it did compute in float
}
