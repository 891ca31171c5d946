#include "nn/mlp.hpp"

#include <cmath>
#include <stdexcept>

#include "nn/elu.hpp"

namespace nfvi {

template <typename Scalar>
MlpOf<Scalar>::MlpOf(std::vector<int> sizes) : sizes_(std::move(sizes)) {
  if (sizes_.size() < 2) throw std::invalid_argument("an MLP needs at least an input and an output size");
  for (int s : sizes_)
    if (s < 1) throw std::invalid_argument("every MLP layer size must be at least 1");
  offsets_.push_back(0);
  for (size_t l = 0; l + 1 < sizes_.size(); ++l) {
    layers_.emplace_back(sizes_[l], sizes_[l + 1]);
    offsets_.push_back(offsets_.back() + layers_.back().parameter_count());
  }
  params_ = Vec::Zero(parameter_count());
  inputs_.resize(layers_.size());
}

template <typename Scalar>
auto MlpOf<Scalar>::weight(int layer) const -> Eigen::Map<const Mat> {
  const DenseLayerOf<Scalar>& d = layers_.at(static_cast<size_t>(layer));
  return d.weight(params_.segment(parameter_offset(layer), d.parameter_count()));
}

template <typename Scalar>
auto MlpOf<Scalar>::bias(int layer) const -> Eigen::Map<const Vec> {
  const DenseLayerOf<Scalar>& d = layers_.at(static_cast<size_t>(layer));
  return d.bias(params_.segment(parameter_offset(layer), d.parameter_count()));
}

template <typename Scalar>
void MlpOf<Scalar>::initialize(Random& rng, MlpInit init) {
  for (int l = 0; l < layer_count(); ++l) {
    const DenseLayerOf<Scalar>& d = layers_[static_cast<size_t>(l)];
    const double fan_in = d.inputs();
    const double fan_out = d.outputs();
    const Eigen::Index o = parameter_offset(l);
    const Eigen::Index weights = Eigen::Index{d.outputs()} * d.inputs();
    auto w = params_.segment(o, weights);
    auto b = params_.segment(o + weights, d.outputs());
    switch (init) {
      case MlpInit::He: {
        const double sd = std::sqrt(2.0 / fan_in);
        for (auto& v : w) v = static_cast<Scalar>(sd * rng.normal());
        b.setZero();
        break;
      }
      case MlpInit::Glorot: {
        const double bound = std::sqrt(6.0 / (fan_in + fan_out));
        for (auto& v : w) v = static_cast<Scalar>(bound * (2 * rng.uniform() - 1));
        b.setZero();
        break;
      }
      case MlpInit::TorchLinear: {
        const double bound = 1.0 / std::sqrt(fan_in);
        for (auto& v : w) v = static_cast<Scalar>(bound * (2 * rng.uniform() - 1));
        for (auto& v : b) v = static_cast<Scalar>(bound * (2 * rng.uniform() - 1));
        break;
      }
    }
  }
}

template <typename Scalar>
void MlpOf<Scalar>::forward(MatConstRef x) {
  if (x.rows() != input_size()) throw std::invalid_argument("MLP input has the wrong number of rows");
  inputs_[0] = x;
  for (int l = 0; l < layer_count(); ++l) {
    const DenseLayerOf<Scalar>& d = layers_[static_cast<size_t>(l)];
    const auto p = params_.segment(parameter_offset(l), d.parameter_count());
    if (l + 1 < layer_count()) {
      d.forward(p, inputs_[static_cast<size_t>(l)], pre_activation_);
      elu_forward<Scalar>(pre_activation_, inputs_[static_cast<size_t>(l) + 1]);
    } else {
      d.forward(p, inputs_[static_cast<size_t>(l)], output_);
    }
  }
}

template <typename Scalar>
void MlpOf<Scalar>::predict(MatConstRef x, Mat& y) const {
  if (x.rows() != input_size()) throw std::invalid_argument("MLP input has the wrong number of rows");
  Mat a = x, pre;
  for (int l = 0; l < layer_count(); ++l) {
    const DenseLayerOf<Scalar>& d = layers_[static_cast<size_t>(l)];
    const auto p = params_.segment(parameter_offset(l), d.parameter_count());
    if (l + 1 < layer_count()) {
      d.forward(p, a, pre);
      elu_forward<Scalar>(pre, a);
    } else {
      d.forward(p, a, y);
    }
  }
}

template <typename Scalar>
void MlpOf<Scalar>::backward(MatConstRef dy, Eigen::Ref<Vec> gradient, Mat* dx) {
  delta_ = dy;
  for (int l = layer_count() - 1; l >= 0; --l) {
    const DenseLayerOf<Scalar>& d = layers_[static_cast<size_t>(l)];
    const Eigen::Index o = parameter_offset(l);
    const auto p = params_.segment(o, d.parameter_count());
    const Mat& a = inputs_[static_cast<size_t>(l)];
    if (l > 0) {
      d.backward(p, a, delta_, gradient.segment(o, d.parameter_count()), &delta_below_);
      elu_backward<Scalar>(a, delta_below_, delta_below_);  // a = elu(pre-activation of layer l - 1)
      delta_.swap(delta_below_);
    } else {
      d.backward(p, a, delta_, gradient.segment(o, d.parameter_count()), dx);
    }
  }
}

template <typename Scalar>
void MlpOf<Scalar>::input_backward(MatConstRef dy, Mat& dx) const {
  Mat delta = dy, below;
  for (int l = layer_count() - 1; l >= 0; --l) {
    below.noalias() = weight(l).transpose() * delta;  // W_l^T delta_l
    if (l > 0) elu_backward<Scalar>(inputs_[static_cast<size_t>(l)], below, below);
    delta.swap(below);
  }
  dx = std::move(delta);
}

template class MlpOf<float>;
template class MlpOf<double>;

}  // namespace nfvi
