// The variance of the reverse-KL gradient estimator, standard against the
// path derivative ("sticking the landing", vi/reverse_kl.hpp), near the end
// of training, and each estimator's effect on the final true KL.
//
// For each seed and each estimator, a full training run (default U1,
// planar:50, N = 1000, the seed study's 5000 steps, lr 2e-3), then:
//  - kl_true_fresh_100k, as `nfvi fit` reports it (10^5 fresh samples from
//    Random(seed + 1000003), plus the quadrature log Z);
//  - at the run's final parameters, --draws gradients of each estimator on
//    the same batches of N base samples (Random(seed + 5000011)): the trace
//    of each estimator's covariance over the draws (the sum of the
//    per-parameter variances), and the squared norm of the mean gradient
//    beside it (the signal the noise is measured against); and the trace of
//    the covariance of their difference, the score term that STL drops
//    (trCov_standard = trCov_stl + trCov_score + 2 tr Cov(stl, score)).
//
// Usage: nfvi_bench_stl_variance [--seeds 1,2] [--steps 5000] [--draws 200]
//        [--flow planar:50] [--samples 1000] [--potential U1]
// Prints one row per (seed, training estimator), and a CSV with --csv FILE.
#include <CLI/CLI.hpp>
#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "vi/diagnostics.hpp"
#include "vi/flow_trainer.hpp"
#include "vi/reverse_kl.hpp"

using namespace nfvi;

namespace {

struct Spread {
  double trace = 0;           // sum over parameters of the variance over draws
  double mean_norm_sq = 0;    // |mean gradient|^2
};

// tr Cov and |mean|^2 of the standard estimator, the path derivative and their
// difference (the score term), over `draws` batches of n samples at the flow's current parameters.
std::array<Spread, 3> gradient_spread(Flow& flow, Potential potential, int n, int draws, std::uint64_t seed) {
  ReverseKL objective(potential);
  Random rng(seed);
  Samples eps(flow.dim(), n);
  const Eigen::Index p = flow.parameter_count();
  Vector sum[3] = {Vector::Zero(p), Vector::Zero(p), Vector::Zero(p)},
         sum_sq[3] = {Vector::Zero(p), Vector::Zero(p), Vector::Zero(p)};
  Vector gradient[2];
  const GradientEstimator estimators[2] = {GradientEstimator::Standard, GradientEstimator::PathDerivative};
  for (int r = 0; r < draws; ++r) {
    rng.fill_normal(eps);
    for (int e = 0; e < 2; ++e) objective.evaluate(flow, eps, &gradient[e], 1.0, estimators[e]);
    const Vector score = gradient[0] - gradient[1];
    for (int e = 0; e < 3; ++e) {
      const Vector& g = e < 2 ? gradient[e] : score;
      sum[e] += g;
      sum_sq[e] += g.cwiseAbs2();
    }
  }
  std::array<Spread, 3> out;
  for (int e = 0; e < 3; ++e) {
    const Vector mean = sum[e] / draws;
    out[e].trace = ((sum_sq[e] / draws - mean.cwiseAbs2()) * (draws / (draws - 1.0))).sum();
    out[e].mean_norm_sq = mean.squaredNorm();
  }
  return out;
}

std::vector<std::uint64_t> parse_seeds(const std::string& text) {
  std::vector<std::uint64_t> seeds;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = text.find(',', start);
    seeds.push_back(std::stoull(text.substr(start, comma - start)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return seeds;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("Gradient variance and final true KL: standard against the path derivative (STL)");
  std::string seeds_text = "1,2", flow = "planar:50", potential_name = "U1", csv;
  int steps = 0, draws = 200, samples = 1000;
  app.add_option("--seeds", seeds_text, "comma-separated seeds")->capture_default_str();
  app.add_option("--steps", steps, "training steps (default: the seed study's for the energy)");
  app.add_option("--draws", draws, "gradient draws at the final parameters")->check(CLI::Range(2, 100000))->capture_default_str();
  app.add_option("--flow", flow, "flow spec")->capture_default_str();
  app.add_option("--samples", samples, "samples per step and per gradient draw, N")->capture_default_str();
  app.add_option("--potential", potential_name, "target energy")->check(CLI::IsMember(potential_names()))->capture_default_str();
  app.add_option("--csv", csv, "also write the rows to this CSV file");
  CLI11_PARSE(app, argc, argv);

  const Potential potential = *potential_from_name(potential_name);
  if (steps == 0) steps = seed_study_steps(potential);
  const double log_z = log_partition(potential);
  std::printf("%s, %s, N = %d, %d steps, lr 2e-3; gradient spread over %d draws of N samples at the final parameters\n",
              potential_name.c_str(), flow.c_str(), samples, steps, draws);
  std::printf("%-5s %-9s %12s %8s %14s %14s %8s %14s %13s %13s\n", "seed", "trained", "kl_true_100k", "ms/step",
              "trCov_standard", "trCov_stl", "ratio", "trCov_score", "|mean|^2_std", "|mean|^2_stl");
  std::ofstream out;
  if (!csv.empty()) {
    out.open(csv);
    out << "seed,trained_with,kl_true_fresh_100k,ms_per_step,trace_cov_standard,trace_cov_stl,ratio,"
           "trace_cov_score,mean_norm_sq_standard,mean_norm_sq_stl\n";
  }
  for (const std::uint64_t seed : parse_seeds(seeds_text)) {
    for (const GradientEstimator trained_with : {GradientEstimator::Standard, GradientEstimator::PathDerivative}) {
      TrainingConfig config;
      config.potential = potential;
      config.flow = flow;
      config.samples = samples;
      config.seed = seed;
      config.gradient = trained_with;
      FlowTrainer trainer(config);
      const auto start = std::chrono::steady_clock::now();
      for (int s = 0; s < steps; ++s) trainer.step();
      const double ms = 1000 * std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / steps;
      Random fresh_rng(seed + 1000003);  // as nfvi fit's kl_true_fresh_100k
      const double kl = true_kl(estimate_reverse_kl(trainer.flow(), potential, fresh_rng, 100000), log_z);
      const auto [standard, stl, score] = gradient_spread(trainer.flow(), potential, samples, draws, seed + 5000011);
      const std::string name = gradient_estimator_name(trained_with);
      std::printf("%-5llu %-9s %12.5f %8.3f %14.6g %14.6g %8.4f %14.6g %13.6g %13.6g\n",
                  static_cast<unsigned long long>(seed), name.c_str(), kl, ms, standard.trace, stl.trace,
                  stl.trace / standard.trace, score.trace, standard.mean_norm_sq, stl.mean_norm_sq);
      std::fflush(stdout);
      if (out) {
        char row[512];
        std::snprintf(row, sizeof row, "%llu,%s,%.17g,%.6g,%.17g,%.17g,%.6g,%.17g,%.17g,%.17g\n",
                      static_cast<unsigned long long>(seed), name.c_str(), kl, ms, standard.trace, stl.trace,
                      stl.trace / standard.trace, score.trace, standard.mean_norm_sq, stl.mean_norm_sq);
        out << row;
      }
    }
  }
  return 0;
}
