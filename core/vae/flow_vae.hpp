// A variational autoencoder whose approximate posterior is a planar flow
// (Rezende & Mohamed 2015, section 4; the seed's NF-VAE):
//
//   encoder  x (P) -> 512 -> 512 -> (2 D + K 2 D + K), ELU hidden, linear out:
//            mu (D), rho (D) with sigma = softplus(rho), then w, u (K D each)
//            and b (K) of K planar layers, for each image;
//   q(z|x)   z0 = mu + sigma * eps, eps ~ N(0, I); z_K = f_K o ... o f_1(z0);
//            log q_K(z_K|x) = log N(z0; mu, sigma^2) - sum_k log|det df_k/dz|;
//   decoder  z_K (D) -> 512 -> 512 -> P Bernoulli logits, ELU hidden;
//   prior    p(z) = N(0, I).
//
// For S samples of each image the log importance weights are
//   log w_{s,b} = log p(x_b | z_K) + log p(z_K) - log q_K(z_K | x_b),
// the ELBO is their mean, and log p(x_b) is estimated by
//   log (1/S) sum_s w_{s,b}  (importance sampling; its expectation is a lower
//   bound on log p(x) that tightens as S grows).
//
// Shapes: x (P, B), one column per image; eps, z0, z_K (D, S B), S blocks of
// B columns, column s B + b being sample s of image b; log_w (S B).
// Parameters: one flat layout [encoder (Mlp layout) | decoder (Mlp layout)].
//
// Precision. FlowVae computes everything in double; it is the one the
// finite-difference tests check. FlowVaeOf<float> runs the two networks and
// the Bernoulli likelihood in float (weights, gradient, activations), as the
// seed's PyTorch code does, and everything of size D x S B (the base, the
// flow, the prior, log w) in double. Its interface is the same: images, eps
// and log w are double, parameters and gradients are float.
#pragma once

#include "flows/amortized_planar_flow.hpp"
#include "vae/bernoulli_likelihood.hpp"
#include "nn/mlp.hpp"
#include "math/random.hpp"
#include "math/types.hpp"

namespace nfvi {

struct FlowVaeShape {
  int data_dim = 784;  // P
  int latent = 32;     // D
  int flows = 16;      // K
  int hidden = 512;    // width of both hidden layers of both networks
};

template <typename Scalar>
class FlowVaeOf {
 public:
  using Vec = VectorOf<Scalar>;
  using Mat = MatrixOf<Scalar>;

  explicit FlowVaeOf(const FlowVaeShape& shape);

  const FlowVaeShape& shape() const { return shape_; }
  Eigen::Index encoder_parameter_count() const { return encoder_.parameter_count(); }
  Eigen::Index parameter_count() const { return encoder_.parameter_count() + decoder_.parameter_count(); }
  MlpOf<Scalar>& encoder() { return encoder_; }
  MlpOf<Scalar>& decoder() { return decoder_; }
  const MlpOf<Scalar>& encoder() const { return encoder_; }
  const MlpOf<Scalar>& decoder() const { return decoder_; }

  // The flat [encoder | decoder] vector, and setting it back.
  Vec parameters() const;
  void set_parameters(const Eigen::Ref<const Vec>& parameters);

  // PyTorch's nn.Linear rule for both networks (the seed's networks were built with it).
  void initialize(Random& random);

  // log w (S B) for the images x (P, B) and the base noise eps (D, S B), as
  // above. Keeps what backward needs.
  void forward(MatrixConstRef x, MatrixConstRef eps, Eigen::Ref<Array> log_w);

  // Given dlog_w = dL/dlog_w (S B) for the last forward, adds dL/dparameters
  // into gradient (parameter_count(), the flat layout). Backward runs through
  // decoder, flow, base and encoder:
  //   log w = log p(x|z_K) + log p(z_K) - log q0(z0) + sum_k log det_k
  //   dz_K  = dlog_w (d log p(x|z_K)/dz_K through the decoder  -  z_K)
  //   (dz0, dflow params) from AmortizedPlanarFlow::backward(dz_K, dlog_det = dlog_w)
  //   with log q0 = -|eps|^2/2 - sum_d log sigma_d - D/2 log 2 pi at fixed eps:
  //   dmu_b    = sum_s dz0_{s,b}
  //   dsigma_b = sum_s dz0_{s,b} * eps_{s,b} + (sum_s dlog_w_{s,b}) / sigma_b
  //   drho_b   = dsigma_b * sigmoid(rho_b)
  //   then the encoder's backward with d(encoder output) = (dmu, drho, dflow params).
  void backward(ArrayConstRef dlog_w, Eigen::Ref<Vec> gradient);

  // The mean ELBO over the B images and S samples for the given eps, and
  // (if gradient is non-null) adds the gradient of the loss -ELBO into it.
  double negative_elbo(MatrixConstRef x, MatrixConstRef eps, Vec* gradient);

  // log p(x_b) estimated with `samples` importance samples per image drawn from
  // random, for every column of x (P, N); images are processed `chunk` at a time.
  Array importance_sampled_log_likelihood(MatrixConstRef x, int samples, Random& random, Eigen::Index chunk = 32);
  // The same estimate from the same draws, and k_hat (N): the Pareto k-hat
  // of each image's `samples` importance weights (vi/pareto_k_hat.hpp; NaN
  // for fewer than 21 samples, -inf for a flat tail). It says whether that
  // image's estimate can be trusted: below pareto_k_threshold(samples) it can.
  Array importance_sampled_log_likelihood(MatrixConstRef x, int samples, Random& random, Array& k_hat,
                                          Eigen::Index chunk = 32);

  // Bernoulli means sigmoid(decoder(z)) for z (D, N): samples from the prior
  // give pictures of the model, z = mu(x) gives reconstructions.
  Matrix decode_means(MatrixConstRef z);
  // z_K (D, S B) of the last forward.
  const Matrix& last_z_K() const { return z_K_; }
  // The encoder's mean mu(x) (D, N), the flow not applied.
  Matrix encode_means(MatrixConstRef x);

 private:
  // Both importance_sampled_log_likelihood overloads; k_hat may be null.
  Array importance_sampled(MatrixConstRef x, int samples, Random& random, Eigen::Index chunk, Array* k_hat);
  FlowVaeShape shape_;
  MlpOf<Scalar> encoder_, decoder_;
  AmortizedPlanarFlow flow_;
  BernoulliLikelihoodOf<Scalar> likelihood_;

  // From the last forward:
  Mat x_;           // (P, B)
  Matrix encoded_;  // (2 D + K 2 D + K, B) the encoder's output in double
  Matrix eps_;      // (D, S B)
  Matrix sigma_;    // (D, B) softplus(rho)
  Matrix z_K_;      // (D, S B)
  Array log_det_;   // (S B)
  // Backward scratch:
  Mat dlogits_;      // (P, S B)
  Mat dz_decoder_;   // (D, S B) d log p(x|z_K) / dz_K, scaled by dlog_w
  Matrix dz_;        // (D, S B)
  Matrix dencoded_;  // (2 D + K 2 D + K, B)
};

using FlowVae = FlowVaeOf<double>;

}  // namespace nfvi
