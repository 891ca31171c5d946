// `nfvi vae`: trains a VAE with a planar-flow posterior on binarized images
// and writes, to --out:
//   elbo.csv            per epoch: train ELBO, test ELBO, test -log p(x) (importance
//                       sampling, every --eval-every epochs and the last), seconds;
//   samples.png         10 x 10 decoded samples from the prior;
//   reconstructions.png test images (odd columns) beside their reconstructions;
//   summary.json        configuration, results and the trained weights;
//   config.json         the configuration (read by plot-curves);
//   checkpoint.bin      the whole training state after the last finished epoch
//                       (weights, Adam's moments, the generator, the history),
//                       replaced atomically each epoch; --resume continues
//                       from it. It alone defines which epochs are done:
//                       elbo.csv and config.json are rewritten from it after
//                       each epoch and at every resume, so a run killed at
//                       any moment resumes to exactly the uninterrupted run.
// An --out that already holds a run is refused unless --resume or
// --overwrite says what to do with it.
//
// `nfvi plot-curves RUN...`: overlays the learning curves of several runs,
// grouped by configuration: the mean over seeds as a line and the min-max
// range as a band.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace nfvi {

struct VaeOptions {
  std::string data = "digits";
  std::string binarize = "threshold";
  int latent = 32;
  int flows = 16;
  int samples = 10;
  int hidden = 512;
  int epochs = 100;
  int batch = 128;
  double learning_rate = 1e-4;
  std::uint64_t seed = 1;
  int eval_every = 10;
  int is_samples = 200;
  std::string precision = "float";  // of the networks: float (as PyTorch's) or double
  int threads = 0;                  // 0: Eigen's default (all cores, or OMP_NUM_THREADS)
  bool resume = false;
  bool overwrite = false;
  std::string out;  // default runs/vae<K>x<S>
};

CLI::App* add_vae_command(CLI::App& app, VaeOptions& options);
int run_vae(const VaeOptions& options);

struct PlotCurvesOptions {
  std::vector<std::string> runs;
  std::string metric = "train_elbo";
  std::string out = "curves.png";
};

CLI::App* add_plot_curves_command(CLI::App& app, PlotCurvesOptions& options);
int run_plot_curves(const PlotCurvesOptions& options);

}  // namespace nfvi
