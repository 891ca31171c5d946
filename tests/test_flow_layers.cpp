// Every layer kind, by the same checks (flows/layers/README.md):
//  - backward: dz and every parameter (through the conditioner MLP for the
//    coupling layers) against central finite differences in double (the
//    fourth-order stencil, see worst_error_two_steps in gradient_check.hpp), of
//    L = sum c * f(z) + sum e * log|det|, with random c and e;
//  - log|det J| against the log of the determinant of the finite-difference Jacobian;
//  - inverse(forward(z)) = z and the inverse's log|det| = the forward's,
//    at random and at extreme parameters.
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <string>

#include "flows/flow.hpp"
#include "flows/flow_spec.hpp"
#include "gradient_check.hpp"
#include "random_matrix.hpp"

using namespace nfvi;
using namespace nfvi::testing;

namespace {

// The layers under test: every kind, both halves of the coupling layers, in 2, 3 and 5 dimensions.
struct Case {
  std::string spec;  // of a flow; the layer tested is its last
  int dim;
};

std::vector<Case> cases() {
  std::vector<Case> out;
  for (int dim : {2, 3, 5}) {
    for (const char* spec : {"planar", "radial", "affine", "affine:2", "spline", "spline:2",
                             "spline:bins=3:bound=2:hidden=5:depth=1", "affine:hidden=7:depth=3:scale=0.5"})
      out.push_back({spec, dim});
  }
  return out;
}

// A layer with parameters away from its initial ones (the coupling layers
// start as the identity): each moved by N(0, spread^2).
struct LayerUnderTest {
  Flow flow;
  FlowLayer* layer;
  Vector params;
  LayerUnderTest(const Case& c, std::uint64_t seed, double spread = 0.3) : flow(c.dim, c.spec) {
    Random rng(seed);
    flow.initialize(rng);
    params = flow.parameters().tail(flow.layer(flow.layers() - 1).parameter_count());
    for (Eigen::Index i = 0; i < params.size(); ++i) params(i) += spread * rng.normal();
    layer = const_cast<FlowLayer*>(&flow.layer(flow.layers() - 1));
  }
};

// L = sum c * f(z) + sum e * log|det df/dz|.
double weighted_output(FlowLayer& layer, const Vector& params, const Samples& z, const Samples& c, const Array& e) {
  Samples out(z.rows(), z.cols());
  Array log_det(z.cols());
  layer.forward(params, z, out, log_det);
  return (out.array() * c.array()).sum() + (log_det * e).sum();
}

Samples random_samples(Random& rng, int dim, Eigen::Index n, double scale) {
  return random_matrix(rng, dim, n, scale);
}

}  // namespace

TEST_CASE("flow layers: backward gives dz and every parameter's gradient (central differences)", "[flow][layers][gradient]") {
  for (const Case& c : cases()) {
    INFO(c.spec << " in " << c.dim << "-D");
    LayerUnderTest t(c, 11);
    Random rng(12);
    const Samples z = random_samples(rng, c.dim, 7, 1.5);
    const Samples weights = random_samples(rng, c.dim, 7, 1.0);
    const Array e = random_matrix(rng, 7, 1).col(0).array();

    Samples out(c.dim, 7), dz(c.dim, 7);
    Array log_det(7);
    t.layer->forward(t.params, z, out, log_det);
    Vector dparams = Vector::Zero(t.params.size());
    t.layer->backward(t.params, z, weights, e, dz, dparams);

    const auto by_params = [&](const Vector& p) { return weighted_output(*t.layer, p, z, weights, e); };
    const double params_error = worst_error_two_steps(by_params, t.params, dparams);
    INFO("parameters: worst relative error " << params_error);
    CHECK(params_error < 1e-6);

    const Vector z_flat = Eigen::Map<const Vector>(Samples(z).data(), z.size());
    const auto by_z = [&](const Vector& flat) {
      const Samples zz = Eigen::Map<const Samples>(flat.data(), c.dim, 7);
      return weighted_output(*t.layer, t.params, zz, weights, e);
    };
    const Samples dz_copy = dz;
    const Vector analytic_z = Eigen::Map<const Vector>(dz_copy.data(), dz_copy.size());
    const double z_error = worst_error_two_steps(by_z, z_flat, analytic_z);
    INFO("dz: worst relative error " << z_error);
    CHECK(z_error < 1e-6);

    // Backward may write dz over dz_out.
    t.layer->forward(t.params, z, out, log_det);
    Samples in_place = weights;
    Vector again = Vector::Zero(t.params.size());
    t.layer->backward(t.params, z, in_place, e, in_place, again);
    CHECK((in_place - dz).cwiseAbs().maxCoeff() < 1e-12 * std::max(1.0, dz.cwiseAbs().maxCoeff()));
  }
}

