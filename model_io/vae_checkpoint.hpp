// checkpoint.bin of `nfvi vae`: everything needed to continue a run exactly,
// and the run's history, so that elbo.csv can always be rewritten from it
// (the checkpoint is the one file that defines an epoch as done).
//
// Layout (version 2):
//   8 bytes   magic "NFVIVAE2"
//   8 bytes   n, the header's length (unsigned, little-endian)
//   n bytes   JSON header: config, epochs_done, history, Adam's powers of
//             beta, the generator's state, and the sizes of the vectors
//   payload   little-endian doubles: parameters, encoder Adam m and v,
//             decoder Adam m and v
//   8 bytes   FNV-1a 64 of everything before it
// Version 1 ("NFVIVAE1", nfvi before the checksum) is read too.
//
// Two optional header keys come from the web page's VAE view, whose model
// is trained batch by batch rather than epoch by epoch:
//   "steps_before_epoch_1"  Adam steps taken before this run's first epoch
//                           (a page model: all of its steps, with epochs_done
//                           0), so Adam's powers fit it plus epochs x batches;
//   "page"                  the page's own record (its batch ELBOs), which
//                           nfvi vae keeps as it is and otherwise ignores.
//
// Decoding trusts nothing: every field is checked against the run it is to
// continue (its config, its vector sizes, Adam's powers against beta^steps),
// sizes are checked before anything is allocated, and any mismatch is a
// CheckpointError with a one-line message.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "vae/flow_vae_trainer.hpp"

namespace nfvi {

class CheckpointError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One epoch of a run: one row of elbo.csv. test_nll is NaN where it was not evaluated.
struct EpochRecord {
  int epoch = 0;
  double train_elbo = 0, test_elbo = 0, test_nll = 0, seconds = 0;
};

struct VaeCheckpoint {
  nlohmann::json config;
  FlowVaeTrainingState state;
  std::vector<EpochRecord> history;  // epochs 1..state.epochs_done
  long long steps_before_epoch_1 = 0;  // Adam steps before epoch 1 (a model from the page)
  nlohmann::json page;                 // the page's record, or null
};

// What the checkpoint must fit: the run's settings and its trainer's sizes.
struct VaeCheckpointExpectation {
  nlohmann::json config;  // run_config() of the command: every key must match
  Eigen::Index parameters = 0, encoder_moments = 0, decoder_moments = 0;
  int batches_per_epoch = 1;
  int max_epochs = 100000;
};

std::string encode_vae_checkpoint(const VaeCheckpoint& checkpoint);

// The checksum of version 2 (FNV-1a, 64 bits), over everything before it.
std::uint64_t vae_checkpoint_checksum(const char* data, std::size_t n);

// Throws CheckpointError. A config key that differs is named as its flag
// ("it was made with --seed 5, not 6"), so the message says what to change.
VaeCheckpoint decode_vae_checkpoint(const std::string& bytes, const VaeCheckpointExpectation& expected);

// The "config" of a checkpoint, read before its run is known (the page's
// loader makes its network from it): the magic, the header's length, the
// checksum and the header's JSON are checked; the rest waits for
// decode_vae_checkpoint. Throws CheckpointError.
nlohmann::json vae_checkpoint_config(const std::string& bytes);

}  // namespace nfvi
