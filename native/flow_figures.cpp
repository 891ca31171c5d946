#include "flow_figures.hpp"

#include <cmath>
#include <string>

#include "vi/diagnostics.hpp"
#include "figures.hpp"

namespace nfvi {
namespace {

// The figure view for a density grid of `bins` cells over View{}: the figures
// module takes the centres of the first and last cells.
figures::View cell_centre_view(const View& view, int bins) {
  const double half_cell = (view.hi - view.lo) / bins / 2;
  return {view.lo + half_cell, view.hi - half_cell, view.lo + half_cell, view.hi - half_cell};
}

}  // namespace

std::vector<int> layers_to_show(int layers) {
  std::vector<int> shown{0};
  if (layers <= 8) {  // coupling flows have few layers: show every one
    for (int k = 1; k <= layers; ++k) shown.push_back(k);
    return shown;
  }
  if (layers >= 1) shown.push_back(1);
  for (int k = 5; k < layers; k += 5) shown.push_back(k);
  if (layers > 1) shown.push_back(layers);
  return shown;
}

void write_true_density_figure(const std::string& png_path, Potential potential, const FlowFigureSettings& settings) {
  const View view;
  figures::write_density_png(png_path,
                             true_density_grid(potential, view, settings.density_bins), settings.density_bins,
                             settings.density_bins, cell_centre_view(view, settings.density_bins),
                             "true density exp(-" + potential_name(potential) + ")");
}

void write_learned_density_figure(const std::string& png_path, Flow& flow, const FlowFigureSettings& settings) {
  const View view;
  std::vector<double> density = log_density_grid(flow, view.lo, view.hi, settings.density_bins);
  for (double& v : density) v = std::exp(v);
  figures::write_density_png(png_path, density, settings.density_bins, settings.density_bins,
                             cell_centre_view(view, settings.density_bins), "learned density q (exact)");
}

void write_learned_histogram_figure(const std::string& png_path, Flow& flow, Random& rng,
                                    const FlowFigureSettings& settings) {
  const View view;
  Samples z;
  Array log_q;
  sample_flow(flow, rng, settings.density_samples, z, log_q);
  figures::write_density_png(png_path, histogram_density(z, view, settings.density_bins), settings.density_bins,
                             settings.density_bins, cell_centre_view(view, settings.density_bins),
                             "histogram of " + std::to_string(settings.density_samples) + " samples of q");
}

void write_layers_figure(const std::string& png_path, Flow& flow, Random& rng, const FlowFigureSettings& settings) {
  Samples eps(flow.dim(), settings.layer_samples);
  rng.fill_normal(eps);
  flow.forward(eps);

  // Colour: distance to mu before the first layer.
  const Samples& z0 = flow.samples_after_layer(0);
  const Vector mu = flow.parameters().segment(Flow::mu_offset(), flow.dim());
  std::vector<double> colour(static_cast<size_t>(z0.cols()));
  for (Eigen::Index n = 0; n < z0.cols(); ++n) colour[static_cast<size_t>(n)] = (z0.col(n) - mu).norm();

  std::vector<figures::ScatterPanel> panels;
  for (int k : layers_to_show(flow.layers())) {
    const Samples& z = flow.samples_after_layer(k);
    figures::ScatterPanel panel;
    panel.label = std::to_string(k);
    panel.x.assign(z.row(0).begin(), z.row(0).end());
    panel.y.assign(z.row(1).begin(), z.row(1).end());
    panels.push_back(std::move(panel));
  }
  const View view;
  figures::write_scatter_panels_png(png_path, panels, colour,
                                    {view.lo, view.hi, view.lo, view.hi}, 4);
}

void write_kl_figure(const std::string& png_path, const std::vector<double>& kl_history, double log_z) {
  figures::Series estimate{"KL estimate  E[log q + U]", {}, kl_history, {}, {}};
  for (size_t i = 0; i < kl_history.size(); ++i) estimate.x.push_back(static_cast<double>(i + 1));
  figures::Series floor{
      "-log Z  (true KL = 0)", {1.0, static_cast<double>(kl_history.size())}, {-log_z, -log_z}, {}, {}};
  figures::write_line_chart_png(png_path, {estimate, floor}, "step", "nats",
                                "reverse KL during training");
}

}  // namespace nfvi
