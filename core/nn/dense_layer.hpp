// A dense (fully connected) layer: y = W x + b, applied to a batch.
//
// Convention: a batch is a column-major matrix with one column per example,
// x (inputs, B) -> y (outputs, B). The layer owns no parameters: they are
// read from a segment of a flat parameter vector, so that a network's
// weights are one vector that Adam can step. Layout of that segment
// (parameter_count() values):
//   [ W (outputs, inputs), column-major | b (outputs) ]
// A gradient uses the same layout.
//
// Forward keeps nothing: backward needs only x, which the caller holds (an
// MLP keeps every layer's input anyway).
//
// Scalar is double (DenseLayer, the one the finite-difference tests check)
// or float (DenseLayerOf<float>, for the VAE's networks): parameters, inputs
// and results all have that type.
#pragma once

#include "math/types.hpp"

namespace nfvi {

template <typename Scalar>
class DenseLayerOf {
 public:
  using Mat = MatrixOf<Scalar>;
  using Vec = VectorOf<Scalar>;
  using MatConstRef = const Eigen::Ref<const Mat>&;
  using VecConstRef = const Eigen::Ref<const Vec>&;

  // Throws std::invalid_argument unless inputs >= 1 and outputs >= 1.
  DenseLayerOf(int inputs, int outputs);

  int inputs() const { return inputs_; }
  int outputs() const { return outputs_; }
  static Eigen::Index parameter_count(int inputs, int outputs) { return Eigen::Index{outputs} * inputs + outputs; }
  Eigen::Index parameter_count() const { return parameter_count(inputs_, outputs_); }

  // Views of W (outputs, inputs) and b (outputs) inside a parameter (or
  // gradient) segment of parameter_count() values.
  Eigen::Map<const Mat> weight(VecConstRef params) const;
  Eigen::Map<const Vec> bias(VecConstRef params) const;

  // y = W x + b for every column: x (inputs, B) -> y (outputs, B), resized.
  // One matrix product for the whole batch.
  void forward(VecConstRef params, MatConstRef x, Mat& y) const;

  // Given dy = dL/dy (outputs, B) and the x given to forward (inputs, B):
  //   dW += dy x^T          (outputs, inputs)
  //   db += sum_n dy_n      (outputs)
  //   dx  = W^T dy          (inputs, B), written (not added), if dx is non-null
  // dparams is a segment of parameter_count() values in the layout above.
  void backward(VecConstRef params, MatConstRef x, MatConstRef dy, Eigen::Ref<Vec> dparams, Mat* dx) const;

 private:
  int inputs_;
  int outputs_;
};

using DenseLayer = DenseLayerOf<double>;

}  // namespace nfvi
