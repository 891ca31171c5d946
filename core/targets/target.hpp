// A target density p(z) ∝ exp(-U(z)), z in R^D, as the program and the page
// fit it: its energy over a batch, its dimension, a view box of its first
// coordinate pair, and its log Z where that is known exactly. A target is one
// of the library's (by name) or an energy expression typed by the user
// (targets/expression.hpp); TargetSpec is what rebuilds either.
//
// The library (make_library_target, target_library):
//   U1-U4, U8  the 2-D energies built in (energies.hpp), with their
//              expressions (energy_expression) as their text;
//   gmm40      FAB's 40-mode Gaussian mixture in 2-D (Midgley et al. 2023):
//              equal weights, each N(mean_k, s^2 I), s = softplus(1); log Z = 0;
//   banana     Haario et al. (1999): z1 ~ N(0, 10^2), z2 | z1 ~ N(0.03(z1^2 - 100), 1); log Z = 0;
//   funnel     Neal's funnel in D dimensions (default 10): z1 ~ N(0, 3^2),
//              z_i | z1 ~ N(0, e^z1) for i >= 2; log Z = 0;
//   many-well  FAB's Many Well in 32 dimensions: the sum over 16 pairs
//              (x, y) = (z_{2k-1}, z_{2k}) of x^4 - 6x^2 - 0.5x + y^2/2;
//              log Z = 16 log(sqrt(2 pi) * integral of exp(-x^4 + 6x^2 + 0.5x) dx);
//   two-moons  normflows' two moons: U = ((|z| - 2)/0.2)^2/2
//              - log(exp(-((z1 - 2)/0.3)^2/2) + exp(-((z1 + 2)/0.3)^2/2));
//   rings      normflows' ring mixture (two rings): U = -log sum_{i=1,2}
//              exp(-(|z| - i)^2 / (2 s^2)), s = 1/8.
// Every one but U1-U4 and U8 is an expression, compiled once.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "targets/energies.hpp"

namespace nfvi {

// A rectangle [xmin, xmax] x [ymin, ymax] of the first coordinate pair (z1, z2).
struct Box {
  double xmin = -6, xmax = 6, ymin = -6, ymax = 6;
};
// xmin < xmax, ymin < ymax, all finite.
bool is_valid_box(const Box& box);

// What rebuilds a target: a library name, or (name empty) an expression.
struct TargetSpec {
  std::string name;        // a library target's name, or empty
  std::string expression;  // the energy, when name is empty
  int dim = 0;             // 0: the library target's default; an expression needs its own
  std::optional<Box> box;  // an expression's box (default [-6, 6]^2); a library target has its own
};

struct Target {
  std::string name;         // the library's name, or "expression"
  std::string description;  // one line
  int dim = 2;
  Box box;                  // the view of (z1, z2), and the quadrature box of a 2-D target
  // The box over which a quadrature of (z1, z2) holds the mass (the density
  // at its edge is below 1e-6 of its peak): box itself, except for U1-U4 and
  // U8, which keep the [-10, 10]^2 of log_partition(Potential), and banana,
  // whose tails reach beyond its view.
  Box quadrature_box;
  std::optional<double> log_z;  // exact, where known
  std::string expression;       // the energy as text ("" for none)
  int default_steps = 10000;    // training steps unless the user sets them
  EnergyFunction energy;        // z (D, N) -> U (N), grad U (D, N), resized
  // The centres (z1, z2) of its modes, for a mixture whose modes are known
  // (gmm40: its 40 means), so that a fit can count the modes its samples
  // reach (vi/mode_coverage.hpp); empty for every other target.
  std::vector<std::pair<double, double>> mode_centres;
  TargetSpec spec;              // rebuilds this target
};

// One row of the library, for a listing.
struct LibraryEntry {
  std::string name;
  std::string description;
  int default_dim;
  bool any_dim;  // the dimension may be chosen (funnel); otherwise it is fixed
};
std::vector<LibraryEntry> target_library();
std::vector<std::string> target_names();

// A library target. dim 0 takes its default; another dimension is refused
// (std::invalid_argument) unless the target has any dimension (funnel: 2 to
// kMaxTargetDim). An unknown name is refused with the list of names.
Target make_library_target(const std::string& name, int dim = 0);

// An expression over z1 .. z_dim (1 <= dim <= kMaxTargetDim) with its box.
// Throws ExpressionError for a bad expression and std::invalid_argument for
// a bad dimension or box.
Target make_expression_target(const std::string& text, int dim, const Box& box = {});

// Either, from a spec.
Target make_target(const TargetSpec& spec);

inline constexpr int kMaxTargetDim = 1000;

// The 40 means of gmm40, (x, y) for each component, in the order of FAB's
// generator (../shared/targets/gmm40_means.csv).
const std::vector<std::pair<double, double>>& gmm40_means();

}  // namespace nfvi
