#include <catch2/catch.hpp>
#include <cmath>

#include "vae/bernoulli_likelihood.hpp"
#include "gradient_check.hpp"
#include "math/random.hpp"
#include "random_matrix.hpp"

using namespace nfvi;
using namespace nfvi::testing;

TEST_CASE("bernoulli likelihood: matches x log sigmoid(l) + (1 - x) log sigmoid(-l) and is finite for huge logits",
          "[bernoulli]") {
  Matrix x(3, 1), logits(3, 1);
  x << 1, 0, 1;
  logits << 0.7, -1.3, 2.0;
  Array log_p(1);
  BernoulliLikelihood().forward(x, logits, log_p);
  const auto log_sigmoid = [](double l) { return -std::log1p(std::exp(-l)); };
  const double expected = log_sigmoid(0.7) + log_sigmoid(1.3) + log_sigmoid(2.0);
  CHECK(log_p(0) == Approx(expected).epsilon(1e-14));

  // Logits of +-800 overflow exp in the naive form; here: 0 when right, -800 when wrong.
  logits << 800, -800, -800;
  BernoulliLikelihood().forward(x, logits, log_p);
  CHECK(log_p(0) == Approx(-800).epsilon(1e-14));
}

TEST_CASE("bernoulli likelihood: S blocks of samples compare each with its image", "[bernoulli]") {
  Random rng(3);
  const Matrix x = (random_matrix(rng, 5, 2, 1).array() > 0).cast<double>().matrix();
  const Matrix logits = random_matrix(rng, 5, 6, 2);  // S = 3, B = 2
  Array log_p(6);
  BernoulliLikelihood().forward(x, logits, log_p);
  for (Eigen::Index n = 0; n < 6; ++n) {
    Array one(1);
    BernoulliLikelihood().forward(x.col(n % 2), logits.col(n), one);
    CHECK(log_p(n) == Approx(one(0)).epsilon(1e-14));
  }
}

TEST_CASE("bernoulli likelihood: dlogits matches central differences", "[bernoulli][gradient]") {
  Random rng(4);
  const Eigen::Index P = 7, B = 3, S = 2;
  const Matrix x = (random_matrix(rng, P, B, 1).array() > 0).cast<double>().matrix();
  const Matrix logits = random_matrix(rng, P, S * B, 3);
  const Array weight = random_matrix(rng, S * B, 1, 1).col(0).array();
  const BernoulliLikelihood likelihood;

  const auto loss = [&](const Vector& flat) {
    Array log_p(S * B);
    likelihood.forward(x, Eigen::Map<const Matrix>(flat.data(), P, S * B), log_p);
    return (weight * log_p).sum();
  };
  Matrix dlogits = Matrix::Constant(P, S * B, 0.5);  // backward adds: start from a non-zero value
  likelihood.backward(x, logits, weight, dlogits);
  dlogits.array() -= 0.5;
  const Vector analytic = Eigen::Map<const Vector>(dlogits.data(), dlogits.size());
  const Vector numeric = central_difference_gradient(loss, Eigen::Map<const Vector>(logits.data(), logits.size()));
  CHECK(max_relative_error(analytic, numeric) < 1e-7);
}
