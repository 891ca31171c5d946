// K planar layers whose parameters differ from image to image: the VAE's
// encoder outputs w, u and b of every layer for each image (amortized
// inference, Rezende & Mohamed 2015, section 4). Layer k maps sample n of
// image b by
//
//   f_k(z) = z + u_hat tanh(w^T z + b),   log|det df_k/dz| = log|1 + (1 - tanh^2(w^T z + b)) w^T u_hat|,
//
// with u_hat = u + (m(w^T u) - w^T u) w / |w|^2 and m(s) = -1 + softplus(s + 0.5413),
// exactly as PlanarLayer (planar_layer.hpp), which has one parameter set.
//
// Shapes (column-major Matrix):
//   params (2 K D + K, B), one column per image: rows [k D, (k+1) D) are w of
//          layer k, rows [K D + k D, K D + (k+1) D) are u, row 2 K D + k is b
//          (the seed's order);
//   z0, z_K, dz_K, dz0 (D, S B): S blocks of B columns, column s B + b is
//          sample s of image b;
//   log_det_sum, dlog_det_sum (S B): sum over layers of log|det|.
#pragma once

#include <vector>

#include "math/types.hpp"

namespace nfvi {

class AmortizedPlanarFlow {
 public:
  AmortizedPlanarFlow(int dim, int layers);

  int dim() const { return dim_; }
  int layers() const { return layers_; }
  // Rows of params: 2 K D + K.
  Eigen::Index parameter_rows() const { return 2 * static_cast<Eigen::Index>(layers_) * dim_ + layers_; }

  // z_K = f_K o ... o f_1(z0); log_det_sum = sum_k log|det df_k/dz|.
  // Keeps every layer's input and activations for backward.
  void forward(MatrixConstRef params, MatrixConstRef z0, Eigen::Ref<Matrix> z_K, Eigen::Ref<Array> log_det_sum);

  // Given dz_K = dL/dz_K and dlog_det_sum = dL/dlog_det_sum, writes dz0 = dL/dz0
  // and adds into dparams (2 K D + K, B). Per layer, with h = tanh(a),
  // a = w^T z + b, h' = 1 - h^2, psi = m(s), s = w^T u, g = 1 + h' psi, for
  // each sample n of image b (dz_out = dL/d f_k(z)):
  //   da_n    = h'_n (u_hat^T dz_out_n) - dlog_det_n 2 h_n h'_n psi / g_n
  //   dz_n    = dz_out_n + w da_n
  //   du_hat  = sum_n h_n dz_out_n,   dpsi = sum_n dlog_det_n h'_n / g_n
  //   db     += sum_n da_n,           dw_direct = sum_n da_n z_n
  // (sums over the S samples of image b), then through u_hat = u + c w,
  // c = (m(s) - s)/|w|^2, as in PlanarLayer::backward:
  //   dc = du_hat^T w,  ds = dpsi m'(s) + dc (m'(s) - 1)/|w|^2
  //   du += du_hat + ds w;   dw += dw_direct + ds u + c du_hat - 2 c dc w / |w|^2
  // dz0 may alias dz_K.
  void backward(MatrixConstRef params, MatrixConstRef dz_K, ArrayConstRef dlog_det_sum, Eigen::Ref<Matrix> dz0,
                Eigen::Ref<Matrix> dparams);

 private:
  int dim_, layers_;
  // Per layer k, from the last forward:
  std::vector<Matrix> z_;                            // (D, S B) input of layer k
  std::vector<Eigen::ArrayXXd> h_;                   // (1, S B) tanh(w^T z + b)
  std::vector<Eigen::ArrayXXd> g_;                   // (1, S B) 1 + h' psi
  std::vector<Matrix> u_hat_;                        // (D, B)
  std::vector<Eigen::ArrayXXd> s_, psi_, w_sq_, c_;  // (1, B) w^T u, m(s), |w|^2, (m(s) - s)/|w|^2
  Matrix dz_out_;                                    // (D, S B) backward scratch
};

}  // namespace nfvi
