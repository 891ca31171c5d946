// The target library (targets/target.hpp): each known log Z reproduced by
// quadrature (2-D targets over their box; the funnel and Many Well through
// their factorised forms), the gradients against central differences, the
// boxes holding the mass, specs rebuilding targets, and bad names,
// dimensions and boxes refused.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>

#include "math/random.hpp"
#include "targets/energies.hpp"
#include "targets/expression.hpp"
#include "targets/target.hpp"
#include "vi/diagnostics.hpp"

using namespace nfvi;

namespace {

// U at one point z (D).
double energy_at_point(const Target& t, const Vector& z) {
  Samples batch(z.size(), 1);
  batch.col(0) = z;
  Array u;
  Samples g;
  t.energy(batch, u, g);
  return u(0);
}

// log sum exp of values, with the largest as the shift.
double log_sum_exp(const std::vector<double>& values) {
  double m = -std::numeric_limits<double>::infinity();
  for (double v : values) m = std::max(m, v);
  double sum = 0;
  for (double v : values) sum += std::exp(v - m);
  return m + std::log(sum);
}

// An energy of (x, y) that places them at coordinates (i, j) of a D-point
// whose other coordinates are `rest`, minus U(rest) (so that it is 0 there).
EnergyFunction slice(const Target& t, const Vector& rest, int i, int j) {
  const double u_rest = energy_at_point(t, rest);
  return [&t, rest, i, j, u_rest](SamplesConstRef xy, Array& u, Samples& g) {
    Samples z(rest.size(), xy.cols());
    for (Eigen::Index n = 0; n < xy.cols(); ++n) {
      z.col(n) = rest;
      z(i, n) = xy(0, n);
      z(j, n) = xy(1, n);
    }
    Samples full_gradient;
    t.energy(z, u, full_gradient);
    u -= u_rest;
    g.resize(2, xy.cols());
    g.row(0) = full_gradient.row(i);
    g.row(1) = full_gradient.row(j);
  };
}

}  // namespace

TEST_CASE("the library lists every target, and each one evaluates with a finite gradient", "[targets]") {
  const std::vector<std::string> names = target_names();
  for (const char* expected : {"U1", "U2", "U3", "U4", "U8", "gmm40", "banana", "funnel", "many-well", "two-moons",
                               "rings"})
    REQUIRE(std::find(names.begin(), names.end(), expected) != names.end());
  REQUIRE(target_library().size() == names.size());

  Random rng(3);
  for (const std::string& name : names) {
    const Target t = make_library_target(name);
    INFO(name);
    REQUIRE(t.name == name);
    REQUIRE(is_valid_box(t.box));
    REQUIRE(!t.expression.empty());
    // Points in the box for (z1, z2), N(0, 1) for the rest.
    Samples z(t.dim, 200);
    rng.fill_normal(z);
    for (Eigen::Index n = 0; n < z.cols(); ++n) {
      z(0, n) = t.box.xmin + (t.box.xmax - t.box.xmin) * rng.uniform();
      z(1, n) = t.box.ymin + (t.box.ymax - t.box.ymin) * rng.uniform();
    }
    Array u;
    Samples g;
    t.energy(z, u, g);
    REQUIRE(u.size() == z.cols());
    REQUIRE(g.rows() == t.dim);
    REQUIRE(u.allFinite());
    REQUIRE(g.allFinite());
    // Gradient against central differences at the first 20 points.
    for (Eigen::Index n = 0; n < 20; ++n) {
      for (int d = 0; d < t.dim; ++d) {
        Vector plus = z.col(n), minus = z.col(n);
        const double h = 1e-6 * std::max(1.0, std::abs(plus(d)));
        plus(d) += h;
        minus(d) -= h;
        const double numeric = (energy_at_point(t, plus) - energy_at_point(t, minus)) / (plus(d) - minus(d));
        INFO("d/dz" << d + 1 << " at point " << n << ": analytic " << g(d, n) << ", numeric " << numeric);
        REQUIRE(std::abs(g(d, n) - numeric) <= 1e-5 * std::max({1.0, std::abs(numeric), std::abs(u(n))}));
      }
    }
  }
}

