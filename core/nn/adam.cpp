#include "nn/adam.hpp"

#include <cmath>
#include <stdexcept>

namespace nfvi {

template <typename Scalar>
AdamOf<Scalar>::AdamOf(Eigen::Index size, double learning_rate, double beta1, double beta2, double epsilon)
    : learning_rate_(learning_rate),
      beta1_(beta1),
      beta2_(beta2),
      epsilon_(epsilon),
      m_(Vec::Zero(size)),
      v_(Vec::Zero(size)) {}

template <typename Scalar>
void AdamOf<Scalar>::step(Eigen::Ref<Vec> parameters, const Eigen::Ref<const Vec>& gradient) {
  beta1_power_ *= beta1_;
  beta2_power_ *= beta2_;
  // 1 - b computed in double: 1 - 0.999f would be off by 1.3e-5 relative.
  const auto b1 = static_cast<Scalar>(beta1_), b2 = static_cast<Scalar>(beta2_);
  const auto one_minus_b1 = static_cast<Scalar>(1 - beta1_), one_minus_b2 = static_cast<Scalar>(1 - beta2_);
  m_ = b1 * m_ + one_minus_b1 * gradient;
  v_ = b2 * v_ + one_minus_b2 * gradient.cwiseAbs2();
  const auto step_size = static_cast<Scalar>(learning_rate_ / (1 - beta1_power_));
  const auto v_scale = static_cast<Scalar>(1 / (1 - beta2_power_));
  parameters.array() -= step_size * m_.array() / ((v_.array() * v_scale).sqrt() + static_cast<Scalar>(epsilon_));
}

template <typename Scalar>
void AdamOf<Scalar>::set_state(const State& state) {
  if (state.m.size() != m_.size() || state.v.size() != v_.size())
    throw std::invalid_argument("Adam state of the wrong size");
  for (double power : {state.beta1_power, state.beta2_power})
    if (!(power >= 0 && power <= 1)) throw std::invalid_argument("Adam state with a power of beta outside [0, 1]");
  beta1_power_ = state.beta1_power;
  beta2_power_ = state.beta2_power;
  m_ = state.m;
  v_ = state.v;
}

template class AdamOf<float>;
template class AdamOf<double>;

}  // namespace nfvi
