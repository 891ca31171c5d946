// The WebAssembly build's matrix products (nn/small_products.hpp) against
// Eigen's, natively (the header is portable; only the wasm build uses it).
#include <catch2/catch.hpp>

#include "nn/small_products.hpp"
#include "random_matrix.hpp"

using namespace nfvi;
using namespace nfvi::testing;

TEST_CASE("small products: nn, nt and tn equal Eigen's products to round-off, at every remainder", "[nn]") {
  Random rng(5);
  for (int m : {1, 3, 4, 5, 8, 23, 32}) {
    for (int n : {1, 2, 5, 7, 16}) {
      for (int k : {1, 2, 3, 9, 32}) {
        INFO("m " << m << ", n " << n << ", k " << k);
        const Matrix a = random_matrix(rng, m, k), b = random_matrix(rng, k, n), bt = random_matrix(rng, n, k);
        const Matrix at = random_matrix(rng, k, m);
        Matrix c(m, n);
        small_products::product_nn(m, n, k, a.data(), m, b.data(), k, c.data(), m);
        CHECK((c - a * b).cwiseAbs().maxCoeff() < 1e-13 * (1 + (a * b).cwiseAbs().maxCoeff()));
        Matrix acc = random_matrix(rng, m, n);
        const Matrix expected = acc + a * bt.transpose();
        small_products::product_nt(m, n, k, a.data(), m, bt.data(), n, acc.data(), m);
        CHECK((acc - expected).cwiseAbs().maxCoeff() < 1e-13 * (1 + expected.cwiseAbs().maxCoeff()));
        small_products::product_tn(m, n, k, at.data(), k, b.data(), k, c.data(), m);
        CHECK((c - at.transpose() * b).cwiseAbs().maxCoeff() < 1e-13 * (1 + (at.transpose() * b).cwiseAbs().maxCoeff()));
      }
    }
  }
}
