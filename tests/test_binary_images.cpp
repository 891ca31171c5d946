#include <algorithm>
#include <catch2/catch.hpp>

#include "vae/binary_images.hpp"
#include "math/random.hpp"

using namespace nfvi;

TEST_CASE("binarization: threshold at 0.5 and stochastic with probability = pixel", "[data]") {
  Matrix pixels(4, 1);
  pixels << 0.0, 0.49, 0.5, 1.0;
  const Matrix binary = threshold_binarize(pixels);
  CHECK(binary(0) == 0);
  CHECK(binary(1) == 0);
  CHECK(binary(2) == 1);
  CHECK(binary(3) == 1);

  Random rng(1);
  const Matrix grey = Matrix::Constant(1, 20000, 0.3);
  const Matrix drawn = stochastic_binarize(grey, rng);
  CHECK(((drawn.array() == 0) || (drawn.array() == 1)).all());
  CHECK(drawn.mean() == Approx(0.3).margin(0.015));
}

TEST_CASE("random permutation: a permutation, fixed by the seed", "[data]") {
  Random a(7), b(7), c(8);
  const auto pa = random_permutation(1000, a);
  CHECK(pa == random_permutation(1000, b));
  CHECK(pa != random_permutation(1000, c));
  auto sorted = pa;
  std::sort(sorted.begin(), sorted.end());
  for (Eigen::Index i = 0; i < 1000; ++i) CHECK(sorted[static_cast<size_t>(i)] == i);
}
