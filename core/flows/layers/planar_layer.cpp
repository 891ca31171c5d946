#include "flows/layers/planar_layer.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include "math/array_math.hpp"
#include "math/scalar_math.hpp"
#include "math/simd_math.hpp"

namespace nfvi {
namespace {

// The layer's per-sample loops run once over the samples, a pack of
// simd::kLanes samples at a time (then one at a time for the rest), doing all
// of a sample's work in that one pass. Dim is the dimension when it is known
// at compile time (2 for the 2-D targets), so that the loops over coordinates
// unroll and the per-coordinate sums stay in registers; Eigen::Dynamic otherwise.
template <typename T, int Dim>
using PerCoordinate =
    std::conditional_t<Dim == Eigen::Dynamic, std::vector<T>, std::array<T, static_cast<size_t>(Dim)>>;

template <typename T, int Dim>
PerCoordinate<T, Dim> zeros(Eigen::Index dim) {
  PerCoordinate<T, Dim> v{};
  if constexpr (Dim == Eigen::Dynamic) v.assign(static_cast<size_t>(dim), T{});
  return v;
}

// Coordinate d of the samples, contiguous (Samples is row-major).
const double* row(SamplesConstRef m, Eigen::Index d) { return m.data() + d * m.outerStride(); }
double* row(SamplesRef m, Eigen::Index d) { return m.data() + d * m.outerStride(); }

// The coefficients of a (D) vector and the row pointers of a (D, N) matrix,
// copied into locals before a loop: the loop's stores through double* could
// otherwise alias them, and they would be reloaded for every sample.
template <int Dim>
PerCoordinate<double, Dim> coefficients(const Eigen::Ref<const Vector>& v) {
  auto c = zeros<double, Dim>(v.size());
  for (Eigen::Index d = 0; d < v.size(); ++d) c[static_cast<size_t>(d)] = v(d);
  return c;
}
template <int Dim, typename Pointer, typename SamplesArg>
PerCoordinate<Pointer, Dim> rows(SamplesArg m) {
  auto r = zeros<Pointer, Dim>(m.rows());
  for (Eigen::Index d = 0; d < m.rows(); ++d) r[static_cast<size_t>(d)] = row(m, d);
  return r;
}

// Calls block(T{}, i) for i = 0, kLanes, ... with T = simd::Pack over whole
// packs, then with T = double for the samples that remain.
template <typename Block>
void for_each_block(Eigen::Index n, Block&& block) {
  Eigen::Index i = 0;
  for (; i + simd::kLanes <= n; i += simd::kLanes) block(simd::Pack{}, i);
  for (; i < n; ++i) block(0.0, i);
}

template <int Dim>
void planar_forward(VectorConstRef w, const Vector& u_hat, double b, double psi, SamplesConstRef z, SamplesRef z_out,
                    Array& h, Array& g) {
  const size_t dim = Dim == Eigen::Dynamic ? static_cast<size_t>(w.size()) : Dim;
  const auto w_c = coefficients<Dim>(w);
  const auto u_hat_c = coefficients<Dim>(u_hat);
  const auto z_rows = rows<Dim, const double*>(z);
  const auto out_rows = rows<Dim, double*>(z_out);
  double* const h_data = h.data();
  double* const g_data = g.data();
  for_each_block(z.cols(), [&](auto lanes, Eigen::Index i) {
    using T = decltype(lanes);
    // a = w^T z + b;  h = tanh(a);  z_out = z + u_hat h;  g = 1 + (1 - h^2) psi
    T a = T{} + b;
    for (size_t d = 0; d < dim; ++d) a += w_c[d] * simd::load_as<T>(z_rows[d] + i);
    const T h_i = simd::tanh(a);
    for (size_t d = 0; d < dim; ++d) simd::store(out_rows[d] + i, simd::load_as<T>(z_rows[d] + i) + u_hat_c[d] * h_i);
    simd::store(h_data + i, h_i);
    simd::store(g_data + i, 1.0 + (1.0 - h_i * h_i) * psi);
  });
}

// The per-sample part of backward (see planar_layer.hpp): dz, and the sums
// du_hat = sum_n h_n dz_out_n, dw_direct = sum_n da_n z_n, dpsi, db.
template <int Dim>
void planar_backward(const Vector& w, const Vector& u_hat, double psi, const Array& h, const Array& g,
                     SamplesConstRef z, SamplesConstRef dz_out, ArrayConstRef dlog_det, SamplesRef dz, Vector& du_hat,
                     Vector& dw_direct, double& dpsi, double& db) {
  const size_t dim = Dim == Eigen::Dynamic ? static_cast<size_t>(w.size()) : Dim;
  const auto w_c = coefficients<Dim>(w);
  const auto u_hat_c = coefficients<Dim>(u_hat);
  const auto z_rows = rows<Dim, const double*>(z);
  const auto dz_out_rows = rows<Dim, const double*>(dz_out);
  const auto dz_rows = rows<Dim, double*>(dz);
  const double* const h_data = h.data();
  const double* const g_data = g.data();
  const double* const dlog_det_data = dlog_det.data();
  // Separate sums for the whole packs and for the rest, added up at the end.
  auto pack_du_hat = zeros<simd::Pack, Dim>(w.size()), pack_dw = zeros<simd::Pack, Dim>(w.size());
  auto one_du_hat = zeros<double, Dim>(w.size()), one_dw = zeros<double, Dim>(w.size());
  simd::Pack pack_dpsi{}, pack_db{};
  double one_dpsi = 0, one_db = 0;

  for_each_block(z.cols(), [&](auto lanes, Eigen::Index i) {
    using T = decltype(lanes);
    constexpr bool whole_pack = !std::is_same_v<T, double>;
    auto& sum_du_hat = [&]() -> auto& {
      if constexpr (whole_pack)
        return pack_du_hat;
      else
        return one_du_hat;
    }
    ();
    auto& sum_dw = [&]() -> auto& {
      if constexpr (whole_pack)
        return pack_dw;
      else
        return one_dw;
    }
    ();
    T& sum_dpsi = [&]() -> T& {
      if constexpr (whole_pack)
        return pack_dpsi;
      else
        return one_dpsi;
    }();
    T& sum_db = [&]() -> T& {
      if constexpr (whole_pack)
        return pack_db;
      else
        return one_db;
    }();

    const T h_i = simd::load_as<T>(h_data + i);
    const T h_prime = 1.0 - h_i * h_i;
    // Read all of dz_out before dz (which may alias it) is written.
    T u_hat_dz_out{};
    for (size_t d = 0; d < dim; ++d) {
      const T dz_out_d = simd::load_as<T>(dz_out_rows[d] + i);
      u_hat_dz_out += u_hat_c[d] * dz_out_d;
      sum_du_hat[d] += h_i * dz_out_d;
    }
    // dpsi_n = dlog_det h' / g;  da = h' (u_hat^T dz_out) - 2 psi h dpsi_n
    const T dpsi_i = simd::load_as<T>(dlog_det_data + i) * h_prime / simd::load_as<T>(g_data + i);
    const T da = h_prime * u_hat_dz_out - (2 * psi) * h_i * dpsi_i;
    sum_dpsi += dpsi_i;
    sum_db += da;
    for (size_t d = 0; d < dim; ++d) {
      sum_dw[d] += simd::load_as<T>(z_rows[d] + i) * da;
      simd::store(dz_rows[d] + i, simd::load_as<T>(dz_out_rows[d] + i) + w_c[d] * da);
    }
  });

  for (size_t d = 0; d < dim; ++d) {
    du_hat(static_cast<Eigen::Index>(d)) = simd::sum_lanes(pack_du_hat[d]) + one_du_hat[d];
    dw_direct(static_cast<Eigen::Index>(d)) = simd::sum_lanes(pack_dw[d]) + one_dw[d];
  }
  dpsi = simd::sum_lanes(pack_dpsi) + one_dpsi;
  db = simd::sum_lanes(pack_db) + one_db;
}

}  // namespace

PlanarConstraint::PlanarConstraint(VectorConstRef w, VectorConstRef u)
    : s(w.dot(u)), psi(-1 + softplus(s + kPlanarShift)), w_sq(w.squaredNorm()), c((psi - s) / w_sq), u_hat(u + c * w) {}

void PlanarLayer::forward(VectorConstRef w, VectorConstRef u, double b, SamplesConstRef z, SamplesRef z_out,
                          Eigen::Ref<Array> log_det) {
  forward(w, u, b, z, z_out);
  log_abs_into(g_, log_det);
}

void PlanarLayer::forward(VectorConstRef w, VectorConstRef u, double b, SamplesConstRef z, SamplesRef z_out) {
  w_ = w;
  u_ = u;
  constraint_ = PlanarConstraint(w, u);
  h_.resize(z.cols());
  g_.resize(z.cols());
  if (w.size() == 2) {
    planar_forward<2>(w, constraint_.u_hat, b, constraint_.psi, z, z_out, h_, g_);
  } else {
    planar_forward<Eigen::Dynamic>(w, constraint_.u_hat, b, constraint_.psi, z, z_out, h_, g_);
  }
}

void PlanarLayer::backward(SamplesConstRef z, SamplesConstRef dz_out, ArrayConstRef dlog_det, SamplesRef dz,
                           Eigen::Ref<Vector> dw, Eigen::Ref<Vector> du, double& db) {
  const Eigen::Index dim = w_.size();
  const auto& [s, psi, w_sq, c, u_hat] = constraint_;

  Vector du_hat(dim), dw_direct(dim);
  double dpsi = 0, db_layer = 0;
  if (dim == 2) {
    planar_backward<2>(w_, u_hat, psi, h_, g_, z, dz_out, dlog_det, dz, du_hat, dw_direct, dpsi, db_layer);
  } else {
    planar_backward<Eigen::Dynamic>(w_, u_hat, psi, h_, g_, z, dz_out, dlog_det, dz, du_hat, dw_direct, dpsi, db_layer);
  }
  db += db_layer;

  const double m_prime = sigmoid(s + kPlanarShift);
  const double dc = du_hat.dot(w_);
  const double ds = dpsi * m_prime + dc * (m_prime - 1) / w_sq;
  du += du_hat + ds * w_;
  dw += dw_direct + ds * u_ + c * du_hat - (2 * c * dc / w_sq) * w_;
}

}  // namespace nfvi

