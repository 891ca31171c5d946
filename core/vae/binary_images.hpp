// Binarized images for the VAE, and the fixed train/test split.
//
// Shapes: pixels (P, N), one column per image, values in [0, 1].
#pragma once

#include <cstdint>
#include <vector>

#include "math/random.hpp"
#include "math/types.hpp"

namespace nfvi {

// 1 where pixel >= threshold, else 0 (the seed's binarization at 0.5).
Matrix threshold_binarize(MatrixConstRef pixels, double threshold = 0.5);

// 1 with probability pixel, else 0, drawn once from `random` (column by column).
Matrix stochastic_binarize(MatrixConstRef pixels, Random& random);

// A permutation of 0..n-1 (Fisher-Yates with our generator): the same seed
// gives the same permutation on every platform.
std::vector<Eigen::Index> random_permutation(Eigen::Index n, Random& random);

// The columns `indices` of `m`, in that order.
Matrix select_columns(MatrixConstRef m, const std::vector<Eigen::Index>& indices);

}  // namespace nfvi
