// The importance diagnostics of a fit (core/vi/importance_diagnostics.hpp)
// as they appear in summary.json files and on progress lines.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "vi/importance_diagnostics.hpp"

namespace nfvi {

// The fresh samples behind the diagnostics (and the headline KL) of `nfvi fit`.
inline constexpr long long kDiagnosticSamples = 100000;

// {samples, log_z_is, log_z_is_se, log_z_quadrature, log_z_disagreement_se,
//  ess, ess_fraction, k_hat, k_hat_threshold, k_hat_tail_size, reliable,
//  verdict, warning}. warning is "" when the two log Z agree within 3 se.
// Non-finite numbers (k_hat of a flat tail is -inf, NaN when not estimated)
// are written as null, as JSON has no inf or NaN.
nlohmann::json diagnostics_json(const ImportanceDiagnostics& d, double log_z_quadrature);

// "ESS 97.8%, k-hat 0.12 < 0.70" (or "k-hat 0.83 >= 0.70 (IS not reliable)"), for progress lines.
std::string diagnostics_status(const ImportanceDiagnostics& d);

// The warnings of a fit, joined by "; ": the poor-fit one (may be ""), the
// IS-against-quadrature one, and the verdict when the fit is not reliable.
std::string fit_warnings(const std::string& poor_fit, const ImportanceDiagnostics& d, double log_z_quadrature);

}  // namespace nfvi
