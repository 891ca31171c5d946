// Elementwise functions on (N) arrays, through the vectorised kernels of
// simd_math.hpp. Eigen 3.4 has no WebAssembly vector backend, so there its
// exp/log are scalar libm calls; natively, with AVX-512, these kernels are as
// fast as Eigen's own, so one code path serves both (and the tests cover it).
#pragma once

#include "math/simd_math.hpp"
#include "math/types.hpp"

namespace nfvi {

// out = log|x|. out may be x.
inline void log_abs_into(ArrayConstRef x, Eigen::Ref<Array> out) {
  simd::apply(x.data(), out.data(), x.size(),
              [](simd::Pack v) { return simd::log(simd::from_bits(simd::bits_of(v) & 0x7fffffffffffffff)); });
}

}  // namespace nfvi
