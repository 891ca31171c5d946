#include "json_checks.hpp"

#include <cmath>
#include <cstdio>
#include <set>
#include <vector>

#include "model_json.hpp"  // ModelFormatError

namespace nfvi::json_checks {
namespace {

std::string format_number(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", x);
  return text;
}

}  // namespace

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

double parameter_value(const nlohmann::json& value, const std::string& where) {
  const double x = finite_number(value, where);
  if (std::abs(x) > kMaxParameterMagnitude)
    throw ModelFormatError(where + " is " + format_number(x) + ", beyond the range of trained parameters (+-1e6)");
  return x;
}

nlohmann::json parse_json_text(const std::string& text) {
  if (text.empty()) throw ModelFormatError("the file is empty");
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0)
    throw ModelFormatError("the file starts with a byte-order mark; save it as UTF-8 without one");
  const size_t nul = text.find('\0');
  if (nul != std::string::npos) throw ModelFormatError("not valid JSON: a NUL byte at byte " + std::to_string(nul + 1));

  // Duplicate keys and depth, checked as the parser goes: one set of keys per open object.
  std::vector<std::set<std::string>> keys;
  const auto check = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using Event = nlohmann::json::parse_event_t;
    if (depth > kMaxJsonDepth)
      throw ModelFormatError("the file is nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    if (event == Event::object_start) keys.emplace_back();
    if (event == Event::object_end && !keys.empty()) keys.pop_back();
    if (event == Event::key && !keys.empty() && !keys.back().insert(parsed.get<std::string>()).second)
      throw ModelFormatError("the key \"" + parsed.get<std::string>() + "\" appears twice in one object");
    return true;
  };
  try {
    return nlohmann::json::parse(text, check);
  } catch (const nlohmann::json::parse_error& e) {
    throw ModelFormatError("not valid JSON (truncated or malformed) at byte " + std::to_string(e.byte));
  } catch (const nlohmann::json::out_of_range&) {
    throw ModelFormatError("a number in the file is beyond the range of a double (about 1.8e308)");
  }
}

}  // namespace nfvi::json_checks
