#include "cli_checks.hpp"

#include <cmath>
#include <cstdio>
#include <string>

namespace nfvi {

CLI::Validator positive_finite_number() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        double value = 0;
        size_t used = 0;
        try {
          value = std::stod(text, &used);
        } catch (const std::exception&) {
          return "'" + text + "' is not a number";
        }
        if (used != text.size()) return "'" + text + "' is not a number";
        if (!std::isfinite(value) || value <= 0) return "must be a positive finite number, got '" + text + "'";
        return {};
      },
      "POSITIVE");
}

CLI::Validator finite_number() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        double value = 0;
        size_t used = 0;
        try {
          value = std::stod(text, &used);
        } catch (const std::exception&) {
          return "'" + text + "' is not a number";
        }
        if (used != text.size()) return "'" + text + "' is not a number";
        if (!std::isfinite(value)) return "must be a finite number, got '" + text + "'";
        return {};
      },
      "NUMBER");
}

CLI::Validator non_empty_text() {
  return CLI::Validator([](std::string& text) -> std::string { return text.empty() ? "must not be empty" : ""; },
                        "TEXT");
}

std::string poor_fit_warning(double kl_true, const std::string& lr_flag) {
  if (kl_true <= kPoorFitNats) return "";
  char text[200];
  std::snprintf(text, sizeof text,
                "kl_true is %.4g nats: the flow has not fitted the target (good fits end below 0.05); try a smaller %s "
                "or more steps",
                kl_true, lr_flag.c_str());
  return text;
}

std::string one_line(std::string message) {
  for (char& c : message)
    if (c == '\n' || c == '\r') c = ' ';
  while (!message.empty() && message.back() == ' ') message.pop_back();
  return message;
}

}  // namespace nfvi
