#include <catch2/catch.hpp>
#include <cmath>

#include "flows/amortized_planar_flow.hpp"
#include "gradient_check.hpp"
#include "flows/flow.hpp"
#include "flows/layers/planar_layer.hpp"
#include "math/random.hpp"
#include "random_matrix.hpp"

using namespace nfvi;
using namespace nfvi::testing;

TEST_CASE("amortized planar flow: each image's samples go through PlanarLayer with that image's parameters",
          "[amortized][planar]") {
  Random rng(11);
  const int D = 3, K = 4;
  const Eigen::Index B = 2, S = 3;
  AmortizedPlanarFlow flow(D, K);
  const Matrix params = random_matrix(rng, flow.parameter_rows(), B, 1.2);
  const Matrix z0 = random_matrix(rng, D, S * B, 1);
  Matrix z_K(D, S * B);
  Array log_det(S * B);
  flow.forward(params, z0, z_K, log_det);

  for (Eigen::Index n = 0; n < S * B; ++n) {
    const Eigen::Index b = n % B;
    Samples z = z0.col(n);
    double total = 0;
    for (int k = 0; k < K; ++k) {
      PlanarLayer layer;
      Samples out(D, 1);
      Array ld(1);
      layer.forward(params.col(b).segment(k * D, D), params.col(b).segment(K * D + k * D, D), params(2 * K * D + k, b),
                    z, out, ld);
      z = out;
      total += ld(0);
    }
    CHECK((z.col(0) - z_K.col(n)).norm() < 1e-13);
    CHECK(log_det(n) == Approx(total).epsilon(1e-12));
  }
}

TEST_CASE("amortized planar flow: dz0 and dparams (through u_hat) match central differences", "[amortized][gradient]") {
  Random rng(12);
  const int D = 3, K = 3;
  const Eigen::Index B = 2, S = 2;
  for (int trial = 0; trial < 4; ++trial) {
    AmortizedPlanarFlow flow(D, K);
    Matrix params = random_matrix(rng, flow.parameter_rows(), B, 1.0);
    // Odd trials: w^T u < -1 for every layer and image, so the u -> u_hat correction is large.
    if (trial % 2 == 1)
      for (int k = 0; k < K; ++k)
        for (Eigen::Index b = 0; b < B; ++b) {
          const Vector w = params.col(b).segment(k * D, D);
          params.col(b).segment(K * D + k * D, D) =
              -3.0 * w / w.squaredNorm() + 0.3 * params.col(b).segment(K * D + k * D, D);
        }
    const Matrix z0 = random_matrix(rng, D, S * B, 1);
    const Matrix weight_z = random_matrix(rng, D, S * B, 1);
    const Array weight_ld = random_matrix(rng, S * B, 1, 1).col(0).array();

    const Eigen::Index n_params = params.size(), n_z = z0.size();
    const auto loss = [&](const Vector& flat) {
      AmortizedPlanarFlow f(D, K);
      const Eigen::Map<const Matrix> p(flat.data(), params.rows(), B);
      const Eigen::Map<const Matrix> z(flat.data() + n_params, D, S * B);
      Matrix z_K(D, S * B);
      Array ld(S * B);
      f.forward(p, z, z_K, ld);
      return weight_z.cwiseProduct(z_K).sum() + (weight_ld * ld).sum();
    };
    Vector point(n_params + n_z);
    point << Eigen::Map<const Vector>(params.data(), n_params), Eigen::Map<const Vector>(z0.data(), n_z);

    Matrix z_K(D, S * B);
    Array ld(S * B);
    flow.forward(params, z0, z_K, ld);
    Matrix dparams = Matrix::Constant(params.rows(), B, 0.25);  // backward adds
    Matrix dz0(D, S * B);
    flow.backward(params, weight_z, weight_ld, dz0, dparams);
    dparams.array() -= 0.25;
    Vector analytic(n_params + n_z);
    analytic << Eigen::Map<const Vector>(dparams.data(), n_params), Eigen::Map<const Vector>(dz0.data(), n_z);
    const Vector numeric = central_difference_gradient(loss, point);
    INFO("trial " << trial);
    CHECK(max_relative_error(analytic, numeric) < 1e-6);
  }
}
