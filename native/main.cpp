// nfvi: variational inference with normalizing flows, the native program.
//
// Exit codes: 0 success; 1 the run failed (e.g. training diverged);
// 2 bad input (flags, model files, output paths), with a one-line message;
// 128 + N when signal N (SIGINT, SIGTERM) stopped the run cleanly.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli_checks.hpp"
#include "cond_command.hpp"
#include "density_commands.hpp"
#include "fit_command.hpp"
#include "interrupt.hpp"
#include "sample_command.hpp"
#include "targets_command.hpp"
#include "vae_command.hpp"

int main(int argc, char** argv) {
  CLI::App app{"nfvi: variational inference with normalizing flows"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "nfvi " NFVI_VERSION);
  nfvi::FitOptions fit_options;
  nfvi::SampleOptions sample_options;
  CLI::App* fit = nfvi::add_fit_command(app, fit_options);
  CLI::App* targets = nfvi::add_targets_command(app);
  CLI::App* sample = nfvi::add_sample_command(app, sample_options);
  nfvi::DensityOptions density_options;
  nfvi::LogqOptions logq_options;
  CLI::App* density = nfvi::add_density_command(app, density_options);
  CLI::App* logq = nfvi::add_logq_command(app, logq_options);
  nfvi::CondOptions cond_options;
  nfvi::CondSampleOptions cond_sample_options;
  CLI::App* cond = nfvi::add_cond_command(app, cond_options);
  CLI::App* cond_sample = nfvi::add_cond_sample_command(app, cond_sample_options);
  nfvi::VaeOptions vae_options;
  nfvi::PlotCurvesOptions plot_options;
  CLI::App* vae = nfvi::add_vae_command(app, vae_options);
  CLI::App* plot_curves = nfvi::add_plot_curves_command(app, plot_options);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    std::fprintf(stderr, "nfvi: error: %s (see nfvi --help)\n", nfvi::one_line(e.what()).c_str());
    return 2;
  }

  nfvi::install_interrupt_handlers();
  try {
    if (*fit) return nfvi::run_fit(fit_options);
    if (*targets) return nfvi::run_targets();
    if (*sample) return nfvi::run_sample(sample_options);
    if (*density) return nfvi::run_density(density_options);
    if (*logq) return nfvi::run_logq(logq_options);
    if (*cond) return nfvi::run_cond(cond_options);
    if (*cond_sample) return nfvi::run_cond_sample(cond_sample_options);
    if (*vae) return nfvi::run_vae(vae_options);
    if (*plot_curves) return nfvi::run_plot_curves(plot_options);
  } catch (const nfvi::Interrupted& e) {
    std::fprintf(stderr, "\nnfvi: %s; unfinished results were not written\n", e.what());
    return 128 + e.signal_number;
  } catch (const nfvi::UsageError& e) {
    std::fprintf(stderr, "nfvi: error: %s\n", nfvi::one_line(e.what()).c_str());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "nfvi: error: %s\n", nfvi::one_line(e.what()).c_str());
    return 1;
  }
  return 0;
}
