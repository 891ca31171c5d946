#include "nn/dense_layer.hpp"

#include <stdexcept>

namespace nfvi {

template <typename Scalar>
DenseLayerOf<Scalar>::DenseLayerOf(int inputs, int outputs) : inputs_(inputs), outputs_(outputs) {
  if (inputs < 1 || outputs < 1) throw std::invalid_argument("a dense layer needs at least 1 input and 1 output");
}

template <typename Scalar>
auto DenseLayerOf<Scalar>::weight(VecConstRef params) const -> Eigen::Map<const Mat> {
  return Eigen::Map<const Mat>(params.data(), outputs_, inputs_);
}

template <typename Scalar>
auto DenseLayerOf<Scalar>::bias(VecConstRef params) const -> Eigen::Map<const Vec> {
  return Eigen::Map<const Vec>(params.data() + Eigen::Index{outputs_} * inputs_, outputs_);
}

template <typename Scalar>
void DenseLayerOf<Scalar>::forward(VecConstRef params, MatConstRef x, Mat& y) const {
  y.resize(outputs_, x.cols());
  y.noalias() = weight(params) * x;
  y.colwise() += bias(params);
}

template <typename Scalar>
void DenseLayerOf<Scalar>::backward(VecConstRef params, MatConstRef x, MatConstRef dy, Eigen::Ref<Vec> dparams,
                                    Mat* dx) const {
  Eigen::Map<Mat> dweight(dparams.data(), outputs_, inputs_);
  Eigen::Map<Vec> dbias(dparams.data() + Eigen::Index{outputs_} * inputs_, outputs_);
  dweight.noalias() += dy * x.transpose();
  dbias += dy.rowwise().sum();
  if (dx != nullptr) {
    dx->resize(inputs_, dy.cols());
    dx->noalias() = weight(params).transpose() * dy;
  }
}

template class DenseLayerOf<float>;
template class DenseLayerOf<double>;

}  // namespace nfvi
