#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "math/random.hpp"
#include "math/simd_math.hpp"

using namespace nfvi;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::int64_t ordered_bits(double x) {
  std::int64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b < 0 ? std::numeric_limits<std::int64_t>::min() - b : b;  // monotone in x, +0 and -0 equal
}

// Distance in units in the last place: how many doubles lie between a and b.
std::int64_t ulp_distance(double a, double b) {
  if (a == b) return 0;  // also inf == inf
  const std::int64_t d = ordered_bits(a) - ordered_bits(b);
  return d < 0 ? -d : d;
}

// The largest ulp distance between simd::f and std::f over xs (all lanes and the padded tail are used).
template <typename SimdF, typename StdF>
std::int64_t max_ulp_error(const std::vector<double>& xs, SimdF simd_f, StdF std_f, double* worst_x) {
  std::vector<double> out(xs.size());
  simd_f(xs.data(), out.data(), static_cast<std::ptrdiff_t>(xs.size()));
  std::int64_t worst = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    const std::int64_t e = ulp_distance(out[i], std_f(xs[i]));
    if (e > worst) {
      worst = e;
      *worst_x = xs[i];
    }
  }
  return worst;
}

double simd_exp(double x) {
  double y;
  simd::exp_into(&x, &y, 1);
  return y;
}

double simd_log(double x) {
  double y;
  simd::log_into(&x, &y, 1);
  return y;
}

}  // namespace

TEST_CASE("simd exp: within 1 ulp of std::exp over the whole finite range", "[simd_math]") {
  Random rng(41);
  std::vector<double> xs;
  for (int i = 0; i < 200000; ++i) xs.push_back(-745.2 + (709.8 + 745.2) * rng.uniform());  // every result
  for (int i = 0; i < 200000; ++i) xs.push_back(2 * rng.uniform() - 1);                     // around 1
  for (int i = 0; i < 200000; ++i) xs.push_back(-20 * rng.uniform());  // exp(-2|a|), as tanh uses it
  for (int i = 0; i < 20000; ++i) xs.push_back(std::ldexp(rng.uniform() - 0.5, -static_cast<int>(rng.uniform() * 60)));
  xs.push_back(101);  // an odd length, so the padded tail is used too
  double worst_x = 0;
  const std::int64_t worst = max_ulp_error(
      xs, simd::exp_into, [](double x) { return std::exp(x); }, &worst_x);
  INFO("max error " << worst << " ulp at x = " << worst_x);
  CHECK(worst <= 1);
}

TEST_CASE("simd exp: edge cases are those of std::exp", "[simd_math]") {
  CHECK(simd_exp(0.0) == 1.0);
  CHECK(simd_exp(-0.0) == 1.0);
  CHECK(simd_exp(4.9e-324) == 1.0);  // a subnormal argument
  CHECK(simd_exp(709.78) == Approx(std::exp(709.78)).epsilon(1e-15));
  CHECK(simd_exp(709.79) == kInf);
  CHECK(simd_exp(1e300) == kInf);
  CHECK(simd_exp(kInf) == kInf);
  CHECK(simd_exp(-745.2) == 0.0);
  CHECK(simd_exp(-1e300) == 0.0);
  CHECK(simd_exp(-kInf) == 0.0);
  CHECK(std::isnan(simd_exp(kNaN)));
  // Subnormal results round like std::exp's (to within one of the smallest subnormals).
  for (double x : {-708.5, -720.0, -730.3, -740.0, -744.0, -745.0}) {
    INFO("x = " << x);
    CHECK(ulp_distance(simd_exp(x), std::exp(x)) <= 1);
    CHECK(simd_exp(x) > 0);
  }
}

