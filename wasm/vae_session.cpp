#include "vae_session.hpp"

#include <cmath>
#include <iterator>
#include <stdexcept>

#include "vae/binary_images.hpp"
#include "vae_checkpoint.hpp"
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

void VaeSession::load_images(const PixelSource& pixels, int image_count, const VaeSessionSettings& settings) {
  // The split of data/image_datasets.cpp: one permutation with kSplitSeed, test images first.
  Random split_random(kSplitSeed);
  const std::vector<Eigen::Index> order = random_permutation(image_count, split_random);
  test_ = binarized_images(pixels, {order.begin(), order.begin() + settings.test_images});
  train_ = binarized_images(
      pixels, {order.begin() + kNativeTestImages, order.begin() + kNativeTestImages + settings.train_images});
}

VaeSession::VaeSession(const PixelSource& pixels, int image_count, const VaeSessionSettings& settings) {
  const FlowVaeTrainingConfig config = checked_config(settings, image_count);
  load_images(pixels, image_count, settings);
  trainer_ = std::make_unique<FlowVaeTrainer>(config, train_.cols());
}

namespace {

// The keys of `nfvi vae`'s run config (native/vae_command.cpp run_config), all of which a checkpoint holds.
const char* const kConfigKeys[] = {"data",  "binarize", "latent",     "flows",      "samples",  "hidden",
                                   "batch", "lr",       "seed",       "eval_every", "is_samples", "precision"};

const nlohmann::json& config_value(const nlohmann::json& config, const char* key) {
  const auto it = config.find(key);
  if (it == config.end()) throw CheckpointError(std::string("damaged header: its config has no \"") + key + "\"");
  return *it;
}

int config_int(const nlohmann::json& config, const char* key) {
  const nlohmann::json& v = config_value(config, key);
  if (!v.is_number_integer() || v.get<long long>() < 0 || v.get<long long>() > 1000000000LL)
    throw CheckpointError(std::string("damaged header: its ") + key + " is not a whole number");
  return static_cast<int>(v.get<long long>());
}

// The config, checked for the page: every key of nfvi vae's, the digits binarized at 0.5, and a network the
// page can hold (a one-line message naming the limit otherwise).
nlohmann::json checked_file_config(const std::string& bytes) {
  const nlohmann::json config = vae_checkpoint_config(bytes);
  for (const char* key : kConfigKeys) config_value(config, key);
  if (config.size() != std::size(kConfigKeys))
    throw CheckpointError("damaged header: its config has settings this nfvi does not know");
  if (config["data"] != "digits")
    throw CheckpointError("it was trained on --data " + config["data"].dump() +
                          "; the page has the digits only (nfvi vae --data digits)");
  if (config["binarize"] != "threshold")
    throw CheckpointError("it was trained on digits binarized with --binarize " + config["binarize"].dump() +
                          "; the page binarizes them at 0.5 (--binarize threshold)");
  const struct {
    const char* key;
    const char* name;
    int lo, hi;
  } limits[] = {{"latent", "latent dimension", 1, 64}, {"flows", "flows K", 0, 64}, {"hidden", "hidden units", 1, 1024}};
  for (const auto& l : limits) {
    const int value = config_int(config, l.key);
    if (value < l.lo || value > l.hi)
      throw CheckpointError("its network has " + std::string(l.name) + " " + std::to_string(value) +
                            ", and the page holds " + l.name + " from " + std::to_string(l.lo) + " to " +
                            std::to_string(l.hi) + " only: continue it with nfvi vae --resume");
  }
  for (const char* key : {"samples", "batch", "eval_every", "is_samples"})
    if (config_int(config, key) < 1) throw CheckpointError(std::string("damaged header: its ") + key + " is below 1");
  if (!config["lr"].is_number() || !(config["lr"].get<double>() > 0) || !std::isfinite(config["lr"].get<double>()))
    throw CheckpointError("damaged header: its lr is not a positive number");
  if (!config["seed"].is_number_unsigned() && !(config["seed"].is_number_integer() && config["seed"].get<long long>() >= 0))
    throw CheckpointError("damaged header: its seed is not a whole number");
  return config;
}

}  // namespace

nlohmann::json VaeSession::checkpoint_settings(const std::string& bytes) {
  const nlohmann::json config = checked_file_config(bytes);
  // The header once more, for what it says of the run (decode_vae_checkpoint checks it in full on load).
  const std::uint64_t n = [&] {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(bytes[8 + i]);
    return v;
  }();
  const nlohmann::json header = nlohmann::json::parse(bytes.substr(16, n), nullptr, false);
  const auto page = header.find("page");
  const bool from_page = page != header.end() && page->is_object();
  const auto epochs = header.find("epochs_done");
  return {{"latent", config["latent"]},
          {"flows", config["flows"]},
          {"hidden", config["hidden"]},
          {"samples", config["samples"]},
          {"batch", config["batch"]},
          {"lr", config["lr"]},
          {"seed", static_cast<double>(config["seed"].get<std::uint64_t>())},
          {"precision", config["precision"]},
          {"epochs", epochs != header.end() && epochs->is_number_integer() ? *epochs : nlohmann::json(0)},
          {"origin", from_page ? "page" : "nfvi vae"}};
}

