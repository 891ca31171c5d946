// The model file: a trained planar flow as JSON, written by `nfvi fit`
// (inside summary.json) and by the web page, and read back by both.
//
//   {
//     "format": "nfvi-flow", "version": 1,
//     "potential": "U1", "flow": "planar", "dim": 2, "layers": K,
//     "parameters": { "mu": [..D], "rho": [..D],
//                     "layers": [ {"w": [..D], "u": [..D], "b": x}, ... K ] },
//     ... any other keys (training statistics) are ignored when reading
//   }
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "energies.hpp"
#include "planar_flow.hpp"

namespace nfvi {

// A model file that cannot be read: the message says what is wrong and where.
class ModelFormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct FlowModel {
  Potential potential = Potential::U1;
  int dim = 2;
  int layers = 0;
  Vector parameters;  // PlanarFlow layout
};

FlowModel flow_model_of(Potential potential, const PlanarFlow& flow);

nlohmann::json flow_model_to_json(const FlowModel& model);

// Validates everything: keys, types, sizes and finiteness. Throws ModelFormatError.
FlowModel flow_model_from_json(const nlohmann::json& doc);
FlowModel flow_model_from_text(const std::string& text);

}  // namespace nfvi
