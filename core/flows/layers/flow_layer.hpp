// One layer of a normalizing flow: an invertible map f: R^D -> R^D with its
// log-determinant, its gradient and its exact inverse. See README.md in this
// folder for the kinds and for how to add one.
//
// Conventions (as everywhere in core): a batch of points is a (D, N) Samples
// matrix, one column per sample; per-sample scalars are (N) arrays. A layer
// owns no trainable values: its parameters are a segment of the flow's flat
// parameter vector (parameter_count() values, in the layout its file states),
// passed to every call, so that one layer object serves a flow and a
// conditional flow alike. A layer may keep what backward needs from the last
// forward (named members); backward uses the last forward's state.
#pragma once

#include <memory>
#include <string>

#include "math/random.hpp"
#include "math/types.hpp"

namespace nfvi {

class FlowLayer {
 public:
  virtual ~FlowLayer() = default;
  virtual std::unique_ptr<FlowLayer> clone() const = 0;

  // The layer as one item of a flow spec, e.g. "planar" or "spline:bins=8:hidden=32".
  virtual std::string spec() const = 0;
  virtual int dim() const = 0;
  virtual Eigen::Index parameter_count() const = 0;

  // Why these parameters cannot be used (e.g. a planar layer's w = 0), or ""
  // if they can: for parameters read from a file.
  virtual std::string invalid_parameters(VectorConstRef /*params*/) const { return ""; }

  // Initial parameters, drawn from rng in a fixed order.
  virtual void initialize(Eigen::Ref<Vector> params, Random& rng) const = 0;

  // z_out = f(z) and log_det = log|det df/dz| per sample (written, not
  // added). z_out must not alias z.
  virtual void forward(VectorConstRef params, SamplesConstRef z, SamplesRef z_out, Eigen::Ref<Array> log_det) = 0;

  // A layer whose determinant is cheap and positive may offer it instead of
  // its log, so that a flow can take one log of a product of several
  // (planar: logs were the largest cost of a step in WebAssembly). Then
  // forward_det writes z_out and returns det df/dz per sample.
  virtual bool offers_determinant() const { return false; }
  virtual const Array& forward_det(VectorConstRef params, SamplesConstRef z, SamplesRef z_out);

  // Given dz_out = dL/dz_out and dlog_det = dL/dlog_det for the last forward,
  // whose input was z, writes dz = dL/dz and adds dL/dparams into dparams.
  // dz may alias dz_out.
  virtual void backward(VectorConstRef params, SamplesConstRef z, SamplesConstRef dz_out, ArrayConstRef dlog_det,
                        SamplesRef dz, Eigen::Ref<Vector> dparams) = 0;

  // z = f^-1(z_out), exactly (to round-off), and log_det = log|det df/dz| at
  // that z per sample, for the density at points the flow did not sample.
  // It may overwrite what the last forward kept: call it between steps, not
  // between a forward and its backward. z must not alias z_out.
  virtual void inverse(VectorConstRef params, SamplesConstRef z_out, SamplesRef z, Eigen::Ref<Array> log_det) = 0;

  // The inverse's backward with respect to its input, for the density at a
  // point (the path-derivative gradient needs d log q / dz). Take a scalar L
  // of z = f^-1(z_out) and of log_det = log|det J(z)| (J = df/dz, the
  // forward's Jacobian at z). Given dz = dL/dz and dlog_det = dL/dlog_det,
  // writes
  //   dz_out = dL/dz_out = J^-T (dz + dlog_det grad_z log|det J(z)|),
  // since dz/dz_out = J^-1 at z. z must be the input of the last forward
  // (for a point z_out the flow did not sample, call inverse and then forward
  // at the z it gives). Uses the last forward's state and leaves it as it was,
  // so that backward may follow. Parameters get no gradient. dz_out may alias dz.
  virtual void inverse_backward(VectorConstRef params, SamplesConstRef z, SamplesConstRef dz,
                                ArrayConstRef dlog_det, SamplesRef dz_out) = 0;
};

}  // namespace nfvi
