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

// The parsed document, read strictly: malformed or truncated text gives the
// byte where it fails, and so do what JSON parsers commonly let through: a
// byte-order mark, a NUL byte, text after the document, a key given twice in
// one object, a number beyond double's range (1e309), and nesting deeper
// than kMaxJsonDepth.
inline constexpr int kMaxJsonDepth = 64;
nlohmann::json parse_json_text(const std::string& text);

// The largest magnitude a trained parameter may have in a model file. Trained
// flows and networks stay far below it (|value| < 100 in every run we made);
// beyond it a file is damaged or hand-made, and its samples overflow.
inline constexpr double kMaxParameterMagnitude = 1e6;

// finite_number(), also within +-kMaxParameterMagnitude.
double parameter_value(const nlohmann::json& value, const std::string& where);

}  // namespace nfvi::json_checks
