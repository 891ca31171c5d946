// Every layer kind that flow specs can name, in the order help texts list them.
#pragma once

#include <vector>

#include "flows/layers/layer_kind.hpp"

namespace nfvi {

const std::vector<LayerKind>& layer_kinds();

// The kind of this name, or nullptr.
const LayerKind* find_layer_kind(const std::string& name);

}  // namespace nfvi
