// Reading the model files that commands take (--model): bounded, strict, and
// with every problem reported as a bad-flag error that names the file.
#pragma once

#include <string>

#include "conditional_model_json.hpp"
#include "model_json.hpp"

namespace nfvi {

FlowModel read_flow_model(const std::string& flag, const std::string& path);
ConditionalModel read_conditional_model(const std::string& flag, const std::string& path);

}  // namespace nfvi
