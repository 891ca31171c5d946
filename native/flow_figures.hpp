// The four figures of a trained flow, in the seed study's [-6, 6]^2 view:
// true_density.png, learned_density.png (the exact q on the grid, by the
// flow's inverse), learned_histogram.png (a histogram of samples of q, which
// should look the same), layers.png and kl.png. Each writes one PNG to png_path.
#pragma once

#include <string>
#include <vector>

#include "targets/energies.hpp"
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

void write_true_density_figure(const std::string& png_path, Potential potential, const FlowFigureSettings& settings);
void write_learned_density_figure(const std::string& png_path, Flow& flow, const FlowFigureSettings& settings);
void write_learned_histogram_figure(const std::string& png_path, Flow& flow, Random& rng,
                                    const FlowFigureSettings& settings);
void write_layers_figure(const std::string& png_path, Flow& flow, Random& rng, const FlowFigureSettings& settings);
// KL estimate per step, with the line -log Z where the estimate would reach KL = 0.
void write_kl_figure(const std::string& png_path, const std::vector<double>& kl_history, double log_z);

}  // namespace nfvi
