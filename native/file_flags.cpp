#include "file_flags.hpp"

#include "cli_checks.hpp"

namespace nfvi {

RunDirectory open_run_directory(const std::string& flag, const std::string& path, RunDirectorySettings settings) {
  try {
    return RunDirectory(path, std::move(settings));
  } catch (const OutputError& e) {
    throw UsageError(flag + ": " + e.what());
  }
}

OutputFile open_output_file(const std::string& flag, const std::string& path, bool allow_stdout) {
  try {
    return OutputFile(path, allow_stdout);
  } catch (const OutputError& e) {
    throw UsageError(flag + ": " + e.what());
  }
}

std::string read_input_text(const std::string& flag, const std::string& path, std::uint64_t limit) {
  try {
    return read_input_file(path, limit);
  } catch (const InputError& e) {
    throw UsageError(flag + ": " + e.what());
  }
}

ExistingResults existing_results_policy(bool overwrite, bool resume) {
  if (resume) return ExistingResults::Continue;
  return overwrite ? ExistingResults::Replace : ExistingResults::Refuse;
}

}  // namespace nfvi