// L = sum c * f^-1(y) + sum e * log|det df/dz| at z = f^-1(y).
double weighted_inverse(FlowLayer& layer, const Vector& params, const Samples& y, const Samples& c, const Array& e) {
  Samples z(y.rows(), y.cols());
  Array log_det(y.cols());
  layer.inverse(params, y, z, log_det);
  return (z.array() * c.array()).sum() + (log_det * e).sum();
}

TEST_CASE("flow layers: the inverse's backward gives dL/dz_out of L(f^-1(z_out), log|det| there) (central differences)",
          "[flow][layers][gradient][inverse]") {
  for (const Case& c : cases()) {
    INFO(c.spec << " in " << c.dim << "-D");
    LayerUnderTest t(c, 51);
    Random rng(52);
    const Samples y = random_samples(rng, c.dim, 7, 1.5);
    const Samples weights = random_samples(rng, c.dim, 7, 1.0);
    const Array e = random_matrix(rng, 7, 1).col(0).array();

    // The state at z = f^-1(y): inverse, then forward there.
    Samples z(c.dim, 7), out(c.dim, 7), dy(c.dim, 7);
    Array log_det(7);
    t.layer->inverse(t.params, y, z, log_det);
    t.layer->forward(t.params, z, out, log_det);
    t.layer->inverse_backward(t.params, z, weights, e, dy);

    const Vector y_flat = Eigen::Map<const Vector>(Samples(y).data(), y.size());
    const auto by_y = [&](const Vector& flat) {
      const Samples yy = Eigen::Map<const Samples>(flat.data(), c.dim, 7);
      return weighted_inverse(*t.layer, t.params, yy, weights, e);
    };
    const Samples dy_copy = dy;
    const Vector analytic = Eigen::Map<const Vector>(dy_copy.data(), dy_copy.size());
    const double error = worst_error_two_steps(by_y, y_flat, analytic);
    INFO("dz_out: worst relative error " << error);
    CHECK(error < 1e-6);

    // It may write dz_out over dz, and it leaves the forward's state for backward.
    t.layer->forward(t.params, z, out, log_det);
    Vector dparams = Vector::Zero(t.params.size()), after = dparams;
    Samples dz(c.dim, 7);
    t.layer->backward(t.params, z, weights, e, dz, dparams);
    Samples in_place = weights;
    t.layer->inverse_backward(t.params, z, in_place, e, in_place);
    CHECK((in_place - dy).cwiseAbs().maxCoeff() < 1e-12 * std::max(1.0, dy.cwiseAbs().maxCoeff()));
    Samples dz_after(c.dim, 7);
    t.layer->backward(t.params, z, weights, e, dz_after, after);
    CHECK(dz_after == dz);
    CHECK(after == dparams);
  }
}

