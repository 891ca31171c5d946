// Finite-difference checks of the dense layer, ELU and the MLP, and their
// layout and initialisation.
#include <catch2/catch.hpp>
#include <cmath>

#include "nn/dense_layer.hpp"
#include "nn/elu.hpp"
#include "gradient_check.hpp"
#include "nn/mlp.hpp"
#include "math/random.hpp"
#include "random_matrix.hpp"

using namespace nfvi;
using namespace nfvi::testing;

namespace {

Vector random_vector(Eigen::Index n, Random& rng, double scale = 1.0) {
  return Eigen::Map<const Vector>(random_matrix(rng, n, 1, scale).data(), n);
}

// A matrix seen as a flat vector (column-major) and back, for the FD helpers.
Vector flat(const Matrix& m) { return Eigen::Map<const Vector>(m.data(), m.size()); }
Matrix unflat(const Vector& v, Eigen::Index rows, Eigen::Index cols) {
  return Eigen::Map<const Matrix>(v.data(), rows, cols);
}

}  // namespace

TEST_CASE("dense layer: forward is W x + b with W column-major then b", "[mlp]") {
  DenseLayer layer(3, 2);
  REQUIRE(layer.parameter_count() == 8);
  Vector p(8);
  p << 1, 2, 3, 4, 5, 6, 7, 8;  // W = [[1, 3, 5], [2, 4, 6]], b = [7, 8]
  Matrix x(3, 2);
  x << 1, 0, 0, 1, 0, 0;  // columns e1 and e2
  Matrix y;
  layer.forward(p, x, y);
  Matrix expected(2, 2);
  expected << 1 + 7, 3 + 7, 2 + 8, 4 + 8;
  CHECK((y - expected).norm() == 0);
}

TEST_CASE("dense layer: backward matches central differences for W, b and x", "[mlp][gradient]") {
  Random rng(101);
  const int in = 4, out = 3, batch = 5;
  DenseLayer layer(in, out);
  const Vector params = random_vector(layer.parameter_count(), rng);
  const Matrix x = random_matrix(rng, in, batch);
  const Matrix r = random_matrix(rng, out, batch);  // L = sum(r * y)

  const auto loss = [&](const Vector& p, const Matrix& input) {
    Matrix y;
    layer.forward(p, input, y);
    return (r.array() * y.array()).sum();
  };
  Vector dparams = Vector::Constant(layer.parameter_count(), 0.25);  // backward adds: start non-zero
  Matrix dx;
  layer.backward(params, x, r, dparams, &dx);
  dparams.array() -= 0.25;

  const Vector numeric_p = central_difference_gradient([&](const Vector& p) { return loss(p, x); }, params);
  const Vector numeric_x =
      central_difference_gradient([&](const Vector& v) { return loss(params, unflat(v, in, batch)); }, flat(x));
  CHECK(max_relative_error(dparams, numeric_p) < 1e-7);
  CHECK(max_relative_error(flat(dx), numeric_x) < 1e-7);

  // dx is optional.
  Vector again = Vector::Zero(layer.parameter_count());
  layer.backward(params, x, r, again, nullptr);
  CHECK((again - dparams).norm() < 1e-12);
}

TEST_CASE("ELU: values, and backward matches central differences away from 0", "[mlp][gradient]") {
  Matrix x(1, 4);
  x << -2, -0.5, 0.5, 3;
  Matrix y;
  elu_forward<double>(x, y);
  CHECK(y(0, 0) == Approx(std::expm1(-2.0)).epsilon(1e-14));
  CHECK(y(0, 1) == Approx(std::expm1(-0.5)).epsilon(1e-14));
  CHECK(y(0, 2) == 0.5);
  CHECK(y(0, 3) == 3);

  Random rng(102);
  Matrix z = random_matrix(rng, 6, 7, 2.0);
  for (Eigen::Index i = 0; i < z.size(); ++i)  // the kink at 0: keep |x| >= 0.05
    if (std::abs(z(i)) < 0.05) z(i) = 0.05 + std::abs(z(i));
  const Matrix r = random_matrix(rng, 6, 7);
  const auto loss = [&](const Vector& v) {
    Matrix out;
    elu_forward<double>(unflat(v, 6, 7), out);
    return (r.array() * out.array()).sum();
  };
  Matrix out;
  elu_forward<double>(z, out);
  Matrix dz = r;
  elu_backward<double>(out, dz, dz);  // in place
  const Vector numeric = central_difference_gradient(loss, flat(z));
  CHECK(max_relative_error(flat(dz), numeric) < 1e-7);
}

