// Checks shared by the readers of nfvi's model files: each failure is a
// ModelFormatError with a one-line message that says where the problem is.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace nfvi::json_checks {

// object[key], which must exist; `where` names the object in messages.
const nlohmann::json& require(const nlohmann::json& object, const std::string& key, const std::string& where);

double finite_number(const nlohmann::json& value, const std::string& where);

int whole_number(const nlohmann::json& value, const std::string& where, int lo, int hi);

// The parsed document; malformed or truncated text gives the byte where it fails.
nlohmann::json parse_model_text(const std::string& text);

}  // namespace nfvi::json_checks
