// Training of a FlowVae by Adam on minibatches, epoch by epoch, as the seed
// did: each epoch visits the training images in a fresh random order, in
// batches of `batch` (the last one smaller), with S samples of eps per image.
//
// One generator (seeded by `seed`) draws, in this order, the initial weights,
// then per epoch the image order and per batch the eps. Its state, the
// weights and Adam's moments are the whole training state (State), so a run
// restored from a State after epoch e continues exactly as if uninterrupted.
//
// FlowVaeTrainer trains a double FlowVae; FlowVaeTrainerOf<float> a float
// one, with float Adam moments (the native default, as fast as the seed's
// PyTorch code). Both give their State in double, which holds every float
// exactly, so checkpoints have one format.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <vector>

#include "nn/adam.hpp"
#include "vae/flow_vae.hpp"
#include "math/random.hpp"

namespace nfvi {

struct FlowVaeTrainingConfig {
  FlowVaeShape shape;
  int samples = 1;  // S, samples of eps per image
  int batch = 128;
  double learning_rate = 1e-4;
  std::uint64_t seed = 1;
};

// The loss or a gradient became NaN or infinite; the message names epoch and batch.
// (Its own name: flow_trainer.hpp defines nfvi::TrainingDiverged, another class,
// and both live in nfvi_core.)
class VaeTrainingDiverged : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Everything that training changes, in double whatever the trainer's precision.
struct FlowVaeTrainingState {
  int epochs_done = 0;
  Vector parameters;
  Adam::State encoder_adam, decoder_adam;
  Random::State random;
};

template <typename Scalar>
class FlowVaeTrainerOf {
 public:
  // train_size: the number of training images (columns of the data passed to train_batch).
  FlowVaeTrainerOf(const FlowVaeTrainingConfig& config, Eigen::Index train_size);

  const FlowVaeTrainingConfig& config() const { return config_; }
  FlowVaeOf<Scalar>& model() { return model_; }
  int batches_per_epoch() const;
  int epochs_done() const { return epochs_done_; }

  // Draws the order of the training images for the next epoch.
  void begin_epoch();
  // One Adam step on batch `index` (0-based) of the current epoch; `train`
  // is (P, train_size). Returns the batch's mean ELBO (before the step).
  // Throws VaeTrainingDiverged on a non-finite loss or gradient; the weights
  // are then left as before the step.
  double train_batch(MatrixConstRef train, int index);
  // Marks the epoch as done.
  void end_epoch() { ++epochs_done_; }

  using State = FlowVaeTrainingState;
  // Valid between epochs (after end_epoch, before begin_epoch).
  State state() const;
  // Throws std::invalid_argument if the sizes do not fit this configuration.
  void set_state(const State& state);

 private:
  FlowVaeTrainingConfig config_;
  Eigen::Index train_size_;
  Random random_;
  FlowVaeOf<Scalar> model_;
  AdamOf<Scalar> encoder_adam_, decoder_adam_;
  int epochs_done_ = 0;
  std::vector<Eigen::Index> order_;  // this epoch's order of the training images
  VectorOf<Scalar> gradient_;
};

using FlowVaeTrainer = FlowVaeTrainerOf<double>;

}  // namespace nfvi
