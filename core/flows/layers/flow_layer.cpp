#include "flows/layers/flow_layer.hpp"

#include <stdexcept>

namespace nfvi {

const Array& FlowLayer::forward_det(VectorConstRef, SamplesConstRef, SamplesRef) {
  throw std::logic_error(spec() + " does not offer its determinant (check offers_determinant first)");
}

}  // namespace nfvi
