// Figures of a conditional flow on the rotated-ring family, in the seed's
// [-6, 6]^2 view: one frame per angle (p(z | angle) beside a 2-D histogram of
// q(z | angle)), and the animated GIF of a sweep of frames.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "vi/conditional_trainer.hpp"

namespace nfvi {

struct ConditionalFigureSettings {
  int density_bins = 100;               // the seed's 100 x 100 grid
  long long density_samples = 1000000;  // 10^6 samples in each histogram of q
  int gif_delay_centiseconds = 25;      // 4 frames per second
};

// Writes one frame for `angle` to png_path, its angle axis spanning
// [axis_min, axis_max] together with the trained range and the angle. Angles
// outside the trained range are drawn and labelled as extrapolation.
// Samples of q come from Random(seed).
void write_conditional_frame(const std::string& png_path, const ConditionalTrainer& trainer, double angle,
                             double axis_min, double axis_max, std::uint64_t seed,
                             const ConditionalFigureSettings& settings);

}  // namespace nfvi
