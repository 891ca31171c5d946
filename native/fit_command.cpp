#include "fit_command.hpp"

#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <sstream>

#include "cli_checks.hpp"
#include "diagnostics_json.hpp"
#include "flows/flow_spec.hpp"
#include "vi/diagnostics.hpp"
#include "flow_figures.hpp"
#include "vi/flow_trainer.hpp"
#include "model_json.hpp"
#include "file_flags.hpp"
#include "interrupt.hpp"
#include "progress_bar.hpp"
#include "vi/importance_diagnostics.hpp"
#include "thread_count.hpp"

namespace nfvi {
namespace {

constexpr long long kMaxLayerSamples = 50'000'000;  // (layers + 1) x samples: ~0.8 GB of cached points

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string kl_csv(const std::vector<double>& history) {
  std::ostringstream csv;
  csv << std::setprecision(17) << "step,kl_estimate\n";
  for (size_t i = 0; i < history.size(); ++i) csv << (i + 1) << ',' << history[i] << '\n';
  return csv.str();
}

}  // namespace

CLI::App* add_fit_command(CLI::App& app, FitOptions& o) {
  CLI::App* fit = app.add_subcommand("fit", "Fit a flow to an energy by reverse KL");
  fit->add_option("--potential", o.potential, "Target energy")
      ->check(CLI::IsMember(potential_names()))
      ->capture_default_str();
  fit->add_option("--flow", o.flow,
                  "The flow's layers (default planar:50), e.g. radial:30, affine:8, spline:4:bins=8, spline:2,planar:10."
                  " Kinds and options:\n" +
                      flow_spec_help())
      ->check(non_empty_text());
  fit->add_option("--layers", o.layers, "Shorthand for --flow planar:K")->check(CLI::Range(1, kMaxFlowLayers));
  fit->add_option("--samples", o.samples, "Samples per step N")->check(CLI::Range(1, 1000000))->capture_default_str();
  fit->add_option("--steps", o.steps, "Adam steps (default: 5000 for U1, U2; 10000 for U3, U4, U8)")
      ->check(CLI::Range(1, 100000000));
  fit->add_option("--lr", o.learning_rate, "Adam learning rate")
      ->check(positive_finite_number())
      ->capture_default_str();
  fit->add_option("--lr-schedule", o.lr_schedule,
                  "constant, or cosine: lr (1 + cos(pi t/T))/2 over the T steps, from --lr down towards 0")
      ->check(CLI::IsMember({"constant", "cosine"}))
      ->capture_default_str();
  fit->add_option("--anneal", o.anneal,
                  "beta-annealing: minimise E[log q + beta U] with beta = min(1, --anneal-start + t/T) over T steps "
                  "(0: off)")
      ->check(CLI::Range(0LL, 100000000LL))
      ->capture_default_str();
  fit->add_option("--anneal-start", o.anneal_start, "beta at the first step of --anneal")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  fit->add_option("--gradient", o.gradient,
                  "The gradient's estimator: standard, or stl (the path derivative, 'sticking the landing': log q "
                  "with the parameters held fixed at the sampled point, which drops the score term; lower variance "
                  "near a good fit)")
      ->check(CLI::IsMember({"standard", "stl"}))
      ->capture_default_str();
  fit->add_option("--seed", o.seed, "Random seed (initial parameters and every sample)")
      ->check(CLI::Range(std::uint64_t{0}, kMaxSeed))
      ->capture_default_str();
  fit->add_option("--threads", o.threads,
                  "Threads for the matrix products of the coupling layers' networks (0: all cores). They are small "
                  "(32 units by N samples): one thread is fastest, and it keeps a seed's run the same on any machine")
      ->check(CLI::Range(0, 256))
      ->capture_default_str();
  fit->add_option("--out", o.out, "Output directory (default: runs/<potential>)")->check(non_empty_text());
  fit->add_flag("--overwrite", o.overwrite, "Replace the results of an earlier run in --out (once this run succeeds)");
  fit->add_flag("--no-figures", o.no_figures, "Skip the PNG figures (kl.csv and summary.json only)");
  return fit;
}

int run_fit(const FitOptions& o) {
  set_matrix_threads(o.threads);
  TrainingConfig config;
  config.potential = *potential_from_name(o.potential);
  if (!o.flow.empty() && o.layers > 0) throw UsageError("--layers: give --flow or --layers, not both");
  config.flow = !o.flow.empty() ? o.flow : "planar:" + std::to_string(o.layers > 0 ? o.layers : 50);
  config.samples = o.samples;
  config.learning_rate = o.learning_rate;
  config.seed = o.seed;
  const int steps = o.steps > 0 ? o.steps : seed_study_steps(config.potential);
  config.schedule = o.lr_schedule == "cosine" ? LearningRateSchedule::Cosine : LearningRateSchedule::Constant;
  config.schedule_steps = steps;
  config.anneal_steps = o.anneal;
  config.anneal_start = o.anneal_start;
  config.gradient = *gradient_estimator_from_name(o.gradient);
  int flow_layers = 0;
  try {
    flow_layers = Flow(2, config.flow).layers();
  } catch (const FlowSpecError& e) {
    throw UsageError(std::string(o.flow.empty() ? "--layers: " : "--flow: ") + e.what());
  }
  if (static_cast<long long>(flow_layers + 1) * o.samples > kMaxLayerSamples)
    throw UsageError("--samples: (layers + 1) x samples must be at most 5e7 (memory); got " +
                     std::to_string(static_cast<long long>(flow_layers + 1) * o.samples));
  RunDirectory out = open_run_directory(
      "--out", o.out.empty() ? "runs/" + lower(o.potential) : o.out,
      {{"kl.csv", "summary.json", "true_density.png", "learned_density.png", "learned_histogram.png", "layers.png",
        "kl.png"},
       existing_results_policy(o.overwrite),
       "pass --overwrite to replace them"});

  // log Z first, so that progress can show the true KL rather than only the
  // estimate, which is KL - log Z and may be negative.
  const double log_z = log_partition(config.potential);
  FlowTrainer trainer(config);
  ProgressBar progress(steps, "fit " + o.potential);
  const auto start = std::chrono::steady_clock::now();
  try {
    for (int s = 1; s <= steps; ++s) {
      trainer.step();
      if (s == steps) break;  // the last line shows the saved flow's figures
      // While training: the mean of the last 100 training estimates.
      const double estimate = trainer.recent_kl_estimate(100);
      char status[80];
      std::snprintf(status, sizeof status, "train KL est %.4f (true KL %.4f nats)", estimate,
                    true_kl(estimate, log_z));
      progress.update(s, status);
    }
  } catch (const TrainingDiverged& e) {
    progress.interrupt();
    std::fprintf(stderr, "nfvi: error: %s (try a smaller --lr); nothing was written\n", e.what());
    return 1;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // The headline KL is the saved flow's, from fresh samples, with its
  // standard error; the same samples give the importance diagnostics. The
  // mean of the last 100 training estimates describes parameters that Adam
  // has since moved, so it is reported apart, labelled as such.
  const double kl_training = trainer.recent_kl_estimate(100);
  Random fresh_rng(o.seed + 1000003);
  const ImportanceDiagnostics fresh = diagnose_fit(trainer.flow(), config.potential, fresh_rng, kDiagnosticSamples);
  const double kl_saved = true_kl(fresh.kl_estimate, log_z);
  {
    char status[200];
    std::snprintf(status, sizeof status, "KL %.4f +- %.4f nats (saved flow), %s", kl_saved, fresh.kl_estimate_se,
                  diagnostics_status(fresh).c_str());
    progress.finish(status);
  }

  nlohmann::json summary = flow_model_to_json(flow_model_of(config.potential, trainer.flow()));
  summary.update({{"samples", o.samples},
                  {"steps", steps},
                  {"lr", o.learning_rate},
                  {"lr_schedule", o.lr_schedule},
                  {"anneal", o.anneal},
                  {"gradient", o.gradient},
                  {"seed", o.seed},
                  {"kl_estimate", fresh.kl_estimate},
                  {"kl_estimate_se", fresh.kl_estimate_se},
                  {"log_z", log_z},
                  {"kl_true", kl_saved},
                  {"kl_true_se", fresh.kl_estimate_se},
                  {"kl_true_fresh_100k", kl_saved},
                  {"kl_estimate_training_mean", kl_training},
                  {"kl_true_training_mean", true_kl(kl_training, log_z)},
                  {"diagnostics", diagnostics_json(fresh, log_z)},
                  {"warning", fit_warnings(poor_fit_warning(kl_saved, "--lr"), fresh, log_z)},
                  {"seconds", seconds},
                  {"seconds_per_step", seconds / steps}});

  try {
    out.stage_file("kl.csv", kl_csv(trainer.kl_history()));
    if (!o.no_figures) {
      Random figure_rng(o.seed + 2000003);
      const FlowFigureSettings settings;
      write_true_density_figure(out.staged_path("true_density.png"), config.potential, settings);
      write_learned_density_figure(out.staged_path("learned_density.png"), trainer.flow(), settings);
      write_learned_histogram_figure(out.staged_path("learned_histogram.png"), trainer.flow(), figure_rng, settings);
      write_layers_figure(out.staged_path("layers.png"), trainer.flow(), figure_rng, settings);
      write_kl_figure(out.staged_path("kl.png"), trainer.kl_history(), log_z);
    }
    out.stage_file("summary.json", summary.dump(2) + "\n");
  } catch (const Interrupted&) {
    throw;
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string(e.what()) + "; " + out.path() + " was left as it was");
  }
  out.commit();

  std::printf("%s: kl_true %.4f +- %.4f nats (the saved flow, %lld fresh samples; training mean of the last 100 "
              "steps %.4f), log Z %.4f (quadrature), IS log Z %.4f +- %.4f, %s, %.3f ms/step, wrote %s\n",
              o.potential.c_str(), kl_saved, fresh.kl_estimate_se, kDiagnosticSamples, true_kl(kl_training, log_z),
              log_z, fresh.log_z_is, fresh.log_z_is_se, diagnostics_status(fresh).c_str(), 1000 * seconds / steps,
              out.path().c_str());
  const std::string warning = summary["warning"];
  if (!warning.empty()) std::fprintf(stderr, "nfvi: warning: %s\n", warning.c_str());
  return 0;
}

}  // namespace nfvi
