// What the coupling layers (affine and spline) share: the split of z into a
// conditioning part a, passed through unchanged, and a transformed part b,
// and the conditioner MLP that maps z_a to the parameters of b's transform.
//
// The split: the first floor(D/2) coordinates and the rest. The coupling
// layers of a flow alternate which part they transform (flow_spec.hpp
// numbers them): even ones transform the first part given the second, odd
// ones the second given the first, so that every coordinate is transformed.
// Starting with the first part matters for targets built as p(z1) p(z2 | z1)
// (U2-U4): the first layer then shapes z1's marginal from the base while z2
// is still independent of it, and the second adds z2's dependence on z1.
//
// The conditioner is an MLP {|a|, hidden x depth, outputs} with ELU hidden
// layers (nn/mlp.hpp), its weights a segment of the flow's parameters in the
// MLP's layout. It starts with PyTorch's nn.Linear initialisation and the
// output layer at zero, so that every coupling layer starts as the identity.
#pragma once

#include <vector>

#include "math/random.hpp"
#include "math/types.hpp"
#include "nn/mlp.hpp"

namespace nfvi {

struct CouplingSplit {
  CouplingSplit(int dim, int coupling_index);
  std::vector<Eigen::Index> conditioning, transformed;  // coordinate indices of a and b

  // The rows `which` of z (D, N) as a column-major (|which|, N) matrix.
  static void gather(SamplesConstRef z, const std::vector<Eigen::Index>& which, Matrix& out);
};

std::vector<int> conditioner_sizes(int inputs, int hidden, int depth, int outputs);

// The initial weights of a conditioner (see above), drawn from rng.
void initialize_conditioner(const std::vector<int>& sizes, Eigen::Ref<Vector> params, Random& rng);

}  // namespace nfvi
