// Elementwise functions on (N) arrays that Eigen does not vectorise for
// double on its own.
#pragma once

#include "types.hpp"

namespace nfvi {

// tanh(a) = sign(a) (1 - e) / (1 + e) with e = exp(-2|a|) in (0, 1], which
// cannot overflow. Eigen vectorises exp for double but not tanh, and tanh of
// every sample in every layer is the main cost of a training step.
// Absolute error is a few ulp of 1 (the cancellation in 1 - e near a = 0).
inline void tanh_into(ArrayConstRef a, Array& out) {
  out = (-2 * a.abs()).exp();
  out = a.sign() * (1 - out) / (1 + out);
}

}  // namespace nfvi
