#include <catch2/catch.hpp>
#include <cmath>

#include "vi/diagnostics.hpp"
#include "targets/energies.hpp"

using namespace nfvi;

TEST_CASE("quadrature: a standard Gaussian energy gives log Z = log(2 pi)", "[quadrature]") {
  const auto gaussian = [](double z1, double z2) { return 0.5 * (z1 * z1 + z2 * z2); };
  CHECK(log_partition(gaussian) == Approx(std::log(2 * M_PI)).epsilon(1e-10));
  // A shifted, scaled Gaussian: Z = 2 pi s1 s2.
  const auto scaled = [](double z1, double z2) {
    return 0.5 * std::pow((z1 - 1) / 0.7, 2) + 0.5 * std::pow((z2 + 2) / 1.6, 2);
  };
  // The grid is widened so that the shifted tails (5 sigma at +-10) are inside.
  CHECK(log_partition(scaled, {20, 4001}) == Approx(std::log(2 * M_PI * 0.7 * 1.6)).epsilon(1e-10));
}

TEST_CASE("quadrature: log Z is the same at two grid resolutions", "[quadrature]") {
  for (const std::string& name : potential_names()) {
    const Potential potential = *potential_from_name(name);
    const double coarse = log_partition(potential, {10, 1001});
    const double fine = log_partition(potential, {10, 2001});
    INFO(name << ": log Z " << coarse << " (1001^2) vs " << fine << " (2001^2)");
    CHECK(std::abs(coarse - fine) < 1e-4);
  }
}

TEST_CASE("histogram density integrates to the fraction of samples inside the view", "[diagnostics]") {
  Samples samples(2, 4);
  samples << 0.1, -5.9, 7.0, 0.2,  //
      0.1, 5.9, 0.0, 0.15;
  const View view;
  const auto density = histogram_density(samples, view, 100);
  double integral = 0;
  for (double v : density) integral += v * 0.12 * 0.12;
  CHECK(integral == Approx(0.75));
}
