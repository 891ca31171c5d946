#include "nn/elu.hpp"

#include <type_traits>

#include "math/simd_math.hpp"

namespace nfvi {

template <typename Scalar>
void elu_forward(const Eigen::Ref<const MatrixOf<Scalar>>& x, MatrixOf<Scalar>& y) {
  // max(x, 0) + exp(min(x, 0)) - 1: x for x > 0, exp(x) - 1 otherwise, in
  // one vectorised expression (Eigen vectorises exp, not expm1).
  y.resize(x.rows(), x.cols());
#if defined(__wasm_simd128__)
  // Eigen's exp is scalar in WebAssembly; simd_math's is two doubles at a time.
  if constexpr (std::is_same_v<Scalar, double>) {
    y.array() = x.array().min(0.0);
    simd::exp_into(y.data(), y.data(), y.size());
    y.array() += x.array().max(0.0) - 1.0;
    return;
  }
#endif
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
