#include "fit_command.hpp"

#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <optional>
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
#include "vi/mode_coverage.hpp"
#include "thread_count.hpp"
#include "targets/expression.hpp"
#include "targets/target.hpp"
#include "vi/target_log_z.hpp"

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

std::string library_names() {
  std::string names;
  for (const std::string& name : target_names()) names += (names.empty() ? "" : ", ") + name;
  return names;
}

// The target that the flags name, each problem a UsageError naming its flag.
Target target_of(const FitOptions& o) {
  const int given = !o.potential.empty() + !o.target.empty() + !o.energy.empty();
  if (given > 1) throw UsageError("give one of --potential, --target and --energy");
  if (!o.box.empty() && o.energy.empty())
    throw UsageError("--box: only with --energy (a library target has its own box)");
  if (o.dim != 0 && o.energy.empty() && o.target.empty()) throw UsageError("--dim: only with --energy or --target");
  if (!o.energy.empty()) {
    Box box;
    if (!o.box.empty()) {
      box = {o.box.at(0), o.box.at(1), o.box.at(2), o.box.at(3)};
      if (!is_valid_box(box)) throw UsageError("--box: give xmin,xmax,ymin,ymax with xmin < xmax and ymin < ymax");
    }
    try {
      return make_expression_target(o.energy, o.dim > 0 ? o.dim : 2, box);
    } catch (const ExpressionError& e) {
      throw UsageError(std::string("--energy: ") + e.what());
    }
  }
  try {
    return make_library_target(!o.target.empty() ? o.target : !o.potential.empty() ? o.potential : "U1", o.dim);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string(o.dim != 0 ? "--dim: " : "--target: ") + e.what());
  }
}

// log Z (vi/target_log_z.hpp), a quadrature that meets a bad U refused as a usage error.
TargetLogZ log_z_of(const Target& target, const std::string& flag) {
  try {
    return target_log_z(target);
  } catch (const std::domain_error& e) {
    throw UsageError(flag + ": " + e.what() + ", so log Z cannot be found (choose the --box)");
  }
}

}  // namespace

CLI::App* add_fit_command(CLI::App& app, FitOptions& o) {
  CLI::App* fit = app.add_subcommand("fit", "Fit a flow to an energy by reverse KL");
  fit->add_option("--potential", o.potential, "Target energy, one of U1, U2, U3, U4, U8 (default U1)")
      ->check(CLI::IsMember(potential_names()));
  fit->add_option("--target", o.target, "A target of the library (nfvi targets lists them): " + library_names())
      ->check(non_empty_text());
  fit->add_option("--energy", o.energy,
                  "A target typed as its energy U(z) = -log p~(z) over z1..zD, e.g. "
                  "'0.5*((sqrt(z1^2+z2^2)-2)/0.4)^2 - logsumexp(-0.5*((z1-2)/0.6)^2, -0.5*((z1+2)/0.6)^2)'; "
                  "+ - * / ^, pi, e, exp log log1p sqrt sin cos tan tanh sigmoid softplus abs min max logsumexp, "
                  "and definitions 'name = expr;' before it");
  fit->add_option("--dim", o.dim, "The dimension D of --energy (default 2), or of --target funnel (default 10)")
      ->check(CLI::Range(1, kMaxTargetDim));
  fit->add_option("--box", o.box,
                  "xmin,xmax,ymin,ymax of --energy: the view of (z1, z2), and for D = 2 the box of log Z's "
                  "quadrature (default -6,6,-6,6)")
      ->delimiter(',')
      ->expected(4)
      ->check(finite_number());
  fit->add_option("--flow", o.flow,
                  "The flow's layers (default planar:50), e.g. radial:30, affine:8, spline:4:bins=8, spline:2,planar:10."
                  " Kinds and options:\n" +
                      flow_spec_help())
      ->check(non_empty_text());
  fit->add_option("--layers", o.layers, "Shorthand for --flow planar:K")->check(CLI::Range(1, kMaxFlowLayers));
  fit->add_option("--samples", o.samples, "Samples per step N")->check(CLI::Range(1, 1000000))->capture_default_str();
  fit->add_option("--steps", o.steps, "Adam steps (default: 5000 for U1, U2; 10000 for every other target)")
      ->check(CLI::Range(1LL, kMaxSteps));
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
      ->check(CLI::Range(0LL, kMaxSteps))
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
  fit->add_option("--stl-from", o.stl_from,
                  "With --gradient stl: the first step (1-based) that uses the path derivative; the steps before it "
                  "use the standard estimator, which is the steadier one while q is still far from the target")
      ->check(CLI::Range(1LL, kMaxSteps))
      ->capture_default_str();
  fit->add_option("--seed", o.seed, "Random seed (initial parameters and every sample)")
      ->check(CLI::Range(std::uint64_t{0}, kMaxSeed))
      ->capture_default_str();
  fit->add_option("--threads", o.threads,
                  "Threads for the matrix products of the coupling layers' networks (0: all cores). They are small "
                  "(32 units by N samples): one thread is fastest, and it keeps a seed's run the same on any machine")
      ->check(CLI::Range(0, 256))
      ->capture_default_str();
  fit->add_option("--out", o.out, "Output directory (default: runs/<target>, runs/energy for --energy)")->check(non_empty_text());
  fit->add_flag("--overwrite", o.overwrite, "Replace the results of an earlier run in --out (once this run succeeds)");
  fit->add_flag("--no-figures", o.no_figures, "Skip the PNG figures (kl.csv and summary.json only)");
  return fit;
}

