// Adam (Kingma & Ba 2015) with bias correction, on one flat parameter vector.
//
// Adam steps double parameters; AdamOf<float> steps float ones with float
// moments (the VAE's float networks). The step size and the bias corrections
// are computed in double either way.
#pragma once

#include "math/types.hpp"

namespace nfvi {

template <typename Scalar>
class AdamOf {
 public:
  using Vec = VectorOf<Scalar>;

  static constexpr double kBeta1 = 0.9, kBeta2 = 0.999;  // the defaults, Kingma & Ba's
  AdamOf(Eigen::Index size, double learning_rate, double beta1 = kBeta1, double beta2 = kBeta2, double epsilon = 1e-8);

  // m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
  // theta -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
  void step(Eigen::Ref<Vec> parameters, const Eigen::Ref<const Vec>& gradient);

  // For a schedule: the steps from now on use this learning rate.
  void set_learning_rate(double learning_rate) { learning_rate_ = learning_rate; }
  double learning_rate() const { return learning_rate_; }

  // Everything that step() changes, for checkpoints: restoring it makes the
  // following steps identical to an uninterrupted run.
  struct State {
    double beta1_power = 1, beta2_power = 1;  // b1^t, b2^t
    Vec m, v;                                 // first and second moments
  };
  State state() const { return {beta1_power_, beta2_power_, m_, v_}; }
  // Throws std::invalid_argument if the moments' sizes differ from this
  // optimiser's, or a power is outside [0, 1] (1 only before the first step).
  void set_state(const State& state);

 private:
  double learning_rate_, beta1_, beta2_, epsilon_;
  double beta1_power_ = 1, beta2_power_ = 1;
  Vec m_, v_;
};

using Adam = AdamOf<double>;

}  // namespace nfvi
