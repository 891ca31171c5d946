// The figures of a trained flow over the target's view box of (z1, z2):
// true_density.png, learned_density.png (the exact q on the grid, by the
// flow's inverse), learned_histogram.png (a histogram of samples of q, which
// should look the same), layers.png and kl.png. For a flow of more than two
// dimensions, the histogram and the layers show the first coordinate pair
// (the marginal of (z1, z2), from samples); the true and learned densities
// need D = 2. Each writes one PNG to png_path.
#pragma once

#include <string>
#include <vector>

#include "targets/energies.hpp"
#include "targets/target.hpp"
#include "flows/flow.hpp"
#include "math/random.hpp"

namespace nfvi {

struct FlowFigureSettings {
  int density_bins = 100;               // the seed's 100 x 100 grid
  long long density_samples = 1000000;  // 10^6 samples in the learned histogram
  int layer_samples = 10000;            // 10^4 points per layer panel
};

// Layers shown in layers.png: every one up to K = 8; beyond, 0, 1, 5, 10, 15, ..., K (K always included).
std::vector<int> layers_to_show(int layers);

// D = 2 only (std::invalid_argument otherwise).
void write_true_density_figure(const std::string& png_path, const Target& target, const FlowFigureSettings& settings);
void write_learned_density_figure(const std::string& png_path, Flow& flow, const Box& box,
                                  const FlowFigureSettings& settings);
// Any D.
void write_learned_histogram_figure(const std::string& png_path, Flow& flow, Random& rng, const Box& box,
                                    const FlowFigureSettings& settings);
void write_layers_figure(const std::string& png_path, Flow& flow, Random& rng, const Box& box,
                         const FlowFigureSettings& settings);
// KL estimate per step, with the line -log Z where the estimate would reach
// KL = 0 (none if log Z is not known: NaN).
void write_kl_figure(const std::string& png_path, const std::vector<double>& kl_history, double log_z);

}  // namespace nfvi
