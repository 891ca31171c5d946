// Random test inputs: a matrix of independent N(0, scale^2) draws, filled
// column by column from rng (so a seed fixes every value).
#pragma once

#include "math/random.hpp"
#include "math/types.hpp"

namespace nfvi::testing {

inline Matrix random_matrix(Random& rng, Eigen::Index rows, Eigen::Index cols, double scale = 1.0) {
  Matrix m(rows, cols);
  for (Eigen::Index j = 0; j < cols; ++j)
    for (Eigen::Index i = 0; i < rows; ++i) m(i, j) = scale * rng.normal();
  return m;
}

}  // namespace nfvi::testing
