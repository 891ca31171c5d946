#include "nn/dense_layer.hpp"

#include <stdexcept>
#include <type_traits>

#if defined(__wasm_simd128__)
#include "nn/small_products.hpp"
#endif

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
#if defined(__wasm_simd128__)
  if constexpr (std::is_same_v<Scalar, double>) {
    small_products::product_nn(outputs_, static_cast<int>(x.cols()), inputs_, params.data(), outputs_, x.data(),
                               static_cast<int>(x.outerStride()), y.data(), outputs_);
  } else {
    y.noalias() = weight(params) * x;
  }
#else
  y.noalias() = weight(params) * x;
#endif
  y.colwise() += bias(params);
}

template <typename Scalar>
void DenseLayerOf<Scalar>::backward(VecConstRef params, MatConstRef x, MatConstRef dy, Eigen::Ref<Vec> dparams,
                                    Mat* dx) const {
  Eigen::Map<Mat> dweight(dparams.data(), outputs_, inputs_);
  Eigen::Map<Vec> dbias(dparams.data() + Eigen::Index{outputs_} * inputs_, outputs_);
  dbias += dy.rowwise().sum();
#if defined(__wasm_simd128__)
  if constexpr (std::is_same_v<Scalar, double>) {
    const int n = static_cast<int>(dy.cols());
    small_products::product_nt(outputs_, inputs_, n, dy.data(), static_cast<int>(dy.outerStride()), x.data(),
                               static_cast<int>(x.outerStride()), dweight.data(), outputs_);
    if (dx != nullptr) {
      dx->resize(inputs_, n);
      small_products::product_tn(inputs_, n, outputs_, params.data(), outputs_, dy.data(),
                                 static_cast<int>(dy.outerStride()), dx->data(), inputs_);
    }
    return;
  }
#endif
  dweight.noalias() += dy * x.transpose();
  if (dx != nullptr) {
    dx->resize(inputs_, dy.cols());
    dx->noalias() = weight(params).transpose() * dy;
  }
}

template class DenseLayerOf<float>;
template class DenseLayerOf<double>;

}  // namespace nfvi
