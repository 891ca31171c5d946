// libFuzzer harness: the conditional-model reader (`nfvi cond-sample --model`).
// A model that reads also becomes a trainer and draws a few samples.
#include <cstddef>
#include <cstdint>
#include <string>

#include "conditional_model_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const nfvi::ConditionalModel model = nfvi::conditional_model_from_text(text);
    const nfvi::ConditionalTrainer trainer = nfvi::trainer_for(model);
    nfvi::Samples z;
    nfvi::Array log_q;
    trainer.sample(0.5, 4, 1, z, log_q);
  } catch (const nfvi::ModelFormatError&) {
  }
  return 0;
}
