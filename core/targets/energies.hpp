// The target energies U(z), z in R^2, with p(z) proportional to exp(-U(z)).
//
// U1-U4 are the 2-D test energies of Rezende & Mohamed (2015); U8 is the
// seed study's eight-mode ring. Constants follow the seed (see design.md):
// the paper uses width 0.6 in w2 and 0.4 in U4's first term.
// U2-U4 are flat along z1, so they are tapered by -log sigmoid(10(5 - |z|_inf))
// to make them normalisable. U1 and U8 are not tapered.
//
// Every energy is computed with stable log-sum-exp and log-sigmoid, so it is
// finite, with a finite gradient, everywhere in [-50, 50]^2.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "math/types.hpp"

namespace nfvi {

enum class Potential { U1, U2, U3, U4, U8 };

// The value and gradient of an energy at one point.
struct EnergyAtPoint {
  double value;
  double d_z1;
  double d_z2;
};

// "U1" -> Potential::U1 and so on; nullopt for an unknown name.
std::optional<Potential> potential_from_name(const std::string& name);
std::string potential_name(Potential potential);
std::vector<std::string> potential_names();

EnergyAtPoint energy_at(Potential potential, double z1, double z2);

// The seed's ring: 0.5((|R z| - distance)/0.4)^2
//   - log(exp(-0.5((x' - distance)/0.6)^2) + exp(-0.5((x' + distance)/0.6)^2) + floor),
// where R rotates by `angle` and x' = cos(angle) z1 - sin(angle) z2.
// U1 is ring(0, 2, 0); U8 sums four rings of distance 3; the conditional
// family is ring(angle, 2, 1e-6).
EnergyAtPoint ring_energy_at(double z1, double z2, double angle, double distance, double floor);

// Batched: z (2, N) -> energy (N) and its gradient (2, N). Outputs are resized.
void evaluate_energy(Potential potential, SamplesConstRef z, Array& energy, Samples& gradient);

// ring_energy_at for a batch z (2, N), with the same maths written on whole
// arrays (Eigen vectorises its exp and log): energy (N) and gradient (2, N),
// resized. floor >= 0. Agrees with ring_energy_at up to round-off.
void evaluate_ring_energy(SamplesConstRef z, double angle, double distance, double floor, Array& energy,
                          Samples& gradient);

// A target energy for a batch: z (2, N) -> U (N) and grad U (2, N), resized.
// Lets the objective (reverse_kl.hpp) take targets other than a Potential.
using EnergyFunction = std::function<void(SamplesConstRef z, Array& energy, Samples& gradient)>;
EnergyFunction energy_function(Potential potential);

// The conditional family of targets: the seed's U1 ring, distance 2 and
// 1e-6 inside the log, rotated by an angle x (any real number; the family
// has period 2 pi and, by the ring's symmetry, also period pi):
//   U(z | x) = ring(z; x, 2, 1e-6).
// Rotation keeps the normaliser: Z(x) = Z(0).
inline constexpr double kRotatedRingDistance = 2.0;
inline constexpr double kRotatedRingFloor = 1e-6;
EnergyAtPoint rotated_ring_energy_at(double z1, double z2, double angle);
EnergyFunction rotated_ring_energy(double angle);

// A family of targets indexed by a scalar condition x: U(z | x) for a batch
// z (2, N) -> U (N), grad_z U (2, N), resized.
using ConditionalEnergyFunction =
    std::function<void(double condition, SamplesConstRef z, Array& energy, Samples& gradient)>;
ConditionalEnergyFunction rotated_ring_family();

}  // namespace nfvi
