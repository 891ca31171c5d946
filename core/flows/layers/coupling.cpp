#include "flows/layers/coupling.hpp"

#include <stdexcept>

namespace nfvi {

CouplingSplit::CouplingSplit(int dim, int coupling_index) {
  if (dim < 2) throw std::invalid_argument("coupling layers need at least 2 dimensions");
  const int first = dim / 2;
  std::vector<Eigen::Index> head, tail;
  for (int d = 0; d < dim; ++d) (d < first ? head : tail).push_back(d);
  conditioning = coupling_index % 2 == 0 ? tail : head;
  transformed = coupling_index % 2 == 0 ? head : tail;
}

void CouplingSplit::gather(SamplesConstRef z, const std::vector<Eigen::Index>& which, Matrix& out) {
  out.resize(static_cast<Eigen::Index>(which.size()), z.cols());
  for (size_t r = 0; r < which.size(); ++r) out.row(static_cast<Eigen::Index>(r)) = z.row(which[r]);
}

std::vector<int> conditioner_sizes(int inputs, int hidden, int depth, int outputs) {
  std::vector<int> sizes{inputs};
  for (int l = 0; l < depth; ++l) sizes.push_back(hidden);
  sizes.push_back(outputs);
  return sizes;
}

void initialize_conditioner(const std::vector<int>& sizes, Eigen::Ref<Vector> params, Random& rng) {
  Mlp network(sizes);
  network.initialize(rng, MlpInit::TorchLinear);
  const int last = network.layer_count() - 1;
  network.parameters().tail(network.parameter_count() - network.parameter_offset(last)).setZero();
  params = network.parameters();
}

}  // namespace nfvi