TEST_CASE("MLP: layout, views and a forward pass by hand", "[mlp]") {
  Mlp net({2, 3, 1});
  CHECK(net.layer_count() == 2);
  CHECK(net.parameter_count() == (3 * 2 + 3) + (1 * 3 + 1));
  CHECK(net.parameter_offset(1) == 9);
  Random rng(103);
  net.initialize(rng, MlpInit::TorchLinear);
  Matrix x(2, 4);
  x << 0.3, -1, 2, 0.1, -0.7, 0.4, 1.5, -2;
  net.forward(x);

  Matrix pre = net.weight(0) * x;
  pre.colwise() += net.bias(0);
  Matrix hidden;
  elu_forward<double>(pre, hidden);
  Matrix expected = net.weight(1) * hidden;
  expected.colwise() += net.bias(1);
  CHECK((net.output() - expected).norm() < 1e-14);
  CHECK(net.output().rows() == 1);
  CHECK(net.output().cols() == 4);

  CHECK_THROWS_AS(Mlp({3}), std::invalid_argument);
  CHECK_THROWS_AS(Mlp({3, 0, 2}), std::invalid_argument);
  CHECK_THROWS_AS(net.forward(Matrix::Zero(3, 2)), std::invalid_argument);
}

TEST_CASE("MLP: backward matches central differences for every weight and the input", "[mlp][gradient]") {
  for (MlpInit init : {MlpInit::He, MlpInit::Glorot, MlpInit::TorchLinear}) {
    Mlp net({3, 6, 5, 4});
    Random rng(104);
    net.initialize(rng, init);
    // Random biases too (He and Glorot start them at 0), so that every
    // parameter is exercised at a generic point.
    net.parameters() += random_vector(net.parameter_count(), rng, 0.3);
    Matrix x = random_matrix(rng, 3, 7);
    const Matrix r = random_matrix(rng, 4, 7);

    net.forward(x);
    Vector gradient = Vector::Zero(net.parameter_count());
    Matrix dx;
    net.backward(r, gradient, &dx);

    const Vector theta = net.parameters();
    const auto loss = [&](const Vector& t, const Matrix& input) {
      Mlp copy = net;
      copy.parameters() = t;
      copy.forward(input);
      return (r.array() * copy.output().array()).sum();
    };
    const Vector numeric_p = central_difference_gradient([&](const Vector& t) { return loss(t, x); }, theta);
    const Vector numeric_x =
        central_difference_gradient([&](const Vector& v) { return loss(theta, unflat(v, 3, 7)); }, flat(x));
    INFO("init " << static_cast<int>(init) << ": worst relative error " << max_relative_error(gradient, numeric_p));
    CHECK(max_relative_error(gradient, numeric_p) < 1e-6);
    CHECK(max_relative_error(flat(dx), numeric_x) < 1e-6);

    // backward adds: a second call doubles the gradient.
    net.forward(x);
    net.backward(r, gradient, nullptr);
    CHECK((gradient - 2 * numeric_p).norm() < 1e-5 * numeric_p.norm());
  }
}

TEST_CASE("MLP: initial weights follow the documented scales", "[mlp]") {
  Mlp net({400, 300, 10});
  Random rng(105);
  const Eigen::Index w0 = 300 * 400;
  const auto sd = [](const auto& v) { return std::sqrt((v.array() - v.mean()).square().mean()); };

  net.initialize(rng, MlpInit::He);
  CHECK(sd(net.parameters().head(w0)) == Approx(std::sqrt(2.0 / 400)).epsilon(0.02));
  CHECK(net.bias(0).norm() == 0);

  net.initialize(rng, MlpInit::Glorot);
  const double glorot = std::sqrt(6.0 / 700);
  CHECK(net.parameters().head(w0).cwiseAbs().maxCoeff() <= glorot);
  CHECK(sd(net.parameters().head(w0)) == Approx(glorot / std::sqrt(3.0)).epsilon(0.02));

  net.initialize(rng, MlpInit::TorchLinear);
  CHECK(net.parameters().head(w0).cwiseAbs().maxCoeff() <= 1.0 / 20);
  CHECK(net.bias(0).cwiseAbs().maxCoeff() <= 1.0 / 20);
  CHECK(net.bias(0).cwiseAbs().maxCoeff() > 0.04);
}
