// A grid of small grey images (e.g. decoded MNIST digits) as one PNG, encoded
// in memory with stb_image_write (Debian's libstb); the caller writes it.
#pragma once

#include <string>

#include "math/types.hpp"

namespace nfvi {

// images (rows * cols, N): one column per image, pixels row by row, values in
// [0, 1] (clipped), drawn white on black. Images fill the grid row by row;
// cells past N stay dark grey. Each pixel is drawn scale x scale, with a gap
// of `gap` pixels between cells. Returns the PNG file's bytes; throws
// std::runtime_error if the images do not fit or stb cannot encode them.
std::string image_grid_png(MatrixConstRef images, int rows, int cols, int grid_rows, int grid_cols, int scale = 2,
                           int gap = 2);

}  // namespace nfvi