int run_fit(const FitOptions& o) {
  set_matrix_threads(o.threads);
  const Target target = target_of(o);
  const std::string target_flag = !o.energy.empty() ? "--energy" : !o.target.empty() ? "--target" : "--potential";
  const std::string label = !o.energy.empty() ? "energy" : target.name;
  TrainingConfig config;
  if (const auto potential = potential_from_name(target.spec.name)) config.potential = *potential;
  config.target = target;
  if (!o.flow.empty() && o.layers > 0) throw UsageError("--layers: give --flow or --layers, not both");
  config.flow = !o.flow.empty() ? o.flow : "planar:" + std::to_string(o.layers > 0 ? o.layers : 50);
  config.samples = o.samples;
  config.learning_rate = o.learning_rate;
  config.seed = o.seed;
  const int steps = o.steps > 0 ? o.steps : target.default_steps;
  config.schedule = o.lr_schedule == "cosine" ? LearningRateSchedule::Cosine : LearningRateSchedule::Constant;
  config.schedule_steps = steps;
  config.anneal_steps = o.anneal;
  config.anneal_start = o.anneal_start;
  config.gradient = *gradient_estimator_from_name(o.gradient);
  if (o.stl_from > 1 && config.gradient != GradientEstimator::PathDerivative)
    throw UsageError("--stl-from: needs --gradient stl");
  config.path_derivative_from = o.stl_from;
  int flow_layers = 0;
  try {
    flow_layers = Flow(target.dim, config.flow).layers();
  } catch (const FlowSpecError& e) {
    throw UsageError(std::string(o.flow.empty() ? "--layers: " : "--flow: ") + e.what());
  }
  // Cached points: (layers + 1) x samples x D doubles, counted in 2-D points.
  const long long cached = static_cast<long long>(flow_layers + 1) * o.samples * std::max(1, target.dim / 2);
  if (cached > kMaxLayerSamples)
    throw UsageError("--samples: (layers + 1) x samples x D/2 must be at most 5e7 (memory); got " +
                     std::to_string(cached));
  RunDirectory out = open_run_directory(
      "--out", o.out.empty() ? "runs/" + lower(label) : o.out,
      {{"kl.csv", "summary.json", "true_density.png", "learned_density.png", "learned_histogram.png", "layers.png",
        "kl.png"},
       existing_results_policy(o.overwrite),
       "pass --overwrite to replace them"});

  // log Z first, so that progress can show the true KL rather than only the
  // estimate, which is KL - log Z and may be negative.
  const TargetLogZ log_z = log_z_of(target, target_flag);
  if (const std::string warning = log_z.warning("--box"); !warning.empty())
    std::fprintf(stderr, "nfvi: warning: %s\n", warning.c_str());
  const auto kl_true_of = [&](double estimate) -> std::optional<double> {
    if (!log_z.value) return std::nullopt;
    return true_kl(estimate, *log_z.value);
  };
  FlowTrainer trainer(config);
  ProgressBar progress(steps, "fit " + label);
  const auto start = std::chrono::steady_clock::now();
  try {
    for (int s = 1; s <= steps; ++s) {
      trainer.step();
      if (s == steps) break;  // the last line shows the saved flow's figures
      // While training: the mean of the last 100 training estimates.
      const double estimate = trainer.recent_kl_estimate(100);
      char status[80];
      if (log_z.value) {
        std::snprintf(status, sizeof status, "train KL est %.4f (true KL %.4f nats)", estimate, *kl_true_of(estimate));
      } else {
        std::snprintf(status, sizeof status, "train KL est %.4f (true KL unknown)", estimate);
      }
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
  const ImportanceDiagnostics fresh = diagnose_fit(trainer.flow(), target.energy, fresh_rng, kDiagnosticSamples);
  // NaN where log Z is unknown: JSON null, and no comparison with it.
  const double known_log_z = log_z.value.value_or(std::nan(""));
  const std::optional<double> kl_saved = kl_true_of(fresh.kl_estimate);
  const auto json_of = [](const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
  // A target with known modes (gmm40): how many of them 10^5 fresh samples
  // of the saved flow reach, each sample counted at its nearest centre.
  std::optional<ModeCoverage> modes;
  std::string modes_text;
  if (!target.mode_centres.empty()) {
    Random mode_rng(o.seed + 3000003);
    Samples z;
    Array log_q;
    sample_flow(trainer.flow(), mode_rng, kDiagnosticSamples, z, log_q);
    modes = mode_coverage(z, target.mode_centres);
    modes_text = ", modes covered " + std::to_string(modes->covered) + " of " +
                 std::to_string(target.mode_centres.size());
  }
  {
    char status[240];
    if (kl_saved) {
      std::snprintf(status, sizeof status, "KL %.4f +- %.4f nats (saved flow), %s", *kl_saved, fresh.kl_estimate_se,
                    diagnostics_status(fresh).c_str());
    } else {
      std::snprintf(status, sizeof status, "KL unknown (estimate %.4f +- %.4f), %s", fresh.kl_estimate,
                    fresh.kl_estimate_se, diagnostics_status(fresh).c_str());
    }
    progress.finish(status + modes_text);
  }

  nlohmann::json summary = flow_model_to_json(flow_model_of(target, trainer.flow()));
  summary.update({{"energy", target.expression},
                  {"box", {target.box.xmin, target.box.xmax, target.box.ymin, target.box.ymax}},
                  {"samples", o.samples},
                  {"steps", steps},
                  {"lr", o.learning_rate},
                  {"lr_schedule", o.lr_schedule},
                  {"anneal", o.anneal},
                  {"gradient", o.gradient},
                  {"stl_from", o.stl_from},
                  {"seed", o.seed},
                  {"kl_estimate", fresh.kl_estimate},
                  {"kl_estimate_se", fresh.kl_estimate_se},
                  {"log_z", json_of(log_z.value)},
                  {"log_z_method", log_z.method},
                  {"log_z_warning", log_z.warning("--box")},
                  {"kl_true", json_of(kl_saved)},
                  {"kl_true_se", fresh.kl_estimate_se},
                  {"kl_true_fresh_100k", json_of(kl_saved)},
                  {"kl_estimate_training_mean", kl_training},
                  {"kl_true_training_mean", json_of(kl_true_of(kl_training))},
                  {"diagnostics", diagnostics_json(fresh, known_log_z)},
                  {"warning", fit_warnings(kl_saved ? poor_fit_warning(*kl_saved, "--lr") : "", fresh, known_log_z)},
                  {"seconds", seconds},
                  {"seconds_per_step", seconds / steps}});
  if (modes)
    summary["modes_covered"] = {{"count", modes->covered},
                                {"of", target.mode_centres.size()},
                                {"threshold", modes->threshold},
                                {"samples", modes->samples},
                                {"mass", modes->mass}};

  try {
    out.stage_file("kl.csv", kl_csv(trainer.kl_history()));
    if (!o.no_figures) {
      Random figure_rng(o.seed + 2000003);
      const FlowFigureSettings settings;
      if (target.dim == 2) {
        write_true_density_figure(out.staged_path("true_density.png"), target, settings);
        write_learned_density_figure(out.staged_path("learned_density.png"), trainer.flow(), target.box, settings);
      }
      write_learned_histogram_figure(out.staged_path("learned_histogram.png"), trainer.flow(), figure_rng, target.box,
                                     settings);
      write_layers_figure(out.staged_path("layers.png"), trainer.flow(), figure_rng, target.box, settings);
      write_kl_figure(out.staged_path("kl.png"), trainer.kl_history(), log_z.value.value_or(std::nan("")));
    }
    out.stage_file("summary.json", summary.dump(2) + "\n");
  } catch (const Interrupted&) {
    throw;
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string(e.what()) + "; " + out.path() + " was left as it was");
  }
  out.commit();

  if (kl_saved) {
    std::printf("%s: kl_true %.4f +- %.4f nats (the saved flow, %lld fresh samples; training mean of the last 100 "
                "steps %.4f), log Z %.4f (%s), IS log Z %.4f +- %.4f, %s%s, %.3f ms/step, wrote %s\n",
                label.c_str(), *kl_saved, fresh.kl_estimate_se, kDiagnosticSamples, *kl_true_of(kl_training),
                *log_z.value, log_z.method.c_str(), fresh.log_z_is, fresh.log_z_is_se,
                diagnostics_status(fresh).c_str(), modes_text.c_str(), 1000 * seconds / steps, out.path().c_str());
  } else {
    std::printf("%s: kl_true unknown (log Z is not known for D = %d), estimate %.4f +- %.4f, IS log Z %.4f +- %.4f, "
                "%s%s, %.3f ms/step, wrote %s\n",
                label.c_str(), target.dim, fresh.kl_estimate, fresh.kl_estimate_se, fresh.log_z_is, fresh.log_z_is_se,
                diagnostics_status(fresh).c_str(), modes_text.c_str(), 1000 * seconds / steps, out.path().c_str());
  }
  const std::string warning = summary["warning"];
  if (!warning.empty()) std::fprintf(stderr, "nfvi: warning: %s\n", warning.c_str());
  return 0;
}

}  // namespace nfvi
