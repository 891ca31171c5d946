#include "flows/flow.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "flows/flow_spec.hpp"
#include "flows/layers/planar_layer.hpp"
#include "math/array_math.hpp"
#include "math/scalar_math.hpp"

namespace nfvi {

Flow::Flow(int dim, std::vector<std::unique_ptr<FlowLayer>> layers) : dim_(dim), layers_(std::move(layers)) {
  if (dim < 1) throw std::invalid_argument("flow dimension must be at least 1");
  for (const auto& layer : layers_)
    if (layer->dim() != dim) throw std::invalid_argument("a " + layer->spec() + " layer of the wrong dimension");
  layout();
}

Flow::Flow(int dim, const std::string& spec) : Flow(dim, make_flow_layers(dim, spec)) {}

Flow::Flow(const Flow& other) : dim_(other.dim_), offsets_(other.offsets_), params_(other.params_) {
  for (const auto& layer : other.layers_) layers_.push_back(layer->clone());
}

Flow& Flow::operator=(const Flow& other) {
  if (this != &other) *this = Flow(other);
  return *this;
}

void Flow::layout() {
  offsets_.assign(1, 2 * Eigen::Index{dim_});
  for (const auto& layer : layers_) offsets_.push_back(offsets_.back() + layer->parameter_count());
  params_ = Vector::Zero(offsets_.back());
}

std::string Flow::spec() const { return flow_spec_of(layers_); }

void Flow::initialize(Random& rng) {
  params_.setZero();
  params_.segment(rho_offset(), dim_).setConstant(softplus_inverse(1.0));
  for (int k = 0; k < layers(); ++k) {
    const FlowLayer& layer = *layers_[static_cast<size_t>(k)];
    layer.initialize(params_.segment(layer_offset(k), layer.parameter_count()), rng);
  }
}

void Flow::forward(SamplesConstRef eps) {
  const Eigen::Index n = eps.cols();
  eps_ = eps;
  z_.resize(layers_.size() + 1);
  for (auto& z : z_) z.resize(dim_, n);
  log_q_.resize(n);
  log_det_.resize(n);

  base_.forward(params_.segment(mu_offset(), dim_), params_.segment(rho_offset(), dim_), eps_, z_[0], log_q_);
  // log q -= sum_k log|det_k|: layers that offer their determinant are taken
  // as one log|prod det_k| per run of up to kLayersPerLog; the others give their log.
  int run_start = 0;
  for (int k = 0; k < layers(); ++k) {
    FlowLayer& layer = *layers_[static_cast<size_t>(k)];
    const auto params = params_.segment(layer_offset(k), layer.parameter_count());
    const size_t in = static_cast<size_t>(k), out = in + 1;
    if (!layer.offers_determinant()) {
      if (run_start < k) subtract_run_log_det();
      layer.forward(params, z_[in], z_[out], log_det_);
      log_q_ -= log_det_;
      run_start = k + 1;
      continue;
    }
    const Array& det = layer.forward_det(params, z_[in], z_[out]);
    if (k == run_start) {
      det_product_ = det;
      run_dets_.clear();
    } else {
      det_product_ *= det;
    }
    run_dets_.push_back(&det);
    if (k + 1 - run_start == kLayersPerLog || k + 1 == layers()) {
      subtract_run_log_det();
      run_start = k + 1;
    }
  }
}

void Flow::subtract_run_log_det() {
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
      for (const Array* det : run_dets_) sum += std::log(std::abs((*det)(i)));
      log_det_(i) = sum;
    }
  }
  log_q_ -= log_det_;
}

void Flow::backward(SamplesConstRef dz_out, ArrayConstRef dlog_q, Eigen::Ref<Vector> gradient) {
  // log q = log q0 - sum_k log_det_k, so dL/dlog_det_k = -dlog_q for every layer.
  const Array dlog_det = -dlog_q;
  dz_ = dz_out;
  for (int k = layers() - 1; k >= 0; --k) {
    FlowLayer& layer = *layers_[static_cast<size_t>(k)];
    const Eigen::Index o = layer_offset(k), p = layer.parameter_count();
    layer.backward(params_.segment(o, p), z_[static_cast<size_t>(k)], dz_, dlog_det, dz_, gradient.segment(o, p));
  }
  base_.backward(eps_, dz_, dlog_q, gradient.segment(mu_offset(), dim_), gradient.segment(rho_offset(), dim_));
}

