#include "flows/flow_spec.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "flows/layers/registry.hpp"

namespace nfvi {
namespace {

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    const size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) return parts;
    start = end + 1;
  }
}

std::string trimmed(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t") - a + 1);
}

bool parse_number(const std::string& text, double& value) {
  if (text.empty()) return false;
  char* end = nullptr;
  errno = 0;
  value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && errno != ERANGE && std::isfinite(value);
}

std::string kind_names() {
  std::string names;
  for (const LayerKind& kind : layer_kinds()) names += (names.empty() ? "" : ", ") + kind.name;
  return names;
}

std::string number_text(double x) {
  char text[32];
  std::snprintf(text, sizeof text, x >= 1e6 && x == std::floor(x) && x < 1e15 ? "%.0f" : "%g", x);
  return text;
}

}  // namespace

std::vector<std::unique_ptr<FlowLayer>> make_flow_layers(int dim, const std::string& spec, double max_parameters) {
  if (trimmed(spec).empty()) throw FlowSpecError("flow spec is empty (e.g. planar:50 or spline:4)");
  if (spec.size() > 10000) throw FlowSpecError("flow spec is longer than 10000 characters");
  std::vector<std::unique_ptr<FlowLayer>> layers;
  int coupling_index = 0;
  double parameters = 2.0 * dim;  // mu and rho
  for (const std::string& raw_item : split(spec, ',')) {
    const std::string item = trimmed(raw_item);
    const auto bad = [&](const std::string& why) { return FlowSpecError("flow spec '" + item + "': " + why); };
    if (item.empty()) throw FlowSpecError("flow spec '" + spec + "' has an empty item");
    const std::vector<std::string> parts = split(item, ':');
    const LayerKind* kind = find_layer_kind(trimmed(parts[0]));
    if (kind == nullptr) throw bad("unknown layer kind '" + trimmed(parts[0]) + "' (known: " + kind_names() + ")");
    if (dim < kind->min_dim)
      throw bad(kind->name + " layers need at least " + std::to_string(kind->min_dim) + " dimensions, not " +
                std::to_string(dim));
    LayerOptions options;
    for (const LayerOption& option : kind->options) options[option.name] = option.default_value;
    long count = 1;
    for (size_t i = 1; i < parts.size(); ++i) {
      const std::string part = trimmed(parts[i]);
      const size_t equals = part.find('=');
      if (equals == std::string::npos) {
        double value = 0;
        if (i != 1 || !parse_number(part, value) || value != std::floor(value) || value < 1 || value > kMaxFlowLayers)
          throw bad("'" + part + "' is not a layer count from 1 to " + std::to_string(kMaxFlowLayers) +
                    (i != 1 ? " (the count comes right after the kind)" : "") + " or an option name=value");
        count = static_cast<long>(value);
        continue;
      }
      const std::string name = trimmed(part.substr(0, equals)), value_text = trimmed(part.substr(equals + 1));
      const LayerOption* option = nullptr;
      for (const LayerOption& o : kind->options)
        if (o.name == name) option = &o;
      if (option == nullptr) {
        std::string known;
        for (const LayerOption& o : kind->options) known += (known.empty() ? "" : ", ") + o.name;
        throw bad("unknown option '" + name + "' for " + kind->name +
                  (known.empty() ? " (it has none)" : " (its options: " + known + ")"));
      }
      double value = 0;
      if (!parse_number(value_text, value)) throw bad(name + " must be a number, got '" + value_text + "'");
      if ((option->whole && value != std::floor(value)) || value < option->min || value > option->max)
        throw bad(name + " must be " + (option->whole ? "a whole number" : "a number") + " from " +
                  number_text(option->min) + " to " + number_text(option->max) + ", got " + value_text);
      options[name] = value;
    }
    if (layers.size() + static_cast<size_t>(count) > static_cast<size_t>(kMaxFlowLayers))
      throw bad("a flow has at most " + std::to_string(kMaxFlowLayers) + " layers");
    // Every layer of an item has the same size: one tells the item's.
    std::unique_ptr<FlowLayer> first = kind->make(dim, options, coupling_index);
    parameters += static_cast<double>(count) * static_cast<double>(first->parameter_count());
    if (parameters > max_parameters)
      throw bad("the flow would have " + number_text(parameters) + " parameters; at most " +
                number_text(max_parameters));
    layers.push_back(std::move(first));
    if (kind->coupling) ++coupling_index;
    for (long c = 1; c < count; ++c) {
      layers.push_back(kind->make(dim, options, coupling_index));
      if (kind->coupling) ++coupling_index;
    }
  }
  return layers;
}

std::string flow_spec_of(const std::vector<std::unique_ptr<FlowLayer>>& layers) {
  std::string spec;
  for (size_t i = 0; i < layers.size();) {
    const std::string item = layers[i]->spec();
    size_t j = i;
    while (j < layers.size() && layers[j]->spec() == item) ++j;
    const size_t colon = item.find(':');
    const std::string kind = item.substr(0, colon), rest = colon == std::string::npos ? "" : item.substr(colon);
    spec += (spec.empty() ? "" : ",") + kind + ":" + std::to_string(j - i) + rest;
    i = j;
  }
  return spec;
}

std::string flow_spec_help() {
  std::string help;
  for (const LayerKind& kind : layer_kinds()) {
    help += kind.name + ": " + kind.summary + "\n";
    for (const LayerOption& o : kind.options)
      help += "  " + o.name + "=" + number_text(o.default_value) + "  " + o.meaning + " (" + number_text(o.min) +
              " to " + number_text(o.max) + ")\n";
  }
  return help;
}

}  // namespace nfvi
