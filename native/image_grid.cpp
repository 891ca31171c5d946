#include "image_grid.hpp"

#include <stb_image_write.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace nfvi {

std::string image_grid_png(MatrixConstRef images, int rows, int cols, int grid_rows, int grid_cols, int scale,
                           int gap) {
  if (images.rows() != static_cast<Eigen::Index>(rows) * cols)
    throw std::runtime_error("image grid: images have " + std::to_string(images.rows()) + " pixels, not " +
                             std::to_string(rows * cols));
  const int cell_w = cols * scale, cell_h = rows * scale;
  const int width = grid_cols * cell_w + (grid_cols + 1) * gap;
  const int height = grid_rows * cell_h + (grid_rows + 1) * gap;
  std::vector<unsigned char> pixels(static_cast<size_t>(width) * static_cast<size_t>(height), 96);
  for (int g = 0; g < grid_rows * grid_cols; ++g) {
    const int top = gap + (g / grid_cols) * (cell_h + gap), left = gap + (g % grid_cols) * (cell_w + gap);
    for (int r = 0; r < cell_h; ++r)
      for (int c = 0; c < cell_w; ++c) {
        double v = 0;
        if (g < images.cols()) v = images(static_cast<Eigen::Index>(r / scale) * cols + c / scale, g);
        if (!std::isfinite(v)) v = 0;
        pixels[static_cast<size_t>(top + r) * static_cast<size_t>(width) + static_cast<size_t>(left + c)] =
            static_cast<unsigned char>(std::lround(255 * std::clamp(v, 0.0, 1.0)));
      }
  }
  std::string png;
  const auto append = [](void* context, void* data, int size) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(data), static_cast<size_t>(size));
  };
  if (stbi_write_png_to_func(append, &png, width, height, 1, pixels.data(), width) == 0)
    throw std::runtime_error("stb_image_write could not encode a " + std::to_string(width) + "x" +
                             std::to_string(height) + " image grid");
  return png;
}

}  // namespace nfvi