TEST_CASE("flow layers: the two-step check catches a gradient wrong by 10 ppm", "[flow][layers][gradient]") {
  LayerUnderTest t({"spline", 2}, 11);
  Random rng(12);
  const Samples z = random_samples(rng, 2, 7, 1.5), weights = random_samples(rng, 2, 7, 1.0);
  const Array e = random_matrix(rng, 7, 1).col(0).array();
  Samples out(2, 7), dz(2, 7);
  Array log_det(7);
  t.layer->forward(t.params, z, out, log_det);
  Vector dparams = Vector::Zero(t.params.size());
  t.layer->backward(t.params, z, weights, e, dz, dparams);
  const auto by_params = [&](const Vector& p) { return weighted_output(*t.layer, p, z, weights, e); };
  Eigen::Index largest = 0;
  dparams.cwiseAbs().maxCoeff(&largest);
  Vector wrong = dparams;
  wrong(largest) *= 1 + 1e-5;
  CHECK(worst_error_two_steps(by_params, t.params, dparams) < 1e-6);
  CHECK(worst_error_two_steps(by_params, t.params, wrong) > 5e-6);
}

TEST_CASE("flow layers: log|det J| equals the log of the finite-difference Jacobian's determinant", "[flow][layers]") {
  for (const Case& c : cases()) {
    INFO(c.spec << " in " << c.dim << "-D");
    LayerUnderTest t(c, 21);
    Random rng(22);
    const Samples z = random_samples(rng, c.dim, 5, 1.5);
    Samples out(c.dim, 5);
    Array log_det(5);
    t.layer->forward(t.params, z, out, log_det);
    for (Eigen::Index n = 0; n < 5; ++n) {
      const auto f = [&](const Vector& point) {
        Samples in = point;
        Samples o(c.dim, 1);
        Array ld(1);
        t.layer->forward(t.params, Eigen::Map<const Samples>(in.data(), c.dim, 1), o, ld);
        return Vector(Eigen::Map<const Vector>(o.data(), c.dim));
      };
      const Matrix jacobian = central_difference_jacobian_4th(f, z.col(n), 1e-4);
      CHECK(relative_error(log_det(n), std::log(std::abs(jacobian.determinant())), 1e-2) < 1e-7);
    }
  }
}

TEST_CASE("flow layers: inverse(forward(z)) = z, with the same log|det|", "[flow][layers][inverse]") {
  for (const Case& c : cases()) {
    for (std::uint64_t seed : {31, 32, 33}) {
      INFO(c.spec << " in " << c.dim << "-D, seed " << seed);
      // Spread 0.1: the 0.3 of the gradient checks gives some conditioners
      // outputs so large that a spline's slope falls to 1e-6, where no inverse
      // can recover z better than round-off of f(z) divided by the slope
      // (~1e-10); the extreme cases below test those regions on purpose.
      LayerUnderTest t(c, seed, 0.1);
      Random rng(seed + 100);
      const Samples z = random_samples(rng, c.dim, 200, 2.5);
      Samples out(c.dim, 200), back(c.dim, 200);
      Array log_det(200), inverse_log_det(200);
      t.layer->forward(t.params, z, out, log_det);
      t.layer->inverse(t.params, out, back, inverse_log_det);
      const double error = ((back - z).cwiseAbs().array() / z.cwiseAbs().array().max(1.0)).maxCoeff();
      INFO("worst relative error of z " << error);
      CHECK(error < 1e-12);
      CHECK((inverse_log_det - log_det).abs().maxCoeff() < 1e-10);
    }
  }
}

