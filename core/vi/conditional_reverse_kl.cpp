#include "vi/conditional_reverse_kl.hpp"

namespace nfvi {

double ConditionalReverseKL::evaluate(ConditionalFlow& flow, VectorConstRef conditions, SamplesConstRef eps,
                                      Vector* gradient) {
  flow.forward(conditions, eps);
  const Samples& z = flow.output();
  const Eigen::Index b_count = conditions.size();
  const Eigen::Index s = flow.samples_per_condition();
  energy_.resize(z.cols());
  energy_grad_.resize(z.rows(), z.cols());
  condition_losses_.resize(b_count);
  for (Eigen::Index b = 0; b < b_count; ++b) {
    energy_function_(conditions(b), z.middleCols(b * s, s), block_energy_, block_grad_);
    energy_.segment(b * s, s) = block_energy_;
    energy_grad_.middleCols(b * s, s) = block_grad_;
    condition_losses_(b) = (flow.log_q().segment(b * s, s) + block_energy_).mean();
  }
  const double n = static_cast<double>(z.cols());
  const double loss = (flow.log_q() + energy_).sum() / n;
  if (gradient != nullptr) {
    gradient->setZero(flow.parameters().size());
    energy_grad_ /= n;
    flow.backward(energy_grad_, Array::Constant(z.cols(), 1.0 / n), *gradient);
  }
  return loss;
}

}  // namespace nfvi
