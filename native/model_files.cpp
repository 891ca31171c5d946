#include "model_files.hpp"

#include "cli_checks.hpp"
#include "file_flags.hpp"

namespace nfvi {

FlowModel read_flow_model(const std::string& flag, const std::string& path) {
  const std::string text = read_input_text(flag, path, kModelFileLimit);
  try {
    return flow_model_from_text(text);
  } catch (const ModelFormatError& e) {
    throw UsageError(flag + ": " + path + ": " + e.what());
  }
}

ConditionalModel read_conditional_model(const std::string& flag, const std::string& path) {
  const std::string text = read_input_text(flag, path, kModelFileLimit);
  try {
    return conditional_model_from_text(text);
  } catch (const ModelFormatError& e) {
    throw UsageError(flag + ": " + path + ": " + e.what());
  }
}

}  // namespace nfvi
