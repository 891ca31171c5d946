#include "flows/layers/affine_coupling_layer.hpp"

#include <cmath>

namespace nfvi {
namespace {

constexpr int kDefaultHidden = 32, kDefaultDepth = 2;
constexpr double kDefaultScale = 2;

}  // namespace

AffineCouplingLayer::AffineCouplingLayer(int dim, int coupling_index, int hidden, int depth, double scale)
    : dim_(dim),
      hidden_(hidden),
      depth_(depth),
      scale_(scale),
      split_(dim, coupling_index),
      network_(conditioner_sizes(static_cast<int>(split_.conditioning.size()), hidden, depth,
                                 2 * static_cast<int>(split_.transformed.size()))) {}

std::string AffineCouplingLayer::spec() const {
  return layer_spec_text(affine_coupling_layer_kind(), {{"hidden", double(hidden_)}, {"depth", double(depth_)}, {"scale", scale_}});
}

void AffineCouplingLayer::initialize(Eigen::Ref<Vector> params, Random& rng) const {
  initialize_conditioner(network_.sizes(), params, rng);
}

void AffineCouplingLayer::forward(VectorConstRef params, SamplesConstRef z, SamplesRef z_out,
                                  Eigen::Ref<Array> log_det) {
  const Eigen::Index nb = static_cast<Eigen::Index>(split_.transformed.size());
  CouplingSplit::gather(z, split_.conditioning, z_a_);
  CouplingSplit::gather(z, split_.transformed, z_b_);
  network_.parameters() = params;
  network_.forward(z_a_);
  const Matrix& out = network_.output();
  tanh_ = (out.topRows(nb).array() / scale_).tanh();
  const Eigen::ArrayXXd s = scale_ * tanh_;
  exp_s_ = s.exp();
  z_out = z;
  const Eigen::ArrayXXd moved = z_b_.array() * exp_s_ + out.bottomRows(nb).array();
  for (Eigen::Index r = 0; r < nb; ++r) z_out.row(split_.transformed[static_cast<size_t>(r)]) = moved.row(r).matrix();
  log_det = s.colwise().sum().transpose();
}

void AffineCouplingLayer::backward(VectorConstRef, SamplesConstRef, SamplesConstRef dz_out, ArrayConstRef dlog_det,
                                   SamplesRef dz, Eigen::Ref<Vector> dparams) {
  const Eigen::Index nb = static_cast<Eigen::Index>(split_.transformed.size()), n = dz_out.cols();
  Matrix g_b;
  CouplingSplit::gather(dz_out, split_.transformed, g_b);
  Matrix dy(2 * nb, n);
  const Eigen::ArrayXXd ds = (g_b.array() * z_b_.array() * exp_s_).rowwise() + dlog_det.transpose();
  dy.topRows(nb) = (ds * (1 - tanh_.square())).matrix();
  dy.bottomRows(nb) = g_b;
  Matrix dz_a;
  network_.backward(dy, dparams, &dz_a);
  if (dz.data() != dz_out.data()) dz = dz_out;
  const Eigen::ArrayXXd dz_b = g_b.array() * exp_s_;
  for (Eigen::Index r = 0; r < nb; ++r) dz.row(split_.transformed[static_cast<size_t>(r)]) = dz_b.row(r).matrix();
  for (size_t r = 0; r < split_.conditioning.size(); ++r)
    dz.row(split_.conditioning[r]) += dz_a.row(static_cast<Eigen::Index>(r));
}

void AffineCouplingLayer::inverse_backward(VectorConstRef, SamplesConstRef, SamplesConstRef dz,
                                           ArrayConstRef dlog_det, SamplesRef dz_out) {
  // z_b_, exp_s_, tanh_ and the conditioner's state are the last forward's, at z.
  const Eigen::Index nb = static_cast<Eigen::Index>(split_.transformed.size()), n = dz.cols();
  Matrix g_b;
  CouplingSplit::gather(dz, split_.transformed, g_b);
  const Eigen::ArrayXXd x_b = g_b.array() / exp_s_;
  Matrix dy(2 * nb, n);
  dy.topRows(nb) = (((-(z_b_.array() * g_b.array())).rowwise() + dlog_det.transpose()) * (1 - tanh_.square())).matrix();
  dy.bottomRows(nb) = -x_b.matrix();
  Matrix dz_a;
  network_.input_backward(dy, dz_a);
  if (dz_out.data() != dz.data()) dz_out = dz;
  for (Eigen::Index r = 0; r < nb; ++r) dz_out.row(split_.transformed[static_cast<size_t>(r)]) = x_b.row(r).matrix();
  for (size_t r = 0; r < split_.conditioning.size(); ++r)
    dz_out.row(split_.conditioning[r]) += dz_a.row(static_cast<Eigen::Index>(r));
}

void AffineCouplingLayer::inverse(VectorConstRef params, SamplesConstRef z_out, SamplesRef z,
                                  Eigen::Ref<Array> log_det) {
  const Eigen::Index nb = static_cast<Eigen::Index>(split_.transformed.size());
  Matrix y_a, y_b, out;
  CouplingSplit::gather(z_out, split_.conditioning, y_a);
  CouplingSplit::gather(z_out, split_.transformed, y_b);
  network_.parameters() = params;
  network_.predict(y_a, out);
  const Eigen::ArrayXXd s = scale_ * (out.topRows(nb).array() / scale_).tanh();
  const Eigen::ArrayXXd back = (y_b.array() - out.bottomRows(nb).array()) * (-s).exp();
  z = z_out;
  for (Eigen::Index r = 0; r < nb; ++r) z.row(split_.transformed[static_cast<size_t>(r)]) = back.row(r).matrix();
  log_det = s.colwise().sum().transpose();
}

LayerKind affine_coupling_layer_kind() {
  LayerKind kind;
  kind.name = "affine";
  kind.summary = "affine coupling (RealNVP): z_b * exp(s(z_a)) + t(z_a), s bounded by scale";
  kind.min_dim = 2;
  kind.coupling = true;
  kind.options = {{"hidden", kDefaultHidden, 1, 1024, true, "units in each hidden layer of the conditioner"},
                  {"depth", kDefaultDepth, 1, 8, true, "hidden layers of the conditioner"},
                  {"scale", kDefaultScale, 0.01, 20, false, "bound c of the log-scale s = c tanh(s'/c)"}};
  kind.make = [](int dim, const LayerOptions& o, int coupling_index) {
    return std::make_unique<AffineCouplingLayer>(dim, coupling_index, static_cast<int>(o.at("hidden")),
                                                 static_cast<int>(o.at("depth")), o.at("scale"));
  };
  return kind;
}

}  // namespace nfvi
