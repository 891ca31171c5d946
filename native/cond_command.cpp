#include "cond_command.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <map>
#include <optional>
#include <sstream>

#include "cli_checks.hpp"
#include "vi/importance_diagnostics.hpp"
#include "conditional_figures.hpp"
#include "conditional_model_json.hpp"
#include "model_files.hpp"
#include "vi/conditional_trainer.hpp"
#include "vi/diagnostics.hpp"
#include "flow_figures.hpp"
#include "gif_animation.hpp"
#include "file_flags.hpp"
#include "interrupt.hpp"
#include "memory_budget.hpp"
#include "progress_bar.hpp"
#include "thread_count.hpp"
#include "samples_csv.hpp"

namespace nfvi {
namespace {

// The angle where a figure is worst, by a badness score (larger is worse).
struct Worst {
  double angle = 0;
  double value = NAN;
  double badness = -INFINITY;
  void offer(double at, double v, double bad) {
    if (bad > badness) angle = at, value = v, badness = bad;
  }
};

nlohmann::json json_number(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr); }

// Cached points per step: angles x samples per angle x (layers + 1) x 2
// doubles. 5e7 angle-sample-layers is ~0.8 GB.
constexpr long long kMaxAngleSampleLayers = 50'000'000;

const std::map<std::string, MlpInit>& init_names() {
  static const std::map<std::string, MlpInit> names = {
      {"torch", MlpInit::TorchLinear}, {"he", MlpInit::He}, {"glorot", MlpInit::Glorot}};
  return names;
}

std::string kl_csv(const std::vector<double>& history) {
  std::ostringstream csv;
  csv << std::setprecision(17) << "step,kl_estimate\n";
  for (size_t i = 0; i < history.size(); ++i) csv << (i + 1) << ',' << history[i] << '\n';
  return csv.str();
}

std::string frame_name(int index) {
  char name[32];
  std::snprintf(name, sizeof name, "frame_%02d.png", index);
  return name;
}

std::string angle_range_text(double lo, double hi) {
  char text[64];
  std::snprintf(text, sizeof text, "[%.4g, %.4g]", lo, hi);
  return text;
}

}  // namespace

CLI::App* add_cond_command(CLI::App& app, CondOptions& o) {
  CLI::App* cond =
      app.add_subcommand("cond", "Conditional (amortized) VI: one network for the ring rotated by any angle");
  // A flag given twice takes its last value (so a script can override a default it passed).
  cond->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  cond->add_option("--layers", o.layers, "Planar layers K per angle")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cond->add_option("--hidden", o.hidden, "Units in each hidden layer of the MLP")
      ->check(CLI::Range(1, 8192))
      ->capture_default_str();
  cond->add_option("--hidden-layers", o.hidden_layers, "Hidden layers of the MLP")
      ->check(CLI::Range(1, 16))
      ->capture_default_str();
  cond->add_option("--steps", o.steps, "Adam steps in all")->check(CLI::Range(1LL, kMaxSteps))->capture_default_str();
  cond->add_option("--angles-per-step", o.angles_per_step, "Angles drawn per step")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cond->add_option("--angle-sampling", o.angle_sampling,
                   "uniform: B independent angles (the seed's); stratified: one angle in each of B equal bins")
      ->check(CLI::IsMember({"uniform", "stratified"}))
      ->capture_default_str();
  cond->add_option("--phase1-steps", o.phase1_steps, "Steps 1..this are phase 1; later steps are phase 2")
      ->check(CLI::Range(0LL, kMaxSteps))
      ->capture_default_str();
  cond->add_option("--samples", o.samples, "Phase 1: samples per angle")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  cond->add_option("--lr", o.learning_rate, "Phase 1: Adam learning rate")
      ->check(positive_finite_number())
      ->capture_default_str();
  cond->add_option("--phase2-samples", o.phase2_samples, "Phase 2: samples per angle")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  cond->add_option("--phase2-lr", o.phase2_learning_rate, "Phase 2: Adam learning rate (a fresh Adam)")
      ->check(positive_finite_number())
      ->capture_default_str();
  cond->add_option("--angle-min", o.angle_min, "Training angles are drawn uniformly from --angle-min ...")
      ->check(finite_number())
      ->capture_default_str();
  cond->add_option("--angle-max", o.angle_max, "... to --angle-max; frames outside are labelled extrapolation")
      ->check(finite_number())
      ->capture_default_str();
  cond->add_option("--init", o.init, "Initial weights: torch (PyTorch's nn.Linear rule, the seed's), he or glorot")
      ->check(CLI::IsMember({"torch", "he", "glorot"}))
      ->capture_default_str();
  cond->add_option("--seed", o.seed, "Random seed (initial weights, angles and every sample)")
      ->check(CLI::Range(std::uint64_t{0}, kMaxSeed))
      ->capture_default_str();
  cond->add_option("--threads", o.threads,
                   "Threads for matrix products (0: all cores). The products are small (512 x 512 by 32): one "
                   "thread is fastest, and a run's numbers depend on the count, through round-off")
      ->check(CLI::Range(0, 256))
      ->capture_default_str();
  cond->add_option("--frames", o.frames, "Frames: angles evenly spaced over [-pi, pi], ends included")
      ->check(CLI::Range(2, 1000))
      ->capture_default_str();
  cond->add_option("--frame-samples", o.frame_samples, "Samples of q in each frame's histogram")
      ->check(CLI::Range(1LL, 100000000LL))
      ->capture_default_str();
  cond->add_option("--kl-samples", o.kl_samples, "Fresh samples behind each angle's kl_true")
      ->check(CLI::Range(1LL, 100000000LL))
      ->capture_default_str();
  cond->add_option("--out", o.out, "Output directory")->check(non_empty_text())->capture_default_str();
  cond->add_flag("--overwrite", o.overwrite, "Replace the results of an earlier run in --out (once this run succeeds)");
  cond->add_flag("--no-figures", o.no_figures, "Skip frames, GIF and kl.png (kl.csv and summary.json only)");
  return cond;
}

