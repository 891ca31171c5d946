#include "model_json.hpp"

#include <cmath>

#include "flows/flow_spec.hpp"
#include "json_checks.hpp"

namespace nfvi {
namespace {

using json_checks::parameter_value;
using json_checks::require;
using json_checks::whole_number;

constexpr const char* kFormat = "nfvi-flow";
constexpr int kVersion = 2;

void read_vector(const nlohmann::json& value, Eigen::Index size, const std::string& where, Eigen::Ref<Vector> out) {
  if (!value.is_array() || static_cast<Eigen::Index>(value.size()) != size)
    throw ModelFormatError(where + " must be an array of " + std::to_string(size) + " numbers");
  for (Eigen::Index i = 0; i < size; ++i)
    out(i) = parameter_value(value[static_cast<size_t>(i)], where + "[" + std::to_string(i) + "]");
}

std::vector<double> to_std(VectorConstRef v) { return std::vector<double>(v.data(), v.data() + v.size()); }

Flow flow_of_spec(int dim, const std::string& spec) {
  try {
    return Flow(dim, spec);
  } catch (const FlowSpecError& e) {
    throw ModelFormatError(std::string("\"flow\": ") + e.what());
  }
}

// Version 1: a planar flow, each layer {"w", "u", "b"} (PlanarLayer's [w | u | b]).
void read_version_1_layers(const nlohmann::json& layers, const Flow& flow, Vector& p) {
  const int d = flow.dim();
  for (int k = 0; k < flow.layers(); ++k) {
    const std::string where = "parameters.layers[" + std::to_string(k) + "]";
    const auto& layer = layers[static_cast<size_t>(k)];
    const Eigen::Index o = flow.layer_offset(k);
    read_vector(require(layer, "w", where), d, where + ".w", p.segment(o, d));
    read_vector(require(layer, "u", where), d, where + ".u", p.segment(o + d, d));
    p(o + 2 * d) = parameter_value(require(layer, "b", where), where + ".b");
  }
}

void read_version_2_layers(const nlohmann::json& layers, const Flow& flow, Vector& p) {
  for (int k = 0; k < flow.layers(); ++k) {
    const std::string where = "parameters.layers[" + std::to_string(k) + "]";
    const auto& layer = layers[static_cast<size_t>(k)];
    const auto& kind = require(layer, "layer", where);
    if (!kind.is_string() || kind.get<std::string>() != flow.layer(k).spec())
      throw ModelFormatError(where + ".layer must be \"" + flow.layer(k).spec() + "\", as \"flow\" says");
    read_vector(require(layer, "parameters", where), flow.layer(k).parameter_count(), where + ".parameters",
                p.segment(flow.layer_offset(k), flow.layer(k).parameter_count()));
  }
}

}  // namespace

Flow FlowModel::make_flow() const {
  Flow flow(dim, this->flow);
  flow.parameters() = parameters;
  return flow;
}

FlowModel flow_model_of(Potential potential, const Flow& flow) {
  return {potential, flow.dim(), flow.spec(), flow.parameters()};
}

nlohmann::json flow_model_to_json(const FlowModel& model) {
  const Flow flow = model.make_flow();
  const auto& p = model.parameters;
  const int d = model.dim;
  nlohmann::json layers = nlohmann::json::array();
  for (int k = 0; k < flow.layers(); ++k)
    layers.push_back({{"layer", flow.layer(k).spec()},
                      {"parameters", to_std(p.segment(flow.layer_offset(k), flow.layer(k).parameter_count()))}});
  return {{"format", kFormat},
          {"version", kVersion},
          {"potential", potential_name(model.potential)},
          {"flow", flow.spec()},
          {"dim", d},
          {"layers", flow.layers()},
          {"parameters",
           {{"mu", to_std(p.segment(Flow::mu_offset(), d))},
            {"rho", to_std(p.segment(flow.rho_offset(), d))},
            {"layers", layers}}}};
}

FlowModel flow_model_from_json(const nlohmann::json& doc) {
  const std::string top = "the model file";
  const auto& format = require(doc, "format", top);
  if (!format.is_string() || format.get<std::string>() != kFormat)
    throw ModelFormatError("\"format\" must be \"" + std::string(kFormat) + "\" (is this an nfvi model file?)");
  const int version = whole_number(require(doc, "version", top), "\"version\"", 1, 1000);
  if (version != 1 && version != 2)
    throw ModelFormatError("unsupported model file version " + std::to_string(version) + " (this nfvi reads 1 and 2)");

  FlowModel model;
  const auto& potential = require(doc, "potential", top);
  if (!potential.is_string() || !potential_from_name(potential.get<std::string>()))
    throw ModelFormatError("\"potential\" must be one of U1, U2, U3, U4, U8");
  model.potential = *potential_from_name(potential.get<std::string>());
  model.dim = whole_number(require(doc, "dim", top), "\"dim\"", 2, 2);
  const int layer_count = whole_number(require(doc, "layers", top), "\"layers\"", 1, kMaxFlowLayers);

  const auto& spec = require(doc, "flow", top);
  if (!spec.is_string()) throw ModelFormatError("\"flow\" must be a flow spec such as \"planar:50\"");
  if (version == 1) {
    if (spec.get<std::string>() != "planar") throw ModelFormatError("\"flow\" must be \"planar\" in a version 1 file");
    model.flow = "planar:" + std::to_string(layer_count);
  } else {
    model.flow = spec.get<std::string>();
  }
  const Flow flow = flow_of_spec(model.dim, model.flow);
  if (flow.layers() != layer_count)
    throw ModelFormatError("\"layers\" is " + std::to_string(layer_count) + " but \"flow\" has " +
                           std::to_string(flow.layers()));

  const int d = model.dim;
  model.parameters.resize(flow.parameter_count());
  const auto& params = require(doc, "parameters", top);
  read_vector(require(params, "mu", "\"parameters\""), d, "parameters.mu", model.parameters.segment(Flow::mu_offset(), d));
  read_vector(require(params, "rho", "\"parameters\""), d, "parameters.rho", model.parameters.segment(flow.rho_offset(), d));
  const auto& layers = require(params, "layers", "\"parameters\"");
  if (!layers.is_array() || static_cast<int>(layers.size()) != layer_count)
    throw ModelFormatError("parameters.layers must be an array of " + std::to_string(layer_count) + " layers");
  if (version == 1) {
    read_version_1_layers(layers, flow, model.parameters);
  } else {
    read_version_2_layers(layers, flow, model.parameters);
  }
  for (int k = 0; k < flow.layers(); ++k) {
    const std::string why = flow.layer(k).invalid_parameters(
        model.parameters.segment(flow.layer_offset(k), flow.layer(k).parameter_count()));
    if (!why.empty()) throw ModelFormatError("parameters.layers[" + std::to_string(k) + "]: " + why);
  }
  return model;
}

FlowModel flow_model_from_text(const std::string& text) {
  return flow_model_from_json(json_checks::parse_json_text(text));
}

}  // namespace nfvi
