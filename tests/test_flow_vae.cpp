#include <catch2/catch.hpp>

#include "vi/pareto_k_hat.hpp"
#include <cmath>

#include "vae/flow_vae.hpp"
#include "vae/flow_vae_trainer.hpp"
#include "gradient_check.hpp"
#include "math/random.hpp"

using namespace nfvi;
using namespace nfvi::testing;

namespace {

Matrix normal_matrix(Random& rng, Eigen::Index rows, Eigen::Index cols, double scale = 1) {
  Samples s(rows, cols);
  rng.fill_normal(s);
  return scale * Matrix(s);
}

Matrix binary_images(Random& rng, Eigen::Index pixels, Eigen::Index count) {
  Matrix x(pixels, count);
  for (Eigen::Index j = 0; j < count; ++j)
    for (Eigen::Index i = 0; i < pixels; ++i) x(i, j) = rng.uniform() < 0.4 ? 1.0 : 0.0;
  return x;
}

// A tiny network whose weights are scaled up from PyTorch's rule, so that
// every unit and the flow are far from linear.
FlowVae tiny_vae(int flows, Random& rng) {
  FlowVae vae({/*data_dim=*/6, /*latent=*/3, flows, /*hidden=*/5});
  vae.initialize(rng);
  vae.set_parameters(2.0 * vae.parameters());
  return vae;
}

// The whole -ELBO's gradient with respect to every weight, against central differences.
void check_elbo_gradient(int flows, int samples) {
  Random rng(100 + static_cast<std::uint64_t>(flows));
  FlowVae vae = tiny_vae(flows, rng);
  const Eigen::Index B = 3;
  const Matrix x = binary_images(rng, 6, B);
  const Matrix eps = normal_matrix(rng, 3, samples * B);

  Vector analytic = Vector::Zero(vae.parameter_count());
  vae.negative_elbo(x, eps, &analytic);
  const Vector theta = vae.parameters();
  const auto loss = [&](const Vector& p) {
    FlowVae other = vae;
    other.set_parameters(p);
    return other.negative_elbo(x, eps, nullptr);
  };
  const Vector numeric = central_difference_gradient(loss, theta);
  INFO("flows " << flows << ", samples " << samples << ", " << theta.size() << " weights");
  CHECK(max_relative_error(analytic, numeric) < 1e-6);
  // The encoder's flow outputs must receive gradient (the path encoder -> w, u, b -> ELBO).
  CHECK(analytic.head(vae.encoder_parameter_count()).norm() > 0);
}

}  // namespace

TEST_CASE("flow vae: -ELBO gradient wrt every weight matches central differences, no flow", "[vae][gradient]") {
  check_elbo_gradient(0, 1);
  check_elbo_gradient(0, 3);
}

TEST_CASE("flow vae: -ELBO gradient wrt every weight matches central differences, 2 planar layers", "[vae][gradient]") {
  check_elbo_gradient(2, 1);
  check_elbo_gradient(2, 3);
}

TEST_CASE("flow vae: decoder gradient alone (d -ELBO / d decoder weights) matches central differences",
          "[vae][gradient]") {
  Random rng(7);
  FlowVae vae = tiny_vae(1, rng);
  const Matrix x = binary_images(rng, 6, 4);
  const Matrix eps = normal_matrix(rng, 3, 2 * 4);
  Vector analytic = Vector::Zero(vae.parameter_count());
  vae.negative_elbo(x, eps, &analytic);
  const Eigen::Index n_encoder = vae.encoder_parameter_count();
  const Vector theta = vae.parameters();
  const auto loss = [&](const Vector& decoder) {
    FlowVae other = vae;
    Vector p = theta;
    p.tail(decoder.size()) = decoder;
    other.set_parameters(p);
    return other.negative_elbo(x, eps, nullptr);
  };
  const Vector numeric = central_difference_gradient(loss, theta.tail(theta.size() - n_encoder));
  CHECK(max_relative_error(analytic.tail(theta.size() - n_encoder), numeric) < 1e-6);
}

TEST_CASE("flow vae: log w is log p(x|z) + log p(z) - log q(z|x), checked by hand for one sample without flow",
          "[vae]") {
  Random rng(8);
  FlowVae vae = tiny_vae(0, rng);
  const Matrix x = binary_images(rng, 6, 1);
  const Matrix eps = normal_matrix(rng, 3, 1);
  Array log_w(1);
  vae.forward(x, eps, log_w);

  const Matrix mu = vae.encode_means(x);
  vae.encoder().forward(x);
  const Vector rho = vae.encoder().output().col(0).segment(3, 3);
  const Vector sigma = (rho.array().exp().log1p()).matrix();
  const Vector z = mu.col(0) + sigma.cwiseProduct(eps.col(0));
  const Vector p = vae.decode_means(z).col(0);
  double log_px = 0;
  for (int i = 0; i < 6; ++i) log_px += x(i, 0) > 0.5 ? std::log(p(i)) : std::log(1 - p(i));
  const double log_2pi = std::log(2 * M_PI);
  const double log_pz = -0.5 * z.squaredNorm() - 1.5 * log_2pi;
  const double log_q = -0.5 * eps.squaredNorm() - sigma.array().log().sum() - 1.5 * log_2pi;
  CHECK(log_w(0) == Approx(log_px + log_pz - log_q).epsilon(1e-12));
}