CLI::App* add_cond_sample_command(CLI::App& app, CondSampleOptions& o) {
  CLI::App* sample =
      app.add_subcommand("cond-sample", "Draw samples of q(z|angle) from a model trained by `nfvi cond`");
  sample->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  sample->add_option("--model", o.model, "summary.json of `nfvi cond`")->required();
  sample->add_option("--angle", o.angle, "The angle (any finite number; outside the trained range is extrapolation)")
      ->required()
      ->check(finite_number());
  sample->add_option("--n", o.n, "Number of samples")->check(CLI::Range(1LL, 100000000LL))->capture_default_str();
  sample->add_option("--seed", o.seed, "Random seed")
      ->check(CLI::Range(std::uint64_t{0}, kMaxSeed))
      ->capture_default_str();
  sample->add_option("--out", o.out, "Output CSV file (columns z1, z2, log_q); - for standard output")
      ->required()
      ->check(non_empty_text());
  sample->add_option("--frame", o.frame, "Also draw this angle's frame (p beside q) to this PNG file")
      ->check(non_empty_text());
  sample->add_option("--kl-samples", o.kl_samples, "Fresh samples behind the reported kl_true")
      ->check(CLI::Range(1LL, 100000000LL))
      ->capture_default_str();
  return sample;
}

int run_cond(const CondOptions& o) {
  set_matrix_threads(o.threads);
  ConditionalConfig config;
  config.layers = o.layers;
  config.hidden = o.hidden;
  config.hidden_layers = o.hidden_layers;
  config.angles_per_step = o.angles_per_step;
  config.angle_sampling = o.angle_sampling == "stratified" ? AngleSampling::Stratified : AngleSampling::Uniform;
  config.phase1_steps = o.phase1_steps;
  config.phase1_samples = o.samples;
  config.phase1_lr = o.learning_rate;
  config.phase2_samples = o.phase2_samples;
  config.phase2_lr = o.phase2_learning_rate;
  config.angle_min = o.angle_min;
  config.angle_max = o.angle_max;
  config.init = init_names().at(o.init);
  config.seed = o.seed;
  if (!(o.angle_max > o.angle_min))
    throw UsageError("--angle-max: must be greater than --angle-min (" + angle_range_text(o.angle_min, o.angle_max) +
                     " is empty)");
  const long long per_step = static_cast<long long>(o.angles_per_step) * std::max(o.samples, o.phase2_samples) *
                             (static_cast<long long>(o.layers) + 1);
  if (per_step > kMaxAngleSampleLayers)
    throw UsageError(
        "--samples: angles per step x samples per angle x (layers + 1) must be at most 5e7 (memory); got " +
        std::to_string(per_step));
  require_memory(estimated_cond_bytes(o), "--hidden " + std::to_string(o.hidden) + " --hidden-layers " +
                                              std::to_string(o.hidden_layers) + " --layers " + std::to_string(o.layers));
  RunDirectory out = open_run_directory(
      "--out", o.out,
      {{"kl.csv", "summary.json", "kl.png", "conditional.gif", "frames"}, existing_results_policy(o.overwrite),
       "pass --overwrite to replace them"});

  ConditionalTrainer trainer(config);
  const double log_z = trainer.log_z();  // before training, so that progress shows the true KL
  ProgressBar progress(o.steps, "cond");
  double seconds[2] = {0, 0};
  int steps_in[2] = {0, 0};
  try {
    for (int s = 1; s <= o.steps; ++s) {
      const int phase = trainer.phase();
      const auto start = std::chrono::steady_clock::now();
      trainer.step();
      seconds[phase - 1] += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      ++steps_in[phase - 1];
      if (s == o.steps) break;  // the last line shows the trained network's figures
      const double estimate = trainer.recent_kl_estimate(100);
      char status[96];
      std::snprintf(status, sizeof status, "phase %d  train KL est %.4f (true KL %.4f nats)", phase, estimate,
                    true_kl(estimate, log_z));
      progress.update(s, status);
    }
  } catch (const TrainingDiverged& e) {
    progress.interrupt();
    std::fprintf(stderr, "nfvi: error: %s (try a smaller --lr or --phase2-lr); nothing was written\n", e.what());
    return 1;
  }

  // kl_true at the seed's evaluation angles, and the importance diagnostics
  // of each angle's q from the same fresh samples.
  const std::vector<double> angles = ConditionalTrainer::evaluation_angles(o.frames);
  nlohmann::json per_angle = nlohmann::json::array();
  double kl_sum = 0, kl_worst = -INFINITY, kl_worst_se = 0, worst_angle = 0;
  Worst k_hat_worst, ess_worst, disagreement_worst;
  int not_reliable = 0, disagreeing = 0;
  double k_hat_threshold = 0;
  for (double angle : angles) {
    const ImportanceDiagnostics d = trainer.diagnose(angle, o.kl_samples);
    const double kl = true_kl(d.kl_estimate, log_z);  // = trainer.kl_true(angle, o.kl_samples)
    if (!std::isfinite(kl)) {
      progress.interrupt();
      throw std::runtime_error("kl_true at angle " + std::to_string(angle) +
                               " is not finite (the trained flow gives non-finite samples); nothing was written");
    }
    const double disagreement = log_z_disagreement(d, log_z);
    per_angle.push_back({{"angle", angle},
                         {"kl_true", kl},
                         {"kl_true_se", json_number(d.kl_estimate_se)},
                         {"extrapolation", trainer.is_extrapolation(angle)},
                         {"log_z_is", json_number(d.log_z_is)},
                         {"log_z_is_se", json_number(d.log_z_is_se)},
                         {"log_z_disagreement_se", json_number(disagreement)},
                         {"ess_fraction", json_number(d.ess_fraction)},
                         {"k_hat", json_number(d.k_hat)},
                         {"reliable", d.reliable}});
    kl_sum += kl;
    if (kl > kl_worst) {
      kl_worst = kl;
      kl_worst_se = d.kl_estimate_se;
      worst_angle = angle;
    }
    k_hat_threshold = d.k_hat_threshold;
    if (!d.reliable) ++not_reliable;
    if (!log_z_disagreement_warning(d, log_z).empty()) ++disagreeing;
    // The worst angle by each figure: NaN (not estimated) counts as worst.
    k_hat_worst.offer(angle, d.k_hat, std::isnan(d.k_hat) ? INFINITY : d.k_hat);
    ess_worst.offer(angle, d.ess_fraction, std::isnan(d.ess_fraction) ? INFINITY : -d.ess_fraction);
    disagreement_worst.offer(angle, disagreement, std::isnan(disagreement) ? INFINITY : std::abs(disagreement));
  }
  const double kl_mean = kl_sum / static_cast<double>(angles.size());
  {
    char status[200];
    std::snprintf(status, sizeof status, "KL mean %.4f, worst %.4f at %.2f; ESS worst %.1f%% at %.2f, k-hat worst %.2f at %.2f",
                  kl_mean, kl_worst, worst_angle, 100 * ess_worst.value, ess_worst.angle, k_hat_worst.value,
                  k_hat_worst.angle);
    progress.finish(status);
  }

  std::string warning = poor_fit_warning(kl_mean, "--lr or --phase2-lr");
  auto add_warning = [&warning](const std::string& line) {
    if (!warning.empty()) warning += "; ";
    warning += line;
  };
  const size_t count = angles.size();
  if (disagreeing > 0) {
    char text[256];
    std::snprintf(text, sizeof text,
                  "at %d of %zu angles the importance-sampled log Z disagrees with the quadrature log Z by more than "
                  "3 standard errors (worst: %.1f at angle %.3f)",
                  disagreeing, count, disagreement_worst.value, disagreement_worst.angle);
    add_warning(text);
  }
  if (not_reliable > 0) {
    char text[256];
    std::snprintf(text, sizeof text,
                  "k-hat is not below its threshold %.2f at %d of %zu angles (worst: %.2f at angle %.3f): "
                  "importance sampling from q is not reliable there",
                  k_hat_threshold, not_reliable, count, k_hat_worst.value, k_hat_worst.angle);
    add_warning(text);
  }

  nlohmann::json summary = conditional_model_to_json(conditional_model_of(trainer));
  const double total_seconds = seconds[0] + seconds[1];
  summary.update({{"training",
                   {{"steps", o.steps},
                    {"angles_per_step", o.angles_per_step},
                    {"angle_sampling", o.angle_sampling},
                    {"phase1", {{"steps", steps_in[0]}, {"samples_per_angle", o.samples}, {"lr", o.learning_rate}}},
                    {"phase2",
                     {{"steps", steps_in[1]},
                      {"samples_per_angle", o.phase2_samples},
                      {"lr", o.phase2_learning_rate},
                      {"note", "a fresh Adam (zero moments) starts phase 2"}}},
                    {"init", o.init},
                    {"seed", o.seed},
                    {"threads", matrix_threads()}}},
                  {"log_z", log_z},
                  {"kl_estimate", trainer.recent_kl_estimate(100)},
                  {"kl_true_method",
                   "kl_true(angle) = log_z + mean of log q(z|angle) + U(z|angle) over " + std::to_string(o.kl_samples) +
                       " fresh samples of q(z|angle) (Random seed " + std::to_string(kKlTrueSeed) +
                       ", the same for every angle). log_z is the log of the integral of exp(-U(z|0)) by the "
                       "rectangle rule on a 2001 x 2001 grid over [-10, 10]^2; a rotation does not change Z"},
                  {"kl_true_per_angle", per_angle},
                  {"kl_true_mean", kl_mean},
                  {"warning", warning},
                  {"kl_true_worst", {{"angle", worst_angle}, {"kl_true", kl_worst}, {"kl_true_se", kl_worst_se}}},
                  {"kl_estimate_note", "kl_estimate is the mean of the last 100 training losses (batched over angles)"},
                  {"diagnostics",
                   {{"samples_per_angle", o.kl_samples},
                    {"k_hat_threshold", k_hat_threshold},
                    {"angles_not_reliable", not_reliable},
                    {"angles_log_z_disagreeing", disagreeing},
                    {"k_hat_worst", {{"angle", k_hat_worst.angle}, {"k_hat", json_number(k_hat_worst.value)}}},
                    {"ess_fraction_worst",
                     {{"angle", ess_worst.angle}, {"ess_fraction", json_number(ess_worst.value)}}},
                    {"log_z_disagreement_worst",
                     {{"angle", disagreement_worst.angle},
                      {"log_z_disagreement_se", json_number(disagreement_worst.value)}}},
                    {"note",
                     "per angle: log Z by importance sampling from the kl_true samples, its difference from log_z in "
                     "standard errors, the ESS fraction and Pareto k-hat (reliable: k-hat below k_hat_threshold)"}}},
                  {"seconds", total_seconds},
                  {"seconds_per_step_phase1", steps_in[0] > 0 ? seconds[0] / steps_in[0] : 0.0},
                  {"seconds_per_step_phase2", steps_in[1] > 0 ? seconds[1] / steps_in[1] : 0.0}});

  try {
    out.stage_file("kl.csv", kl_csv(trainer.kl_history()));
    if (!o.no_figures) {
      const ConditionalFigureSettings settings{100, o.frame_samples, 25};
      std::vector<std::string> frame_paths;
      ProgressBar frame_progress(static_cast<long long>(angles.size()), "frames");
      for (size_t i = 0; i < angles.size(); ++i) {
        frame_paths.push_back(out.staged_path("frames/" + frame_name(static_cast<int>(i))));
        write_conditional_frame(frame_paths.back(), trainer, angles[i], angles.front(), angles.back(), o.seed + 2000003,
                                settings);
        if (i + 1 < angles.size()) frame_progress.update(static_cast<long long>(i) + 1, "");
      }
      frame_progress.finish("");
      write_gif_animation(frame_paths, out.staged_path("conditional.gif"), settings.gif_delay_centiseconds);
      write_kl_figure(out.staged_path("kl.png"), trainer.kl_history(), log_z);
    }
    out.stage_file("summary.json", summary.dump(1) + "\n");
  } catch (const Interrupted&) {
    throw;
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string(e.what()) + "; " + out.path() + " was left as it was");
  }
  out.commit();

  std::string speed;
  for (int phase : {1, 2}) {
    if (steps_in[phase - 1] == 0) continue;
    char text[64];
    std::snprintf(text, sizeof text, "%s%.2f ms/step (phase %d)", speed.empty() ? "" : ", ",
                  1000 * seconds[phase - 1] / steps_in[phase - 1], phase);
    speed += text;
  }
  std::printf("cond: kl_true mean %.4f nats over %zu angles, worst %.4f at angle %.3f; %s; wrote %s\n", kl_mean,
              angles.size(), kl_worst, worst_angle, speed.c_str(), out.path().c_str());
  if (!warning.empty()) std::fprintf(stderr, "nfvi: warning: %s\n", warning.c_str());
  return 0;
}

