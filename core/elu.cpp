#include "elu.hpp"

namespace nfvi {

void elu_forward(MatrixConstRef x, Matrix& y) {
  // max(x, 0) + exp(min(x, 0)) - 1: x for x > 0, exp(x) - 1 otherwise, in
  // one vectorised expression (Eigen vectorises exp, not expm1).
  y.resize(x.rows(), x.cols());
  y.array() = x.array().max(0.0) + x.array().min(0.0).exp() - 1.0;
}

void elu_backward(MatrixConstRef y, MatrixConstRef dy, Eigen::Ref<Matrix> dx) {
  dx.array() = dy.array() * (y.array().min(0.0) + 1.0);
}

}  // namespace nfvi
