#include "json_checks.hpp"

#include <cmath>

#include "model_json.hpp"  // ModelFormatError

namespace nfvi::json_checks {

const nlohmann::json& require(const nlohmann::json& object, const std::string& key, const std::string& where) {
  if (!object.is_object()) throw ModelFormatError(where + " must be a JSON object");
  const auto it = object.find(key);
  if (it == object.end()) throw ModelFormatError("missing \"" + key + "\" in " + where);
  return *it;
}

double finite_number(const nlohmann::json& value, const std::string& where) {
  if (!value.is_number()) throw ModelFormatError(where + " must be a number");
  const double x = value.get<double>();
  if (!std::isfinite(x)) throw ModelFormatError(where + " must be finite");
  return x;
}

int whole_number(const nlohmann::json& value, const std::string& where, int lo, int hi) {
  if (!value.is_number_integer()) throw ModelFormatError(where + " must be a whole number");
  const long long x = value.get<long long>();
  if (x < lo || x > hi)
    throw ModelFormatError(where + " must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  return static_cast<int>(x);
}

nlohmann::json parse_model_text(const std::string& text) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw ModelFormatError("not valid JSON (truncated or malformed) at byte " + std::to_string(e.byte));
  }
}

}  // namespace nfvi::json_checks
