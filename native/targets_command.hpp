// `nfvi targets`: lists the target library (targets/target.hpp) with each
// target's dimension, view box and log Z (exact where known; for a 2-D target
// without one, by quadrature over its box, as `nfvi fit` finds it).
#pragma once

#include <CLI/CLI.hpp>

namespace nfvi {

CLI::App* add_targets_command(CLI::App& app);
int run_targets();

}  // namespace nfvi
