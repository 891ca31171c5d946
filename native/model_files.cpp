#include "model_files.hpp"

#include <cstdio>

#include "cli_checks.hpp"
#include "file_flags.hpp"
#include "flows/flow.hpp"
#include "math/random.hpp"

namespace nfvi {

namespace {

// No trained flow has a parameter this large (they stay within tens), nor
// draws a sample or a log q that is not finite: such a file was damaged or
// made by hand. The page warns of the same models (by their kl_true).
constexpr double kAbsurdParameter = 1e4;
constexpr Eigen::Index kCheckDraws = 1000;

// One line on stderr, the command goes on: the file is valid, only far from any trained model.
void warn_if_absurd(const std::string& flag, const std::string& path, const FlowModel& model) {
  const double largest = model.parameters.size() > 0 ? model.parameters.cwiseAbs().maxCoeff() : 0.0;
  Flow flow = model.make_flow();
  Random rng(1);
  Samples z;
  Array log_q;
  sample_flow(flow, rng, kCheckDraws, z, log_q);
  const bool finite = z.allFinite() && log_q.allFinite();
  if (largest <= kAbsurdParameter && finite) return;
  std::fprintf(stderr,
               "warning: %s %s: its parameters are far from those of any trained flow (largest |parameter| %.1e%s); a "
               "damaged or hand-made file? Its samples and densities may be useless\n",
               flag.c_str(), path.c_str(), largest, finite ? "" : ", and its samples are not all finite");
}

}  // namespace

FlowModel read_flow_model(const std::string& flag, const std::string& path) {
  const std::string text = read_input_text(flag, path, kModelFileLimit);
  FlowModel model;
  try {
    model = flow_model_from_text(text);
  } catch (const ModelFormatError& e) {
    throw UsageError(flag + ": " + path + ": " + e.what());
  }
  warn_if_absurd(flag, path, model);
  return model;
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
