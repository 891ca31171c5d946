#include <catch2/catch.hpp>
#include <cmath>

#include "targets/energies.hpp"
#include "gradient_check.hpp"
#include "math/random.hpp"

using namespace nfvi;
using namespace nfvi::testing;

namespace {

// Away from the kinks: the taper's max(|z1|, |z2|) switches where |z1| = |z2|,
// and |z| has no derivative at the origin.
bool away_from_kinks(double z1, double z2) {
  return std::abs(std::abs(z1) - std::abs(z2)) > 0.05 && std::hypot(z1, z2) > 0.05;
}

}  // namespace

TEST_CASE("every energy's gradient matches central differences", "[energies][gradient]") {
  Random rng(7);
  for (const std::string& name : potential_names()) {
    const Potential potential = *potential_from_name(name);
    INFO("potential " << name);
    int checked = 0;
    while (checked < 200) {
      // Points around the modes and out on the taper (|z| ~ 5).
      const double z1 = 7 * (2 * rng.uniform() - 1);
      const double z2 = 7 * (2 * rng.uniform() - 1);
      if (!away_from_kinks(z1, z2)) continue;
      ++checked;
      const auto f = [&](const Vector& z) { return energy_at(potential, z(0), z(1)).value; };
      Vector z(2);
      z << z1, z2;
      const EnergyAtPoint e = energy_at(potential, z1, z2);
      Vector analytic(2);
      analytic << e.d_z1, e.d_z2;
      const Vector numeric = central_difference_gradient(f, z, 1e-5);
      INFO("at (" << z1 << ", " << z2 << ") analytic " << analytic.transpose() << " numeric " << numeric.transpose());
      REQUIRE(max_relative_error(analytic, numeric) < 1e-6);
    }
  }
}

TEST_CASE("the batched energy agrees with the pointwise one", "[energies]") {
  Random rng(3);
  Samples z(2, 50);
  rng.fill_normal(z);
  z *= 3;
  for (const std::string& name : potential_names()) {
    const Potential potential = *potential_from_name(name);
    Array energy;
    Samples gradient;
    evaluate_energy(potential, z, energy, gradient);
    for (Eigen::Index n = 0; n < z.cols(); ++n) {
      const EnergyAtPoint e = energy_at(potential, z(0, n), z(1, n));
      REQUIRE(energy(n) == e.value);
      REQUIRE(gradient(0, n) == e.d_z1);
      REQUIRE(gradient(1, n) == e.d_z2);
    }
  }
}

TEST_CASE("energies are finite with finite gradients everywhere in [-50, 50]^2", "[energies]") {
  for (const std::string& name : potential_names()) {
    const Potential potential = *potential_from_name(name);
    INFO("potential " << name);
    for (int i = 0; i <= 400; ++i) {
      for (int j = 0; j <= 400; ++j) {
        const double z1 = -50 + 0.25 * i;
        const double z2 = -50 + 0.25 * j;
        const EnergyAtPoint e = energy_at(potential, z1, z2);
        INFO("at (" << z1 << ", " << z2 << ")");
        REQUIRE(std::isfinite(e.value));
        REQUIRE(std::isfinite(e.d_z1));
        REQUIRE(std::isfinite(e.d_z2));
      }
    }
  }
}

TEST_CASE("energies take their documented values", "[energies]") {
  // U1 at (2, 0): on the ring, radial term 0; the bumps give
  // -log(1 + exp(-0.5 (4/0.6)^2)).
  CHECK(energy_at(Potential::U1, 2, 0).value == Approx(-std::log1p(std::exp(-0.5 * std::pow(4 / 0.6, 2)))));
  // U2 on its wave z2 = sin(pi z1 / 2) at z1 = 1: 0 plus the taper softplus(10(1 - 5)).
  CHECK(energy_at(Potential::U2, 1, 1).value == Approx(std::log1p(std::exp(-40.0))).epsilon(1e-12));
  // U8 is symmetric under rotation by pi/4.
  const double c = std::cos(M_PI / 4), s = std::sin(M_PI / 4);
  CHECK(energy_at(Potential::U8, c * 1.3 - s * 2.1, s * 1.3 + c * 2.1).value ==
        Approx(energy_at(Potential::U8, 1.3, 2.1).value).epsilon(1e-12));
  // The rotated ring at angle theta equals U1-with-floor at the rotated point.
  const EnergyAtPoint rotated = ring_energy_at(0.3, 1.9, 0.8, 2.0, 1e-6);
  const double x = std::cos(0.8) * 0.3 - std::sin(0.8) * 1.9;
  const double y = std::sin(0.8) * 0.3 + std::cos(0.8) * 1.9;
  CHECK(rotated.value == Approx(ring_energy_at(x, y, 0.0, 2.0, 1e-6).value).epsilon(1e-12));
}

TEST_CASE("potential names round-trip and unknown names are rejected", "[energies]") {
  for (const std::string& name : potential_names()) CHECK(potential_name(*potential_from_name(name)) == name);
  CHECK_FALSE(potential_from_name("U5").has_value());
  CHECK_FALSE(potential_from_name("u1").has_value());
}
