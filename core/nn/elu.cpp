#include "nn/elu.hpp"

namespace nfvi {

template <typename Scalar>
void elu_forward(const Eigen::Ref<const MatrixOf<Scalar>>& x, MatrixOf<Scalar>& y) {
  // max(x, 0) + exp(min(x, 0)) - 1: x for x > 0, exp(x) - 1 otherwise, in
  // one vectorised expression (Eigen vectorises exp, not expm1).
  y.resize(x.rows(), x.cols());
  y.array() = x.array().max(Scalar(0)) + x.array().min(Scalar(0)).exp() - Scalar(1);
}

template <typename Scalar>
void elu_backward(const Eigen::Ref<const MatrixOf<Scalar>>& y, const Eigen::Ref<const MatrixOf<Scalar>>& dy,
                  Eigen::Ref<MatrixOf<Scalar>> dx) {
  dx.array() = dy.array() * (y.array().min(Scalar(0)) + Scalar(1));
}

template void elu_forward<float>(const Eigen::Ref<const MatrixOf<float>>&, MatrixOf<float>&);
template void elu_forward<double>(const Eigen::Ref<const MatrixOf<double>>&, MatrixOf<double>&);
template void elu_backward<float>(const Eigen::Ref<const MatrixOf<float>>&, const Eigen::Ref<const MatrixOf<float>>&,
                                  Eigen::Ref<MatrixOf<float>>);
template void elu_backward<double>(const Eigen::Ref<const MatrixOf<double>>&, const Eigen::Ref<const MatrixOf<double>>&,
                                   Eigen::Ref<MatrixOf<double>>);

}  // namespace nfvi
