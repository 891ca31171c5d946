// libFuzzer harness: the energy-expression parser and evaluator
// (`nfvi fit --energy`, the page's custom energy). The first byte picks the
// dimension (1..8), the rest is the text. A bad text must give an
// ExpressionError with a one-line message and a column inside the text (or
// one past its end); a good one must evaluate over a batch, and each point of
// the batch must equal the same point evaluated alone.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "targets/expression.hpp"

namespace {

bool same(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const int dim = 1 + data[0] % 8;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    const nfvi::EnergyExpression energy = nfvi::compile_energy(text, dim);
    // Points from a fixed pattern: ordinary values, 0, and large ones.
    constexpr double kValues[] = {0.3, -1.7, 0.0, 2.5, -0.01, 40.0, -700.0, 1e-300, 3.0};
    constexpr Eigen::Index kPoints = 5;
    nfvi::Samples z(dim, kPoints);  // (D, N)
    for (Eigen::Index i = 0; i < z.size(); ++i) z.data()[i] = kValues[i % 9];
    nfvi::Array u, values_only;
    nfvi::Samples gradient;
    energy.evaluate(z, u, gradient);
    energy.evaluate_value(z, values_only);
    if (u.size() != kPoints || gradient.rows() != dim || gradient.cols() != kPoints) __builtin_trap();
    for (Eigen::Index i = 0; i < kPoints; ++i) {
      const nfvi::ExpressionPoint alone = energy.at(z.col(i));
      if (!same(alone.value, u(i)) || !same(values_only(i), u(i))) __builtin_trap();
      for (int d = 0; d < dim; ++d)
        if (!same(alone.gradient(d), gradient(d, i))) __builtin_trap();
    }
  } catch (const nfvi::ExpressionError& error) {
    const char* message = error.what();
    if (message[0] == '\0' || std::strchr(message, '\n') != nullptr) __builtin_trap();
    if (error.column() < 1 || static_cast<std::size_t>(error.column()) > text.size() + 1) __builtin_trap();
  }
  return 0;
}
