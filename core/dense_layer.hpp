// A dense (fully connected) layer: y = W x + b, applied to a batch.
//
// Convention: a batch is a column-major Matrix with one column per example,
// x (inputs, B) -> y (outputs, B). The layer owns no parameters: they are
// read from a segment of a flat parameter vector, so that a network's
// weights are one Vector that Adam can step. Layout of that segment
// (parameter_count() values):
//   [ W (outputs, inputs), column-major | b (outputs) ]
// A gradient uses the same layout.
//
// Forward keeps nothing: backward needs only x, which the caller holds (an
// MLP keeps every layer's input anyway).
#pragma once

#include "types.hpp"

namespace nfvi {

class DenseLayer {
 public:
  // Throws std::invalid_argument unless inputs >= 1 and outputs >= 1.
  DenseLayer(int inputs, int outputs);

  // Mixed precision: when on, the matrix products (W x, dy x^T, W^T dy) are
  // computed in float from rounded copies of their operands and the results
  // widened back to double; parameters, gradients' accumulation and
  // everything elementwise stay double. About twice as fast (the VAE's
  // training); off by default, and off in every finite-difference test.
  void set_float_products(bool on) { float_products_ = on; }

  int inputs() const { return inputs_; }
  int outputs() const { return outputs_; }
  static Eigen::Index parameter_count(int inputs, int outputs) { return Eigen::Index{outputs} * inputs + outputs; }
  Eigen::Index parameter_count() const { return parameter_count(inputs_, outputs_); }

  // Views of W (outputs, inputs) and b (outputs) inside a parameter (or
  // gradient) segment of parameter_count() values.
  Eigen::Map<const Matrix> weight(VectorConstRef params) const;
  Eigen::Map<const Vector> bias(VectorConstRef params) const;

  // y = W x + b for every column: x (inputs, B) -> y (outputs, B), resized.
  // One matrix product for the whole batch.
  void forward(VectorConstRef params, MatrixConstRef x, Matrix& y) const;

  // Given dy = dL/dy (outputs, B) and the x given to forward (inputs, B):
  //   dW += dy x^T          (outputs, inputs)
  //   db += sum_n dy_n      (outputs)
  //   dx  = W^T dy          (inputs, B), written (not added), if dx is non-null
  // dparams is a segment of parameter_count() values in the layout above.
  void backward(VectorConstRef params, MatrixConstRef x, MatrixConstRef dy, Eigen::Ref<Vector> dparams,
                Matrix* dx) const;

 private:
  int inputs_;
  int outputs_;
  bool float_products_ = false;
};

}  // namespace nfvi
