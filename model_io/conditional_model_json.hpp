// The conditional model file: a trained amortized planar flow for the
// rotated-ring family, written by `nfvi cond` (as summary.json) and read by
// `nfvi cond-sample` (and later the web page).
//
//   {
//     "format": "nfvi-conditional-flow", "version": 1,
//     "target": { "family": "rotated_ring", "distance": 2, "floor": 1e-6, ... },
//     "condition": { "name": "angle", "trained_range": [lo, hi] },
//     "flow": "planar", "dim": 2, "layers": K,
//     "network": {
//       "sizes": [1, H, ..., H, P],  P = 2D + K(2D + 1)
//       "hidden_activation": "elu", "output_activation": "linear",
//       "parameters": [ ... all weights, flat, in Mlp's layout ... ]
//     },
//     ... any other keys (training statistics, kl_true per angle) are ignored when reading
//   }
//
// The network's output for an angle is that angle's flow, in the planar flow's
// layout: [ mu (D) | rho (D), sigma = softplus(rho) | w_k (D) u_k (D) b_k, k = 1..K ].
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "vi/conditional_trainer.hpp"
#include "model_json.hpp"  // ModelFormatError

namespace nfvi {

struct ConditionalModel {
  int dim = 2;
  int layers = 0;
  std::vector<int> sizes;  // the MLP's {1, hidden..., P}
  double angle_min = -kPi;
  double angle_max = kPi;
  Vector parameters;  // the MLP's flat weights
};

ConditionalModel conditional_model_of(const ConditionalTrainer& trainer);

nlohmann::json conditional_model_to_json(const ConditionalModel& model);

// Validates everything: format, version, target family, sizes, counts and
// finiteness. Throws ModelFormatError with a one-line message.
ConditionalModel conditional_model_from_json(const nlohmann::json& doc);
ConditionalModel conditional_model_from_text(const std::string& text);

// A trainer holding the model's network (for sampling and kl_true at any angle).
ConditionalTrainer trainer_for(const ConditionalModel& model);

}  // namespace nfvi