VaeSession::VaeSession(const PixelSource& pixels, int image_count, const std::string& bytes,
                       const VaeSessionSettings& settings) {
  const nlohmann::json config = checked_file_config(bytes);
  if (settings.latent != config_int(config, "latent") || settings.flows != config_int(config, "flows") ||
      settings.hidden != config_int(config, "hidden"))
    throw std::invalid_argument("the latent dimension, flows and hidden units must be the checkpoint's");
  const FlowVaeTrainingConfig training = checked_config(settings, image_count);
  load_images(pixels, image_count, settings);
  trainer_ = std::make_unique<FlowVaeTrainer>(training, train_.cols());

  // What the file must fit: its own config, the sizes of its network, and
  // the epochs of nfvi vae's digits (9,000 training images in batches of its --batch).
  const FlowVaeTrainingState fresh = trainer_->state();
  VaeCheckpointExpectation expected;
  expected.config = config;
  expected.parameters = fresh.parameters.size();
  expected.encoder_moments = fresh.encoder_adam.m.size();
  expected.decoder_moments = fresh.decoder_adam.m.size();
  const long long native_train = image_count - kNativeTestImages, file_batch = config_int(config, "batch");
  expected.batches_per_epoch = static_cast<int>((native_train + file_batch - 1) / file_batch);
  VaeCheckpoint checkpoint = decode_vae_checkpoint(bytes, expected);

  // The page's record: its batch ELBOs and epochs (of its own subset).
  int page_epochs = 0;
  if (!checkpoint.page.is_null()) {
    const nlohmann::json& page = checkpoint.page;
    const auto elbos = page.find("batch_elbos");
    const auto epochs = page.find("epochs");
    if (!page.is_object() || elbos == page.end() || !elbos->is_array() || epochs == page.end() ||
        !epochs->is_number_integer() || epochs->get<long long>() < 0 || epochs->get<long long>() > 100000000LL)
      throw CheckpointError("damaged header: the page's record is not {batch_elbos, epochs}");
    if (static_cast<long long>(elbos->size()) > checkpoint.steps_before_epoch_1)
      throw CheckpointError("damaged header: the page's record does not fit its Adam steps");
    for (const nlohmann::json& e : *elbos) {
      if (!e.is_number() || !std::isfinite(e.get<double>()))
        throw CheckpointError("damaged header: a batch ELBO is not a finite number");
      elbo_history_.push_back(e.get<double>());
    }
    page_epochs = static_cast<int>(epochs->get<long long>());
  }
  steps_before_ = checkpoint.steps_before_epoch_1 +
                  static_cast<long long>(checkpoint.state.epochs_done) * expected.batches_per_epoch -
                  static_cast<long long>(elbo_history_.size());
  checkpoint.state.epochs_done = page_epochs;  // the epoch counter shown is the page's
  trainer_->set_state(checkpoint.state);
  file_config_ = config;
}

std::string VaeSession::save() const {
  // nfvi vae's run config: the file's own keys where the model came from one, the page's network and training.
  nlohmann::json config = file_config_.is_null()
                              ? nlohmann::json{{"data", "digits"},  {"binarize", "threshold"}, {"eval_every", 10},
                                               {"is_samples", 200}, {"precision", "double"}}
                              : file_config_;
  const FlowVaeTrainingConfig& c = trainer_->config();
  config["latent"] = c.shape.latent;
  config["flows"] = c.shape.flows;
  config["hidden"] = c.shape.hidden;
  config["samples"] = c.samples;
  config["batch"] = c.batch;
  config["lr"] = c.learning_rate;
  config["seed"] = c.seed;
  VaeCheckpoint checkpoint;
  checkpoint.config = config;
  checkpoint.state = trainer_->state();
  checkpoint.state.epochs_done = 0;  // no epoch of nfvi vae: all the page's steps come before its epoch 1
  checkpoint.steps_before_epoch_1 = static_cast<long long>(adam_steps());
  checkpoint.page = {{"batch_elbos", elbo_history_},
                     {"epochs", trainer_->epochs_done()},
                     {"train_images", train_images()},
                     {"test_images", test_images()}};
  return encode_vae_checkpoint(checkpoint);
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
