// The flow spec: one string that names a flow's layers, shared by the
// command line (--flow), the model file ("flow") and the page.
//
//   spec   = item ("," item)*
//   item   = kind [":" count] (":" name "=" value)*
//   e.g.     planar:50    radial:20    spline:4:bins=8:hidden=32    spline:2,planar:10
//
// The kinds and their options are in flows/layers/ (registry.cpp). A count
// repeats the layer; options apply to every layer of the item. A bad spec is
// a FlowSpecError whose one-line message names the offending part.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "flows/layers/flow_layer.hpp"

namespace nfvi {

class FlowSpecError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// At most this many layers in one flow (the page and the model file rely on it).
inline constexpr int kMaxFlowLayers = 1000;
// At most this many parameters (base included) by default: 5e7 doubles are
// 400 MB, before the gradient and Adam's moments.
inline constexpr double kMaxFlowParameters = 5e7;

// The layers of a spec. Each item's count is checked against
// max_parameters from one layer of the item, before the others are made, so
// that a spec such as spline:1000:hidden=1024 is refused without allocating
// it ("the flow would have N parameters; at most M").
std::vector<std::unique_ptr<FlowLayer>> make_flow_layers(int dim, const std::string& spec,
                                                         double max_parameters = kMaxFlowParameters);

// The canonical spec of these layers: runs of equal layers as one item with a count.
std::string flow_spec_of(const std::vector<std::unique_ptr<FlowLayer>>& layers);

// One line per kind and option, for --help and the page.
std::string flow_spec_help();

}  // namespace nfvi
