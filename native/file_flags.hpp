// Flags that name files: the subcommands' door to nfvi_io. Errors found when
// a file is opened become bad-flag errors (UsageError, exit code 2) that name
// the flag.
#pragma once

#include <cstdint>
#include <string>

#include "input_file.hpp"
#include "output_file.hpp"
#include "run_directory.hpp"

namespace nfvi {

// A run's --out directory (see run_directory.hpp).
RunDirectory open_run_directory(const std::string& flag, const std::string& path, RunDirectorySettings settings);

// A single result file (see output_file.hpp); "-" is standard output where allowed.
OutputFile open_output_file(const std::string& flag, const std::string& path, bool allow_stdout = false);

// The whole of an input file of at most `limit` bytes (see input_file.hpp).
std::string read_input_text(const std::string& flag, const std::string& path, std::uint64_t limit);

// How a run treats results already in its --out: --overwrite replaces them,
// --resume (where the command has it) continues them.
ExistingResults existing_results_policy(bool overwrite, bool resume = false);

}  // namespace nfvi
