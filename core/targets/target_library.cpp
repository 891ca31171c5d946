// The target library (targets/target.hpp): each target's energy, as an
// expression where one serves (they are compiled once per target made), with
// its dimension, view box and log Z where known.
//
// Normalised targets write their normaliser into U, so that log Z = 0:
//   gmm40:  U = -log((1/40) sum_k N(z; m_k, s^2 I))
//             = -logsumexp_k(-|z - m_k|^2 / (2 s^2)) + log(40 * 2 pi s^2);
//   banana: U = (z1/10)^2/2 + (z2 - 0.03(z1^2 - 100))^2/2 + log(2 pi * 10);
//   funnel: U = (z1/3)^2/2 + log(3 sqrt(2 pi)) + sum_{i>=2} [z_i^2 e^-z1 / 2 + (z1 + log 2 pi)/2],
//           the last term being log sqrt(2 pi e^z1), the normaliser of N(0, e^z1).
// Many Well is left unnormalised: its log Z is 16 log(sqrt(2 pi) I) with
// I = integral of exp(-(x^4 - 6x^2 - 0.5x)) dx, computed by the trapezoid rule
// on [-6, 6] with step 1e-4 (the integrand is below e^-1000 beyond; the rule
// converges faster than any power of the step for such an integrand):
// log(sqrt(2 pi) I) = 10.293479707073812 (FAB: 10.29348).
#include <cmath>
#include <cstdio>
#include <sstream>
#include <stdexcept>

#include "targets/expression.hpp"
#include "targets/target.hpp"

