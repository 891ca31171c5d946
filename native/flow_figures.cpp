#include "flow_figures.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "vi/diagnostics.hpp"
#include "figures.hpp"

namespace nfvi {
namespace {

// The figure view for a density grid of `bins` x `bins` cells over a box: the
// figures module takes the centres of the first and last cells.
figures::View cell_centre_view(const Box& box, int bins) {
  const double half_x = (box.xmax - box.xmin) / bins / 2, half_y = (box.ymax - box.ymin) / bins / 2;
  return {box.xmin + half_x, box.xmax - half_x, box.ymin + half_y, box.ymax - half_y};
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

void write_true_density_figure(const std::string& png_path, const Target& target, const FlowFigureSettings& settings) {
  if (target.dim != 2) throw std::invalid_argument("the true density figure needs a 2-D target");
  const std::string name = target.spec.name.empty() ? "U" : target.name;
  figures::write_density_png(png_path, true_density_grid(target.energy, target.box, settings.density_bins),
                             settings.density_bins, settings.density_bins,
                             cell_centre_view(target.box, settings.density_bins), "true density exp(-" + name + ")");
}

void write_learned_density_figure(const std::string& png_path, Flow& flow, const Box& box,
                                  const FlowFigureSettings& settings) {
  if (flow.dim() != 2) throw std::invalid_argument("the learned density figure needs a 2-D flow");
  const int bins = settings.density_bins;
  const std::vector<double> density = learned_density_grid(flow, box, bins);
  figures::write_density_png(png_path, density, bins, bins, cell_centre_view(box, bins), "learned density q (exact)");
}

void write_learned_histogram_figure(const std::string& png_path, Flow& flow, Random& rng, const Box& box,
                                    const FlowFigureSettings& settings) {
  Samples z;
  Array log_q;
  sample_flow(flow, rng, settings.density_samples, z, log_q);
  const std::string what = flow.dim() == 2 ? "histogram of " : "(z1, z2) marginal: histogram of ";
  figures::write_density_png(png_path, histogram_density(z, box, settings.density_bins), settings.density_bins,
                             settings.density_bins, cell_centre_view(box, settings.density_bins),
                             what + std::to_string(settings.density_samples) + " samples of q");
}

void write_layers_figure(const std::string& png_path, Flow& flow, Random& rng, const Box& box,
                         const FlowFigureSettings& settings) {
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
  figures::write_scatter_panels_png(png_path, panels, colour, {box.xmin, box.xmax, box.ymin, box.ymax}, 4);
}

void write_kl_figure(const std::string& png_path, const std::vector<double>& kl_history, double log_z) {
  figures::Series estimate{"KL estimate  E[log q + U]", {}, kl_history, {}, {}};
  for (size_t i = 0; i < kl_history.size(); ++i) estimate.x.push_back(static_cast<double>(i + 1));
  std::vector<figures::Series> series{estimate};
  if (std::isfinite(log_z))
    series.push_back(
        {"-log Z  (true KL = 0)", {1.0, static_cast<double>(kl_history.size())}, {-log_z, -log_z}, {}, {}});
  figures::write_line_chart_png(png_path, series, "step", "nats",
                                std::isfinite(log_z) ? "reverse KL during training"
                                                     : "reverse KL during training (log Z unknown)");
}

}  // namespace nfvi
