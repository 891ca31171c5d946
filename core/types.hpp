// Shared vocabulary of the core.
//
// Convention used throughout nfvi_core: a batch of points in R^D is a
// (D, N) column-major matrix, one column per sample. Per-sample scalars
// (log-densities, log-determinants, energies) are (N) arrays.
// Everything is double: the finite-difference tests need it, and it makes
// native and WebAssembly runs agree to many digits.
#pragma once

#include <Eigen/Dense>

namespace nfvi {

using Matrix = Eigen::MatrixXd;  // (D, N) batches of points, unless stated otherwise
using Vector = Eigen::VectorXd;  // (D) a single point or parameter vector
using Array = Eigen::ArrayXd;    // (N) one scalar per sample

using MatrixConstRef = const Eigen::Ref<const Matrix>&;
using VectorConstRef = const Eigen::Ref<const Vector>&;
using ArrayConstRef = const Eigen::Ref<const Array>&;

}  // namespace nfvi