namespace nfvi {
namespace {

constexpr double kManyWellPairLogZ = 10.293479707073812;

// A double as the expression language reads it, to the last digit.
std::string number(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", x);
  return buffer;
}

// "z1 - m" written without a double sign: "z1 + 0.3" for m = -0.3.
std::string minus(const std::string& variable, double m) {
  return m < 0 ? variable + " + " + number(-m) : variable + " - " + number(m);
}

std::string gmm40_expression() {
  std::string terms;
  for (const auto& [mx, my] : gmm40_means())
    terms += (terms.empty() ? "" : ", ") + std::string("-a*((") + minus("z1", mx) + ")^2 + (" + minus("z2", my) + ")^2)";
  return "s = softplus(1); a = 0.5/s^2; -logsumexp(" + terms + ") + log(40*2*pi*s^2)";
}

std::string funnel_expression(int dim) {
  std::string squares;
  for (int i = 2; i <= dim; ++i) squares += (i > 2 ? " + " : "") + ("z" + std::to_string(i)) + "^2";
  return "0.5*(z1/3)^2 + log(3*sqrt(2*pi)) + 0.5*exp(-z1)*(" + squares + ") + " + std::to_string(dim - 1) +
         "*0.5*(z1 + log(2*pi))";
}

std::string many_well_expression() {
  std::string sum;
  for (int k = 0; k < 16; ++k) {
    const std::string x = "z" + std::to_string(2 * k + 1), y = "z" + std::to_string(2 * k + 2);
    sum += (k ? " + " : "") + std::string("(") + x + "^4 - 6*" + x + "^2 - 0.5*" + x + " + 0.5*" + y + "^2)";
  }
  return sum;
}

const char* const kTwoMoons =
    "r = sqrt(z1^2 + z2^2); 0.5*((r - 2)/0.2)^2 - logsumexp(-0.5*((z1 - 2)/0.3)^2, -0.5*((z1 + 2)/0.3)^2)";
const char* const kRings = "r = sqrt(z1^2 + z2^2); s = 1/8; -logsumexp(-0.5*((r - 1)/s)^2, -0.5*((r - 2)/s)^2)";

struct Definition {
  LibraryEntry entry;
  Box box;  // the view
  // Where a quadrature over (z1, z2) holds the mass (density at its edge below
  // 1e-6 of the peak): the view, unless that is too tight.
  std::optional<Box> quadrature_box = std::nullopt;
};

const std::vector<Definition>& definitions() {
  static const std::vector<Definition> all = {
      {{"U1", "Rezende & Mohamed's U1: a ring cut in two", 2, false}, {}},
      {{"U2", "Rezende & Mohamed's U2: a sine wave, tapered at |z|_inf = 5", 2, false}, {}},
      {{"U3", "Rezende & Mohamed's U3: a sine wave that splits in two", 2, false}, {}},
      {{"U4", "Rezende & Mohamed's U4: a sine wave and a shifted copy", 2, false}, {}},
      {{"U8", "the seed study's eight-mode ring", 2, false}, {}},
      {{"gmm40", "FAB's 40-mode Gaussian mixture (Midgley et al. 2023), s = softplus(1)", 2, false},
       {-56, 56, -56, 56}},
      {{"banana", "Haario's banana: z1 ~ N(0, 10^2), z2 | z1 ~ N(0.03(z1^2 - 100), 1)", 2, false},
       {-30, 30, -10, 30},
       Box{-60, 60, -20, 110}},
      {{"funnel", "Neal's funnel: z1 ~ N(0, 3^2), z_i | z1 ~ N(0, e^z1)", 10, true}, {-10, 10, -20, 20}},
      {{"many-well", "FAB's Many Well: 16 pairs of x^4 - 6x^2 - 0.5x + y^2/2", 32, false}, {-3, 3, -4, 4}},
      {{"two-moons", "normflows' two moons", 2, false}, {-3, 3, -3, 3}},
      {{"rings", "normflows' ring mixture: two rings, radii 1 and 2, width 1/8", 2, false}, {-3, 3, -3, 3}},
  };
  return all;
}

std::string names_text() {
  std::string names;
  for (const Definition& d : definitions()) names += (names.empty() ? "" : ", ") + d.entry.name;
  return names;
}

void check_dim(int dim) {
  if (dim < 1 || dim > kMaxTargetDim)
    throw std::invalid_argument("the dimension must be 1 to " + std::to_string(kMaxTargetDim) + ", got " +
                                std::to_string(dim));
}

}  // namespace

bool is_valid_box(const Box& b) {
  return std::isfinite(b.xmin) && std::isfinite(b.xmax) && std::isfinite(b.ymin) && std::isfinite(b.ymax) &&
         b.xmin < b.xmax && b.ymin < b.ymax;
}

const std::vector<std::pair<double, double>>& gmm40_means() {
  static const std::vector<std::pair<double, double>> means = {
      {-0.299472809, 21.4577446},
      {-32.9218063, -29.437561},
      {-15.4061747, 10.7262945},
      {-0.792527199, 31.71558},
      {-3.54976177, 10.5845022},
      {-12.0885229, -7.86261559},
      {-38.2139397, -26.4912834},
      {-16.488924, 1.48174286},
      {15.8134079, 24.0009117},
      {-27.1176434, -17.4185143},
      {14.5286846, 33.215519},
      {-8.23200703, 29.9324703},
      {-6.44733429, 4.23256397},
      {36.2190475, -37.1068153},
      {-25.1815186, -10.1266098},
      {-15.5919981, 34.5600319},
      {-25.9271851, -18.4133148},
      {-27.9456177, -37.4624405},
      {-23.3496189, 34.3839226},
      {17.8487358, 19.3869019},
      {2.10366249, -20.5073395},
      {6.76738739, -37.3477898},
      {-28.9026489, -20.6212006},
      {25.2375183, 23.4528503},
      {-17.7398014, -1.44329548},
      {25.582428, 39.7653236},
      {15.8752871, 5.40371418},
      {26.8194542, -23.5520935},
      {7.4537611, -31.0122204},
      {-27.7234459, -20.6633415},
      {18.0989227, 16.0864162},
      {-23.6940994, 12.0842838},
      {21.9588814, -5.04869461},
      {1.52726173, 9.26818848},
      {24.8150635, 38.4077644},
      {-30.8249435, -14.6587896},
      {15.720396, 33.1419754},
      {34.8082924, 35.2942696},
      {7.96058178, -34.7833061},
      {3.6796999, -25.0242138},
  };
  return means;
}

std::vector<LibraryEntry> target_library() {
  std::vector<LibraryEntry> entries;
  for (const Definition& d : definitions()) entries.push_back(d.entry);
  return entries;
}

std::vector<std::string> target_names() {
  std::vector<std::string> names;
  for (const Definition& d : definitions()) names.push_back(d.entry.name);
  return names;
}

Target make_expression_target(const std::string& text, int dim, const Box& box) {
  check_dim(dim);
  if (!is_valid_box(box)) throw std::invalid_argument("the box must have finite xmin < xmax and ymin < ymax");
  const EnergyExpression expression = compile_energy(text, dim);
  Target t;
  t.name = "expression";
  t.description = "U = " + text;
  t.dim = dim;
  t.box = t.quadrature_box = box;
  t.expression = text;
  t.energy = expression.energy_function();
  t.spec = {"", text, dim, box};
  return t;
}

Target make_library_target(const std::string& name, int dim) {
  const Definition* found = nullptr;
  for (const Definition& d : definitions())
    if (d.entry.name == name) found = &d;
  if (found == nullptr) throw std::invalid_argument("unknown target '" + name + "' (targets are " + names_text() + ")");
  const LibraryEntry& entry = found->entry;
  if (dim == 0) dim = entry.default_dim;
  if (entry.any_dim) {
    if (dim < 2 || dim > kMaxTargetDim)
      throw std::invalid_argument(name + " takes a dimension of 2 to " + std::to_string(kMaxTargetDim) + ", got " +
                                  std::to_string(dim));
  } else if (dim != entry.default_dim) {
    throw std::invalid_argument(name + " has dimension " + std::to_string(entry.default_dim) + ", not " +
                                std::to_string(dim));
  }

  Target t;
  if (const auto potential = potential_from_name(name)) {
    t.expression = energy_expression(*potential);
    t.energy = energy_function(*potential);  // the built-in code: the same U to 1e-12, and faster
    t.quadrature_box = {-10, 10, -10, 10};
    t.default_steps = (*potential == Potential::U1 || *potential == Potential::U2) ? 5000 : 10000;
  } else {
    if (name == "gmm40") {
      t.expression = gmm40_expression();
      t.log_z = 0.0;
      t.mode_centres = gmm40_means();
    } else if (name == "banana") {
      t.expression = "0.5*(z1/10)^2 + 0.5*(z2 - 0.03*(z1^2 - 100))^2 + log(2*pi*10)";
      t.log_z = 0.0;
    } else if (name == "funnel") {
      t.expression = funnel_expression(dim);
      t.log_z = 0.0;
    } else if (name == "many-well") {
      t.expression = many_well_expression();
      t.log_z = 16 * kManyWellPairLogZ;
    } else if (name == "two-moons") {
      t.expression = kTwoMoons;
    } else {
      t.expression = kRings;
    }
    t.energy = compile_energy(t.expression, dim).energy_function();
    t.quadrature_box = found->quadrature_box.value_or(found->box);
  }
  t.name = name;
  t.description = entry.description;
  t.dim = dim;
  t.box = found->box;
  t.spec = {name, "", entry.any_dim ? dim : 0, std::nullopt};
  return t;
}

Target make_target(const TargetSpec& spec) {
  if (!spec.name.empty()) return make_library_target(spec.name, spec.dim);
  return make_expression_target(spec.expression, spec.dim, spec.box.value_or(Box{}));
}

}  // namespace nfvi