void Flow::log_density(SamplesConstRef z, Array& log_q, Samples* base) {
  const Eigen::Index n = z.cols();
  Samples current = z, previous(dim_, n);
  Array log_det_sum = Array::Zero(n), log_det(n);
  for (int k = layers() - 1; k >= 0; --k) {
    FlowLayer& layer = *layers_[static_cast<size_t>(k)];
    layer.inverse(params_.segment(layer_offset(k), layer.parameter_count()), current, previous, log_det);
    log_det_sum += log_det;
    current.swap(previous);
  }
  // log q0(z_0) with eps = (z_0 - mu) / sigma.
  const Vector mu = params_.segment(mu_offset(), dim_);
  Vector sigma(dim_);
  for (int d = 0; d < dim_; ++d) sigma(d) = softplus(params_(rho_offset() + d));
  Samples eps = (current.colwise() - mu).array().colwise() / sigma.array();
  log_q = -0.5 * eps.colwise().squaredNorm().transpose().array() - sigma.array().log().sum() -
          0.5 * dim_ * std::log(2 * kPi) - log_det_sum;
  if (base != nullptr) *base = current;
}

void Flow::log_q_gradient(Samples& gradient) {
  const Eigen::Index n = eps_.cols();
  gradient.resize(dim_, n);
  for (int d = 0; d < dim_; ++d) gradient.row(d) = eps_.row(d) * (-1 / softplus(params_(rho_offset() + d)));
  const Array dlog_det = Array::Constant(n, -1.0);
  for (int k = 0; k < layers(); ++k) {
    FlowLayer& layer = *layers_[static_cast<size_t>(k)];
    layer.inverse_backward(params_.segment(layer_offset(k), layer.parameter_count()), z_[static_cast<size_t>(k)],
                           gradient, dlog_det, gradient);
  }
}

void Flow::log_density_gradient(SamplesConstRef z, Array& log_q, Samples& gradient) {
  Samples base;
  log_density(z, log_q, &base);
  Vector sigma(dim_);
  for (int d = 0; d < dim_; ++d) sigma(d) = softplus(params_(rho_offset() + d));
  const Samples eps = (base.colwise() - params_.segment(mu_offset(), dim_)).array().colwise() / sigma.array();
  forward(eps);
  log_q_gradient(gradient);
}

std::vector<std::unique_ptr<FlowLayer>> planar_layers(int dim, int layers) {
  if (layers < 0) throw std::invalid_argument("number of layers must not be negative");
  std::vector<std::unique_ptr<FlowLayer>> out;
  for (int k = 0; k < layers; ++k) out.push_back(std::make_unique<PlanarLayer>(dim));
  return out;
}

void sample_flow(Flow& flow, Random& rng, Eigen::Index n, Samples& z, Array& log_q, Eigen::Index chunk) {
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

std::vector<double> log_density_grid(Flow& flow, double lo, double hi, int bins) {
  if (flow.dim() != 2) throw std::invalid_argument("a density grid needs a 2-D flow");
  Samples points(2, static_cast<Eigen::Index>(bins) * bins);
  const double cell = (hi - lo) / bins;
  for (int iy = 0; iy < bins; ++iy)
    for (int ix = 0; ix < bins; ++ix) {
      points(0, iy * bins + ix) = lo + (ix + 0.5) * cell;
      points(1, iy * bins + ix) = lo + (iy + 0.5) * cell;
    }
  Array log_q;
  flow.log_density(points, log_q);
  return std::vector<double>(log_q.data(), log_q.data() + log_q.size());
}

}  // namespace nfvi
