// Which modes of a multi-modal target a flow's samples reach: each sample is
// assigned to its nearest mode centre in (z1, z2) (Euclidean distance, ties
// to the first centre), a mode's mass is the fraction of the samples assigned
// to it, and a mode is covered when its mass is at least the threshold
// (default 0.5% of the samples). Reverse KL is mode-seeking: on a mixture of
// well-separated modes the KL alone does not say how many modes q holds,
// and this does.
#pragma once

#include <utility>
#include <vector>

#include "math/types.hpp"

namespace nfvi {

inline constexpr double kModeCoverageThreshold = 0.005;

struct ModeCoverage {
  std::vector<double> mass;  // per centre, in the centres' order; sums to 1
  int covered = 0;           // centres whose mass is >= threshold
  double threshold = kModeCoverageThreshold;
  Eigen::Index samples = 0;
};

// samples: (D, N), D >= 2, N >= 1; only rows z1 and z2 are read. centres: at
// least one (x, y). Throws std::invalid_argument otherwise.
ModeCoverage mode_coverage(SamplesConstRef samples, const std::vector<std::pair<double, double>>& centres,
                           double threshold = kModeCoverageThreshold);

}  // namespace nfvi
