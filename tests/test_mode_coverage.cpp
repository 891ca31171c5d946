// Tests of mode coverage (vi/mode_coverage.hpp): exact per-mode masses and
// counts on constructed samples, the threshold's edge, and which targets
// carry mode centres.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <utility>
#include <vector>

#include "targets/target.hpp"
#include "vi/mode_coverage.hpp"

namespace nfvi {
namespace {

// n points at (x + small offset, y + small offset), appended to columns of z.
void put(Samples& z, Eigen::Index& column, Eigen::Index n, double x, double y) {
  for (Eigen::Index i = 0; i < n; ++i, ++column) {
    z(0, column) = x + 0.01 * static_cast<double>(i % 7) - 0.03;
    z(1, column) = y - 0.02 * static_cast<double>(i % 5) + 0.04;
  }
}

const std::vector<std::pair<double, double>> kCentres = {{0, 0}, {10, 0}, {0, 10}, {-10, -10}};

}  // namespace

TEST_CASE("mode coverage: each sample goes to its nearest centre, masses and counts exact", "[mode_coverage]") {
  // 1000 samples: 600 near centre 0, 391 near centre 1 (of them 100 nearer to
  // 1 than to 0 though between them), 4 near centre 2 (below 0.5%), 5 near
  // centre 3 (exactly 0.5%: covered).
  Samples z(2, 1000);
  Eigen::Index column = 0;
  put(z, column, 600, 0, 0);
  put(z, column, 291, 10, 0);
  put(z, column, 100, 5.5, 0);  // between centres 0 and 1, nearer to 1
  put(z, column, 4, 0, 10);
  put(z, column, 5, -10, -10);
  REQUIRE(column == 1000);

  const ModeCoverage c = mode_coverage(z, kCentres);
  REQUIRE(c.mass.size() == 4);
  CHECK(c.mass[0] == 0.6);
  CHECK(c.mass[1] == 0.391);
  CHECK(c.mass[2] == 0.004);
  CHECK(c.mass[3] == 0.005);
  CHECK(c.covered == 3);
  CHECK(c.samples == 1000);
  CHECK(c.threshold == kModeCoverageThreshold);

  // A higher threshold drops the 0.5% mode; zero counts every mode with any sample.
  CHECK(mode_coverage(z, kCentres, 0.01).covered == 2);
  CHECK(mode_coverage(z, kCentres, 0.0).covered == 4);
}

TEST_CASE("mode coverage: only z1 and z2 are read; an empty mode has mass 0", "[mode_coverage]") {
  Samples z(3, 200);
  Eigen::Index column = 0;
  put(z, column, 150, 10, 0);
  put(z, column, 50, -10, -10);
  z.row(2).setConstant(1e6);  // a third coordinate far away changes nothing
  const ModeCoverage c = mode_coverage(z, kCentres);
  CHECK(c.mass == std::vector<double>{0, 0.75, 0, 0.25});
  CHECK(c.covered == 2);
}

TEST_CASE("mode coverage refuses what it cannot count", "[mode_coverage]") {
  CHECK_THROWS_AS(mode_coverage(Samples(1, 10), kCentres), std::invalid_argument);
  CHECK_THROWS_AS(mode_coverage(Samples(2, 0), kCentres), std::invalid_argument);
  CHECK_THROWS_AS(mode_coverage(Samples::Zero(2, 10), {}), std::invalid_argument);
}

TEST_CASE("gmm40 carries its 40 means as mode centres; the other library targets none", "[mode_coverage][targets]") {
  const Target gmm40 = make_library_target("gmm40");
  REQUIRE(gmm40.mode_centres.size() == 40);
  CHECK(gmm40.mode_centres == gmm40_means());
  // Samples at the 40 means, 25 each: every mode covered, each 1/40 of the mass.
  Samples z(2, 1000);
  for (Eigen::Index i = 0; i < 1000; ++i) {
    z(0, i) = gmm40_means()[static_cast<size_t>(i % 40)].first;
    z(1, i) = gmm40_means()[static_cast<size_t>(i % 40)].second;
  }
  const ModeCoverage c = mode_coverage(z, gmm40.mode_centres);
  CHECK(c.covered == 40);
  for (double m : c.mass) CHECK(m == 0.025);
  for (const char* name : {"U1", "U8", "banana", "two-moons"}) CHECK(make_library_target(name).mode_centres.empty());
}

}  // namespace nfvi
