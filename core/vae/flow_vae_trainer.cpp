#include "vae/flow_vae_trainer.hpp"

#include <string>

#include "vae/binary_images.hpp"

namespace nfvi {
namespace {

template <typename To, typename From>
typename AdamOf<To>::State converted(const typename AdamOf<From>::State& s) {
  return {s.beta1_power, s.beta2_power, s.m.template cast<To>(), s.v.template cast<To>()};
}

}  // namespace

template <typename Scalar>
FlowVaeTrainerOf<Scalar>::FlowVaeTrainerOf(const FlowVaeTrainingConfig& config, Eigen::Index train_size)
    : config_(config),
      train_size_(train_size),
      random_(config.seed),
      model_(config.shape),
      encoder_adam_(model_.encoder_parameter_count(), config.learning_rate),
      decoder_adam_(model_.parameter_count() - model_.encoder_parameter_count(), config.learning_rate) {
  if (train_size < 1 || config.batch < 1 || config.samples < 1)
    throw std::invalid_argument("training needs at least one image, a batch of at least 1 and at least 1 sample");
  model_.initialize(random_);
  gradient_.resize(model_.parameter_count());
}

template <typename Scalar>
int FlowVaeTrainerOf<Scalar>::batches_per_epoch() const {
  return static_cast<int>((train_size_ + config_.batch - 1) / config_.batch);
}

template <typename Scalar>
void FlowVaeTrainerOf<Scalar>::begin_epoch() {
  order_ = random_permutation(train_size_, random_);
}

template <typename Scalar>
double FlowVaeTrainerOf<Scalar>::train_batch(MatrixConstRef train, int index) {
  const Eigen::Index start = Eigen::Index{index} * config_.batch;
  const Eigen::Index B = std::min<Eigen::Index>(config_.batch, train_size_ - start);
  const std::vector<Eigen::Index> columns(order_.begin() + start, order_.begin() + start + B);
  const Matrix x = select_columns(train, columns);
  Samples eps_rows(config_.shape.latent, config_.samples * B);
  random_.fill_normal(eps_rows);
  const Matrix eps = eps_rows;

  gradient_.setZero();
  const double loss = model_.negative_elbo(x, eps, &gradient_);
  const auto where = [&] {
    return "epoch " + std::to_string(epochs_done_ + 1) + ", batch " + std::to_string(index + 1);
  };
  if (!std::isfinite(loss)) throw VaeTrainingDiverged("the ELBO is not finite at " + where());
  if (!gradient_.allFinite()) throw VaeTrainingDiverged("a gradient is not finite at " + where());

  const Eigen::Index n_encoder = model_.encoder_parameter_count();
  encoder_adam_.step(model_.encoder().parameters(), gradient_.head(n_encoder));
  decoder_adam_.step(model_.decoder().parameters(), gradient_.tail(gradient_.size() - n_encoder));
  return -loss;
}

template <typename Scalar>
auto FlowVaeTrainerOf<Scalar>::state() const -> State {
  return {epochs_done_, model_.parameters().template cast<double>(), converted<double, Scalar>(encoder_adam_.state()),
          converted<double, Scalar>(decoder_adam_.state()), random_.state()};
}

template <typename Scalar>
void FlowVaeTrainerOf<Scalar>::set_state(const State& state) {
  if (state.parameters.size() != model_.parameter_count() || state.epochs_done < 0)
    throw std::invalid_argument("the training state does not fit this model");
  encoder_adam_.set_state(converted<Scalar, double>(state.encoder_adam));
  decoder_adam_.set_state(converted<Scalar, double>(state.decoder_adam));
  model_.set_parameters(state.parameters.template cast<Scalar>());
  random_.set_state(state.random);
  epochs_done_ = state.epochs_done;
}

template class FlowVaeTrainerOf<float>;
template class FlowVaeTrainerOf<double>;

}  // namespace nfvi
