// The exact density of a trained flow, by its inverse:
//   `nfvi density --model M --grid N --out q.csv`   log q on an N x N grid
//   `nfvi logq --model M --points p.csv --out o.csv` log q at given points
// Both write CSV with the columns z1,z2,log_q (--out - for standard output).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace nfvi {

struct DensityOptions {
  std::string model;
  int grid = 200;
  double xmin = -6, xmax = 6, ymin = -6, ymax = 6;  // --box xmin,xmax,ymin,ymax
  std::string out;
};

struct LogqOptions {
  std::string model;
  std::string points;
  std::string out;
};

CLI::App* add_density_command(CLI::App& app, DensityOptions& options);
CLI::App* add_logq_command(CLI::App& app, LogqOptions& options);
int run_density(const DensityOptions& options);
int run_logq(const LogqOptions& options);

}  // namespace nfvi
