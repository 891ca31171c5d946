#include "cond_command.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <map>
#include <optional>
#include <sstream>

#include "cli_checks.hpp"
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
  cond->add_option("--steps", o.steps, "Adam steps in all")->check(CLI::Range(1, 100000000))->capture_default_str();
  cond->add_option("--angles-per-step", o.angles_per_step, "Angles drawn per step")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cond->add_option("--angle-sampling", o.angle_sampling,
                   "uniform: B independent angles (the seed's); stratified: one angle in each of B equal bins")
      ->check(CLI::IsMember({"uniform", "stratified"}))
      ->capture_default_str();
  cond->add_option("--phase1-steps", o.phase1_steps, "Steps 1..this are phase 1; later steps are phase 2")
      ->check(CLI::Range(0, 100000000))
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
      const double estimate = trainer.recent_kl_estimate(100);
      char status[96];
      std::snprintf(status, sizeof status, "phase %d  KL est %.4f (true KL %.4f nats)", phase, estimate,
                    true_kl(estimate, log_z));
      if (s == o.steps) {
        progress.finish(status);
      } else {
        progress.update(s, status);
      }
    }
  } catch (const TrainingDiverged& e) {
    progress.interrupt();
    std::fprintf(stderr, "nfvi: error: %s (try a smaller --lr or --phase2-lr); nothing was written\n", e.what());
    return 1;
  }

  // kl_true at the seed's evaluation angles.
  const std::vector<double> angles = ConditionalTrainer::evaluation_angles(o.frames);
  nlohmann::json per_angle = nlohmann::json::array();
  double kl_sum = 0, kl_worst = -INFINITY, worst_angle = 0;
  for (double angle : angles) {
    const double kl = trainer.kl_true(angle, o.kl_samples);
    if (!std::isfinite(kl))
      throw std::runtime_error("kl_true at angle " + std::to_string(angle) +
                               " is not finite (the trained flow gives non-finite samples); nothing was written");
    per_angle.push_back({{"angle", angle}, {"kl_true", kl}, {"extrapolation", trainer.is_extrapolation(angle)}});
    kl_sum += kl;
    if (kl > kl_worst) {
      kl_worst = kl;
      worst_angle = angle;
    }
  }
  const double kl_mean = kl_sum / static_cast<double>(angles.size());

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
                  {"warning", poor_fit_warning(kl_mean, "--lr or --phase2-lr")},
                  {"kl_true_worst", {{"angle", worst_angle}, {"kl_true", kl_worst}}},
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
  const std::string warning = summary["warning"];
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
  const double kl = trainer.kl_true(o.angle, o.kl_samples);
  const std::string range = angle_range_text(model.angle_min, model.angle_max);
  std::fprintf(o.out == "-" ? stderr : stdout, "angle %.4g: %s the trained range %s; kl_true %.4f nats; wrote %lld samples to %s\n", o.angle,
              extrapolation ? "EXTRAPOLATION, outside" : "inside", range.c_str(), kl, o.n, o.out.c_str());
  return 0;
}

}  // namespace nfvi
