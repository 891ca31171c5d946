// exp and log of double, a pack of lanes at a time, written with GCC/Clang
// vector extensions so that one source becomes SSE/AVX code natively and
// 128-bit SIMD (f64x2) under WebAssembly. Eigen 3.4 has no WebAssembly vector
// backend, so there every exp and log is otherwise a scalar libm call, and
// those calls were 40% of a training step (tanh needs an exp per sample and
// layer, the log-determinant a log).
//
// Accuracy, measured against std::exp / std::log / std::tanh in
// tests/test_simd_math.cpp: exp and log at most 1 ulp (normal and subnormal
// results alike), tanh within 3.4e-16 absolute (it is 1 - 2/(e^2a + 1) in
// effect, so small |a| lose relative accuracy, not absolute). Edges are
// IEEE's: exp underflows through the subnormals to 0 and overflows to inf;
// log(0) = -inf, log(x < 0) = NaN, log(inf) = inf; NaN gives NaN.
//
// Every operation works lane by lane; no lane depends on another.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

namespace nfvi::simd {

// Lanes per pack: the widest vector registers the target has.
#if defined(__AVX512F__)
inline constexpr int kLanes = 8;
#elif defined(__AVX__)
inline constexpr int kLanes = 4;
#else
inline constexpr int kLanes = 2;  // SSE2 and WebAssembly SIMD128
#endif

using Pack = double __attribute__((vector_size(8 * kLanes)));              // kLanes doubles
using Mask = std::int64_t __attribute__((vector_size(8 * kLanes)));        // all-ones / all-zeros per lane
using Bits = std::uint64_t __attribute__((vector_size(8 * kLanes)));       // the bits of a Pack
using SignedBits = std::int64_t __attribute__((vector_size(8 * kLanes)));  // for arithmetic shifts

inline Pack splat(double v) { return Pack{} + v; }
inline Pack load(const double* p) {
  Pack v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store(double* p, Pack v) { std::memcpy(p, &v, sizeof v); }
inline Bits bits_of(Pack v) { return (Bits)v; }
inline Pack from_bits(Bits b) { return (Pack)b; }
// where(mask, a, b): a in the lanes where mask is set, b elsewhere.
inline Pack where(Mask mask, Pack a, Pack b) {
  const Bits m = (Bits)mask;
  return from_bits((m & bits_of(a)) | (~m & bits_of(b)));
}

// exp(x). With k = round(x / ln2) and r = x - k ln2, |r| <= ln2/2:
//   exp(x) = 2^k exp(r),  exp(r) = sum_{j=0}^{13} r^j / j!  (the next term is < 4e-18).
// ln2 is split as ln2_hi + ln2_lo with ln2_hi exact in 32 bits, so k ln2_hi is
// exact and r keeps its low bits. The polynomial is evaluated by Estrin's
// scheme (pairs, then powers r^2, r^4, r^8) rather than Horner's: the same
// number of operations, but a dependency chain of 5 steps instead of 13, which
// is what limited the throughput.
struct ReducedExp {
  Pack exp_r;   // exp(r)
  Bits k_plus;  // k + 2048 as an integer (non-negative for |x| < 1400)
};
inline ReducedExp reduced_exp(Pack x) {
  // k = round(x / ln2), by the 1.5 2^52 shifter: adding it rounds to an
  // integer, which also sits in the low bits of the sum.
  const Pack shifter = splat(0x1.8p52);
  const Pack shifted = x * splat(1.4426950408889634) + shifter;
  const Pack k = shifted - shifter;
  const Pack r = (x - k * splat(0x1.62e42fefa0000p-1)) - k * splat(0x1.cf79abc9e3b3ap-40);

  // exp(r) = 1 + r + r^2 q(r),  q(r) = sum_{j=2}^{13} r^(j-2) / j!
  const Pack r2 = r * r;
  const Pack r4 = r2 * r2;
  const Pack r8 = r4 * r4;
  const Pack q01 = splat(1.0 / 2) + r * splat(1.0 / 6);
  const Pack q23 = splat(1.0 / 24) + r * splat(1.0 / 120);
  const Pack q45 = splat(1.0 / 720) + r * splat(1.0 / 5040);
  const Pack q67 = splat(1.0 / 40320) + r * splat(1.0 / 362880);
  const Pack q89 = splat(1.0 / 3628800) + r * splat(1.0 / 39916800);
  const Pack q1011 = splat(1.0 / 479001600) + r * splat(1.0 / 6227020800);
  const Pack q = (q01 + r2 * q23) + r4 * (q45 + r2 * q67) + r8 * (q89 + r2 * q1011);
  return {splat(1.0) + (r + r2 * q), bits_of(shifted) - bits_of(shifter) + 2048};
}

// exp(x) for every x. 2^k is applied as 2^k1 2^k2 with k1 = floor(k/2),
// k2 = k - k1, so that each factor is a normal double and a subnormal result
// is rounded once, by the last multiplication: with kb = k + 2048,
// kb >> 1 = k1 + 1024 and the biased exponents are k1 + 1023, k2 + 1023.
// Beyond the range, x > 709.79 gives inf and x < -746 gives 0 (k is not used).
inline Pack exp(Pack x) {
  const ReducedExp e = reduced_exp(x);
  const Bits k1b = e.k_plus >> 1;
  const Pack scale1 = from_bits((k1b - 1) << 52);
  const Pack scale2 = from_bits((e.k_plus - k1b - 1) << 52);
  const Pack result = (e.exp_r * scale1) * scale2;
  const Pack inf = splat(std::numeric_limits<double>::infinity());
  return where((Mask)(x > splat(709.79)), inf, where((Mask)(x < splat(-746.0)), splat(0.0), result));
}

// exp(x) for x in [-708, 709] only, where exp(x) and 2^k are normal doubles:
// one scaling and no range checks. (Outside, the result is garbage; NaN stays NaN.)
inline Pack exp_normal_range(Pack x) {
  const ReducedExp e = reduced_exp(x);
  return e.exp_r * from_bits((e.k_plus - 1025) << 52);  // 2^k, biased exponent k + 1023
}

// log(x). With x = 2^e m, m in [sqrt(1/2), sqrt(2)), f = m - 1 (exact),
// s = f / (2 + f), z = s^2:
//   log(1 + f) = 2 atanh(s) = 2s + s R,  R = sum_{j>=1} 2 z^j / (2j + 1),
// and since 2s = f - s f = f - hfsq + s hfsq with hfsq = f^2/2,
//   log(1 + f) = f - hfsq + s (hfsq + R),
// which keeps the rounding error of s away from the leading term f.
// |s| <= 0.1716, z <= 0.0295: R to z^10 leaves an error below 1e-18.
// log x = e ln2_hi + (log(1 + f) + e ln2_lo). Subnormal x are first scaled by 2^54.
inline Pack log(Pack x) {
  const double inf = std::numeric_limits<double>::infinity();
  const Mask tiny = (Mask)(x < splat(0x1p-1022));
  const Pack xs = where(tiny, x * splat(0x1p54), x);

  const Bits xb = bits_of(xs);
  const Bits exponent_field = (xb >> 52) & 0x7ff;                      // x > 0 here, so the sign bit is 0
  Pack m = from_bits((xb & 0x000fffffffffffff) | 0x3ff0000000000000);  // in [1, 2)
  // The exponent field as a double: put it in the low mantissa bits of 2^52.
  Pack e = (from_bits(exponent_field | 0x4330000000000000) - splat(0x1p52)) - splat(1023.0);
  e = e - where(tiny, splat(54.0), splat(0.0));
  const Mask big = (Mask)(m > splat(1.4142135623730951));
  m = where(big, m * splat(0.5), m);
  e = e + where(big, splat(1.0), splat(0.0));

  const Pack f = m - splat(1.0);
  const Pack s = f / (splat(2.0) + f);
  const Pack z = s * s;
  Pack r = splat(2.0 / 21.0);
  r = r * z + splat(2.0 / 19.0);
  r = r * z + splat(2.0 / 17.0);
  r = r * z + splat(2.0 / 15.0);
  r = r * z + splat(2.0 / 13.0);
  r = r * z + splat(2.0 / 11.0);
  r = r * z + splat(2.0 / 9.0);
  r = r * z + splat(2.0 / 7.0);
  r = r * z + splat(2.0 / 5.0);
  r = r * z + splat(2.0 / 3.0);
  r = r * z;
  const Pack hfsq = splat(0.5) * f * f;
  const Pack result =
      e * splat(0x1.62e42fefa0000p-1) - ((hfsq - (s * (hfsq + r) + e * splat(0x1.cf79abc9e3b3ap-40))) - f);

  // Outside (0, inf): log 0 = -inf, log inf = inf, NaN for x < 0 and for NaN.
  const Mask regular = (Mask)(x > splat(0.0)) & (Mask)(x < splat(inf));
  const Pack special =
      where((Mask)(x == splat(0.0)), splat(-inf),
            where((Mask)(x == splat(inf)), splat(inf), splat(std::numeric_limits<double>::quiet_NaN())));
  return where(regular, result, special);
}

// The same maths on a whole pack or on one double (for the samples left over
// after the last whole pack): load, store, sum of the lanes, exp and tanh.
template <typename T>
inline T load_as(const double* p);
template <>
inline double load_as<double>(const double* p) {
  return *p;
}
template <>
inline Pack load_as<Pack>(const double* p) {
  return load(p);
}
inline void store(double* p, double v) { *p = v; }
inline double sum_lanes(double v) { return v; }
inline double sum_lanes(Pack v) {
  double s = 0;
  for (int j = 0; j < kLanes; ++j) s += v[j];
  return s;
}
inline double exp(double x) { return exp(splat(x))[0]; }
inline double log(double x) { return log(splat(x))[0]; }

// tanh(a) = sign(a) (1 - e) / (1 + e) with e = exp(-2|a|) in (0, 1], which
// cannot overflow. Absolute error is a few ulp of 1 (the cancellation in
// 1 - e near a = 0).
inline Pack tanh(Pack a) {
  // |a| is capped at 20: beyond, e < 5e-18 and the result is +-1 exactly anyway.
  const Pack abs_a = from_bits(bits_of(a) & 0x7fffffffffffffff);
  const Pack capped = where((Mask)(abs_a > splat(20.0)), splat(20.0), abs_a);
  const Pack e = exp_normal_range(-2.0 * capped);
  const Pack t = (1.0 - e) / (1.0 + e);
  return where((Mask)(a < 0.0), -t, t);
}
inline double tanh(double a) { return tanh(splat(a))[0]; }

// out[i] = F(x[i]) for i < n, a pack at a time; the last partial pack goes
// through a padded copy. out may equal x.
template <typename F>
inline void apply(const double* x, double* out, std::ptrdiff_t n, F f) {
  std::ptrdiff_t i = 0;
  for (; i + kLanes <= n; i += kLanes) store(out + i, f(load(x + i)));
  if (i < n) {
    double buffer[kLanes];
    for (int j = 0; j < kLanes; ++j) buffer[j] = i + j < n ? x[i + j] : 1.0;
    const Pack y = f(load(buffer));
    store(buffer, y);
    for (std::ptrdiff_t j = 0; i + j < n; ++j) out[i + j] = buffer[j];
  }
}

inline void exp_into(const double* x, double* out, std::ptrdiff_t n) {
  apply(x, out, n, [](Pack v) { return exp(v); });
}
inline void log_into(const double* x, double* out, std::ptrdiff_t n) {
  apply(x, out, n, [](Pack v) { return log(v); });
}

}  // namespace nfvi::simd
