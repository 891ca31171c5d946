// Adam (Kingma & Ba 2015) with bias correction, on one flat parameter vector.
#pragma once

#include "types.hpp"

namespace nfvi {

class Adam {
 public:
  Adam(Eigen::Index size, double learning_rate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8);

  // m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
  // theta -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
  void step(Eigen::Ref<Vector> parameters, VectorConstRef gradient);

 private:
  double learning_rate_, beta1_, beta2_, epsilon_;
  double beta1_power_ = 1, beta2_power_ = 1;
  Vector m_, v_;
};

}  // namespace nfvi
