#include "mlp.hpp"

#include <cmath>
#include <stdexcept>

#include "elu.hpp"

namespace nfvi {

Mlp::Mlp(std::vector<int> sizes) : sizes_(std::move(sizes)) {
  if (sizes_.size() < 2) throw std::invalid_argument("an MLP needs at least an input and an output size");
  for (int s : sizes_)
    if (s < 1) throw std::invalid_argument("every MLP layer size must be at least 1");
  offsets_.push_back(0);
  for (size_t l = 0; l + 1 < sizes_.size(); ++l) {
    layers_.emplace_back(sizes_[l], sizes_[l + 1]);
    offsets_.push_back(offsets_.back() + layers_.back().parameter_count());
  }
  params_ = Vector::Zero(parameter_count());
  inputs_.resize(layers_.size());
}

Eigen::Map<const Matrix> Mlp::weight(int layer) const {
  const DenseLayer& d = layers_.at(static_cast<size_t>(layer));
  return d.weight(params_.segment(parameter_offset(layer), d.parameter_count()));
}

Eigen::Map<const Vector> Mlp::bias(int layer) const {
  const DenseLayer& d = layers_.at(static_cast<size_t>(layer));
  return d.bias(params_.segment(parameter_offset(layer), d.parameter_count()));
}

void Mlp::initialize(Random& rng, MlpInit init) {
  for (int l = 0; l < layer_count(); ++l) {
    const DenseLayer& d = layers_[static_cast<size_t>(l)];
    const double fan_in = d.inputs();
    const double fan_out = d.outputs();
    const Eigen::Index o = parameter_offset(l);
    const Eigen::Index weights = Eigen::Index{d.outputs()} * d.inputs();
    auto w = params_.segment(o, weights);
    auto b = params_.segment(o + weights, d.outputs());
    switch (init) {
      case MlpInit::He: {
        const double sd = std::sqrt(2.0 / fan_in);
        for (auto& v : w) v = sd * rng.normal();
        b.setZero();
        break;
      }
      case MlpInit::Glorot: {
        const double bound = std::sqrt(6.0 / (fan_in + fan_out));
        for (auto& v : w) v = bound * (2 * rng.uniform() - 1);
        b.setZero();
        break;
      }
      case MlpInit::TorchLinear: {
        const double bound = 1.0 / std::sqrt(fan_in);
        for (auto& v : w) v = bound * (2 * rng.uniform() - 1);
        for (auto& v : b) v = bound * (2 * rng.uniform() - 1);
        break;
      }
    }
  }
}

void Mlp::forward(MatrixConstRef x) {
  if (x.rows() != input_size()) throw std::invalid_argument("MLP input has the wrong number of rows");
  inputs_[0] = x;
  for (int l = 0; l < layer_count(); ++l) {
    const DenseLayer& d = layers_[static_cast<size_t>(l)];
    const auto p = params_.segment(parameter_offset(l), d.parameter_count());
    if (l + 1 < layer_count()) {
      d.forward(p, inputs_[static_cast<size_t>(l)], pre_activation_);
      elu_forward(pre_activation_, inputs_[static_cast<size_t>(l) + 1]);
    } else {
      d.forward(p, inputs_[static_cast<size_t>(l)], output_);
    }
  }
}

void Mlp::backward(MatrixConstRef dy, Eigen::Ref<Vector> gradient, Matrix* dx) {
  delta_ = dy;
  for (int l = layer_count() - 1; l >= 0; --l) {
    const DenseLayer& d = layers_[static_cast<size_t>(l)];
    const Eigen::Index o = parameter_offset(l);
    const auto p = params_.segment(o, d.parameter_count());
    const Matrix& a = inputs_[static_cast<size_t>(l)];
    if (l > 0) {
      d.backward(p, a, delta_, gradient.segment(o, d.parameter_count()), &delta_below_);
      elu_backward(a, delta_below_, delta_below_);  // a = elu(pre-activation of layer l - 1)
      delta_.swap(delta_below_);
    } else {
      d.backward(p, a, delta_, gradient.segment(o, d.parameter_count()), dx);
    }
  }
}

}  // namespace nfvi