TEST_CASE("flow layers: inverses hold at extreme parameters", "[flow][layers][inverse]") {
  // Where a layer compresses (|det| << 1), round-off in f(z) is magnified by
  // 1/|det| in any inverse, so z is checked to 1e-12 relative times
  // max(1, 1/|det|) (every layer here compresses along one direction only),
  // and f(f^-1(y)) must equal y to 1e-13 relative times max(1, |det|) (where
  // f expands, it magnifies z's round-off by as much).
  const auto round_trip_error = [](FlowLayer& layer, const Vector& params, const Samples& z) {
    Samples out(z.rows(), z.cols()), back(z.rows(), z.cols()), again(z.rows(), z.cols());
    Array log_det(z.cols()), inverse_log_det(z.cols()), again_log_det(z.cols());
    layer.forward(params, z, out, log_det);
    layer.inverse(params, out, back, inverse_log_det);
    layer.forward(params, back, again, again_log_det);
    REQUIRE(out.allFinite());
    const Eigen::ArrayXXd z_scale = z.cwiseAbs().array().max(1.0).rowwise() * (-log_det).exp().max(1.0).transpose();
    const double z_error = ((back - z).cwiseAbs().array() / z_scale).maxCoeff();
    const Eigen::ArrayXXd y_scale = out.cwiseAbs().array().max(1.0).rowwise() * log_det.exp().max(1.0).transpose();
    const double y_error = ((again - out).cwiseAbs().array() / y_scale).maxCoeff();
    INFO("z: " << z_error << ", f(f^-1(y)): " << y_error << " (relative, scaled as above)");
    CHECK(y_error < 1e-13);
    return z_error;
  };
  Random rng(41);
  const Samples z = random_samples(rng, 2, 500, 3);

  SECTION("planar with w^T u far below -1 (w^T u_hat just above -1)") {
    Flow flow(2, "planar");
    FlowLayer& layer = const_cast<FlowLayer&>(flow.layer(0));
    for (double s : {-3.0, -6.0, -10.0}) {
      // w = (1, 0.5), u = s w / |w|^2, so w^T u = s and psi = -1 + softplus(s + 0.5413).
      Vector p(5);
      p << 1, 0.5, s / 1.25, 0.5 * s / 1.25, 0.3;
      INFO("w^T u = " << s);
      CHECK(round_trip_error(layer, p, z) < 1e-12);
    }
  }
  SECTION("planar with a large |w| and u") {
    Flow flow(2, "planar");
    FlowLayer& layer = const_cast<FlowLayer&>(flow.layer(0));
    Vector p(5);
    p << 40, -25, 30, 12, 5;
    CHECK(round_trip_error(layer, p, z) < 1e-12);
  }
  SECTION("radial, strongly contracting and expanding") {
    Flow flow(2, "radial");
    FlowLayer& layer = const_cast<FlowLayer&>(flow.layer(0));
    for (const auto& [a, b] : std::vector<std::pair<double, double>>{{3, -30}, {-3, 5}, {0, 20}, {5, -5}}) {
      Vector p(4);
      p << 0.5, -1, a, b;
      INFO("alpha' " << a << ", beta' " << b);
      CHECK(round_trip_error(layer, p, z) < 1e-12);
    }
  }
  SECTION("spline with knots at their minimum widths and heights, and extreme slopes") {
    // A conditioner whose output is a constant (the bias of its last layer):
    // one bin takes almost everything, the others their minimum; slopes near
    // their minimum and very large.
    Flow flow(2, "spline:bins=6:bound=4:hidden=3:depth=1");
    FlowLayer& layer = const_cast<FlowLayer&>(flow.layer(0));
    Vector p = Vector::Zero(layer.parameter_count());
    const Eigen::Index bias = p.size() - 17;  // the last layer's bias: 3B - 1 = 17 values
    for (int k = 0; k < 6; ++k) p(bias + k) = k == 2 ? 40 : -40;   // widths
    for (int k = 0; k < 6; ++k) p(bias + 6 + k) = k == 4 ? 40 : -40;  // heights
    for (int k = 0; k < 5; ++k) p(bias + 12 + k) = k % 2 == 0 ? -40 : 12;  // slopes
    CHECK(round_trip_error(layer, p, z) < 1e-12);
  }
  SECTION("affine at its scale bound") {
    Flow flow(2, "affine:scale=3");
    FlowLayer& layer = const_cast<FlowLayer&>(flow.layer(0));
    Vector p = Vector::Zero(layer.parameter_count());
    p.tail(2) << 200, -4;  // s' = 200 (s = 3), t = -4
    CHECK(round_trip_error(layer, p, z) < 1e-12);
  }
}

