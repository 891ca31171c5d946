#include "planar_flow.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "array_math.hpp"
#include "scalar_math.hpp"

namespace nfvi {

PlanarFlow::PlanarFlow(int dim, int layers)
    : dim_(dim),
      layers_(layers),
      params_(Vector::Zero(parameter_count(dim, layers))),
      layer_ops_(static_cast<size_t>(layers)) {
  if (dim < 1) throw std::invalid_argument("flow dimension must be at least 1");
  if (layers < 0) throw std::invalid_argument("number of layers must not be negative");
}

void PlanarFlow::initialize(Random& rng) {
  params_.setZero();
  params_.segment(rho_offset(), dim_).setConstant(softplus_inverse(1.0));
  for (int k = 0; k < layers_; ++k) {
    const Eigen::Index o = layer_offset(k);
    for (int i = 0; i < dim_; ++i) params_(o + i) = rng.normal();  // w
    params_(o + 2 * dim_) = rng.normal();                          // b
  }
}

void PlanarFlow::forward(SamplesConstRef eps) {
  const Eigen::Index n = eps.cols();
  eps_ = eps;
  z_.resize(static_cast<size_t>(layers_) + 1);
  for (auto& z : z_) z.resize(dim_, n);
  log_q_.resize(n);
  log_det_.resize(n);

  base_.forward(params_.segment(mu_offset(), dim_), params_.segment(rho_offset(), dim_), eps_, z_[0], log_q_);
  // log q -= sum_k log|det_k|, taken as one log|prod det_k| per run of kLayersPerLog layers.
  int run_start = 0;
  for (int k = 0; k < layers_; ++k) {
    const Eigen::Index o = layer_offset(k);
    PlanarLayer& layer = layer_ops_[static_cast<size_t>(k)];
    layer.forward(params_.segment(o, dim_), params_.segment(o + dim_, dim_), params_(o + 2 * dim_),
                  z_[static_cast<size_t>(k)], z_[static_cast<size_t>(k) + 1]);
    if (k == run_start) {
      det_product_ = layer.det();
    } else {
      det_product_ *= layer.det();
    }
    if (k + 1 - run_start == kLayersPerLog || k + 1 == layers_) {
      subtract_log_det(run_start, k + 1);
      run_start = k + 1;
    }
  }
}

void PlanarFlow::subtract_log_det(int first, int end) {
  log_abs_into(det_product_, log_det_);
  // A product that left the normal range (0, inf, subnormal, NaN) is redone
  // as a sum of logs for that sample. Products of 8 determinants stay well
  // inside the range in practice (the product is the volume change of 8
  // layers, and each |det| that is not 0 is above ~1e-16), so this mostly
  // keeps exact zeros and NaN as they are: visible in log q.
  const bool all_normal = (det_product_.abs() >= std::numeric_limits<double>::min() &&
                           det_product_.abs() <= std::numeric_limits<double>::max())
                              .all();
  if (!all_normal) {
    for (Eigen::Index i = 0; i < det_product_.size(); ++i) {
      const double p = std::abs(det_product_(i));
      if (p >= std::numeric_limits<double>::min() && p <= std::numeric_limits<double>::max()) continue;
      double sum = 0;
      for (int k = first; k < end; ++k) sum += std::log(std::abs(layer_ops_[static_cast<size_t>(k)].det()(i)));
      log_det_(i) = sum;
    }
  }
  log_q_ -= log_det_;
}

void PlanarFlow::backward(SamplesConstRef dz_out, ArrayConstRef dlog_q, Eigen::Ref<Vector> gradient) {
  // log q = log q0 - sum_k log_det_k, so dL/dlog_det_k = -dlog_q for every layer.
  const Array dlog_det = -dlog_q;
  dz_ = dz_out;
  for (int k = layers_ - 1; k >= 0; --k) {
    const Eigen::Index o = layer_offset(k);
    layer_ops_[static_cast<size_t>(k)].backward(z_[static_cast<size_t>(k)], dz_, dlog_det, dz_,
                                                gradient.segment(o, dim_), gradient.segment(o + dim_, dim_),
                                                gradient(o + 2 * dim_));
  }
  base_.backward(eps_, dz_, dlog_q, gradient.segment(mu_offset(), dim_), gradient.segment(rho_offset(), dim_));
}

void sample_flow(PlanarFlow& flow, Random& rng, Eigen::Index n, Samples& z, Array& log_q, Eigen::Index chunk) {
  z.resize(flow.dim(), n);
  log_q.resize(n);
  Samples eps;
  for (Eigen::Index start = 0; start < n; start += chunk) {
    const Eigen::Index m = std::min(chunk, n - start);
    eps.resize(flow.dim(), m);
    rng.fill_normal(eps);
    flow.forward(eps);
    z.middleCols(start, m) = flow.output();
    log_q.segment(start, m) = flow.log_q();
  }
}

}  // namespace nfvi
