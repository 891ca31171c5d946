// The decoder's likelihood: independent Bernoulli pixels with logits l,
//
//   log p(x | l) = sum_p [x_p l_p - softplus(l_p)] = sum_p [x_p log sigmoid(l_p) + (1 - x_p) log sigmoid(-l_p)],
//
// in the log-sigmoid form, which neither overflows nor takes log(0) for any
// logit. x may be any value in [0, 1] (binary in practice).
//
// Shapes: x (P, B), one column per image; logits (P, S B), S blocks of B
// columns: column s B + b is sample s of image b, so image b's pixels are
// compared with every block's column b; log_p (S B).
//
// BernoulliLikelihood computes in double; BernoulliLikelihoodOf<float> in
// float, for the VAE's float decoder.
#pragma once

#include "math/types.hpp"

namespace nfvi {

template <typename Scalar>
class BernoulliLikelihoodOf {
 public:
  using MatConstRef = const Eigen::Ref<const MatrixOf<Scalar>>&;

  // log_p(s B + b) = log p(x_b | logits(:, s B + b)).
  void forward(MatConstRef x, MatConstRef logits, Eigen::Ref<ArrayOf<Scalar>> log_p) const;

  // Given dlog_p = dL/dlog_p (S B), adds into dlogits (P, S B):
  //   d log p / d l_p = x_p - sigmoid(l_p)
  //   dlogits(:, n) += dlog_p(n) (x_b - sigmoid(logits(:, n)))
  void backward(MatConstRef x, MatConstRef logits, const Eigen::Ref<const ArrayOf<Scalar>>& dlog_p,
                Eigen::Ref<MatrixOf<Scalar>> dlogits) const;
};

using BernoulliLikelihood = BernoulliLikelihoodOf<double>;

}  // namespace nfvi
