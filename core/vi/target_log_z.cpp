#include "vi/target_log_z.hpp"

#include <cstdio>

#include "vi/diagnostics.hpp"

namespace nfvi {

std::string TargetLogZ::warning(const std::string& box_name) const {
  if (method != "quadrature" || !(edge_ratio > kNegligibleEdgeDensity)) return "";
  char text[200];
  std::snprintf(text, sizeof text,
                "the density at the edge of the box is %.2g of its peak: log Z (%.4f) and so the true KL may be "
                "wrong; widen ",
                edge_ratio, *value);
  return text + box_name;
}

TargetLogZ target_log_z(const Target& target) {
  if (target.log_z) return {target.log_z, "exact", 0};
  if (target.dim != 2) return {std::nullopt, "unknown", 0};
  const BoxLogPartition q = log_partition_over_box(target.energy, target.quadrature_box);
  return {q.log_z, "quadrature", q.edge_ratio};
}

}  // namespace nfvi
