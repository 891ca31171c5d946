// A multilayer perceptron: dense layers with ELU between them, the last
// layer linear.
//
//   sizes {n_0, n_1, ..., n_L}:  a_0 = x (n_0, B)
//     a_l = elu(W_l a_{l-1} + b_l)   for l = 1 .. L-1   (hidden layers)
//     y   = W_L a_{L-1} + b_L        (n_L, B)           (output, linear)
//
// Batches are column-major Matrix, one column per example: x (n_0, B),
// y (n_L, B). Example: Mlp net({1, 512, 512, 164}) maps a (1, B) batch of
// conditions to (164, B).
//
// All weights live in ONE flat Vector, parameters(), so that Adam, the
// finite-difference tests and serialisation see a single array. Layout,
// layer after layer (DenseLayer's layout for each):
//   [ W_1 (n_1, n_0) column-major | b_1 (n_1) | W_2 (n_2, n_1) | b_2 (n_2) | ... ]
// parameter_offset(l) gives where layer l (0-based) starts; weight(l) and
// bias(l) are Eigen::Map views. A gradient has the same layout.
//
// Usage:
//   Mlp net({784, 512, 512, 64});
//   net.initialize(rng, MlpInit::He);
//   net.forward(x);                       // x (784, B)
//   const Matrix& y = net.output();       // (64, B)
//   Vector grad = Vector::Zero(net.parameter_count());
//   Matrix dx;
//   net.backward(dy, grad, &dx);          // dy = dL/dy (64, B); adds dL/dθ into grad, writes dL/dx
//   adam.step(net.parameters(), grad);
// Every product is a whole-batch matrix product (GEMM), not a loop over columns.
//
// Mlp computes in double. MlpOf<float> is the same network in float
// (weights, activations and gradient), for the VAE, whose networks hold over
// a million weights; initialize() draws the same numbers for both.
#pragma once

#include <vector>

#include "nn/dense_layer.hpp"
#include "math/random.hpp"
#include "math/types.hpp"

namespace nfvi {

// Initial weights. For a layer with fan_in inputs and fan_out outputs:
//   He:          W ~ N(0, 2 / fan_in),                        b = 0
//                (He et al. 2015; keeps the activations' scale through ReLU-like units such as ELU)
//   Glorot:      W ~ U(-sqrt(6 / (fan_in + fan_out)), +sqrt(..)),  b = 0   (Glorot & Bengio 2010)
//   TorchLinear: W ~ U(-1/sqrt(fan_in), +1/sqrt(fan_in)),  b ~ U(same)
//                (PyTorch's nn.Linear default, a He-uniform rule with gain 1/sqrt(3); the seed's networks
//                were built with it, and its random biases spread the hidden units' kinks over the inputs)
enum class MlpInit { He, Glorot, TorchLinear };

template <typename Scalar>
class MlpOf {
 public:
  using Mat = MatrixOf<Scalar>;
  using Vec = VectorOf<Scalar>;
  using MatConstRef = const Eigen::Ref<const Mat>&;

  // sizes = {inputs, hidden..., outputs}: at least 2 entries, each >= 1.
  // Throws std::invalid_argument otherwise. Parameters start at zero; call initialize().
  explicit MlpOf(std::vector<int> sizes);

  const std::vector<int>& sizes() const { return sizes_; }
  int input_size() const { return sizes_.front(); }
  int output_size() const { return sizes_.back(); }
  int layer_count() const { return static_cast<int>(layers_.size()); }  // dense layers, L
  Eigen::Index parameter_count() const { return offsets_.back(); }
  Eigen::Index parameter_offset(int layer) const { return offsets_.at(static_cast<size_t>(layer)); }

  Vec& parameters() { return params_; }
  const Vec& parameters() const { return params_; }

  // Views of layer l's W (n_{l+1}, n_l) and b (n_{l+1}) inside parameters().
  Eigen::Map<const Mat> weight(int layer) const;
  Eigen::Map<const Vec> bias(int layer) const;

  // Draws every weight (and bias) from rng, layer by layer, W before b,
  // in storage order (in double, then rounded to Scalar).
  void initialize(Random& rng, MlpInit init);

  // x (n_0, B) -> output() (n_L, B). Keeps every layer's input for backward.
  void forward(MatConstRef x);
  const Mat& output() const { return output_; }  // (n_L, B) of the last forward

  // The same map without keeping anything (inference; leaves the state of
  // the last forward, and so a pending backward, untouched): x (n_0, B) -> y (n_L, B).
  void predict(MatConstRef x, Mat& y) const;

  // Given dy = dL/dy (n_L, B) for the last forward, adds dL/dparameters into
  // gradient (parameter_count(), same layout) and, if dx is non-null,
  // writes dL/dx (n_0, B). With delta_L = dy:
  //   dW_l += delta_l a_{l-1}^T,  db_l += sum_n delta_l,n
  //   delta_{l-1} = (W_l^T delta_l) * elu'(.)  with elu' = min(a_{l-1}, 0) + 1   (l > 1)
  //   dx = W_1^T delta_1
  void backward(MatConstRef dy, Eigen::Ref<Vec> gradient, Mat* dx = nullptr);

  // Only dx = dL/dx (n_0, B) for dy = dL/dy (n_L, B) at the last forward, by
  // the same recursion without the weights' gradient; the forward's state
  // stays as it was (a backward may follow).
  void input_backward(MatConstRef dy, Mat& dx) const;

 private:
  std::vector<int> sizes_;
  std::vector<DenseLayerOf<Scalar>> layers_;
  std::vector<Eigen::Index> offsets_;  // L + 1 entries: start of each layer, then the total
  Vec params_;

  std::vector<Mat> inputs_;  // L entries: a_{l-1} (n_{l-1}, B), the input of layer l
  Mat output_;               // (n_L, B)
  Mat pre_activation_;       // (n_l, B) forward scratch
  Mat delta_;                // backward scratch: dL/d(layer output)
  Mat delta_below_;          // backward scratch: dL/d(layer input)
};

using Mlp = MlpOf<double>;

}  // namespace nfvi
