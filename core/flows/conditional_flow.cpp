#include "flows/conditional_flow.hpp"

#include <stdexcept>

namespace nfvi {
namespace {

std::vector<int> network_sizes(int dim, int layers, const std::vector<int>& hidden) {
  if (dim < 1) throw std::invalid_argument("flow dimension must be at least 1");
  if (layers < 0) throw std::invalid_argument("number of layers must not be negative");
  std::vector<int> sizes{1};
  sizes.insert(sizes.end(), hidden.begin(), hidden.end());
  sizes.push_back(static_cast<int>(ConditionalFlow::flow_parameter_count(dim, layers)));
  return sizes;
}

}  // namespace

ConditionalFlow::ConditionalFlow(int dim, int layers, const std::vector<int>& hidden)
    : dim_(dim), layers_(layers), network_(network_sizes(dim, layers, hidden)) {}

void ConditionalFlow::forward(VectorConstRef conditions, SamplesConstRef eps) {
  const Eigen::Index b_count = conditions.size();
  if (b_count < 1 || eps.cols() % b_count != 0 || eps.rows() != dim_)
    throw std::invalid_argument("conditional flow: eps must be (D, B*S) for B conditions");
  const Eigen::Index s = eps.cols() / b_count;
  samples_per_condition_ = static_cast<int>(s);

  conditions_ = conditions.transpose();
  network_.forward(conditions_);
  if (flows_.size() != static_cast<size_t>(b_count))
    flows_.assign(static_cast<size_t>(b_count), Flow(dim_, planar_layers(dim_, layers_)));
  z_.resize(dim_, eps.cols());
  log_q_.resize(eps.cols());
  for (Eigen::Index b = 0; b < b_count; ++b) {
    Flow& flow = flows_[static_cast<size_t>(b)];
    flow.parameters() = network_.output().col(b);
    flow.forward(eps.middleCols(b * s, s));
    z_.middleCols(b * s, s) = flow.output();
    log_q_.segment(b * s, s) = flow.log_q();
  }
}

void ConditionalFlow::backward(SamplesConstRef dz_out, ArrayConstRef dlog_q, Eigen::Ref<Vector> gradient) {
  const Eigen::Index b_count = static_cast<Eigen::Index>(flows_.size());
  const Eigen::Index s = samples_per_condition_;
  dflow_parameters_.setZero(flow_parameter_count(), b_count);
  for (Eigen::Index b = 0; b < b_count; ++b) {
    flows_[static_cast<size_t>(b)].backward(dz_out.middleCols(b * s, s), dlog_q.segment(b * s, s),
                                            dflow_parameters_.col(b));
  }
  network_.backward(dflow_parameters_, gradient);
}

Flow ConditionalFlow::flow_for(double condition) const {
  const Matrix x = Matrix::Constant(1, 1, condition);
  Matrix theta;
  network_.predict(x, theta);
  Flow flow(dim_, planar_layers(dim_, layers_));
  flow.parameters() = theta.col(0);
  return flow;
}

}  // namespace nfvi
