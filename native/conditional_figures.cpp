#include "conditional_figures.hpp"

#include "vi/diagnostics.hpp"
#include "targets/energies.hpp"
#include "figures.hpp"

namespace nfvi {

void write_conditional_frame(const std::string& png_path, const ConditionalTrainer& trainer, double angle,
                             double axis_min, double axis_max, std::uint64_t seed,
                             const ConditionalFigureSettings& settings) {
  const View view;
  const int bins = settings.density_bins;
  Samples z;
  Array log_q;
  trainer.sample(angle, settings.density_samples, seed, z, log_q);

  figures::ConditionFrame frame;
  frame.condition = angle;
  frame.condition_label = "angle";
  frame.trained_min = trainer.config().angle_min;
  frame.trained_max = trainer.config().angle_max;
  frame.axis_min = axis_min;
  frame.axis_max = axis_max;
  frame.extrapolation = trainer.is_extrapolation(angle);
  frame.bins = bins;
  const double half_cell = (view.hi - view.lo) / bins / 2;  // the figures module takes cell centres
  frame.view = {view.lo + half_cell, view.hi - half_cell, view.lo + half_cell, view.hi - half_cell};
  frame.left = true_density_grid([angle](double z1, double z2) { return rotated_ring_energy_at(z1, z2, angle).value; },
                                 view, bins);
  frame.right = histogram_density(z, view, bins);
  frame.left_title = "p(z|angle) (unnormalized)";
  frame.right_title = "q(z|angle) (empirical)";
  figures::write_condition_frame_png(png_path, frame);
}

}  // namespace nfvi
