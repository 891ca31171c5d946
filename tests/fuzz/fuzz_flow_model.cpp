// libFuzzer harness: the flow-model reader (`nfvi sample --model`, the page's Load).
// Any input must give a model or a ModelFormatError, nothing else: no crash,
// no other exception, no undefined behaviour, no unbounded allocation.
#include <cstddef>
#include <cstdint>
#include <string>

#include "model_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const nfvi::FlowModel model = nfvi::flow_model_from_text(text);
    nfvi::flow_model_to_json(model);  // what was read can be written back
  } catch (const nfvi::ModelFormatError&) {
  }
  return 0;
}
