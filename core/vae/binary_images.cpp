#include "vae/binary_images.hpp"

#include <utility>

namespace nfvi {

Matrix threshold_binarize(MatrixConstRef pixels, double threshold) {
  return (pixels.array() >= threshold).cast<double>().matrix();
}

Matrix stochastic_binarize(MatrixConstRef pixels, Random& random) {
  Matrix out(pixels.rows(), pixels.cols());
  for (Eigen::Index j = 0; j < pixels.cols(); ++j)
    for (Eigen::Index i = 0; i < pixels.rows(); ++i) out(i, j) = random.uniform() < pixels(i, j) ? 1.0 : 0.0;
  return out;
}

std::vector<Eigen::Index> random_permutation(Eigen::Index n, Random& random) {
  std::vector<Eigen::Index> p(static_cast<size_t>(n));
  for (Eigen::Index i = 0; i < n; ++i) p[static_cast<size_t>(i)] = i;
  for (Eigen::Index i = n - 1; i > 0; --i) {
    // j uniform on 0..i; the modulo bias is below 2^-40 for any n we meet.
    const auto j = static_cast<Eigen::Index>(random.next_u64() % static_cast<std::uint64_t>(i + 1));
    std::swap(p[static_cast<size_t>(i)], p[static_cast<size_t>(j)]);
  }
  return p;
}

Matrix select_columns(MatrixConstRef m, const std::vector<Eigen::Index>& indices) {
  Matrix out(m.rows(), static_cast<Eigen::Index>(indices.size()));
  for (size_t k = 0; k < indices.size(); ++k) out.col(static_cast<Eigen::Index>(k)) = m.col(indices[k]);
  return out;
}

}  // namespace nfvi
