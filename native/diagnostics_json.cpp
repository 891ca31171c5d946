#include "diagnostics_json.hpp"

#include <cmath>
#include <cstdio>

namespace nfvi {
namespace {

nlohmann::json number(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr); }

// No comparison where the target's log Z is unknown (NaN): there is nothing
// to disagree with.
std::string compared_log_z_warning(const ImportanceDiagnostics& d, double log_z_quadrature) {
  return std::isnan(log_z_quadrature) ? std::string() : log_z_disagreement_warning(d, log_z_quadrature);
}

}  // namespace

nlohmann::json diagnostics_json(const ImportanceDiagnostics& d, double log_z_quadrature) {
  return {{"samples", d.samples},
          {"log_z_is", number(d.log_z_is)},
          {"log_z_is_se", number(d.log_z_is_se)},
          {"log_z_quadrature", number(log_z_quadrature)},
          {"log_z_disagreement_se", number(log_z_disagreement(d, log_z_quadrature))},
          {"ess", number(d.ess)},
          {"ess_fraction", number(d.ess_fraction)},
          {"k_hat", number(d.k_hat)},
          {"k_hat_threshold", number(d.k_hat_threshold)},
          {"k_hat_tail_size", d.k_hat_tail_size},
          {"reliable", d.reliable},
          {"verdict", d.verdict},
          {"warning", compared_log_z_warning(d, log_z_quadrature)}};
}

std::string diagnostics_status(const ImportanceDiagnostics& d) {
  char text[96];
  std::snprintf(text, sizeof text, "ESS %.1f%%, k-hat %.2f %s %.2f%s", 100 * d.ess_fraction, d.k_hat,
                d.reliable ? "<" : ">=", d.k_hat_threshold, d.reliable ? "" : " (IS not reliable)");
  return text;
}

std::string fit_warnings(const std::string& poor_fit, const ImportanceDiagnostics& d, double log_z_quadrature) {
  std::string out = poor_fit;
  auto add = [&out](const std::string& line) {
    if (line.empty()) return;
    if (!out.empty()) out += "; ";
    out += line;
  };
  add(compared_log_z_warning(d, log_z_quadrature));
  if (!d.reliable) add(d.verdict);
  return out;
}

}  // namespace nfvi
