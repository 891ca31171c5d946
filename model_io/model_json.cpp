#include "model_json.hpp"

#include <cmath>

#include "json_checks.hpp"

namespace nfvi {
namespace {

using json_checks::parameter_value;
using json_checks::require;
using json_checks::whole_number;

constexpr const char* kFormat = "nfvi-flow";
constexpr int kVersion = 1;
constexpr int kMaxLayers = 10000;

void read_vector(const nlohmann::json& value, int size, const std::string& where, Eigen::Ref<Vector> out) {
  if (!value.is_array() || static_cast<int>(value.size()) != size)
    throw ModelFormatError(where + " must be an array of " + std::to_string(size) + " numbers");
  for (int i = 0; i < size; ++i)
    out(i) = parameter_value(value[static_cast<size_t>(i)], where + "[" + std::to_string(i) + "]");
}

std::vector<double> to_std(VectorConstRef v) { return std::vector<double>(v.data(), v.data() + v.size()); }

}  // namespace

FlowModel flow_model_of(Potential potential, const PlanarFlow& flow) {
  return {potential, flow.dim(), flow.layers(), flow.parameters()};
}

nlohmann::json flow_model_to_json(const FlowModel& model) {
  const PlanarFlow layout(model.dim, model.layers);
  const auto& p = model.parameters;
  const int d = model.dim;
  nlohmann::json layers = nlohmann::json::array();
  for (int k = 0; k < model.layers; ++k) {
    const Eigen::Index o = layout.layer_offset(k);
    layers.push_back({{"w", to_std(p.segment(o, d))}, {"u", to_std(p.segment(o + d, d))}, {"b", p(o + 2 * d)}});
  }
  return {{"format", kFormat},
          {"version", kVersion},
          {"potential", potential_name(model.potential)},
          {"flow", "planar"},
          {"dim", d},
          {"layers", model.layers},
          {"parameters",
           {{"mu", to_std(p.segment(PlanarFlow::mu_offset(), d))},
            {"rho", to_std(p.segment(layout.rho_offset(), d))},
            {"layers", layers}}}};
}

FlowModel flow_model_from_json(const nlohmann::json& doc) {
  const std::string top = "the model file";
  const auto& format = require(doc, "format", top);
  if (!format.is_string() || format.get<std::string>() != kFormat)
    throw ModelFormatError("\"format\" must be \"" + std::string(kFormat) + "\" (is this an nfvi model file?)");
  if (whole_number(require(doc, "version", top), "\"version\"", 1, 1000) != kVersion)
    throw ModelFormatError("unsupported model file version (this nfvi reads version 1)");
  const auto& flow_kind = require(doc, "flow", top);
  if (!flow_kind.is_string() || flow_kind.get<std::string>() != "planar")
    throw ModelFormatError("\"flow\" must be \"planar\"");

  FlowModel model;
  const auto& potential = require(doc, "potential", top);
  if (!potential.is_string() || !potential_from_name(potential.get<std::string>()))
    throw ModelFormatError("\"potential\" must be one of U1, U2, U3, U4, U8");
  model.potential = *potential_from_name(potential.get<std::string>());
  model.dim = whole_number(require(doc, "dim", top), "\"dim\"", 2, 2);
  model.layers = whole_number(require(doc, "layers", top), "\"layers\"", 1, kMaxLayers);

  const PlanarFlow layout(model.dim, model.layers);
  const int d = model.dim;
  model.parameters.resize(PlanarFlow::parameter_count(d, model.layers));
  const auto& params = require(doc, "parameters", top);
  read_vector(require(params, "mu", "\"parameters\""), d, "parameters.mu",
              model.parameters.segment(PlanarFlow::mu_offset(), d));
  read_vector(require(params, "rho", "\"parameters\""), d, "parameters.rho",
              model.parameters.segment(layout.rho_offset(), d));
  const auto& layers = require(params, "layers", "\"parameters\"");
  if (!layers.is_array() || static_cast<int>(layers.size()) != model.layers)
    throw ModelFormatError("parameters.layers must be an array of " + std::to_string(model.layers) + " layers");
  for (int k = 0; k < model.layers; ++k) {
    const std::string where = "parameters.layers[" + std::to_string(k) + "]";
    const auto& layer = layers[static_cast<size_t>(k)];
    const Eigen::Index o = layout.layer_offset(k);
    read_vector(require(layer, "w", where), d, where + ".w", model.parameters.segment(o, d));
    read_vector(require(layer, "u", where), d, where + ".u", model.parameters.segment(o + d, d));
    model.parameters(o + 2 * d) = parameter_value(require(layer, "b", where), where + ".b");
    if (model.parameters.segment(o, d).squaredNorm() == 0) throw ModelFormatError(where + ".w must not be all zeros");
  }
  return model;
}

FlowModel flow_model_from_text(const std::string& text) {
  return flow_model_from_json(json_checks::parse_json_text(text));
}

}  // namespace nfvi