int run_cond_sample(const CondSampleOptions& o) {
  const ConditionalModel model = read_conditional_model("--model", o.model);
  const ConditionalTrainer trainer = trainer_for(model);
  const bool extrapolation = trainer.is_extrapolation(o.angle);

  // Both outputs are checked before the sampling, and written only once both are complete.
  SamplesCsv csv(o.out);
  std::optional<OutputFile> frame;
  if (!o.frame.empty()) frame.emplace(open_output_file("--frame", o.frame));
  Samples z;
  Array log_q;
  trainer.sample(o.angle, o.n, o.seed, z, log_q);
  csv.append(z, log_q, "the model in " + o.model + " at angle " + std::to_string(o.angle));
  if (frame) {
    ConditionalFigureSettings settings;
    settings.density_samples = std::max<long long>(o.n, 100000);
    write_conditional_frame(frame->temp_path(), trainer, o.angle, -kPi, kPi, o.seed, settings);
    frame->commit();
  }
  csv.commit();
  const ImportanceDiagnostics d = trainer.diagnose(o.angle, o.kl_samples);
  const double kl = true_kl(d.kl_estimate, trainer.log_z());  // = trainer.kl_true(o.angle, o.kl_samples)
  const std::string range = angle_range_text(model.angle_min, model.angle_max);
  std::fprintf(o.out == "-" ? stderr : stdout,
               "angle %.4g: %s the trained range %s; kl_true %.4f +- %.4f nats, ESS %.1f%%, k-hat %.2f %s %.2f%s; "
               "wrote %lld samples to %s\n",
               o.angle, extrapolation ? "EXTRAPOLATION, outside" : "inside", range.c_str(), kl, d.kl_estimate_se,
               100 * d.ess_fraction, d.k_hat, d.reliable ? "<" : ">=", d.k_hat_threshold,
               d.reliable ? "" : " (IS not reliable)", o.n, o.out.c_str());
  return 0;
}

}  // namespace nfvi
