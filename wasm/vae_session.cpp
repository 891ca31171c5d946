#include "vae_session.hpp"

#include <cmath>
#include <stdexcept>

#include "vae/binary_images.hpp"
#include "image_datasets.hpp"  // kSplitSeed only (header constants; the file loading stays native)
#include "math/scalar_math.hpp"

namespace nfvi {
namespace {

constexpr int kPixels = 784;
constexpr Eigen::Index kNativeTestImages = 1000;  // `nfvi vae --data digits` keeps the first 1,000 as its test set
constexpr double kMaxSeed = 9007199254740991.0;   // 2^53 - 1
constexpr int kMaxSamplesPerBatch = 10000;        // 63 MB per (784, S B) matrix
// Fixed streams for the pictures and the test ELBO: the same draws at every
// redraw, so that the page shows the model changing, not the noise.
constexpr std::uint64_t kTestStream = 0x7661652074657374ULL;
constexpr std::uint64_t kPriorStream = 0x7661652070726972ULL;
constexpr std::uint64_t kPosteriorStream = 0x7661652071207a78ULL;

void check_range(int value, int lo, int hi, const std::string& name) {
  if (value < lo || value > hi)
    throw std::invalid_argument(name + " must be a whole number from " + std::to_string(lo) + " to " +
                                std::to_string(hi));
}

FlowVaeTrainingConfig checked_config(const VaeSessionSettings& s, int image_count) {
  if (image_count <= kNativeTestImages)
    throw std::invalid_argument("the digits must hold more than 1000 images, got " + std::to_string(image_count));
  check_range(s.train_images, 1, image_count - static_cast<int>(kNativeTestImages), "training images");
  check_range(s.test_images, 1, static_cast<int>(kNativeTestImages), "test images");
  check_range(s.latent, 1, 64, "latent dimension");
  check_range(s.flows, 0, 64, "flows K");
  check_range(s.hidden, 1, 1024, "hidden units");
  check_range(s.samples, 1, 100, "samples per image");
  check_range(s.batch, 1, 1000, "batch size");
  // The decoder's logits and their gradient hold 784 x samples x batch doubles each.
  if (s.samples * s.batch > kMaxSamplesPerBatch)
    throw std::invalid_argument("samples x batch must be at most " + std::to_string(kMaxSamplesPerBatch) +
                                " in the browser");
  if (!(s.learning_rate > 0 && s.learning_rate <= 1))
    throw std::invalid_argument("learning rate must be a number in (0, 1]");
  if (!(s.seed >= 0 && s.seed <= kMaxSeed) || std::floor(s.seed) != s.seed)
    throw std::invalid_argument("seed must be a whole number from 0 to 2^53 - 1");
  FlowVaeTrainingConfig config;
  config.shape.data_dim = kPixels;
  config.shape.latent = s.latent;
  config.shape.flows = s.flows;
  config.shape.hidden = s.hidden;
  config.samples = s.samples;
  config.batch = s.batch;
  config.learning_rate = s.learning_rate;
  config.seed = static_cast<std::uint64_t>(s.seed);
  return config;
}

// The columns `indices` of the whole digits array, binarized at 0.5.
Matrix binarized_images(const VaeSession::PixelSource& pixels, const std::vector<Eigen::Index>& indices) {
  Matrix images(kPixels, static_cast<Eigen::Index>(indices.size()));
  for (size_t i = 0; i < indices.size(); ++i)
    pixels(static_cast<std::size_t>(indices[i]) * kPixels, kPixels, images.col(static_cast<Eigen::Index>(i)).data());
  if (!images.allFinite() || images.minCoeff() < 0 || images.maxCoeff() > 1)
    throw std::invalid_argument("a pixel value is outside [0, 1]");
  return threshold_binarize(images);
}

}  // namespace

VaeSession::VaeSession(const PixelSource& pixels, int image_count, const VaeSessionSettings& settings) {
  const FlowVaeTrainingConfig config = checked_config(settings, image_count);
  // The split of data/image_datasets.cpp: one permutation with kSplitSeed, test images first.
  Random split_random(kSplitSeed);
  const std::vector<Eigen::Index> order = random_permutation(image_count, split_random);
  test_ = binarized_images(pixels, {order.begin(), order.begin() + settings.test_images});
  train_ = binarized_images(
      pixels, {order.begin() + kNativeTestImages, order.begin() + kNativeTestImages + settings.train_images});
  trainer_ = std::make_unique<FlowVaeTrainer>(config, train_.cols());
}

VaeSession::TrainResult VaeSession::train(int batches) {
  check_range(batches, 0, 1000000, "batches");
  TrainResult result;
  result.estimates.reserve(static_cast<size_t>(batches));
  // A batch that diverges finds the weights of the step before it non-finite
  // or useless: those weights are the step's, not the last good ones. The
  // last good weights are those that gave the last finite ELBO, kept here.
  try {
    for (int b = 0; b < batches; ++b) {
      if (batch_in_epoch_ == 0) trainer_->begin_epoch();
      Vector before = trainer_->model().parameters();
      const double elbo = trainer_->train_batch(train_, batch_in_epoch_);
      last_good_ = std::move(before);
      result.estimates.push_back(elbo);
      elbo_history_.push_back(elbo);
      if (++batch_in_epoch_ == trainer_->batches_per_epoch()) {
        trainer_->end_epoch();
        batch_in_epoch_ = 0;
      }
    }
  } catch (const VaeTrainingDiverged& e) {
    result.error = "training diverged: " + std::string(e.what());
    if (last_good_.size() == trainer_->model().parameter_count()) trainer_->model().set_parameters(last_good_);
  }
  return result;
}

double VaeSession::test_elbo() {
  FlowVae& vae = trainer_->model();
  Random random(kTestStream);
  const Eigen::Index chunk = 128, D = latent(), S = trainer_->config().samples;
  double total = 0;
  for (Eigen::Index start = 0; start < test_.cols(); start += chunk) {
    const Eigen::Index B = std::min(chunk, test_.cols() - start);
    Samples eps(D, S * B);
    random.fill_normal(eps);
    total += -vae.negative_elbo(test_.middleCols(start, B), Matrix(eps), nullptr) * static_cast<double>(B);
  }
  return total / static_cast<double>(test_.cols());
}

std::vector<double> VaeSession::prior_samples(int count) {
  check_range(count, 1, 1000, "samples");
  Random random(kPriorStream);
  Samples z(latent(), count);
  random.fill_normal(z);
  const Matrix means = trainer_->model().decode_means(Matrix(z));
  return {means.data(), means.data() + means.size()};
}

std::vector<double> VaeSession::reconstructions(int count) {
  check_range(count, 1, test_images(), "reconstructions");
  FlowVae& vae = trainer_->model();
  const auto x = test_.leftCols(count);
  Array log_w(count);
  vae.forward(x, Matrix::Zero(latent(), count), log_w);
  const Matrix recon = vae.decode_means(vae.last_z_K());
  std::vector<double> out;
  out.reserve(static_cast<size_t>(2 * count * kPixels));
  for (int i = 0; i < count; ++i) {
    out.insert(out.end(), x.col(i).data(), x.col(i).data() + kPixels);
    out.insert(out.end(), recon.col(i).data(), recon.col(i).data() + kPixels);
  }
  return out;
}

std::vector<double> VaeSession::posterior(int index, int samples) {
  if (latent() != 2) throw std::invalid_argument("the posterior is drawn for a 2-D latent space only");
  check_range(index, 0, test_images() - 1, "digit");
  check_range(samples, 1, 100000, "posterior samples");
  FlowVae& vae = trainer_->model();
  const Matrix x = test_.col(index);
  Random random(kPosteriorStream);
  Samples eps_rows(2, samples);
  random.fill_normal(eps_rows);
  const Matrix eps = eps_rows;
  // The base: z0 = mu + sigma eps with sigma = softplus(rho), as in FlowVae::forward.
  vae.encoder().forward(x);
  const Matrix encoded = vae.encoder().output();
  Matrix z0(2, samples);
  for (int d = 0; d < 2; ++d) {
    const double mu = encoded(d, 0), sigma = softplus(encoded(2 + d, 0));
    z0.row(d) = (mu + sigma * eps.row(d).array()).matrix();
  }
  // After the flow: the same eps through FlowVae::forward (one image, `samples` samples of it).
  Array log_w(samples);
  vae.forward(x, eps, log_w);
  const Matrix& z_K = vae.last_z_K();
  std::vector<double> out;
  out.reserve(static_cast<size_t>(4 * samples + kPixels));
  for (const Matrix* z : {static_cast<const Matrix*>(&z0), &z_K})
    for (int d = 0; d < 2; ++d)
      for (int n = 0; n < samples; ++n) out.push_back((*z)(d, n));
  out.insert(out.end(), x.data(), x.data() + kPixels);
  return out;
}

}  // namespace nfvi
