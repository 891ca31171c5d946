#include "vi/reverse_kl.hpp"

namespace nfvi {

std::string gradient_estimator_name(GradientEstimator estimator) {
  return estimator == GradientEstimator::PathDerivative ? "stl" : "standard";
}

std::optional<GradientEstimator> gradient_estimator_from_name(const std::string& name) {
  if (name == "standard") return GradientEstimator::Standard;
  if (name == "stl") return GradientEstimator::PathDerivative;
  return std::nullopt;
}

double ReverseKL::evaluate(Flow& flow, SamplesConstRef eps, Vector* gradient, double beta,
                           GradientEstimator estimator) {
  flow.forward(eps);
  energy_function_(flow.output(), energy_, energy_grad_);
  const double n = static_cast<double>(eps.cols());
  const double loss = (flow.log_q() + energy_).sum() / n;
  if (gradient != nullptr) {
    gradient->setZero(flow.parameters().size());
    if (estimator == GradientEstimator::Standard) {
      energy_grad_ *= beta / n;
      flow.backward(energy_grad_, Array::Constant(eps.cols(), 1.0 / n), *gradient);
    } else {
      // dL/dz_K = (d log q / dz_K + beta grad U) / N, dL/dlog q = 0 (see the header).
      flow.log_q_gradient(log_q_grad_);
      log_q_grad_ = (log_q_grad_ + beta * energy_grad_) / n;
      flow.backward(log_q_grad_, Array::Zero(eps.cols()), *gradient);
    }
  }
  return loss;
}

double ReverseKL::evaluate(Flow& flow, Random& rng, Eigen::Index n, Vector* gradient, double beta,
                           GradientEstimator estimator) {
  eps_.resize(flow.dim(), n);
  rng.fill_normal(eps_);
  return evaluate(flow, eps_, gradient, beta, estimator);
}

double estimate_reverse_kl(Flow& flow, const EnergyFunction& energy_function, Random& rng, Eigen::Index n) {
  Samples z, energy_gradient;
  Array log_q, energy;
  sample_flow(flow, rng, n, z, log_q);
  energy_function(z, energy, energy_gradient);
  return (log_q + energy).mean();
}

double estimate_reverse_kl(Flow& flow, Potential potential, Random& rng, Eigen::Index n) {
  return estimate_reverse_kl(flow, energy_function(potential), rng, n);
}

}  // namespace nfvi
