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

#include "types.hpp"

namespace nfvi {

// y = elu(x), resized to x's shape. y may not alias x.
void elu_forward(MatrixConstRef x, Matrix& y);

// dx = dy * elu'(x), with elu'(x) = min(y, 0) + 1 read from the forward
// output y = elu(x). Written (not added). dx may alias dy.
void elu_backward(MatrixConstRef y, MatrixConstRef dy, Eigen::Ref<Matrix> dx);

}  // namespace nfvi
