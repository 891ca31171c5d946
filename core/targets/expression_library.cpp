// The built-in energies of targets/energies.cpp, written in the expression
// language, with the same constants and the same stable forms:
//   w1 = sin(2 pi z1/4), w2 = 3 exp(-0.5((z1 - 1)/0.5)^2), w3 = 3 sigmoid((z1 - 1)/0.3)
// (the seed's constants; the paper's w2 has width 0.6, see design.md);
// -log(exp(a) + exp(b)) as -logsumexp(a, b); the taper of U2-U4,
// -log sigmoid(10(5 - |z|_inf)), as softplus(10(|z|_inf - 5)), which is the
// same function (-log sigmoid(x) = softplus(-x)) without an underflow;
// |z|_inf = max(abs(z1), abs(z2)). U8's rings add the 1e-5 floor inside the
// log as a third logsumexp term, log(1e-5), and rotate z by
// x' = cos(t) z1 - sin(t) z2 with the built-in's cos(t) and sin(t).
#include "targets/expression.hpp"

#include <stdexcept>

namespace nfvi {

std::string energy_expression(Potential potential) {
  const std::string taper = "softplus(10*(max(abs(z1), abs(z2)) - 5))";
  switch (potential) {
    case Potential::U1:
      return "0.5*((sqrt(z1^2 + z2^2) - 2)/0.4)^2 - logsumexp(-0.5*((z1 - 2)/0.6)^2, -0.5*((z1 + 2)/0.6)^2)";
    case Potential::U2: return "w1 = sin(2*pi*z1/4); 0.5*((z2 - w1)/0.4)^2 + " + taper;
    case Potential::U3:
      return "w1 = sin(2*pi*z1/4); w2 = 3*exp(-0.5*((z1 - 1)/0.5)^2); "
             "-logsumexp(-0.5*((z2 - w1)/0.35)^2, -0.5*((z2 - w1 + w2)/0.35)^2) + " +
             taper;
    case Potential::U4:
      return "w1 = sin(2*pi*z1/4); w3 = 3*sigmoid((z1 - 1)/0.3); "
             "-logsumexp(-0.5*((z2 - w1)/0.34)^2, -0.5*((z2 - w1 + w3)/0.35)^2) + " +
             taper;
    case Potential::U8:
      return "r = sqrt(z1^2 + z2^2); radial = 0.5*((r - 3)/0.4)^2; "
             "x1 = cos(0)*z1 - sin(0)*z2; x2 = cos(pi/4)*z1 - sin(pi/4)*z2; "
             "x3 = cos(pi/2)*z1 - sin(pi/2)*z2; x4 = cos(3*pi/4)*z1 - sin(3*pi/4)*z2; "
             "(radial - logsumexp(-0.5*((x1 - 3)/0.6)^2, -0.5*((x1 + 3)/0.6)^2, log(1e-5))) + "
             "(radial - logsumexp(-0.5*((x2 - 3)/0.6)^2, -0.5*((x2 + 3)/0.6)^2, log(1e-5))) + "
             "(radial - logsumexp(-0.5*((x3 - 3)/0.6)^2, -0.5*((x3 + 3)/0.6)^2, log(1e-5))) + "
             "(radial - logsumexp(-0.5*((x4 - 3)/0.6)^2, -0.5*((x4 + 3)/0.6)^2, log(1e-5)))";
  }
  throw std::logic_error("unhandled potential");
}

}  // namespace nfvi
