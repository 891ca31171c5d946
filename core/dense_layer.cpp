#include "dense_layer.hpp"

#include <stdexcept>

namespace nfvi {

DenseLayer::DenseLayer(int inputs, int outputs) : inputs_(inputs), outputs_(outputs) {
  if (inputs < 1 || outputs < 1) throw std::invalid_argument("a dense layer needs at least 1 input and 1 output");
}

Eigen::Map<const Matrix> DenseLayer::weight(VectorConstRef params) const {
  return Eigen::Map<const Matrix>(params.data(), outputs_, inputs_);
}

Eigen::Map<const Vector> DenseLayer::bias(VectorConstRef params) const {
  return Eigen::Map<const Vector>(params.data() + Eigen::Index{outputs_} * inputs_, outputs_);
}

void DenseLayer::forward(VectorConstRef params, MatrixConstRef x, Matrix& y) const {
  y.resize(outputs_, x.cols());
  if (float_products_)
    y = (weight(params).cast<float>() * x.cast<float>()).cast<double>();
  else
    y.noalias() = weight(params) * x;
  y.colwise() += bias(params);
}

void DenseLayer::backward(VectorConstRef params, MatrixConstRef x, MatrixConstRef dy, Eigen::Ref<Vector> dparams,
                          Matrix* dx) const {
  Eigen::Map<Matrix> dweight(dparams.data(), outputs_, inputs_);
  Eigen::Map<Vector> dbias(dparams.data() + Eigen::Index{outputs_} * inputs_, outputs_);
  if (float_products_)
    dweight += (dy.cast<float>() * x.cast<float>().transpose()).cast<double>();
  else
    dweight.noalias() += dy * x.transpose();
  dbias += dy.rowwise().sum();
  if (dx != nullptr) {
    dx->resize(inputs_, dy.cols());
    if (float_products_)
      *dx = (weight(params).cast<float>().transpose() * dy.cast<float>()).cast<double>();
    else
      dx->noalias() = weight(params).transpose() * dy;
  }
}

}  // namespace nfvi