TEST_CASE("U1-U4 and U8 in the library are the built-in energies, and their expressions agree", "[targets]") {
  Random rng(4);
  Samples z(2, 1000);
  rng.fill_normal(z);
  z *= 3;
  for (const std::string& name : potential_names()) {
    const Target t = make_library_target(name);
    Array u, expected, from_text;
    Samples g, expected_g, text_g;
    t.energy(z, u, g);
    evaluate_energy(*potential_from_name(name), z, expected, expected_g);
    REQUIRE((u == expected).all());
    REQUIRE(g == expected_g);
    compile_energy(t.expression, 2).evaluate(z, from_text, text_g);
    REQUIRE(((from_text - u).abs() <= 1e-12 * u.abs().max(1.0)).all());
    // log Z over the library's quadrature box is log_partition's on the same grid.
    const BoxLogPartition q = log_partition_over_box(t.energy, t.quadrature_box, 1001);
    REQUIRE(q.log_z == Approx(log_partition(*potential_from_name(name), {10, 1001})).epsilon(1e-12));
    REQUIRE(q.edge_ratio < kNegligibleEdgeDensity);
    REQUIRE(!t.log_z);
  }
}

TEST_CASE("2-D targets: log Z = 0 by quadrature over the box for gmm40 and banana, every box holds its mass",
          "[targets][quadrature]") {
  for (const char* name : {"gmm40", "banana"}) {
    const Target t = make_library_target(name);
    INFO(name);
    REQUIRE(t.log_z.has_value());
    REQUIRE(*t.log_z == 0.0);
    const BoxLogPartition q = log_partition_over_box(t.energy, t.quadrature_box);
    REQUIRE(std::abs(q.log_z - *t.log_z) < 1e-4);
    REQUIRE(q.edge_ratio < kNegligibleEdgeDensity);
  }
  // Two moons and the rings have no closed-form log Z: the box's quadrature
  // must agree with one over a box twice as wide, so that the box holds the mass.
  for (const char* name : {"two-moons", "rings"}) {
    const Target t = make_library_target(name);
    INFO(name);
    REQUIRE(!t.log_z);
    const BoxLogPartition q = log_partition_over_box(t.energy, t.quadrature_box);
    const Box wide{2 * t.box.xmin, 2 * t.box.xmax, 2 * t.box.ymin, 2 * t.box.ymax};
    const BoxLogPartition q_wide = log_partition_over_box(t.energy, wide);
    REQUIRE(std::abs(q.log_z - q_wide.log_z) < 1e-4);
    REQUIRE(q.edge_ratio < kNegligibleEdgeDensity);
  }
  // The rings' log Z is nearly that of two radial Gaussians, 2 pi s sqrt(2 pi) (r1 + r2), s = 1/8.
  const Target rings = make_library_target("rings");
  REQUIRE(log_partition_over_box(rings.energy, rings.box).log_z ==
          Approx(std::log(2 * 3.14159265358979323846 * 0.125 * std::sqrt(2 * 3.14159265358979323846) * 3))
              .epsilon(1e-3));
}

TEST_CASE("the funnel's log Z = 0 by its factorised form, in 10 and 3 dimensions", "[targets][quadrature]") {
  // Z = integral dz1 exp(-U(z1, 0, ..)) prod_{i>=2} J_i(z1), with
  // J_i(z1) = integral dt exp(-(U(z1, .., z_i = t, ..) - U(z1, 0, ..))): the
  // z_i are independent given z1. Each J_i is taken over t = sigma tau,
  // sigma = exp(z1/2), a change of variable that keeps the grid on the mass.
  for (int dim : {10, 3}) {
    const Target t = make_library_target("funnel", dim);
    REQUIRE(t.dim == dim);
    REQUIRE(t.log_z == 0.0);
    const int n1 = 1201, n_tau = 481;
    const double h1 = 60.0 / (n1 - 1), h_tau = 24.0 / (n_tau - 1);
    std::vector<double> terms;
    for (int a = 0; a < n1; ++a) {
      const double z1 = -30 + a * h1;
      const double sigma = std::exp(z1 / 2);
      Vector base = Vector::Zero(dim);
      base(0) = z1;
      const double u0 = energy_at_point(t, base);
      double log_j_total = 0;
      for (int i = 1; i < dim; ++i) {
        Samples z(dim, n_tau);
        for (int b = 0; b < n_tau; ++b) {
          z.col(b) = base;
          z(i, b) = sigma * (-12 + b * h_tau);
        }
        Array u;
        Samples g;
        t.energy(z, u, g);
        std::vector<double> neg(static_cast<size_t>(n_tau));
        for (int b = 0; b < n_tau; ++b) neg[static_cast<size_t>(b)] = -(u(b) - u0);
        log_j_total += log_sum_exp(neg) + std::log(h_tau * sigma);
      }
      terms.push_back(-u0 + log_j_total);
    }
    const double log_z = log_sum_exp(terms) + std::log(h1);
    INFO("dim " << dim << ": log Z by quadrature " << log_z);
    REQUIRE(std::abs(log_z - *t.log_z) < 1e-4);
  }
  REQUIRE_THROWS_WITH(make_library_target("funnel", 1), "funnel takes a dimension of 2 to 1000, got 1");
}

