// The three matrix products of a dense layer, for column-major doubles, a
// pack of simd::kLanes doubles at a time (math/simd_math.hpp):
//   product_nn:  C  = A B      A (m, k), B (k, n)    forward:  y = W x
//   product_nt:  C += A B^T    A (m, k), B (n, k)    backward: dW += dy x^T
//   product_tn:  C  = A^T B    A (k, m), B (k, n)    backward: dx = W^T dy
// Used under WebAssembly only: Eigen 3.4 has no wasm vector backend, so its
// products run one double at a time there and were 40% of a spline-coupling
// step; natively Eigen (and OpenBLAS behind it) is faster than this.
// In product_nn and product_nt each output element is one sum over p in
// increasing order; product_tn sums p in kLanes interleaved parts, then adds
// them. Results may differ from Eigen's in the last bits.
#pragma once

#include <algorithm>

#include "math/simd_math.hpp"

namespace nfvi::small_products {

// C (m, n) = A (m, k) B (k, n), leading dimensions lda, ldb, ldc.
inline void product_nn(int m, int n, int k, const double* a, int lda, const double* b, int ldb, double* c, int ldc) {
  constexpr int L = simd::kLanes, R = 2 * L;  // a block of R rows (two packs) by 4 columns
  for (int j = 0; j < n; j += 4) {
    const int nc = std::min(4, n - j);
    int i = 0;
    for (; i + R <= m; i += R) {
      simd::Pack acc[2][4] = {};
      for (int p = 0; p < k; ++p) {
        const simd::Pack a0 = simd::load(a + i + p * lda), a1 = simd::load(a + i + L + p * lda);
        for (int q = 0; q < nc; ++q) {
          const simd::Pack bq = simd::splat(b[p + (j + q) * ldb]);
          acc[0][q] += a0 * bq;
          acc[1][q] += a1 * bq;
        }
      }
      for (int q = 0; q < nc; ++q) {
        simd::store(c + i + (j + q) * ldc, acc[0][q]);
        simd::store(c + i + L + (j + q) * ldc, acc[1][q]);
      }
    }
    for (; i < m; ++i)
      for (int q = 0; q < nc; ++q) {
        double sum = 0;
        for (int p = 0; p < k; ++p) sum += a[i + p * lda] * b[p + (j + q) * ldb];
        c[i + (j + q) * ldc] = sum;
      }
  }
}

// C (m, n) += A (m, k) B^T with B (n, k).
inline void product_nt(int m, int n, int k, const double* a, int lda, const double* b, int ldb, double* c, int ldc) {
  constexpr int L = simd::kLanes, R = 2 * L;
  for (int j = 0; j < n; j += 4) {
    const int nc = std::min(4, n - j);
    int i = 0;
    for (; i + R <= m; i += R) {
      simd::Pack acc[2][4] = {};
      for (int p = 0; p < k; ++p) {
        const simd::Pack a0 = simd::load(a + i + p * lda), a1 = simd::load(a + i + L + p * lda);
        for (int q = 0; q < nc; ++q) {
          const simd::Pack bq = simd::splat(b[(j + q) + p * ldb]);
          acc[0][q] += a0 * bq;
          acc[1][q] += a1 * bq;
        }
      }
      for (int q = 0; q < nc; ++q) {
        simd::store(c + i + (j + q) * ldc, simd::load(c + i + (j + q) * ldc) + acc[0][q]);
        simd::store(c + i + L + (j + q) * ldc, simd::load(c + i + L + (j + q) * ldc) + acc[1][q]);
      }
    }
    for (; i < m; ++i)
      for (int q = 0; q < nc; ++q) {
        double sum = 0;
        for (int p = 0; p < k; ++p) sum += a[i + p * lda] * b[(j + q) + p * ldb];
        c[i + (j + q) * ldc] += sum;
      }
  }
}

// C (m, n) = A^T B with A (k, m), B (k, n): dot products of columns, each
// summed over p in lanes and then across them.
inline void product_tn(int m, int n, int k, const double* a, int lda, const double* b, int ldb, double* c, int ldc) {
  constexpr int L = simd::kLanes;
  const int k_packed = k - k % L;
  for (int j = 0; j < n; ++j) {
    const double* bj = b + j * ldb;
    for (int i = 0; i < m; ++i) {
      const double* ai = a + i * lda;
      simd::Pack acc{};
      for (int p = 0; p < k_packed; p += L) acc += simd::load(ai + p) * simd::load(bj + p);
      double sum = simd::sum_lanes(acc);
      for (int p = k_packed; p < k; ++p) sum += ai[p] * bj[p];
      c[i + j * ldc] = sum;
    }
  }
}

}  // namespace nfvi::small_products
