#include "vae/flow_vae.hpp"

#include <cassert>
#include <cmath>

#include "vi/pareto_k_hat.hpp"

namespace nfvi {
namespace {

constexpr double kHalfLog2Pi = 0.91893853320467274178;  // log(2 pi) / 2

Matrix softplus_of(MatrixConstRef x) { return (x.array().max(0.0) + (-x.array().abs()).exp().log1p()).matrix(); }

}  // namespace

template <typename Scalar>
FlowVaeOf<Scalar>::FlowVaeOf(const FlowVaeShape& shape)
    : shape_(shape),
      encoder_({shape.data_dim, shape.hidden, shape.hidden,
                2 * shape.latent + 2 * shape.flows * shape.latent + shape.flows}),
      decoder_({shape.latent, shape.hidden, shape.hidden, shape.data_dim}),
      flow_(shape.latent, shape.flows) {}

template <typename Scalar>
auto FlowVaeOf<Scalar>::parameters() const -> Vec {
  Vec p(parameter_count());
  p << encoder_.parameters(), decoder_.parameters();
  return p;
}

template <typename Scalar>
void FlowVaeOf<Scalar>::set_parameters(const Eigen::Ref<const Vec>& p) {
  assert(p.size() == parameter_count());
  encoder_.parameters() = p.head(encoder_.parameter_count());
  decoder_.parameters() = p.tail(decoder_.parameter_count());
}

template <typename Scalar>
void FlowVaeOf<Scalar>::initialize(Random& random) {
  encoder_.initialize(random, MlpInit::TorchLinear);
  decoder_.initialize(random, MlpInit::TorchLinear);
}

template <typename Scalar>
void FlowVaeOf<Scalar>::forward(MatrixConstRef x, MatrixConstRef eps, Eigen::Ref<Array> log_w) {
  const Eigen::Index D = shape_.latent, B = x.cols(), SB = eps.cols();
  assert(x.rows() == shape_.data_dim && eps.rows() == D && SB % B == 0 && log_w.size() == SB);
  const Eigen::Index S = SB / B;
  x_ = x.template cast<Scalar>();
  eps_ = eps;

  encoder_.forward(x_);
  encoded_ = encoder_.output().template cast<double>();
  const auto mu = encoded_.topRows(D);
  sigma_ = softplus_of(encoded_.middleRows(D, D));
  const Eigen::ArrayXXd log_sigma_sum = sigma_.array().log().colwise().sum();  // (1, B)

  // z0 = mu + sigma * eps, and log q0(z0) = -|eps|^2/2 - sum log sigma - D/2 log 2 pi, into log_w.
  Matrix z0(D, SB);
  for (Eigen::Index s = 0; s < S; ++s) {
    z0.middleCols(s * B, B) = mu + sigma_.cwiseProduct(eps.middleCols(s * B, B));
    log_w.segment(s * B, B) =
        (0.5 * eps.middleCols(s * B, B).colwise().squaredNorm().array() + log_sigma_sum.row(0)).transpose() +
        D * kHalfLog2Pi;  // -log q0 for now
  }

  z_K_.resize(D, SB);
  log_det_.resize(SB);
  if (shape_.flows > 0) {
    flow_.forward(encoded_.bottomRows(flow_.parameter_rows()), z0, z_K_, log_det_);
  } else {
    z_K_ = z0;
    log_det_.setZero();
  }

  // + log p(z_K) + sum log det
  log_w += log_det_ - 0.5 * z_K_.colwise().squaredNorm().transpose().array() - D * kHalfLog2Pi;

  decoder_.forward(z_K_.template cast<Scalar>());
  ArrayOf<Scalar> log_px(SB);
  likelihood_.forward(x_, decoder_.output(), log_px);
  log_w += log_px.template cast<double>();
}

template <typename Scalar>
void FlowVaeOf<Scalar>::backward(ArrayConstRef dlog_w, Eigen::Ref<Vec> gradient) {
  const Eigen::Index D = shape_.latent, B = x_.cols(), SB = eps_.cols();
  const Eigen::Index S = SB / B;
  const Eigen::Index n_encoder = encoder_.parameter_count();

  // Decoder: d log p(x|z_K) / d logits, then back to z_K.
  dlogits_.setZero(shape_.data_dim, SB);
  likelihood_.backward(x_, decoder_.output(), dlog_w.template cast<Scalar>(), dlogits_);
  decoder_.backward(dlogits_, gradient.tail(decoder_.parameter_count()), &dz_decoder_);
  dz_ = dz_decoder_.template cast<double>();
  // Prior: d log p(z)/dz = -z.
  dz_ -= (z_K_.array().rowwise() * dlog_w.transpose()).matrix();

  dencoded_.setZero(encoder_.output_size(), B);
  if (shape_.flows > 0) {
    flow_.backward(encoded_.bottomRows(flow_.parameter_rows()), dz_, dlog_w, dz_,
                   dencoded_.bottomRows(flow_.parameter_rows()));
  }

  // Base: z0 = mu + sigma eps, -log q0 contains + sum log sigma.
  auto dmu = dencoded_.topRows(D);
  Matrix dsigma = Matrix::Zero(D, B);
  Eigen::ArrayXXd dlog_w_sum = Eigen::ArrayXXd::Zero(1, B);
  for (Eigen::Index s = 0; s < S; ++s) {
    dmu += dz_.middleCols(s * B, B);
    dsigma += dz_.middleCols(s * B, B).cwiseProduct(eps_.middleCols(s * B, B));
    dlog_w_sum += dlog_w.segment(s * B, B).transpose();
  }
  dsigma.array() += sigma_.array().inverse().rowwise() * dlog_w_sum.row(0);
  // drho = dsigma sigmoid(rho), and sigmoid(rho) = 1 - exp(-softplus(rho)) = 1 - exp(-sigma).
  dencoded_.middleRows(D, D) = dsigma.cwiseProduct((1 - (-sigma_.array()).exp()).matrix());

  encoder_.backward(dencoded_.template cast<Scalar>(), gradient.head(n_encoder), nullptr);
}

template <typename Scalar>
double FlowVaeOf<Scalar>::negative_elbo(MatrixConstRef x, MatrixConstRef eps, Vec* gradient) {
  Array log_w(eps.cols());
  forward(x, eps, log_w);
  if (gradient != nullptr) backward(Array::Constant(log_w.size(), -1.0 / static_cast<double>(log_w.size())), *gradient);
  return -log_w.mean();
}

template <typename Scalar>
Array FlowVaeOf<Scalar>::importance_sampled_log_likelihood(MatrixConstRef x, int samples, Random& random,
                                                           Eigen::Index chunk) {
  return importance_sampled(x, samples, random, chunk, nullptr);
}

template <typename Scalar>
Array FlowVaeOf<Scalar>::importance_sampled_log_likelihood(MatrixConstRef x, int samples, Random& random,
                                                           Array& k_hat, Eigen::Index chunk) {
  return importance_sampled(x, samples, random, chunk, &k_hat);
}

template <typename Scalar>
Array FlowVaeOf<Scalar>::importance_sampled(MatrixConstRef x, int samples, Random& random, Eigen::Index chunk,
                                            Array* k_hat) {
  const Eigen::Index N = x.cols(), D = shape_.latent;
  Array result(N);
  if (k_hat != nullptr) k_hat->resize(N);
  for (Eigen::Index start = 0; start < N; start += chunk) {
    const Eigen::Index B = std::min(chunk, N - start);
    Samples eps_rows(D, samples * B);
    random.fill_normal(eps_rows);
    const Matrix eps = eps_rows;
    Array log_w(samples * B);
    forward(x.middleCols(start, B), eps, log_w);
    // log (1/S) sum_s exp(log w_s), stably.
    const Eigen::Map<const Eigen::ArrayXXd> by_sample(log_w.data(), B, samples);  // (B, S)
    const Eigen::ArrayXd m = by_sample.rowwise().maxCoeff();
    result.segment(start, B) =
        m + (by_sample.colwise() - m).exp().rowwise().sum().log() - std::log(static_cast<double>(samples));
    if (k_hat != nullptr)
      for (Eigen::Index b = 0; b < B; ++b) (*k_hat)(start + b) = pareto_k_hat(by_sample.row(b).transpose()).k_hat;
  }
  return result;
}

template <typename Scalar>
Matrix FlowVaeOf<Scalar>::decode_means(MatrixConstRef z) {
  decoder_.forward(z.template cast<Scalar>());
  return (1 / (1 + (-decoder_.output().array().template cast<double>()).exp())).matrix();
}

template <typename Scalar>
Matrix FlowVaeOf<Scalar>::encode_means(MatrixConstRef x) {
  encoder_.forward(x.template cast<Scalar>());
  return encoder_.output().topRows(shape_.latent).template cast<double>();
}

template class FlowVaeOf<float>;
template class FlowVaeOf<double>;

}  // namespace nfvi
