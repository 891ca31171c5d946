#include "model_json.hpp"

#include <cmath>

#include "flows/flow_spec.hpp"
#include "json_checks.hpp"
#include "targets/expression.hpp"

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
  return {potential, std::nullopt, flow.dim(), flow.spec(), flow.parameters()};
}

FlowModel flow_model_of(const Target& target, const Flow& flow) {
  FlowModel model{Potential::U1, std::nullopt, flow.dim(), flow.spec(), flow.parameters()};
  const auto potential = potential_from_name(target.spec.name);
  if (potential && target.dim == 2) {
    model.potential = *potential;
  } else {
    model.target = target.spec;
    model.target->dim = target.dim;
  }
  return model;
}

namespace {

nlohmann::json target_to_json(const TargetSpec& spec) {
  nlohmann::json doc;
  if (!spec.name.empty()) {
    doc["name"] = spec.name;
  } else {
    doc["expression"] = spec.expression;
    const Box box = spec.box.value_or(Box{});
    doc["box"] = {box.xmin, box.xmax, box.ymin, box.ymax};
  }
  doc["dim"] = spec.dim;
  return doc;
}

// "target" of a model file, rebuilt to check it (an expression is compiled).
TargetSpec target_from_json(const nlohmann::json& doc) {
  if (!doc.is_object()) throw ModelFormatError("\"target\" must be an object");
  TargetSpec spec;
  const bool named = doc.contains("name"), typed = doc.contains("expression");
  if (named == typed) throw ModelFormatError("\"target\" must have a \"name\" or an \"expression\", not both");
  const auto& text = doc.at(named ? "name" : "expression");
  if (!text.is_string()) throw ModelFormatError(std::string("target.") + (named ? "name" : "expression") + " must be a string");
  (named ? spec.name : spec.expression) = text.get<std::string>();
  spec.dim = whole_number(require(doc, "dim", "\"target\""), "target.dim", 1, kMaxTargetDim);
  if (doc.contains("box")) {
    if (named) throw ModelFormatError("target.box is for an expression; a library target has its own");
    const auto& b = doc.at("box");
    if (!b.is_array() || b.size() != 4) throw ModelFormatError("target.box must be [xmin, xmax, ymin, ymax]");
    Box box{json_checks::finite_number(b[0], "target.box[0]"), json_checks::finite_number(b[1], "target.box[1]"),
            json_checks::finite_number(b[2], "target.box[2]"), json_checks::finite_number(b[3], "target.box[3]")};
    spec.box = box;
  }
  try {
    make_target(spec);
  } catch (const ExpressionError& e) {
    throw ModelFormatError(std::string("target.expression: ") + e.what());
  } catch (const std::invalid_argument& e) {
    throw ModelFormatError(std::string("\"target\": ") + e.what());
  }
  return spec;
}

}  // namespace

std::string target_label(const FlowModel& model) {
  if (!model.target) return potential_name(model.potential);
  if (!model.target->name.empty()) return model.target->name + " (D = " + std::to_string(model.dim) + ")";
  const std::string& text = model.target->expression;
  return "the energy '" + (text.size() <= 40 ? text : text.substr(0, 40) + "...") + "'";
}

nlohmann::json flow_model_to_json(const FlowModel& model) {
  const Flow flow = model.make_flow();
  const auto& p = model.parameters;
  const int d = model.dim;
  nlohmann::json layers = nlohmann::json::array();
  for (int k = 0; k < flow.layers(); ++k)
    layers.push_back({{"layer", flow.layer(k).spec()},
                      {"parameters", to_std(p.segment(flow.layer_offset(k), flow.layer(k).parameter_count()))}});
  nlohmann::json doc = {{"format", kFormat},
                        {"version", kVersion},
                        {"flow", flow.spec()},
                        {"dim", d},
                        {"layers", flow.layers()},
                        {"parameters",
                         {{"mu", to_std(p.segment(Flow::mu_offset(), d))},
                          {"rho", to_std(p.segment(flow.rho_offset(), d))},
                          {"layers", layers}}}};
  if (model.target) {
    doc["target"] = target_to_json(*model.target);
  } else {
    doc["potential"] = potential_name(model.potential);
  }
  return doc;
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
  if (doc.contains("target")) {
    if (version == 1) throw ModelFormatError("\"target\" needs a version 2 file");
    model.target = target_from_json(doc.at("target"));
    model.dim = whole_number(require(doc, "dim", top), "\"dim\"", 1, kMaxTargetDim);
    const int target_dim = make_target(*model.target).dim;
    if (model.dim != target_dim)
      throw ModelFormatError("\"dim\" is " + std::to_string(model.dim) + " but the target has dimension " +
                             std::to_string(target_dim));
  } else {
    const auto& potential = require(doc, "potential", top);
    if (!potential.is_string() || !potential_from_name(potential.get<std::string>()))
      throw ModelFormatError("\"potential\" must be one of U1, U2, U3, U4, U8");
    model.potential = *potential_from_name(potential.get<std::string>());
    model.dim = whole_number(require(doc, "dim", top), "\"dim\"", 2, 2);
  }
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
