#include "vi/importance_weights.hpp"

#include <cmath>
#include <limits>

namespace nfvi {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The largest value, or NaN if any value is NaN or +inf (or there are none).
// -inf when every value is -inf.
double finite_max(ArrayConstRef values) {
  if (values.size() == 0) return kNaN;
  double largest = -std::numeric_limits<double>::infinity();
  for (Eigen::Index i = 0; i < values.size(); ++i) {
    const double v = values(i);
    if (std::isnan(v) || v == std::numeric_limits<double>::infinity()) return kNaN;
    if (v > largest) largest = v;
  }
  return largest;
}

}  // namespace

double log_mean_exp(ArrayConstRef values) {
  const double a = finite_max(values);
  if (std::isnan(a)) return kNaN;
  if (a == -std::numeric_limits<double>::infinity()) return a;
  // Every term is in [0, 1] and the largest is exactly 1, so the sum is in
  // [1, M]: no overflow, and no underflow of the whole.
  const double sum = (values - a).exp().sum();
  return a + std::log(sum / static_cast<double>(values.size()));
}

ImportanceLogZ importance_log_z(ArrayConstRef log_weights) {
  ImportanceLogZ out;
  out.log_z = log_mean_exp(log_weights);
  const Eigen::Index m = log_weights.size();
  if (m < 2 || !std::isfinite(out.log_z)) {
    out.standard_error = kNaN;
    return out;
  }
  const double a = log_weights.maxCoeff();
  const Array scaled = (log_weights - a).exp();  // w~ (M), in (0, 1]
  const double mean = scaled.mean();
  const double variance = (scaled - mean).square().sum() / static_cast<double>(m - 1);
  out.standard_error = std::sqrt(variance) / (std::sqrt(static_cast<double>(m)) * mean);
  return out;
}

double effective_sample_size(ArrayConstRef log_weights) {
  const double a = finite_max(log_weights);
  if (!std::isfinite(a)) return kNaN;
  const Array scaled = (log_weights - a).exp();  // w~ (M), in (0, 1]
  const double sum = scaled.sum();
  return sum * sum / scaled.square().sum();
}

}  // namespace nfvi
