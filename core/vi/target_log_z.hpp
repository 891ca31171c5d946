// log Z of a target as the program and the page report it: exact where the
// target knows it, else, for a 2-D target, by quadrature over its quadrature
// box (vi/diagnostics.hpp) with the density at the box's edge, else unknown.
#pragma once

#include <optional>
#include <string>

#include "targets/target.hpp"

namespace nfvi {

struct TargetLogZ {
  std::optional<double> value;  // none when unknown
  std::string method;           // "exact", "quadrature" or "unknown"
  // For a quadrature: the largest density on the box's edge over the largest
  // inside (0 otherwise). Above kNegligibleEdgeDensity the box cuts off mass.
  double edge_ratio = 0;
  // "" when log Z can be trusted; else one line ending in "widen <box_name>",
  // e.g. "... log Z (-1.2345) and so the true KL may be wrong; widen --box".
  std::string warning(const std::string& box_name) const;
};

// Throws std::domain_error, naming the point, where a quadrature meets a U
// that is NaN or -inf.
TargetLogZ target_log_z(const Target& target);

}  // namespace nfvi
