#include "flows/layers/spline_coupling_layer.hpp"

namespace nfvi {
namespace {

constexpr int kDefaultBins = 8, kDefaultHidden = 32, kDefaultDepth = 2;
constexpr double kDefaultBound = 5;

SplineShape shape_of(int bins, double bound) {
  SplineShape shape;
  shape.bins = bins;
  shape.bound = bound;
  return shape;
}

}  // namespace

SplineCouplingLayer::SplineCouplingLayer(int dim, int coupling_index, int bins, double bound, int hidden, int depth)
    : dim_(dim),
      hidden_(hidden),
      depth_(depth),
      shape_(shape_of(bins, bound)),
      split_(dim, coupling_index),
      network_(conditioner_sizes(static_cast<int>(split_.conditioning.size()), hidden, depth,
                                 static_cast<int>(split_.transformed.size()) * shape_.raw_count())),
      spline_(shape_) {}

std::string SplineCouplingLayer::spec() const {
  return layer_spec_text(spline_coupling_layer_kind(), {{"bins", double(shape_.bins)},
                                                        {"bound", shape_.bound},
                                                        {"hidden", double(hidden_)},
                                                        {"depth", double(depth_)}});
}

void SplineCouplingLayer::initialize(Eigen::Ref<Vector> params, Random& rng) const {
  initialize_conditioner(network_.sizes(), params, rng);
}

void SplineCouplingLayer::forward(VectorConstRef params, SamplesConstRef z, SamplesRef z_out,
                                  Eigen::Ref<Array> log_det) {
  const Eigen::Index raw = shape_.raw_count();
  CouplingSplit::gather(z, split_.conditioning, z_a_);
  CouplingSplit::gather(z, split_.transformed, z_b_);
  network_.parameters() = params;
  network_.forward(z_a_);
  const Eigen::Index nb = static_cast<Eigen::Index>(split_.transformed.size());
  // Column n of the output holds |b| splines' values, one after the other: spline n |b| + j.
  spline_.set_knots(Eigen::Map<const Matrix>(network_.output().data(), raw, nb * z.cols()));
  z_out = z;
  log_det.setZero();
  for (Eigen::Index n = 0; n < z.cols(); ++n) {
    for (Eigen::Index j = 0; j < nb; ++j) {
      double log_slope = 0;
      z_out(split_.transformed[static_cast<size_t>(j)], n) = spline_.forward(n * nb + j, z_b_(j, n), log_slope);
      log_det(n) += log_slope;
    }
  }
}

void SplineCouplingLayer::backward(VectorConstRef, SamplesConstRef, SamplesConstRef dz_out, ArrayConstRef dlog_det,
                                   SamplesRef dz, Eigen::Ref<Vector> dparams) {
  const Eigen::Index raw = shape_.raw_count(), n_samples = dz_out.cols();
  Matrix g_b;
  CouplingSplit::gather(dz_out, split_.transformed, g_b);
  const Eigen::Index nb = g_b.rows();
  Matrix dy = Matrix::Zero(network_.output().rows(), n_samples);
  Matrix dz_b(nb, n_samples);
  for (Eigen::Index n = 0; n < n_samples; ++n) {
    for (Eigen::Index j = 0; j < nb; ++j)
      dz_b(j, n) = spline_.backward(n * nb + j, z_b_(j, n), g_b(j, n), dlog_det(n), &dy(j * raw, n));
  }
  Matrix dz_a;
  network_.backward(dy, dparams, &dz_a);
  if (dz.data() != dz_out.data()) dz = dz_out;
  for (size_t r = 0; r < split_.transformed.size(); ++r)
    dz.row(split_.transformed[r]) = dz_b.row(static_cast<Eigen::Index>(r));
  for (size_t r = 0; r < split_.conditioning.size(); ++r)
    dz.row(split_.conditioning[r]) += dz_a.row(static_cast<Eigen::Index>(r));
}

void SplineCouplingLayer::inverse_backward(VectorConstRef, SamplesConstRef, SamplesConstRef dz,
                                           ArrayConstRef dlog_det, SamplesRef dz_out) {
  // z_b_, the knots and the conditioner's state are the last forward's, at z.
  const Eigen::Index raw = shape_.raw_count(), n_samples = dz.cols();
  Matrix g_b;
  CouplingSplit::gather(dz, split_.transformed, g_b);
  const Eigen::Index nb = g_b.rows();
  Matrix dy = Matrix::Zero(network_.output().rows(), n_samples);
  Matrix x_b(nb, n_samples);
  for (Eigen::Index n = 0; n < n_samples; ++n) {
    for (Eigen::Index j = 0; j < nb; ++j) {
      const Eigen::Index m = n * nb + j;
      double dlog_slope_dx = 0;
      const double slope = spline_.slope(m, z_b_(j, n), dlog_slope_dx);
      x_b(j, n) = (g_b(j, n) + dlog_det(n) * dlog_slope_dx) / slope;
      spline_.backward(m, z_b_(j, n), -x_b(j, n), dlog_det(n), &dy(j * raw, n));
    }
  }
  Matrix dz_a;
  network_.input_backward(dy, dz_a);
  if (dz_out.data() != dz.data()) dz_out = dz;
  for (size_t r = 0; r < split_.transformed.size(); ++r)
    dz_out.row(split_.transformed[r]) = x_b.row(static_cast<Eigen::Index>(r));
  for (size_t r = 0; r < split_.conditioning.size(); ++r)
    dz_out.row(split_.conditioning[r]) += dz_a.row(static_cast<Eigen::Index>(r));
}

void SplineCouplingLayer::inverse(VectorConstRef params, SamplesConstRef z_out, SamplesRef z,
                                  Eigen::Ref<Array> log_det) {
  const Eigen::Index raw = shape_.raw_count();
  Matrix y_a, out;
  CouplingSplit::gather(z_out, split_.conditioning, y_a);
  network_.parameters() = params;
  network_.predict(y_a, out);
  const Eigen::Index nb = static_cast<Eigen::Index>(split_.transformed.size());
  spline_.set_knots(Eigen::Map<const Matrix>(out.data(), raw, nb * z_out.cols()));
  z = z_out;
  log_det.setZero();
  for (Eigen::Index n = 0; n < z_out.cols(); ++n) {
    for (Eigen::Index j = 0; j < nb; ++j) {
      const Eigen::Index row = split_.transformed[static_cast<size_t>(j)];
      double log_slope = 0;
      z(row, n) = spline_.inverse(n * nb + j, z_out(row, n), log_slope);
      log_det(n) += log_slope;
    }
  }
}

LayerKind spline_coupling_layer_kind() {
  LayerKind kind;
  kind.name = "spline";
  kind.summary = "rational-quadratic spline coupling (Neural Spline Flows): B bins on [-L, L], identity outside";
  kind.min_dim = 2;
  kind.coupling = true;
  kind.options = {{"bins", kDefaultBins, 2, 64, true, "bins B of each spline"},
                  {"bound", kDefaultBound, 0.5, 100, false, "the spline acts on [-bound, bound]"},
                  {"hidden", kDefaultHidden, 1, 1024, true, "units in each hidden layer of the conditioner"},
                  {"depth", kDefaultDepth, 1, 8, true, "hidden layers of the conditioner"}};
  kind.make = [](int dim, const LayerOptions& o, int coupling_index) {
    return std::make_unique<SplineCouplingLayer>(dim, coupling_index, static_cast<int>(o.at("bins")),
                                                 o.at("bound"), static_cast<int>(o.at("hidden")),
                                                 static_cast<int>(o.at("depth")));
  };
  return kind;
}

}  // namespace nfvi
