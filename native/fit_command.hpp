// `nfvi fit`: trains a flow (any spec) by reverse KL against one energy and
// writes figures, kl.csv and summary.json to --out.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace nfvi {

struct FitOptions {
  // The target: one of --potential (U1 if none is given), --target (the
  // library, targets/target.hpp) or --energy (an expression over z1..z_dim,
  // with --dim and --box).
  std::string potential;
  std::string target;
  std::string energy;
  int dim = 0;  // 0: the target's own, or 2 for --energy
  std::vector<double> box;  // --box xmin,xmax,ymin,ymax (with --energy)
  std::string flow;  // the flow spec; default planar:50
  int layers = 0;    // --layers K: shorthand for --flow planar:K
  int samples = 1000;
  int steps = 0;  // 0: the seed study's steps for the energy
  double learning_rate = 2e-3;
  std::string lr_schedule = "constant";  // or cosine
  long long anneal = 0;                  // beta-annealing over this many steps (0: off)
  double anneal_start = 0.01;
  std::string gradient = "standard";     // or stl: the path-derivative gradient
  long long stl_from = 1;               // with stl: the first step that uses it (standard before)
  std::uint64_t seed = 1;
  int threads = 1;  // matrix-product threads (the coupling layers' conditioners); 0: the libraries' default
  std::string out;  // default runs/<target's name>, or runs/energy
  bool no_figures = false;
  bool overwrite = false;  // replace the results already in --out
};

CLI::App* add_fit_command(CLI::App& app, FitOptions& options);

// Returns the process exit code: 0 on success, 1 if training diverged.
// Throws std::runtime_error for problems with the output directory.
int run_fit(const FitOptions& options);

}  // namespace nfvi
