// The ELU activation (Clevert et al. 2016) with alpha = 1, elementwise on a
// batch (any shape, e.g. (units, B)):
//
//   elu(x) = x            for x > 0
//          = exp(x) - 1   for x <= 0
//
// Its derivative is 1 for x > 0 and exp(x) = elu(x) + 1 for x <= 0, so
// backward needs only the output y, which is what an MLP keeps anyway.
// (At x = 0 both sides give 1: ELU with alpha = 1 is C^1.)
#pragma once

#include "math/types.hpp"

namespace nfvi {

// Both are defined for Scalar = double and float; name it at the call,
// elu_forward<double>(x, y), since x may be any expression Eigen::Ref accepts.

// y = elu(x), resized to x's shape. y may not alias x.
template <typename Scalar>
void elu_forward(const Eigen::Ref<const MatrixOf<Scalar>>& x, MatrixOf<Scalar>& y);

// dx = dy * elu'(x), with elu'(x) = min(y, 0) + 1 read from the forward
// output y = elu(x). Written (not added). dx may alias dy.
template <typename Scalar>
void elu_backward(const Eigen::Ref<const MatrixOf<Scalar>>& y, const Eigen::Ref<const MatrixOf<Scalar>>& dy,
                  Eigen::Ref<MatrixOf<Scalar>> dx);

}  // namespace nfvi
