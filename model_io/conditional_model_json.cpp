#include "conditional_model_json.hpp"

#include <cmath>

#include "json_checks.hpp"

namespace nfvi {
namespace {

using json_checks::finite_number;
using json_checks::parameter_value;
using json_checks::require;
using json_checks::whole_number;

constexpr const char* kFormat = "nfvi-conditional-flow";
constexpr int kVersion = 1;
constexpr int kMaxLayers = 1000;
constexpr int kMaxHidden = 8192;
constexpr int kMaxHiddenLayers = 16;

void require_string(const nlohmann::json& object, const std::string& key, const std::string& expected,
                    const std::string& where) {
  const auto& value = require(object, key, where);
  if (!value.is_string() || value.get<std::string>() != expected)
    throw ModelFormatError("\"" + key + "\" in " + where + " must be \"" + expected + "\"");
}

}  // namespace

ConditionalModel conditional_model_of(const ConditionalTrainer& trainer) {
  ConditionalModel model;
  model.dim = trainer.flow().dim();
  model.layers = trainer.flow().layers();
  model.sizes = trainer.flow().network().sizes();
  model.angle_min = trainer.config().angle_min;
  model.angle_max = trainer.config().angle_max;
  model.parameters = trainer.flow().parameters();
  return model;
}

nlohmann::json conditional_model_to_json(const ConditionalModel& model) {
  const auto& p = model.parameters;
  return {{"format", kFormat},
          {"version", kVersion},
          {"target",
           {{"family", "rotated_ring"},
            {"distance", kRotatedRingDistance},
            {"floor", kRotatedRingFloor},
            {"energy",
             "U(z|angle) = 0.5((|z| - 2)/0.4)^2 - log(exp(-0.5((x' - 2)/0.6)^2) + exp(-0.5((x' + 2)/0.6)^2) + 1e-6), "
             "x' = cos(angle) z1 - sin(angle) z2"}}},
          {"condition", {{"name", "angle"}, {"trained_range", {model.angle_min, model.angle_max}}}},
          {"flow", "planar"},
          {"dim", model.dim},
          {"layers", model.layers},
          {"network",
           {{"sizes", model.sizes},
            {"hidden_activation", "elu"},
            {"output_activation", "linear"},
            {"layout",
             "layer after layer: W (out, in) column-major, then b (out); the output for an angle is its flow: "
             "mu (D), rho (D) with sigma = softplus(rho), then per planar layer w (D), u (D), b"},
            {"parameters", std::vector<double>(p.data(), p.data() + p.size())}}}};
}

ConditionalModel conditional_model_from_json(const nlohmann::json& doc) {
  const std::string top = "the model file";
  const auto& format = require(doc, "format", top);
  if (!format.is_string() || format.get<std::string>() != kFormat)
    throw ModelFormatError("\"format\" must be \"" + std::string(kFormat) +
                           "\" (is this the summary.json of `nfvi cond`?)");
  if (whole_number(require(doc, "version", top), "\"version\"", 1, 1000) != kVersion)
    throw ModelFormatError("unsupported model file version (this nfvi reads version 1)");
  require_string(doc, "flow", "planar", top);
  const auto& target = require(doc, "target", top);
  require_string(target, "family", "rotated_ring", "\"target\"");

  ConditionalModel model;
  model.dim = whole_number(require(doc, "dim", top), "\"dim\"", 2, 2);
  model.layers = whole_number(require(doc, "layers", top), "\"layers\"", 1, kMaxLayers);

  const auto& range = require(require(doc, "condition", top), "trained_range", "\"condition\"");
  if (!range.is_array() || range.size() != 2)
    throw ModelFormatError("condition.trained_range must be an array of 2 numbers");
  model.angle_min = finite_number(range[0], "condition.trained_range[0]");
  model.angle_max = finite_number(range[1], "condition.trained_range[1]");
  if (!(model.angle_max > model.angle_min))
    throw ModelFormatError("condition.trained_range must be [low, high] with low < high");

  const auto& network = require(doc, "network", top);
  require_string(network, "hidden_activation", "elu", "\"network\"");
  require_string(network, "output_activation", "linear", "\"network\"");
  const auto& sizes = require(network, "sizes", "\"network\"");
  if (!sizes.is_array() || sizes.size() < 3 || sizes.size() > kMaxHiddenLayers + 2)
    throw ModelFormatError("network.sizes must be an array [1, hidden..., outputs] with 1 to " +
                           std::to_string(kMaxHiddenLayers) + " hidden layers");
  const int outputs = static_cast<int>(ConditionalFlow::flow_parameter_count(model.dim, model.layers));
  for (size_t i = 0; i < sizes.size(); ++i) {
    const std::string where = "network.sizes[" + std::to_string(i) + "]";
    if (i == 0) {
      model.sizes.push_back(whole_number(sizes[i], where, 1, 1));
    } else if (i + 1 == sizes.size()) {
      model.sizes.push_back(whole_number(sizes[i], where, outputs, outputs));
    } else {
      model.sizes.push_back(whole_number(sizes[i], where, 1, kMaxHidden));
      if (model.sizes.back() != model.sizes[1])
        throw ModelFormatError("network.sizes: hidden layers of different widths are not supported");
    }
  }
  // The count from the sizes alone, before anything is allocated: each size
  // is at most 8192 and there are at most 18, so the sum fits easily.
  long long parameter_count = 0;
  for (size_t i = 1; i < model.sizes.size(); ++i)
    parameter_count += static_cast<long long>(model.sizes[i]) * (static_cast<long long>(model.sizes[i - 1]) + 1);
  const auto& params = require(network, "parameters", "\"network\"");
  if (!params.is_array() || static_cast<long long>(params.size()) != parameter_count)
    throw ModelFormatError("network.parameters must be an array of " + std::to_string(parameter_count) +
                           " numbers for sizes as given");
  model.parameters.resize(static_cast<Eigen::Index>(parameter_count));
  for (size_t i = 0; i < params.size(); ++i)
    model.parameters(static_cast<Eigen::Index>(i)) =
        parameter_value(params[i], "network.parameters[" + std::to_string(i) + "]");
  return model;
}

ConditionalModel conditional_model_from_text(const std::string& text) {
  return conditional_model_from_json(json_checks::parse_json_text(text));
}

ConditionalTrainer trainer_for(const ConditionalModel& model) {
  ConditionalConfig config;
  config.layers = model.layers;
  config.hidden = model.sizes.at(1);
  config.hidden_layers = static_cast<int>(model.sizes.size()) - 2;
  config.angle_min = model.angle_min;
  config.angle_max = model.angle_max;
  ConditionalTrainer trainer(config);
  trainer.set_parameters(model.parameters);
  return trainer;
}

}  // namespace nfvi
