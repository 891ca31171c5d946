// The checker itself must be able to fail: a gradient that is wrong by a
// small amount is caught, and an exact one passes.
#include <catch2/catch.hpp>

#include "gradient_check.hpp"

using namespace nfvi;
using namespace nfvi::testing;

TEST_CASE("finite-difference checker accepts exact gradients and rejects wrong ones", "[gradient]") {
  const auto f = [](const Vector& x) { return std::sin(x(0)) * std::exp(0.3 * x(1)) + x(0) * x(1) * x(1); };
  Vector x(2);
  x << 0.7, -1.3;
  Vector exact(2);
  exact << std::cos(x(0)) * std::exp(0.3 * x(1)) + x(1) * x(1),
      0.3 * std::sin(x(0)) * std::exp(0.3 * x(1)) + 2 * x(0) * x(1);
  const Vector numeric = central_difference_gradient(f, x);
  CHECK(max_relative_error(exact, numeric) < 1e-8);

  Vector wrong = exact;
  wrong(1) *= 1 + 1e-5;  // a 10 ppm error
  CHECK(max_relative_error(wrong, numeric) > 1e-6);
}
