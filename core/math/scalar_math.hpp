// Numerically stable scalar helpers: softplus, sigmoid and log-sum-exp.
// These show up in the energies, the base distribution and the planar
// layer's invertibility constraint; each is written so that it neither
// overflows nor loses all precision anywhere on the real line.
#pragma once

#include <algorithm>
#include <cmath>

namespace nfvi {

inline constexpr double kPi = 3.14159265358979323846;

// softplus(x) = log(1 + e^x), with softplus(x) -> x for large x.
inline double softplus(double x) { return std::max(x, 0.0) + std::log1p(std::exp(-std::abs(x))); }

// sigmoid(x) = 1 / (1 + e^-x) = d softplus / dx.
inline double sigmoid(double x) {
  if (x >= 0) return 1.0 / (1.0 + std::exp(-x));
  const double e = std::exp(x);
  return e / (1.0 + e);
}

// Inverse of softplus: x such that softplus(x) = y, for y > 0.
inline double softplus_inverse(double y) { return y + std::log(-std::expm1(-y)); }

// log(e^a + e^b), and the weights e^a / (e^a + e^b), e^b / (e^a + e^b), which
// are the derivatives of the result with respect to a and b.
struct LogSumExp2 {
  double value;
  double weight_a;
  double weight_b;
};

inline LogSumExp2 log_sum_exp2(double a, double b) {
  const double m = std::max(a, b);
  const double ea = std::exp(a - m);
  const double eb = std::exp(b - m);
  const double s = ea + eb;
  return {m + std::log(s), ea / s, eb / s};
}

// log(e^a + e^b + c) for a constant c > 0 (the seed's "+ 1e-5" inside a log),
// with the weights e^a / total and e^b / total.
inline LogSumExp2 log_sum_exp2_plus(double a, double b, double c) {
  const double m = std::max({a, b, std::log(c)});
  const double ea = std::exp(a - m);
  const double eb = std::exp(b - m);
  const double s = ea + eb + c * std::exp(-m);
  return {m + std::log(s), ea / s, eb / s};
}

}  // namespace nfvi
