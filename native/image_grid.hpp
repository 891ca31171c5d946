// A grid of small grey images (e.g. decoded MNIST digits) as one PNG, written
// with stb_image_write (Debian's libstb).
#pragma once

#include <string>

#include "types.hpp"

namespace nfvi {

// images (rows * cols, N): one column per image, pixels row by row, values in
// [0, 1] (clipped), drawn white on black. Images fill the grid row by row;
// cells past N stay dark grey. Each pixel is drawn scale x scale, with a gap
// of `gap` pixels between cells. Written under a temporary name and renamed.
// Throws std::runtime_error if the file cannot be written.
void write_image_grid_png(const std::string& path, MatrixConstRef images, int rows, int cols, int grid_rows,
                          int grid_cols, int scale = 2, int gap = 2);

}  // namespace nfvi
