// Central finite differences in double, and the relative error we assert on.
//
// relative_error(a, b) = |a - b| / max(|a|, |b|, floor). The floor (default
// 1e-3) keeps components whose true value is ~0 from turning round-off into
// a huge ratio: for them the check becomes |a - b| <= tolerance * floor.
#pragma once

#include <algorithm>
#include <cmath>
#include <functional>

#include "math/types.hpp"

namespace nfvi::testing {

inline double relative_error(double a, double b, double floor = 1e-3) {
  return std::abs(a - b) / std::max({std::abs(a), std::abs(b), floor});
}

// Jacobian of f: R^n -> R^m by central differences, (m, n).
inline Matrix central_difference_jacobian(const std::function<Vector(const Vector&)>& f, const Vector& x,
                                          double h = 1e-6) {
  const Vector f0 = f(x);
  Matrix j(f0.size(), x.size());
  Vector xp = x;
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    const double orig = xp(i);
    xp(i) = orig + h;
    const Vector fp = f(xp);
    xp(i) = orig - h;
    const Vector fm = f(xp);
    xp(i) = orig;
    j.col(i) = (fp - fm) / (2 * h);
  }
  return j;
}

// d f / d x_i by (f(x + h e_i) - f(x - h e_i)) / 2h, for every i: the
// one-row Jacobian of a scalar function.
inline Vector central_difference_gradient(const std::function<double(const Vector&)>& f, const Vector& x,
                                          double h = 1e-5) {
  const auto as_vector = [&](const Vector& v) { return Vector::Constant(1, f(v)); };
  return central_difference_jacobian(as_vector, x, h).row(0).transpose();
}

// The fourth-order central stencil
//   (-f(x + 2h) + 8 f(x + h) - 8 f(x - h) + f(x - 2h)) / 12h,
// whose O(h^4) truncation error allows a larger h, and so less round-off, for
// long compositions (a 50-layer flow) whose loss is large in magnitude.
inline Vector central_difference_gradient_4th(const std::function<double(const Vector&)>& f, const Vector& x,
                                              double h = 1e-3) {
  Vector g(x.size());
  Vector xp = x;
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    const double orig = xp(i);
    const auto at = [&](double offset) {
      xp(i) = orig + offset;
      return f(xp);
    };
    g(i) = (-at(2 * h) + 8 * at(h) - 8 * at(-h) + at(-2 * h)) / (12 * h);
    xp(i) = orig;
  }
  return g;
}

// The Jacobian by the same fourth-order stencil, (m, n).
inline Matrix central_difference_jacobian_4th(const std::function<Vector(const Vector&)>& f, const Vector& x,
                                              double h = 1e-3) {
  const Vector f0 = f(x);
  Matrix j(f0.size(), x.size());
  Vector xp = x;
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    const double orig = xp(i);
    const auto at = [&](double offset) {
      xp(i) = orig + offset;
      return f(xp);
    };
    j.col(i) = (-at(2 * h) + 8 * at(h) - 8 * at(-h) + at(-2 * h)) / (12 * h);
    xp(i) = orig;
  }
  return j;
}

// The largest relative_error over components.
inline double max_relative_error(const Vector& analytic, const Vector& numeric, double floor = 1e-3) {
  double worst = 0;
  for (Eigen::Index i = 0; i < analytic.size(); ++i)
    worst = std::max(worst, relative_error(analytic(i), numeric(i), floor));
  return worst;
}

// worst_error_two_steps: the worst relative error of analytic against central differences, each
// component compared at two step sizes (1e-4 and 1e-5) and the closer taken:
// the conditioners' ELU has a kink at 0 where its second derivative jumps,
// and a stencil that straddles it for some pre-activation is off by O(h)
// there (the error shrinks with h, which is how a kink differs from a wrong
// gradient: that one stays at both sizes). The floor of the relative error
// is 1e-3 of the gradient's largest component.
inline double worst_error_two_steps(const std::function<double(const Vector&)>& f, const Vector& x, const Vector& analytic) {
  const Vector coarse = central_difference_gradient_4th(f, x, 1e-4), fine = central_difference_gradient_4th(f, x, 1e-5);
  const double floor = 1e-3 * std::max(1.0, analytic.cwiseAbs().maxCoeff());
  double worst = 0;
  for (Eigen::Index i = 0; i < x.size(); ++i)
    worst = std::max(worst, std::min(relative_error(analytic(i), coarse(i), floor),
                                     relative_error(analytic(i), fine(i), floor)));
  return worst;
}

}  // namespace nfvi::testing
