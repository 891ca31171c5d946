#include <catch2/catch.hpp>
#include <cmath>

#include "math/random.hpp"

using namespace nfvi;

TEST_CASE("Random: the same seed gives the same stream, another seed another", "[random]") {
  Random a(123), b(123), c(124);
  bool differs = false;
  for (int i = 0; i < 1000; ++i) {
    const std::uint64_t x = a.next_u64();
    REQUIRE(x == b.next_u64());
    differs = differs || x != c.next_u64();
  }
  CHECK(differs);
}

TEST_CASE("Random: the first outputs of seed 1 are pinned", "[random]") {
  // A regression pin of our generator (xoshiro256** seeded by splitmix64) and
  // of the polar-method normals: every platform, native or WebAssembly, must
  // draw exactly these, or the same seed would no longer mean the same run.
  Random bits(1);
  CHECK(bits.next_u64() == 0xb3f2af6d0fc710c5ULL);
  CHECK(bits.next_u64() == 0x853b559647364ceaULL);
  CHECK(bits.next_u64() == 0x92f89756082a4514ULL);
  Random normals(1);
  CHECK(normals.normal() == Approx(1.8843961047879769).epsilon(1e-15));
  CHECK(normals.normal() == Approx(0.18978089448693036).epsilon(1e-15));
  CHECK(normals.normal() == Approx(1.302090250702661).epsilon(1e-15));
  CHECK(normals.normal() == Approx(-1.9094343319583578).epsilon(1e-15));
}

TEST_CASE("Random: uniform and normal moments", "[random]") {
  Random rng(99);
  const int n = 200000;
  double sum_u = 0, sum = 0, sum_sq = 0, sum_4 = 0;
  for (int i = 0; i < n; ++i) {
    const double u = rng.uniform();
    REQUIRE(u >= 0);
    REQUIRE(u < 1);
    sum_u += u;
    const double x = rng.normal();
    sum += x;
    sum_sq += x * x;
    sum_4 += x * x * x * x;
  }
  // Standard errors: uniform mean 0.29/sqrt(n) ~ 6.5e-4; normal mean 2.2e-3, variance 3.2e-3, 4th moment 0.022.
  CHECK(std::abs(sum_u / n - 0.5) < 4e-3);
  CHECK(std::abs(sum / n) < 0.012);
  CHECK(std::abs(sum_sq / n - 1) < 0.016);
  CHECK(std::abs(sum_4 / n - 3) < 0.11);
}
