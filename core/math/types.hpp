// Shared vocabulary of the core.
//
// Convention used throughout nfvi_core: a batch of points in R^D is a
// (D, N) matrix, one column per sample, of type Samples. Samples is stored
// row-major, coordinate by coordinate, so that the per-layer loops over the
// N samples of one coordinate run over contiguous memory and vectorise.
// Per-sample scalars (log-densities, log-determinants, energies) are (N) arrays.
// Everything is double: the finite-difference tests need it, and it makes
// native and WebAssembly runs agree to many digits. The exception is the
// VAE's networks, which may also run in float (MatrixOf<float> and friends
// below): they are two orders of magnitude larger than anything else here,
// and their double instantiation is the one the tests check by finite differences.
#pragma once

#include <Eigen/Dense>

namespace nfvi {

using Matrix = Eigen::MatrixXd;                                                          // general column-major matrix
using Samples = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;  // (D, N) points
using Vector = Eigen::VectorXd;  // (D) a single point or parameter vector
using Array = Eigen::ArrayXd;    // (N) one scalar per sample

using MatrixConstRef = const Eigen::Ref<const Matrix>&;
using SamplesConstRef = const Eigen::Ref<const Samples>&;
using SamplesRef = Eigen::Ref<Samples>;
using VectorConstRef = const Eigen::Ref<const Vector>&;
using ArrayConstRef = const Eigen::Ref<const Array>&;

// The same shapes for a chosen scalar type (float or double).
template <typename Scalar>
using MatrixOf = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
template <typename Scalar>
using VectorOf = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
template <typename Scalar>
using ArrayOf = Eigen::Array<Scalar, Eigen::Dynamic, 1>;

}  // namespace nfvi