TEST_CASE("flow vae: importance-sampled -log p(x) is at most -ELBO and tightens with more samples", "[vae][is]") {
  Random rng(9);
  FlowVae vae({/*data_dim=*/20, /*latent=*/3, /*flows=*/2, /*hidden=*/8});
  vae.initialize(rng);
  vae.set_parameters(2.0 * vae.parameters());
  const Eigen::Index N = 300;
  const Matrix x = binary_images(rng, 20, N);

  // -ELBO from many samples per image (its expectation, nearly exactly).
  const Matrix eps = normal_matrix(rng, 3, 200 * N);
  const double negative_elbo = vae.negative_elbo(x, eps, nullptr);

  double previous = negative_elbo;
  for (int samples : {1, 10, 200}) {
    Random draw(1000 + static_cast<std::uint64_t>(samples));
    const Array log_p = vae.importance_sampled_log_likelihood(x, samples, draw);
    const double nll = -log_p.mean();
    const double standard_error = std::sqrt((log_p + nll).square().sum() / (N - 1) / N);
    INFO("samples " << samples << ": -log p(x) estimate " << nll << " +- " << standard_error << ", -ELBO "
                    << negative_elbo);
    if (samples == 1) {
      CHECK(std::abs(nll - negative_elbo) < 4 * standard_error);  // one sample: an unbiased ELBO estimate
    } else {
      CHECK(nll < previous);
    }
    CHECK(nll <= negative_elbo + 0.05);
    previous = nll;
  }
  CHECK(previous < negative_elbo - 0.05);  // 200 samples: strictly tighter than the ELBO

  // Each image's k-hat, from the very draws of the estimate: the estimate is
  // unchanged, and image b's k-hat is that of its own 200 log weights,
  // recomputed here image by image (chunk 1: image b's noise is the b-th
  // (3, 200) draw).
  Random draw_a(77), draw_b(77), draw_c(77);
  Array k_hat;
  const Array log_p = vae.importance_sampled_log_likelihood(x, 200, draw_a, 1);
  const Array log_p_k = vae.importance_sampled_log_likelihood(x, 200, draw_b, k_hat, 1);
  CHECK((log_p == log_p_k).all());
  REQUIRE(k_hat.size() == N);
  for (Eigen::Index b = 0; b < 5; ++b) {
    Samples eps_rows(3, 200);
    draw_c.fill_normal(eps_rows);
    Array log_w(200);
    vae.forward(x.col(b), Matrix(eps_rows), log_w);
    INFO("image " << b);
    CHECK(k_hat(b) == pareto_k_hat(log_w).k_hat);
    CHECK(std::isfinite(k_hat(b)));
  }
  // Ten samples are too few for k-hat.
  Random draw_d(78);
  vae.importance_sampled_log_likelihood(x, 10, draw_d, k_hat);
  CHECK(k_hat.isNaN().all());
}

TEMPLATE_TEST_CASE("flow vae trainer: restoring a state after an epoch continues exactly like an uninterrupted run",
                   "[vae][checkpoint]", double, float) {
  Random rng(10);
  const Matrix train = binary_images(rng, 6, 20);
  FlowVaeTrainingConfig config;
  config.shape = {6, 2, 2, 5};
  config.samples = 2;
  config.batch = 8;
  config.learning_rate = 1e-2;
  config.seed = 3;

  const auto run_epoch = [&](FlowVaeTrainerOf<TestType>& t) {
    t.begin_epoch();
    for (int b = 0; b < t.batches_per_epoch(); ++b) t.train_batch(train, b);
    t.end_epoch();
  };
  FlowVaeTrainerOf<TestType> uninterrupted(config, train.cols());
  for (int e = 0; e < 3; ++e) run_epoch(uninterrupted);

  FlowVaeTrainerOf<TestType> first(config, train.cols());
  run_epoch(first);
  const FlowVaeTrainingState saved = first.state();  // in double whatever TestType is
  FlowVaeTrainerOf<TestType> resumed(config, train.cols());
  resumed.set_state(saved);
  run_epoch(resumed);
  run_epoch(resumed);
  CHECK(resumed.epochs_done() == 3);
  CHECK(resumed.model().parameters() == uninterrupted.model().parameters());
  CHECK(resumed.state().encoder_adam.v == uninterrupted.state().encoder_adam.v);
  CHECK(resumed.model().parameters() != first.model().parameters());  // training did move the weights
}

TEST_CASE("flow vae: the float model gives the double model's ELBO and gradient to float accuracy",
          "[vae][precision]") {
  const FlowVaeShape shape{/*data_dim=*/30, /*latent=*/4, /*flows=*/2, /*hidden=*/16};
  Random rng(21), same_rng(21);
  FlowVae vae(shape);
  FlowVaeOf<float> vae_float(shape);
  vae.initialize(rng);
  vae_float.initialize(same_rng);
  // The same draws, rounded to float.
  CHECK(vae_float.parameters() == vae.parameters().cast<float>());
  const Matrix x = binary_images(rng, 30, 5);
  const Matrix eps = normal_matrix(rng, 4, 2 * 5);
  Vector g_double = Vector::Zero(vae.parameter_count());
  VectorOf<float> g_float = VectorOf<float>::Zero(vae.parameter_count());
  const double loss_double = vae.negative_elbo(x, eps, &g_double);
  const double loss_float = vae_float.negative_elbo(x, eps, &g_float);
  CHECK(loss_float == Approx(loss_double).epsilon(1e-5));
  CHECK(loss_float != loss_double);  // it did compute in float
  CHECK((g_float.cast<double>() - g_double).norm() < 1e-4 * g_double.norm());
}
