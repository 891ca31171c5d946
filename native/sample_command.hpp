// `nfvi sample`: reloads a trained flow from its summary.json (or a model
// saved by the web page) and writes samples z1, z2 and log q to a CSV file.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

namespace nfvi {

struct SampleOptions {
  std::string model;
  long long n = 10000;
  std::uint64_t seed = 1;
  std::string out;
};

CLI::App* add_sample_command(CLI::App& app, SampleOptions& options);

// Throws UsageError for an unreadable or invalid model file or output path.
int run_sample(const SampleOptions& options);

}  // namespace nfvi
