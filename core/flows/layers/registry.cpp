#include "flows/layers/registry.hpp"

#include "flows/layers/affine_coupling_layer.hpp"
#include "flows/layers/planar_layer.hpp"
#include "flows/layers/radial_layer.hpp"
#include "flows/layers/spline_coupling_layer.hpp"

namespace nfvi {

const std::vector<LayerKind>& layer_kinds() {
  // One line per kind.
  static const std::vector<LayerKind> kinds = {
      planar_layer_kind(),
      radial_layer_kind(),
      affine_coupling_layer_kind(),
      spline_coupling_layer_kind(),
  };
  return kinds;
}

const LayerKind* find_layer_kind(const std::string& name) {
  for (const LayerKind& kind : layer_kinds())
    if (kind.name == name) return &kind;
  return nullptr;
}

std::string layer_spec_text(const LayerKind& kind, const LayerOptions& options) {
  std::string text = kind.name;
  for (const LayerOption& option : kind.options) {
    const double value = options.at(option.name);
    if (value == option.default_value) continue;
    char number[32];
    std::snprintf(number, sizeof number, "%.17g", value);
    text += ":" + option.name + "=" + number;
  }
  return text;
}

}  // namespace nfvi
