// How many threads the matrix products may use: Eigen's own and, when the
// build hands products to OpenBLAS (EIGEN_USE_BLAS), OpenBLAS's. Small
// products gain little from more threads: nfvi cond's (512 x 512 by 32) ran
// fastest on one thread here, and a busy machine makes extra threads slower.
#pragma once

namespace nfvi {

// threads >= 1 sets both counts; 0 leaves the libraries' defaults (all cores).
void set_matrix_threads(int threads);

// The count Eigen reports (the effective one when threads was 0).
int matrix_threads();

}  // namespace nfvi