namespace nfvi {

void PlanarLayer::initialize(Eigen::Ref<Vector> params, Random& rng) const {
  params.setZero();
  for (int i = 0; i < dim_; ++i) params(i) = rng.normal();  // w
  params(2 * dim_) = rng.normal();                          // b
}

void PlanarLayer::forward(VectorConstRef params, SamplesConstRef z, SamplesRef z_out, Eigen::Ref<Array> log_det) {
  forward(params.head(dim_), params.segment(dim_, dim_), params(2 * dim_), z, z_out, log_det);
}

const Array& PlanarLayer::forward_det(VectorConstRef params, SamplesConstRef z, SamplesRef z_out) {
  forward(params.head(dim_), params.segment(dim_, dim_), params(2 * dim_), z, z_out);
  return g_;
}

void PlanarLayer::backward(VectorConstRef /*params*/, SamplesConstRef z, SamplesConstRef dz_out,
                           ArrayConstRef dlog_det, SamplesRef dz, Eigen::Ref<Vector> dparams) {
  backward(z, dz_out, dlog_det, dz, dparams.head(dim_), dparams.segment(dim_, dim_), dparams(2 * dim_));
}

void PlanarLayer::inverse_backward(VectorConstRef /*params*/, SamplesConstRef /*z*/, SamplesConstRef dz,
                                   ArrayConstRef dlog_det, SamplesRef dz_out) {
  // h_, g_ and the constraint are the last forward's, at z (see the header).
  const double psi = constraint_.psi;
  const Array h_prime = 1 - h_.square();
  const Array c = -dlog_det * 2 * h_ * h_prime * psi / g_;
  const Array u_hat_dz = (constraint_.u_hat.transpose() * dz).transpose().array();  // read before dz_out is written
  const Array along_w = c - h_prime / g_ * (u_hat_dz + c * psi);
  if (dz_out.data() != dz.data()) dz_out = dz;
  dz_out.noalias() += w_ * along_w.matrix().transpose();
}

void PlanarLayer::inverse(VectorConstRef params, SamplesConstRef z_out, SamplesRef z, Eigen::Ref<Array> log_det) {
  const auto w = params.head(dim_);
  const double b = params(2 * dim_);
  const PlanarConstraint constraint(w, params.segment(dim_, dim_));
  const double psi = constraint.psi;
  for (Eigen::Index n = 0; n < z_out.cols(); ++n) {
    // The root of r(alpha) = alpha + psi tanh(alpha + b) - w^T y (see the header).
    const double target = w.dot(z_out.col(n));
    double lo = target - std::abs(psi), hi = target + std::abs(psi);
    double alpha = target - psi * std::tanh(target + b);  // one fixed-point step: a good start
    alpha = std::clamp(alpha, lo, hi);
    for (int iteration = 0; iteration < 200; ++iteration) {
      const double h = std::tanh(alpha + b);
      const double r = alpha + psi * h - target;
      if (r == 0) break;
      if (r > 0) {
        hi = alpha;
      } else {
        lo = alpha;
      }
      const double slope = 1 + psi * (1 - h * h);
      double next = alpha - r / slope;
      if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);  // Newton left the bracket: bisect
      if (next == alpha || hi - lo <= 4 * std::numeric_limits<double>::epsilon() * std::max(1.0, std::abs(alpha))) {
        alpha = next;
        break;
      }
      alpha = next;
    }
    const double h = std::tanh(alpha + b);
    z.col(n) = z_out.col(n) - constraint.u_hat * h;
    log_det(n) = std::log(std::abs(1 + (1 - h * h) * psi));
  }
}

}  // namespace nfvi

namespace nfvi {

LayerKind planar_layer_kind() {
  LayerKind kind;
  kind.name = "planar";
  kind.summary = "planar layer (Rezende & Mohamed 2015): z + u_hat tanh(w^T z + b), w^T u_hat > -1";
  kind.make = [](int dim, const LayerOptions&, int) { return std::make_unique<PlanarLayer>(dim); };
  return kind;
}

}  // namespace nfvi