TEST_CASE("flow spec: parses kinds, counts and options, and names the offending part", "[flow][spec]") {
  CHECK(Flow(2, "planar:50").spec() == "planar:50");
  CHECK(Flow(2, "planar").spec() == "planar:1");
  CHECK(Flow(2, "spline:2,planar:10").spec() == "spline:2,planar:10");
  CHECK(Flow(2, " spline:4:bins=8:hidden=32 ").spec() == "spline:4");  // defaults are not written
  CHECK(Flow(2, "spline:3:bins=12,radial:2").spec() == "spline:3:bins=12,radial:2");
  CHECK(Flow(2, "planar:3,planar:2").spec() == "planar:5");
  CHECK(Flow(2, "affine:3:scale=0.5").layers() == 3);
  // The spec of a flow rebuilds the same flow, coupling halves included.
  const Flow mixed(3, "spline:1:bins=5,radial:2,affine:2,planar:2");
  CHECK(Flow(3, mixed.spec()).parameter_count() == mixed.parameter_count());

  const auto error_of = [](const std::string& spec, int dim = 2) {
    try {
      Flow(dim, spec);
    } catch (const FlowSpecError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  CHECK_THAT(error_of(""), Catch::Contains("flow spec is empty"));
  CHECK_THAT(error_of("planer:5"), Catch::Contains("flow spec 'planer:5': unknown layer kind 'planer' (known: planar, radial, affine, spline)"));
  CHECK_THAT(error_of("planar:0"), Catch::Contains("'0' is not a layer count from 1 to 1000"));
  CHECK_THAT(error_of("planar:2.5"), Catch::Contains("'2.5' is not a layer count"));
  CHECK_THAT(error_of("planar:1001"), Catch::Contains("not a layer count from 1 to 1000"));
  CHECK_THAT(error_of("planar:600,radial:600"), Catch::Contains("'radial:600': a flow has at most 1000 layers"));
  CHECK_THAT(error_of("spline:bins=8:2"), Catch::Contains("the count comes right after the kind"));
  CHECK_THAT(error_of("spline:4:bins=1"), Catch::Contains("'spline:4:bins=1': bins must be a whole number from 2 to 64, got 1"));
  CHECK_THAT(error_of("spline:4:bins=x"), Catch::Contains("bins must be a number, got 'x'"));
  CHECK_THAT(error_of("spline:4:bins=8.5"), Catch::Contains("bins must be a whole number"));
  CHECK_THAT(error_of("spline:4:colour=red"), Catch::Contains("unknown option 'colour' for spline (its options: bins, bound, hidden, depth)"));
  CHECK_THAT(error_of("planar:4:bins=3"), Catch::Contains("unknown option 'bins' for planar (it has none)"));
  CHECK_THAT(error_of("planar:4,,radial"), Catch::Contains("has an empty item"));
  CHECK_THAT(error_of("affine:2", 1), Catch::Contains("affine layers need at least 2 dimensions, not 1"));
  CHECK_THAT(error_of("affine:scale=inf"), Catch::Contains("scale must be a number, got 'inf'"));
}

TEST_CASE("flow spec: a flow too large is refused from one layer of each item, before the rest are made",
          "[flow][spec]") {
  try {
    make_flow_layers(2, "planar:10,spline:900:hidden=1024", 5e7);
    FAIL("no error");
  } catch (const FlowSpecError& e) {
    CHECK_THAT(e.what(), Catch::Contains("flow spec 'spline:900:hidden=1024': the flow would have 967700754 "
                                         "parameters; at most 50000000"));
  }
  CHECK(make_flow_layers(2, "planar:10", 55).size() == 10);  // 4 + 10 x 5 = 54
  CHECK_THROWS_AS(make_flow_layers(2, "planar:10", 53), FlowSpecError);
}
