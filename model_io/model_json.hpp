// The model file: a trained flow as JSON, written by `nfvi fit` (inside
// summary.json) and by the web page, and read back by both.
//
// Version 2 (written since the flow families):
//   {
//     "format": "nfvi-flow", "version": 2,
//     "potential": "U1", "flow": "spline:2,planar:10", "dim": 2, "layers": K,
//     "parameters": { "mu": [..D], "rho": [..D],
//                     "layers": [ {"layer": "spline", "parameters": [...]}, ... K ] },
//     ... any other keys (training statistics) are ignored when reading
//   }
// "flow" is the flow spec (core/flows/flow_spec.hpp); each layer's
// "parameters" are its segment of the flow's parameters, in its kind's
// layout (core/flows/layers/), and "layer" is its own spec, checked against
// "flow". Nothing here knows the kinds.
//
// Version 1 (planar flows, before the flow families) still loads:
//   "flow": "planar", and layers as {"w": [..D], "u": [..D], "b": x}.
//
// Every parameter must be finite and within +-1e6 (json_checks.hpp).
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "flows/flow.hpp"
#include <optional>

#include "targets/energies.hpp"
#include "targets/target.hpp"

namespace nfvi {

// A model file that cannot be read: the message says what is wrong and where.
class ModelFormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct FlowModel {
  Potential potential = Potential::U1;
  // The target, when it is not one of the potentials U1-U4, U8: written as
  //   "target": {"name": "funnel", "dim": 10} for a library target (targets/target.hpp), or
  //   "target": {"expression": "0.5*z1^2 + ...", "dim": 3, "box": [xmin, xmax, ymin, ymax]}.
  // A file with a target may leave out "potential"; its "dim" is the target's.
  std::optional<TargetSpec> target;
  int dim = 2;
  std::string flow = "planar:50";  // the flow spec
  Vector parameters;                // the Flow's layout
  Flow make_flow() const;           // the flow, with these parameters
};

FlowModel flow_model_of(Potential potential, const Flow& flow);
// A model of any target: the potential of that name for U1-U4 and U8, a target otherwise.
FlowModel flow_model_of(const Target& target, const Flow& flow);

nlohmann::json flow_model_to_json(const FlowModel& model);

// The model's target for a message: "U1", "funnel (D = 10)", or "the energy '...'" (cut at 40 characters).
std::string target_label(const FlowModel& model);

// Validates everything: keys, types, sizes, the flow spec and finiteness. Throws ModelFormatError.
FlowModel flow_model_from_json(const nlohmann::json& doc);
FlowModel flow_model_from_text(const std::string& text);

}  // namespace nfvi