TEST_CASE("Many Well's log Z = 164.6957 by its factorised form over its 16 pairs", "[targets][quadrature]") {
  // U is a sum of the pairs' energies E_k, so with I_k the integral of
  // exp(-(U(pair k at (x, y), the rest 0) - U(0))), sum_k log I_k = U(0) + log Z.
  const Target t = make_library_target("many-well");
  REQUIRE(t.dim == 32);
  REQUIRE(*t.log_z == Approx(164.6957).margin(1e-4));
  const Vector zero = Vector::Zero(32);
  double sum = 0;
  for (int k = 0; k < 16; ++k) {
    const BoxLogPartition q = log_partition_over_box(slice(t, zero, 2 * k, 2 * k + 1), {-4.5, 4.5, -9, 9}, 301);
    REQUIRE(q.edge_ratio < kNegligibleEdgeDensity);
    sum += q.log_z;
  }
  const double log_z = sum - energy_at_point(t, zero);
  INFO("log Z by quadrature " << log_z);
  REQUIRE(std::abs(log_z - *t.log_z) < 1e-4);
}

TEST_CASE("expression targets, specs, and bad names, dimensions and boxes", "[targets]") {
  const Target e = make_expression_target("0.5*(z1^2 + z2^2 + z3^2)", 3, {-4, 4, -5, 5});
  REQUIRE(e.name == "expression");
  REQUIRE(e.dim == 3);
  REQUIRE(!e.log_z);
  REQUIRE(e.box.ymax == 5);
  // A 2-D Gaussian's log Z by quadrature: log 2 pi.
  const Target g = make_expression_target("0.5*(z1^2 + z2^2)", 2, {-9, 9, -9, 9});
  const BoxLogPartition q = log_partition_over_box(g.energy, g.box);
  REQUIRE(q.log_z == Approx(std::log(2 * 3.14159265358979323846)).epsilon(1e-10));
  REQUIRE(q.edge_ratio < kNegligibleEdgeDensity);
  // The default [-6, 6]^2 box cuts a wide Gaussian: the edge is not negligible.
  const Target wide = make_expression_target("0.5*((z1/3)^2 + (z2/3)^2)", 2);
  REQUIRE(log_partition_over_box(wide.energy, wide.box).edge_ratio > 0.1);
  // NaN inside the box is refused, naming a point.
  const Target bad = make_expression_target("log(z1) + z2^2", 2);
  REQUIRE_THROWS_AS(log_partition_over_box(bad.energy, bad.box), std::domain_error);

  // A spec rebuilds its target.
  Random rng(5);
  for (const TargetSpec& spec :
       {e.spec, make_library_target("funnel", 4).spec, make_library_target("gmm40").spec,
        make_library_target("U3").spec}) {
    const Target original = make_target(spec);
    const Target rebuilt = make_target(original.spec);
    REQUIRE(rebuilt.dim == original.dim);
    REQUIRE(rebuilt.expression == original.expression);
    Samples z(original.dim, 50);
    rng.fill_normal(z);
    Array u1, u2;
    Samples g1, g2;
    original.energy(z, u1, g1);
    rebuilt.energy(z, u2, g2);
    REQUIRE((u1 == u2).all());
  }
  REQUIRE(make_library_target("funnel", 4).spec.dim == 4);
  REQUIRE(make_library_target("funnel").dim == 10);

  REQUIRE_THROWS_WITH(make_library_target("u1"),
                      "unknown target 'u1' (targets are U1, U2, U3, U4, U8, gmm40, banana, funnel, many-well, "
                      "two-moons, rings)");
  REQUIRE_THROWS_WITH(make_library_target("gmm40", 3), "gmm40 has dimension 2, not 3");
  REQUIRE_THROWS_WITH(make_expression_target("z1", 0), "the dimension must be 1 to 1000, got 0");
  REQUIRE_THROWS_WITH(make_expression_target("z1", 2, {1, 1, 0, 1}),
                      "the box must have finite xmin < xmax and ymin < ymax");
  REQUIRE_THROWS_AS(make_expression_target("z1 +x", 2), ExpressionError);
}
