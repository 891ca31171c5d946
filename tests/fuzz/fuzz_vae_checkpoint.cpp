// libFuzzer harness: the VAE checkpoint reader (`nfvi vae --resume`), against
// the run of the seed corpus: 4 x 4 images, latent 2, 1 flow, 4 hidden units
// (tests/fuzz/make-corpus.sh). A checkpoint that reads is also restored into
// the trainer, as --resume does.
#include <cstddef>
#include <cstdint>
#include <string>

#include "vae_checkpoint.hpp"

namespace {

struct Run {
  nfvi::FlowVaeTrainingConfig config;
  nfvi::VaeCheckpointExpectation expected;
  Run() {
    config.shape = {16, 2, 1, 4};
    config.samples = 1;
    config.batch = 8;
    config.seed = 1;
    nfvi::FlowVaeTrainer trainer(config, 90);
    const nfvi::FlowVaeTrainingState state = trainer.state();
    expected.config = {{"data", "tiny.idx"}, {"binarize", "threshold"}, {"latent", 2},   {"flows", 1},
                       {"samples", 1},       {"hidden", 4},             {"batch", 8},    {"lr", 0.0001},
                       {"seed", 1},          {"eval_every", 1},         {"is_samples", 5}, {"precision", "float"}};
    expected.parameters = state.parameters.size();
    expected.encoder_moments = state.encoder_adam.m.size();
    expected.decoder_moments = state.decoder_adam.m.size();
    expected.batches_per_epoch = trainer.batches_per_epoch();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Run run;
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    const nfvi::VaeCheckpoint checkpoint = nfvi::decode_vae_checkpoint(bytes, run.expected);
    nfvi::FlowVaeTrainer trainer(run.config, 90);
    trainer.set_state(checkpoint.state);
  } catch (const nfvi::CheckpointError&) {
  }
  return 0;
}
