// `nfvi cond`: conditional (amortized) VI on the rotated-ring family. Trains
// an MLP that maps an angle to a planar flow, then writes frames/ (one PNG
// per angle), conditional.gif, kl.png, kl.csv and summary.json to --out.
//
// `nfvi cond-sample`: reloads a trained model (summary.json) and draws
// samples of q(z | angle) for any angle, labelling angles outside the
// trained range as extrapolation; optionally draws that angle's frame.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

namespace nfvi {

struct CondOptions {
  int layers = 32;
  int hidden = 512;
  int hidden_layers = 2;
  int steps = 10000;
  int angles_per_step = 32;
  std::string angle_sampling = "uniform";
  int phase1_steps = 5000;
  int samples = 100;
  double learning_rate = 3e-5;
  int phase2_samples = 1000;
  double phase2_learning_rate = 1e-5;
  double angle_min = -3.141592653589793;
  double angle_max = 3.141592653589793;
  std::string init = "torch";
  std::uint64_t seed = 1;
  int threads = 1;  // matrix-product threads; 0: the libraries' default (all cores)
  int frames = 26;
  long long frame_samples = 1000000;
  long long kl_samples = 100000;
  std::string out = "runs/cond";
  bool no_figures = false;
  bool overwrite = false;  // replace the results already in --out
};

struct CondSampleOptions {
  std::string model;
  double angle = 0;
  long long n = 10000;
  std::uint64_t seed = 1;
  std::string out;
  std::string frame;
  long long kl_samples = 100000;
};

CLI::App* add_cond_command(CLI::App& app, CondOptions& options);
CLI::App* add_cond_sample_command(CLI::App& app, CondSampleOptions& options);

// Return the process exit code: 0 on success, 1 if training diverged.
// Throw UsageError for bad settings, model files or output paths.
int run_cond(const CondOptions& options);
int run_cond_sample(const CondSampleOptions& options);

}  // namespace nfvi
