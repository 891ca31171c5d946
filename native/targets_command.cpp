#include "targets_command.hpp"

#include <cstdio>
#include <string>

#include "targets/target.hpp"
#include "vi/diagnostics.hpp"

namespace nfvi {

CLI::App* add_targets_command(CLI::App& app) {
  return app.add_subcommand("targets", "List the library of targets: name, dimension, box and log Z");
}

int run_targets() {
  std::printf("%-10s %4s  %-24s %-22s %s\n", "name", "dim", "box (z1 then z2)", "log Z", "description");
  for (const LibraryEntry& entry : target_library()) {
    const Target t = make_library_target(entry.name);
    char box[64], log_z[48];
    std::snprintf(box, sizeof box, "[%g,%g]x[%g,%g]", t.box.xmin, t.box.xmax, t.box.ymin, t.box.ymax);
    if (t.log_z) {
      std::snprintf(log_z, sizeof log_z, "%.6f (exact)", *t.log_z);
    } else if (t.dim == 2) {
      std::snprintf(log_z, sizeof log_z, "%.6f (quadrature)", log_partition_over_box(t.energy, t.quadrature_box).log_z);
    } else {
      std::snprintf(log_z, sizeof log_z, "unknown");
    }
    const std::string dim = std::to_string(t.dim) + (entry.any_dim ? "*" : "");
    std::printf("%-10s %4s  %-24s %-22s %s\n", t.name.c_str(), dim.c_str(), box, log_z, t.description.c_str());
  }
  std::printf("* the dimension may be chosen: nfvi fit --target funnel --dim D\n");
  return 0;
}

}  // namespace nfvi
