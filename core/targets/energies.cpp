#include "targets/energies.hpp"

#include <cmath>
#include <stdexcept>

#include "math/scalar_math.hpp"

namespace nfvi {
namespace {

// w1 = sin(2 pi z1 / 4) and its derivative.
struct Wave {
  double value;
  double derivative;
};
Wave w1(double z1) { return {std::sin(kPi * z1 / 2), (kPi / 2) * std::cos(kPi * z1 / 2)}; }

// w2 = 3 exp(-0.5((z1 - 1)/0.5)^2)
Wave w2(double z1) {
  const double t = (z1 - 1) / 0.5;
  const double v = 3 * std::exp(-0.5 * t * t);
  return {v, -v * t / 0.5};
}

// w3 = 3 sigmoid((z1 - 1)/0.3)
Wave w3(double z1) {
  const double s = sigmoid((z1 - 1) / 0.3);
  return {3 * s, 3 * s * (1 - s) / 0.3};
}

// Adds the taper -log sigmoid(10(5 - |z|_inf)) = softplus(10(|z|_inf - 5)).
// d/dm softplus(10(m - 5)) = 10 sigmoid(10(m - 5)); m = |z_i| of the larger coordinate.
void add_taper(double z1, double z2, EnergyAtPoint& e) {
  const bool first = std::abs(z1) >= std::abs(z2);
  const double m = first ? std::abs(z1) : std::abs(z2);
  e.value += softplus(10 * (m - 5));
  const double dm = 10 * sigmoid(10 * (m - 5));
  if (first) {
    e.d_z1 += dm * (z1 >= 0 ? 1 : -1);
  } else {
    e.d_z2 += dm * (z2 >= 0 ? 1 : -1);
  }
}

// U2 = 0.5((z2 - w1)/0.4)^2
EnergyAtPoint u2(double z1, double z2) {
  const Wave a = w1(z1);
  const double d = (z2 - a.value) / 0.4;
  // dU/dd = d; dd/dz2 = 1/0.4; dd/dz1 = -w1'/0.4
  return {0.5 * d * d, -d * a.derivative / 0.4, d / 0.4};
}

// Energies of the form -log(exp(-0.5 d1^2) + exp(-0.5 d2^2)) with
// d1 = (z2 - w1)/s1 and d2 = (z2 - w1 + shift)/s2, as U3 and U4 are.
// dU/dd1 = weight1 d1 and dU/dd2 = weight2 d2, with the log-sum-exp weights.
EnergyAtPoint two_wave_mixture(double z1, double z2, const Wave& shift, double s1, double s2) {
  const Wave a = w1(z1);
  const double d1 = (z2 - a.value) / s1;
  const double d2 = (z2 - a.value + shift.value) / s2;
  const LogSumExp2 lse = log_sum_exp2(-0.5 * d1 * d1, -0.5 * d2 * d2);
  const double g1 = lse.weight_a * d1;
  const double g2 = lse.weight_b * d2;
  return {-lse.value, g1 * (-a.derivative / s1) + g2 * (shift.derivative - a.derivative) / s2, g1 / s1 + g2 / s2};
}

}  // namespace

std::optional<Potential> potential_from_name(const std::string& name) {
  if (name == "U1") return Potential::U1;
  if (name == "U2") return Potential::U2;
  if (name == "U3") return Potential::U3;
  if (name == "U4") return Potential::U4;
  if (name == "U8") return Potential::U8;
  return std::nullopt;
}

std::string potential_name(Potential potential) {
  switch (potential) {
    case Potential::U1: return "U1";
    case Potential::U2: return "U2";
    case Potential::U3: return "U3";
    case Potential::U4: return "U4";
    case Potential::U8: return "U8";
  }
  throw std::logic_error("unhandled potential");
}

std::vector<std::string> potential_names() { return {"U1", "U2", "U3", "U4", "U8"}; }

EnergyAtPoint ring_energy_at(double z1, double z2, double angle, double distance, double floor) {
  const double c = std::cos(angle);
  const double s = std::sin(angle);
  const double x = c * z1 - s * z2;               // first coordinate of the rotated point
  const double r = std::sqrt(z1 * z1 + z2 * z2);  // rotation keeps the norm

  // Radial term 0.5((r - distance)/0.4)^2; dr/dz = z/r (taken as 0 at the origin).
  const double radial = (r - distance) / 0.4;
  const double dr_scale = r > 0 ? radial / 0.4 / r : 0.0;

  // Two bumps along x: -log(exp(a) + exp(b) + floor).
  const double ta = (x - distance) / 0.6;
  const double tb = (x + distance) / 0.6;
  const LogSumExp2 lse = floor > 0 ? log_sum_exp2_plus(-0.5 * ta * ta, -0.5 * tb * tb, floor)
                                   : log_sum_exp2(-0.5 * ta * ta, -0.5 * tb * tb);
  // d/dx of -lse = weight_a ta/0.6 + weight_b tb/0.6
  const double dx = (lse.weight_a * ta + lse.weight_b * tb) / 0.6;

  return {0.5 * radial * radial - lse.value, dr_scale * z1 + dx * c, dr_scale * z2 - dx * s};
}

EnergyAtPoint energy_at(Potential potential, double z1, double z2) {
  EnergyAtPoint e{};
  switch (potential) {
    case Potential::U1: return ring_energy_at(z1, z2, 0.0, 2.0, 0.0);
    case Potential::U2: e = u2(z1, z2); break;
    case Potential::U3: e = two_wave_mixture(z1, z2, w2(z1), 0.35, 0.35); break;
    case Potential::U4: e = two_wave_mixture(z1, z2, w3(z1), 0.34, 0.35); break;
    case Potential::U8:
      for (double angle : {0.0, kPi / 4, kPi / 2, 3 * kPi / 4}) {
        const EnergyAtPoint ring = ring_energy_at(z1, z2, angle, 3.0, 1e-5);
        e.value += ring.value;
        e.d_z1 += ring.d_z1;
        e.d_z2 += ring.d_z2;
      }
      return e;
  }
  add_taper(z1, z2, e);
  return e;
}

void evaluate_ring_energy(SamplesConstRef z, double angle, double distance, double floor, Array& energy,
                          Samples& gradient) {
  const Eigen::Index n = z.cols();
  const double c = std::cos(angle);
  const double s = std::sin(angle);
  const auto z1 = z.row(0).transpose().array();
  const auto z2 = z.row(1).transpose().array();
  const Array x = c * z1 - s * z2;
  const Array r = (z1.square() + z2.square()).sqrt();
  const Array radial = (r - distance) / 0.4;
  // dr/dz = z/r, taken as 0 at the origin as in ring_energy_at.
  const Array dr_scale = (r > 0).select(radial / (0.4 * r), 0.0);

  // -log(exp(a) + exp(b) + floor) with m = max(a, b, log floor); a floor of 0
  // gives log floor = -inf, which drops out of the max and of the sum.
  const Array ta = (x - distance) / 0.6;
  const Array tb = (x + distance) / 0.6;
  const Array a = -0.5 * ta.square();
  const Array b = -0.5 * tb.square();
  const double log_floor = std::log(floor);
  const Array m = a.max(b).max(log_floor);
  const Array ea = (a - m).exp();
  const Array eb = (b - m).exp();
  const Array total = ea + eb + (log_floor - m).exp();
  // d/dx of -lse = (ea ta + eb tb) / (0.6 total)
  const Array dx = (ea * ta + eb * tb) / (0.6 * total);

  energy.resize(n);
  gradient.resize(2, n);
  energy = 0.5 * radial.square() - (m + total.log());
  gradient.row(0) = (dr_scale * z1 + c * dx).matrix().transpose();
  gradient.row(1) = (dr_scale * z2 - s * dx).matrix().transpose();
}

EnergyFunction energy_function(Potential potential) {
  return [potential](SamplesConstRef z, Array& energy, Samples& gradient) {
    evaluate_energy(potential, z, energy, gradient);
  };
}

EnergyAtPoint rotated_ring_energy_at(double z1, double z2, double angle) {
  return ring_energy_at(z1, z2, angle, kRotatedRingDistance, kRotatedRingFloor);
}

EnergyFunction rotated_ring_energy(double angle) {
  return [angle](SamplesConstRef z, Array& energy, Samples& gradient) {
    evaluate_ring_energy(z, angle, kRotatedRingDistance, kRotatedRingFloor, energy, gradient);
  };
}

ConditionalEnergyFunction rotated_ring_family() {
  return [](double angle, SamplesConstRef z, Array& energy, Samples& gradient) {
    evaluate_ring_energy(z, angle, kRotatedRingDistance, kRotatedRingFloor, energy, gradient);
  };
}

void evaluate_energy(Potential potential, SamplesConstRef z, Array& energy, Samples& gradient) {
  const Eigen::Index n = z.cols();
  energy.resize(n);
  gradient.resize(2, n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const EnergyAtPoint e = energy_at(potential, z(0, i), z(1, i));
    energy(i) = e.value;
    gradient(0, i) = e.d_z1;
    gradient(1, i) = e.d_z2;
  }
}

}  // namespace nfvi
