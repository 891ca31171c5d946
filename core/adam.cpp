#include "adam.hpp"

#include <cmath>
#include <stdexcept>

namespace nfvi {

Adam::Adam(Eigen::Index size, double learning_rate, double beta1, double beta2, double epsilon)
    : learning_rate_(learning_rate),
      beta1_(beta1),
      beta2_(beta2),
      epsilon_(epsilon),
      m_(Vector::Zero(size)),
      v_(Vector::Zero(size)) {}

void Adam::step(Eigen::Ref<Vector> parameters, VectorConstRef gradient) {
  beta1_power_ *= beta1_;
  beta2_power_ *= beta2_;
  m_ = beta1_ * m_ + (1 - beta1_) * gradient;
  v_ = beta2_ * v_ + (1 - beta2_) * gradient.cwiseAbs2();
  const double step_size = learning_rate_ / (1 - beta1_power_);
  const double v_scale = 1 / (1 - beta2_power_);
  parameters.array() -= step_size * m_.array() / ((v_.array() * v_scale).sqrt() + epsilon_);
}

void Adam::set_state(const State& state) {
  if (state.m.size() != m_.size() || state.v.size() != v_.size())
    throw std::invalid_argument("Adam state of the wrong size");
  beta1_power_ = state.beta1_power;
  beta2_power_ = state.beta2_power;
  m_ = state.m;
  v_ = state.v;
}

}  // namespace nfvi