TEST_CASE("simd log: within 1 ulp of std::log for every positive double", "[simd_math]") {
  Random rng(43);
  std::vector<double> xs;
  // Random bit patterns with the sign bit cleared: every exponent, subnormals included.
  for (int i = 0; i < 300000; ++i) {
    const std::uint64_t b = rng.next_u64() >> 1;
    double x;
    std::memcpy(&x, &b, sizeof x);
    if (std::isfinite(x) && x > 0) xs.push_back(x);
  }
  for (int i = 0; i < 200000; ++i) xs.push_back(1 + (rng.uniform() - 0.5) * 1e-3);  // near 1, where log x ~ 0
  for (int i = 0; i < 200000; ++i) xs.push_back(4 * rng.uniform());  // 1 + (1 - h^2) psi, as the flow uses it
  xs.push_back(0.7);
  double worst_x = 0;
  const std::int64_t worst = max_ulp_error(
      xs, simd::log_into, [](double x) { return std::log(x); }, &worst_x);
  INFO("max error " << worst << " ulp at x = " << worst_x);
  CHECK(worst <= 1);
}

TEST_CASE("simd log: edge cases are those of std::log", "[simd_math]") {
  CHECK(simd_log(1.0) == 0.0);
  CHECK(simd_log(0.0) == -kInf);
  CHECK(simd_log(-0.0) == -kInf);
  CHECK(simd_log(kInf) == kInf);
  CHECK(std::isnan(simd_log(-1.0)));
  CHECK(std::isnan(simd_log(-kInf)));
  CHECK(std::isnan(simd_log(-4.9e-324)));
  CHECK(std::isnan(simd_log(kNaN)));
  CHECK(simd_log(4.9e-324) == std::log(4.9e-324));  // the smallest subnormal
  CHECK(simd_log(2.2250738585072014e-308) == std::log(2.2250738585072014e-308));
  CHECK(simd_log(std::numeric_limits<double>::max()) == std::log(std::numeric_limits<double>::max()));
}

TEST_CASE("simd exp and log: lanes do not interfere and arrays of every length are covered", "[simd_math]") {
  for (std::ptrdiff_t n = 0; n < 3 * simd::kLanes + 2; ++n) {
    std::vector<double> x(static_cast<size_t>(n)), y(static_cast<size_t>(n), -7.0);
    for (std::ptrdiff_t i = 0; i < n; ++i) x[static_cast<size_t>(i)] = i % 3 == 0 ? kNaN : 0.5 * static_cast<double>(i);
    simd::exp_into(x.data(), y.data(), n);
    for (std::ptrdiff_t i = 0; i < n; ++i) {
      const size_t j = static_cast<size_t>(i);
      if (i % 3 == 0) {
        CHECK(std::isnan(y[j]));
      } else {
        CHECK(ulp_distance(y[j], std::exp(x[j])) <= 1);
      }
    }
    simd::log_into(x.data(), x.data(), n);  // in place
    for (std::ptrdiff_t i = 0; i < n; ++i) {
      if (i % 3 != 0) CHECK(ulp_distance(x[static_cast<size_t>(i)], std::log(0.5 * static_cast<double>(i))) <= 1);
    }
  }
}

TEST_CASE("simd tanh: within 4.5e-16 of std::tanh, exactly +-1 far out, and its edge cases", "[simd_math]") {
  Random rng(47);
  double worst = 0, worst_x = 0;
  for (int i = 0; i < 400000; ++i) {
    const double x = i % 2 == 0 ? 50 * (rng.uniform() - 0.5) : 2 * (rng.uniform() - 0.5);
    const double error = std::abs(simd::tanh(x) - std::tanh(x));
    if (error > worst) {
      worst = error;
      worst_x = x;
    }
  }
  INFO("max absolute error " << worst << " at x = " << worst_x);
  CHECK(worst <= 4.5e-16);  // two ulp of 1: an absolute bound, from the cancellation in 1 - exp(-2|x|)
  CHECK(simd::tanh(0.0) == 0.0);
  CHECK(std::abs(simd::tanh(1e-300)) <= 1e-300);  // 0: the error is absolute, not relative
  CHECK(simd::tanh(4.9e-324) >= 0.0);
  CHECK(simd::tanh(25.0) == 1.0);
  CHECK(simd::tanh(-25.0) == -1.0);
  CHECK(simd::tanh(1e308) == 1.0);
  CHECK(simd::tanh(kInf) == 1.0);
  CHECK(simd::tanh(-kInf) == -1.0);
  CHECK(std::isnan(simd::tanh(kNaN)));
}
