// What the flow spec knows of a layer kind: its name, its options with their
// defaults and ranges, and how to make one. Each kind's file defines one
// LayerKind; registry.cpp lists them (see README.md in this folder).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "flows/layers/flow_layer.hpp"

namespace nfvi {

struct LayerOption {
  std::string name;        // as written in a spec: "bins"
  double default_value;
  double min, max;         // the accepted range, inclusive
  bool whole;              // a whole number
  std::string meaning;     // for help texts
};

// The options of one layer, every option of its kind present (defaults filled in).
using LayerOptions = std::map<std::string, double>;

struct LayerKind {
  std::string name;     // "spline"
  std::string summary;  // one line, for help texts
  int min_dim = 1;      // coupling layers need two parts
  // Coupling layers transform one part of z given the other, and alternate
  // the part: the flow spec gives each the number of coupling layers before it.
  bool coupling = false;
  std::vector<LayerOption> options;
  std::function<std::unique_ptr<FlowLayer>(int dim, const LayerOptions& options, int coupling_index)> make;
};

// "kind" followed by ":name=value" for every option that differs from its default.
std::string layer_spec_text(const LayerKind& kind, const LayerOptions& options);

}  // namespace nfvi
