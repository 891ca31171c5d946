// Energy expressions (targets/expression.hpp): every operator and function
// against the standard library and central differences, the built-in
// energies written as expressions against evaluate_energy, the parser's
// errors and limits, precedence, and random expressions against a recursive
// reference evaluator written here.
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "gradient_check.hpp"
#include "math/random.hpp"
#include "targets/energies.hpp"
#include "targets/expression.hpp"

using namespace nfvi;
using namespace nfvi::testing;

namespace {

Vector point(std::initializer_list<double> values) {
  Vector z(static_cast<Eigen::Index>(values.size()));
  Eigen::Index i = 0;
  for (double v : values) z(i++) = v;
  return z;
}

// |a - b| / max(|a|, |b|, floor), with equal infinities and two NaNs as 0.
double rel_error(double a, double b, double floor) {
  if (std::isnan(a) && std::isnan(b)) return 0;
  if (a == b) return 0;
  return std::abs(a - b) / std::max({std::abs(a), std::abs(b), floor});
}

// Central differences of the compiled value, with step h_i = step(z_i) per
// coordinate; the denominator is the distance actually stepped.
Vector central_differences(const EnergyExpression& expression, const Vector& z,
                           const std::function<double(double)>& step) {
  Vector g(z.size());
  for (Eigen::Index i = 0; i < z.size(); ++i) {
    Vector plus = z, minus = z;
    const double h = step(z(i));
    plus(i) += h;
    minus(i) -= h;
    g(i) = (expression.at(plus).value - expression.at(minus).value) / (plus(i) - minus(i));
  }
  return g;
}

double default_step(double x) { return 1e-5 * std::max(1.0, std::abs(x)); }
std::function<double(double)> relative_step(double fraction) {
  return [fraction](double x) { return fraction * std::abs(x); };
}

// The compiled gradient at z against central differences: relative error
// (with `floor`) below 1e-6 in every component.
void check_gradient(const EnergyExpression& expression, const Vector& z,
                    const std::function<double(double)>& step = default_step, double floor = 1e-3) {
  const ExpressionPoint p = expression.at(z);
  const Vector numeric = central_differences(expression, z, step);
  INFO(expression.text() << " at " << z.transpose() << ": analytic " << p.gradient.transpose() << ", numeric "
                         << numeric.transpose());
  for (Eigen::Index i = 0; i < z.size(); ++i) REQUIRE(rel_error(p.gradient(i), numeric(i), floor) < 1e-6);
}

double uniform(Random& rng, double low, double high) { return low + (high - low) * rng.uniform(); }
double log_uniform(Random& rng, double low, double high) {
  return std::exp(uniform(rng, std::log(low), std::log(high)));
}

double reference_sigmoid(double x) {
  if (x >= 0) return 1 / (1 + std::exp(-x));
  const double e = std::exp(x);
  return e / (1 + e);
}
double reference_softplus(double x) { return std::max(x, 0.0) + std::log1p(std::exp(-std::abs(x))); }

struct UnaryCase {
  const char* function;
  double (*reference)(double);
  double low, high;  // the points' range, inside the domain
};

double std_exp(double x) { return std::exp(x); }
double std_log(double x) { return std::log(x); }
double std_log1p(double x) { return std::log1p(x); }
double std_sqrt(double x) { return std::sqrt(x); }
double std_sin(double x) { return std::sin(x); }
double std_cos(double x) { return std::cos(x); }
double std_tan(double x) { return std::tan(x); }
double std_tanh(double x) { return std::tanh(x); }
double std_abs(double x) { return std::abs(x); }

const UnaryCase kUnaryCases[] = {
    {"exp", std_exp, -20, 20},          {"log", std_log, 0.01, 100},         {"log1p", std_log1p, -0.99, 100},
    {"sqrt", std_sqrt, 0.01, 100},      {"sin", std_sin, -10, 10},           {"cos", std_cos, -10, 10},
    {"tan", std_tan, -1.4, 1.4},        {"tanh", std_tanh, -5, 5},           {"sigmoid", reference_sigmoid, -30, 30},
    {"softplus", reference_softplus, -30, 30}, {"abs", std_abs, -5, 5},
};

const UnaryCase& unary_case(const std::string& name) {
  for (const UnaryCase& c : kUnaryCases)
    if (name == c.function) return c;
  throw std::logic_error("no case " + name);
}

// f(z1) at x: the value against the standard library (relative 2e-15).
void check_unary_value(const EnergyExpression& expression, const UnaryCase& c, double x) {
  const double value = expression.at(point({x})).value;
  INFO(c.function << "(" << x << ") = " << value << ", std " << c.reference(x));
  REQUIRE(rel_error(value, c.reference(x), 1e-300) < 2e-15);
}

}  // namespace

TEST_CASE("every one-argument function: value against std, gradient against central differences",
          "[expression][gradient]") {
  Random rng(11);
  for (const UnaryCase& c : kUnaryCases) {
    const EnergyExpression f = compile_energy(std::string(c.function) + "(z1)", 1);
    for (int i = 0; i < 200; ++i) {
      const double x = uniform(rng, c.low, c.high);
      if (std::string(c.function) == "abs" && std::abs(x) < 0.01) continue;  // the kink
      check_unary_value(f, c, x);
      check_gradient(f, point({x}));
    }
  }
}

TEST_CASE("one-argument functions near the edges of their domains", "[expression][gradient]") {
  Random rng(12);
  const auto compiled = [](const char* function) { return compile_energy(std::string(function) + "(z1)", 1); };

  SECTION("log and sqrt near 0, log1p near -1") {
    const EnergyExpression log = compiled("log"), sqrt = compiled("sqrt"), log1p = compiled("log1p");
    for (int i = 0; i < 200; ++i) {
      const double x = log_uniform(rng, 1e-300, 1e-3);
      check_unary_value(log, unary_case("log"), x);
      check_gradient(log, point({x}), relative_step(1e-4), 1e-300);
      check_unary_value(sqrt, unary_case("sqrt"), x);
      check_gradient(sqrt, point({x}), relative_step(1e-4), 1e-300);
      const double y = -1 + log_uniform(rng, 1e-8, 1e-1);
      check_unary_value(log1p, unary_case("log1p"), y);
      check_gradient(log1p, point({y}), [](double v) { return 1e-4 * (1 + v); }, 1e-300);
    }
  }
  SECTION("at 0 and below, log and sqrt give inf and NaN, not a hidden value") {
    const ExpressionPoint log0 = compiled("log").at(point({0.0}));
    REQUIRE(log0.value == -std::numeric_limits<double>::infinity());
    REQUIRE(log0.gradient(0) == std::numeric_limits<double>::infinity());
    REQUIRE(std::isnan(compiled("log").at(point({-1.0})).value));
    const ExpressionPoint sqrt0 = compiled("sqrt").at(point({0.0}));
    REQUIRE(sqrt0.value == 0);
    REQUIRE(sqrt0.gradient(0) == std::numeric_limits<double>::infinity());
    REQUIRE(std::isnan(compiled("sqrt").at(point({-1.0})).value));
    REQUIRE(compiled("log1p").at(point({-1.0})).value == -std::numeric_limits<double>::infinity());
  }
  SECTION("exp near overflow and underflow") {
    const EnergyExpression exp = compiled("exp");
    for (int i = 0; i < 100; ++i) {
      for (const double x : {uniform(rng, 700, 709.7), uniform(rng, -708, -700)}) {
        check_unary_value(exp, unary_case("exp"), x);
        check_gradient(exp, point({x}), [](double) { return 1e-5; }, 1e-300);
      }
    }
    REQUIRE(exp.at(point({710.0})).value == std::numeric_limits<double>::infinity());
    REQUIRE(exp.at(point({-800.0})).value == 0);
  }
  SECTION("softplus and sigmoid at +-700; tanh at large |x|") {
    const EnergyExpression softplus = compiled("softplus"), sigmoid = compiled("sigmoid"), tanh = compiled("tanh");
    for (const double x : {700.0, -700.0, 650.5, -650.5, 40.0, -40.0}) {
      check_unary_value(softplus, unary_case("softplus"), x);
      check_gradient(softplus, point({x}), [](double) { return 1e-5; }, 1e-300);
      check_unary_value(sigmoid, unary_case("sigmoid"), x);
      // sigmoid'(x) = sigmoid(x) sigmoid(-x), which is e^-700 at +-700: differences
      // of values that round to 1 cannot see it, so against the exact formula.
      const double exact = reference_sigmoid(x) * reference_sigmoid(-x);
      REQUIRE(rel_error(sigmoid.at(point({x})).gradient(0), exact, 1e-300) < 1e-13);
      if (x < 0) check_gradient(sigmoid, point({x}), [](double) { return 1e-5; }, 1e-300);
    }
    REQUIRE(softplus.at(point({700.0})).value == 700);
    REQUIRE(sigmoid.at(point({700.0})).value == 1);
    for (int i = 0; i < 100; ++i) {
      const double x = (i % 2 ? 1 : -1) * uniform(rng, 5, 40);
      check_unary_value(tanh, unary_case("tanh"), x);
      // tanh'(x) = 1/cosh(x)^2, beyond what differences of +-1 can resolve.
      const double exact = 1 / (std::cosh(x) * std::cosh(x));
      REQUIRE(rel_error(tanh.at(point({x})).gradient(0), exact, 1e-300) < 1e-13);
    }
  }
}

TEST_CASE("the operators: value and gradient", "[expression][gradient]") {
  Random rng(13);
  struct BinaryCase {
    const char* text;
    std::function<double(double, double)> reference;
    double low1, high1, low2, high2;
  };
  const BinaryCase cases[] = {
      {"z1 + z2", [](double a, double b) { return a + b; }, -5, 5, -5, 5},
      {"z1 - z2", [](double a, double b) { return a - b; }, -5, 5, -5, 5},
      {"z1 * z2", [](double a, double b) { return a * b; }, -5, 5, -5, 5},
      {"z1 / z2", [](double a, double b) { return a / b; }, -5, 5, 0.1, 5},
      {"z1 / z2", [](double a, double b) { return a / b; }, -5, 5, -5, -0.1},
      {"z1 ^ z2", [](double a, double b) { return std::pow(a, b); }, 0.1, 5, -3, 3},
      {"z1^2", [](double a, double) { return a * a; }, -5, 5, -5, 5},
      {"z1^3", [](double a, double) { return std::pow(a, 3); }, -5, 5, -5, 5},
      {"z1^-1.5", [](double a, double) { return std::pow(a, -1.5); }, 0.1, 5, -5, 5},
      {"z1^0.5", [](double a, double) { return std::pow(a, 0.5); }, 0.1, 5, -5, 5},
      {"2^z1", [](double a, double) { return std::pow(2, a); }, -5, 5, -5, 5},
      {"z1 - 3", [](double a, double) { return a - 3; }, -5, 5, -5, 5},
      {"3 - z1", [](double a, double) { return 3 - a; }, -5, 5, -5, 5},
      {"3 / z1", [](double a, double) { return 3 / a; }, 0.1, 5, -5, 5},
      {"z1 / 3", [](double a, double) { return a / 3; }, -5, 5, -5, 5},
      {"-z1", [](double a, double) { return -a; }, -5, 5, -5, 5},
      {"z2 * z1 * z2", [](double a, double b) { return b * a * b; }, -5, 5, -5, 5},
  };
  for (const BinaryCase& c : cases) {
    const EnergyExpression f = compile_energy(c.text, 2);
    for (int i = 0; i < 200; ++i) {
      const double a = uniform(rng, c.low1, c.high1), b = uniform(rng, c.low2, c.high2);
      INFO(c.text << " at (" << a << ", " << b << ")");
      REQUIRE(rel_error(f.at(point({a, b})).value, c.reference(a, b), 1e-300) < 1e-15);
      check_gradient(f, point({a, b}));
    }
  }
}

TEST_CASE("min, max and logsumexp: value and gradient", "[expression][gradient]") {
  Random rng(14);
  const auto no_ties = [](const Vector& z) {
    for (Eigen::Index i = 0; i < z.size(); ++i)
      for (Eigen::Index j = 0; j < i; ++j)
        if (std::abs(z(i) - z(j)) < 0.01) return false;
    return true;
  };
  const auto reference_lse = [](const Vector& z) {
    const double m = z.maxCoeff();
    return m + std::log((z.array() - m).exp().sum());
  };
  for (int dim : {2, 3, 5}) {
    std::string args = "z1";
    for (int k = 2; k <= dim; ++k) args += ", z" + std::to_string(k);
    const EnergyExpression min = compile_energy("min(" + args + ")", dim);
    const EnergyExpression max = compile_energy("max(" + args + ")", dim);
    const EnergyExpression lse = compile_energy("logsumexp(" + args + ")", dim);
    int checked = 0;
    while (checked < 200) {
      Vector z(dim);
      for (int k = 0; k < dim; ++k) z(k) = uniform(rng, -5, 5);
      if (!no_ties(z)) continue;
      ++checked;
      REQUIRE(min.at(z).value == z.minCoeff());
      REQUIRE(max.at(z).value == z.maxCoeff());
      REQUIRE(rel_error(lse.at(z).value, reference_lse(z), 1.0) < 4e-15);
      check_gradient(min, z);
      check_gradient(max, z);
      check_gradient(lse, z);
      // min and max pass the whole gradient to the selected argument
      Eigen::Index arg_max = 0;
      z.maxCoeff(&arg_max);
      REQUIRE((max.at(z).gradient == Vector::Unit(dim, arg_max)));
    }
  }

  SECTION("ties go to the first argument; a constant argument takes no gradient") {
    REQUIRE((compile_energy("max(z1, z2)", 2).at(point({1.0, 1.0})).gradient == point({1.0, 0.0})));
    REQUIRE((compile_energy("min(z2, z1)", 2).at(point({1.0, 1.0})).gradient == point({0.0, 1.0})));
    REQUIRE((compile_energy("max(z1, 0.5, z2)", 2).at(point({0.0, 0.2})).gradient == point({0.0, 0.0})));
    REQUIRE(compile_energy("max(z1, 0.5, z2)", 2).at(point({0.0, 0.2})).value == 0.5);
    REQUIRE((compile_energy("min(z1, 0.5, z2)", 2).at(point({0.0, 0.2})).gradient == point({1.0, 0.0})));
  }
  SECTION("logsumexp with large differences") {
    const EnergyExpression lse2 = compile_energy("logsumexp(z1, z2)", 2);
    const auto fixed_step = [](double) { return 1e-3; };
    for (const Vector& z : {point({1000.0, -1000.0}), point({-1000.0, 1000.0}), point({1000.0, 1000.0}),
                            point({-1000.0, -1000.5}), point({-745.0, 700.0})}) {
      const ExpressionPoint p = lse2.at(z);
      REQUIRE(std::isfinite(p.value));
      REQUIRE(rel_error(p.value, reference_lse(z), 1e-300) < 1e-15);
      check_gradient(lse2, z, fixed_step, 1e-300);
    }
    REQUIRE((lse2.at(point({1000.0, -1000.0})).gradient == point({1.0, 0.0})));
    REQUIRE(lse2.at(point({1000.0, 1000.0})).gradient.isApprox(point({0.5, 0.5}), 1e-12));
    const EnergyExpression lse3 = compile_energy("logsumexp(z1, z2, log(1e-5))", 2);
    const Vector z = point({700.0, 710.0});
    REQUIRE(rel_error(lse3.at(z).value, 710 + std::log1p(std::exp(-10.0)), 1e-300) < 1e-15);
    check_gradient(lse3, z, fixed_step, 1e-300);
    check_gradient(lse3, point({-12.0, -11.0}), fixed_step, 1e-300);  // the floor term weighs as much
    // +-inf arguments: the shift would be inf - inf, the result is the infinity itself
    const double inf = std::numeric_limits<double>::infinity();
    REQUIRE(lse2.at(point({inf, 1.0})).value == inf);
    REQUIRE(lse2.at(point({-inf, -inf})).value == -inf);
    REQUIRE(std::isnan(lse2.at(point({std::nan(""), 1.0})).value));
    REQUIRE(std::isnan(compile_energy("max(z1, z2)", 2).at(point({1.0, std::nan("")})).value));
    REQUIRE(std::isnan(compile_energy("min(z1, z2)", 2).at(point({std::nan(""), 1.0})).value));
  }
}

TEST_CASE("abs' is sign, compositions follow the chain rule", "[expression][gradient]") {
  REQUIRE(compile_energy("abs(z1)", 1).at(point({-2.0})).gradient(0) == -1);
  REQUIRE(compile_energy("abs(z1)", 1).at(point({3.0})).gradient(0) == 1);
  REQUIRE(compile_energy("abs(z1)", 1).at(point({0.0})).gradient(0) == 0);
  Random rng(15);
  const char* compositions[] = {
      "exp(sin(z1) * z2) / (1 + z3^2)",
      "w = z1*z2 - z3; log1p(w^2) + sqrt(1 + w^2) * tanh(w)",
      "softplus(3*z1 - z2) - log(sigmoid(z3 - z1)) + cos(z1*z2*z3)",
      "logsumexp(-0.5*(z1 - 1)^2, -0.5*(z2 + 1)^2, z3) + max(abs(z1), abs(z2), abs(z3))",
      "a = z1 + z2; b = a * a; c = b / (1 + a^2); c + a*b - min(a, b, c)",
      "tan(0.3*z1) + (2 + sin(z2))^(1 + 0.5*cos(z3))",
  };
  for (const char* text : compositions) {
    const EnergyExpression f = compile_energy(text, 3);
    for (int i = 0; i < 100; ++i) {
      const Vector z = point({uniform(rng, -2, 2), uniform(rng, -2, 2), uniform(rng, -2, 2)});
      check_gradient(f, z);
    }
  }
}

TEST_CASE("the built-in energies as expressions equal evaluate_energy to 1e-12", "[expression][energies]") {
  Random rng(16);
  const Eigen::Index n = 10000;
  Samples z(2, n);
  for (Eigen::Index i = 0; i < n; ++i) {
    z(0, i) = uniform(rng, -6, 6);
    z(1, i) = uniform(rng, -6, 6);
  }
  // Floor: values and gradient components near 0 are compared to 1e-12 absolute.
  const double floor = 1.0;
  for (const std::string& name : potential_names()) {
    const Potential potential = *potential_from_name(name);
    const EnergyExpression expression = compile_energy(energy_expression(potential), 2);
    Array energy, expected_energy;
    Samples gradient, expected_gradient;
    expression.evaluate(z, energy, gradient);
    evaluate_energy(potential, z, expected_energy, expected_gradient);
    double worst_value = 0, worst_gradient = 0;
    for (Eigen::Index i = 0; i < n; ++i) {
      worst_value = std::max(worst_value, rel_error(energy(i), expected_energy(i), floor));
      for (int d = 0; d < 2; ++d)
        worst_gradient = std::max(worst_gradient, rel_error(gradient(d, i), expected_gradient(d, i), floor));
    }
    INFO(name << ": " << energy_expression(potential) << "\nworst value error " << worst_value
              << ", worst gradient error " << worst_gradient);
    REQUIRE(worst_value < 1e-12);
    REQUIRE(worst_gradient < 1e-12);
    // The EnergyFunction is the same evaluation.
    Array via_function;
    Samples via_function_gradient;
    expression.energy_function()(z, via_function, via_function_gradient);
    REQUIRE((via_function == energy).all());
    REQUIRE((via_function_gradient == gradient));
  }
}

TEST_CASE("a batch equals its points one by one, across chunks, evaluate_value equals evaluate", "[expression]") {
  Random rng(17);
  const EnergyExpression f = compile_energy(energy_expression(Potential::U8), 2);
  for (const Eigen::Index n : {Eigen::Index(0), Eigen::Index(1), Eigen::Index(255), Eigen::Index(256),
                               Eigen::Index(257), Eigen::Index(1000)}) {
    Samples z(2, n);
    rng.fill_normal(z);
    z *= 3;
    Array energy, values_only;
    Samples gradient;
    f.evaluate(z, energy, gradient);
    f.evaluate_value(z, values_only);
    REQUIRE(energy.size() == n);
    REQUIRE(gradient.rows() == 2);
    REQUIRE(gradient.cols() == n);
    REQUIRE((values_only == energy).all());
    for (Eigen::Index i = 0; i < n; ++i) {
      const ExpressionPoint p = f.at(z.col(i));
      REQUIRE(p.value == energy(i));
      REQUIRE((p.gradient == gradient.col(i)));
    }
  }
  // A constant or a bare variable as the whole energy.
  Samples z(3, 4);
  rng.fill_normal(z);
  Array energy;
  Samples gradient;
  compile_energy("2*pi", 3).evaluate(z, energy, gradient);
  REQUIRE((energy == 2 * 3.14159265358979323846).all());
  REQUIRE(gradient.isZero());
  compile_energy("w = z1; z2", 3).evaluate(z, energy, gradient);
  REQUIRE((energy.transpose() == z.row(1).array()).all());
  REQUIRE(gradient.row(1).isOnes());
  REQUIRE(gradient.row(0).isZero());
  REQUIRE(gradient.row(2).isZero());
  // The wrong number of rows is refused.
  REQUIRE_THROWS_AS(compile_energy("z1", 2).evaluate(z, energy, gradient), std::invalid_argument);
}

TEST_CASE("precedence, associativity, numbers and definitions", "[expression][parser]") {
  struct Case {
    const char* text;
    double expected;
  };
  const double pi = 3.14159265358979323846;
  const Case cases[] = {
      {"2^3^2", 512},
      {"-2^2", -4},
      {"1-2-3", -4},
      {"2*3^2", 18},
      {"(-2)^2", 4},
      {"2^-1", 0.5},
      {"2^-2^2", 1.0 / 16},
      {"8/4/2", 1},
      {"2*3+4*5", 26},
      {"-3*-2", 6},
      {"--2", 2},
      {"+2", 2},
      {"2 - -2", 4},
      {"1e-3*1000", 1},
      {"2.5E+2", 250},
      {"2.5e2", 250},
      {".5", 0.5},
      {"3.", 3},
      {"1E1", 10},
      {"pi", pi},
      {"e", std::exp(1.0)},
      {"e^2", std::exp(1.0) * std::exp(1.0)},
      {"2*pi", 2 * pi},
      {"-z1^2", -9},              // z1 = 3
      {"z1^2^0.5", std::pow(3, std::sqrt(2.0))},
      {"z2 - z1 - z1", 2 - 6},    // z2 = 2
      {"z1 / z2 / z2", 0.75},
      {"-z1 - -z2", -1},
      {"w1 = z1*2; w2 = w1 + 1; w2^2", 49},
      {"w1 = z1;\n\tw1 * z2 ;", 6},
      {"a = 1; b = a + 1; c = b * a + b; c", 4},
      {"E = 2; Pi = 3; _x1 = 4; E + Pi + _x1", 9},
      {"max(1, 2, z1)", 3},
      {"min(z1, z2, 5)", 2},
      {"logsumexp(0, 0)", std::log(2.0)},
  };
  Vector z(2);
  z << 3, 2;
  for (const Case& c : cases) {
    INFO(c.text);
    REQUIRE(compile_energy(c.text, 2).at(z).value == Approx(c.expected).epsilon(1e-15));
  }
  // Constants fold: no operation is left.
  REQUIRE(compile_energy("2^3^2 + sin(pi/4) * logsumexp(1, 2, 3)", 2).operation_count() == 0);
  // Unused definitions are dropped.
  REQUIRE(compile_energy("w = exp(z1) * z2; z1", 2).operation_count() == 0);
  REQUIRE(compile_energy("z1^2", 2).operation_count() == 1);
  const EnergyExpression e = compile_energy("z1 + z2", 2);
  REQUIRE(e.dim() == 2);
  REQUIRE(e.text() == "z1 + z2");
  REQUIRE_THROWS_AS(compile_energy("z1", 0), std::invalid_argument);
}

TEST_CASE("bad expressions get a one-line message that names the column", "[expression][parser]") {
  struct Bad {
    std::string text;
    int dim;
    std::string message;
    int column;
  };
  const std::string functions =
      "exp, log, log1p, sqrt, sin, cos, tan, tanh, sigmoid, softplus, abs, min, max, logsumexp";
  const Bad cases[] = {
      {"", 2, "empty expression", 1},
      {" \t\n ", 2, "empty expression", 1},
      {"z1 +x", 2, "unknown name 'x' at column 5 (variables are z1..z2)", 5},
      {"x", 1, "unknown name 'x' at column 1 (the variable is z1)", 1},
      {"Z1", 2, "unknown name 'Z1' at column 1 (variables are z1..z2)", 1},
      {"z0", 2, "unknown name 'z0' at column 1 (variables are z1..z2)", 1},
      {"z01", 2, "unknown name 'z01' at column 1 (variables are z1..z2)", 1},
      {"z1+z3", 2, "z3 at column 4: the target has 2 dimensions (z1..z2)", 4},
      {"z2", 1, "z2 at column 1: the target has 1 dimension (z1)", 1},
      {"z99999999999", 2, "z99999999999 at column 1: the target has 2 dimensions (z1..z2)", 1},
      {"log(z1, z2)", 2, "log takes 1 argument, got 2 (column 1)", 1},
      {"2*sin()", 2, "sin takes 1 argument, got 0 (column 3)", 3},
      {"max(z1)", 2, "max takes at least 2 arguments, got 1 (column 1)", 1},
      {"logsumexp()", 2, "logsumexp takes at least 2 arguments, got 0 (column 1)", 1},
      {"(z1 + z2", 2, "')' expected at column 9", 9},
      {"exp((z1 - 1)/0.4 z2)", 2, "',' or ')' expected at column 18", 18},
      {"((z1 + z2) * 2", 2, "')' expected at column 15", 15},
      {"max(z1 z2)", 2, "',' or ')' expected at column 8", 8},
      {"z1 + z2)", 2, "unexpected ')' at column 8", 8},
      {"()", 2, "unexpected ')' at column 2", 2},
      {"max(z1,)", 2, "unexpected ')' at column 8", 8},
      {"max(,z1)", 2, "unexpected ',' at column 5", 5},
      {"z1 * * z2", 2, "unexpected '*' at column 6", 6},
      {"z1 ^ ^ 2", 2, "unexpected '^' at column 6", 6},
      {"z1 +", 2, "expression expected at column 5 (the text ends there)", 5},
      {"z1^", 2, "expression expected at column 4 (the text ends there)", 4},
      {"-", 2, "expression expected at column 2 (the text ends there)", 2},
      {"2*.", 2, "number expected at column 3", 3},
      {"1.2.3", 2, "unexpected '.3' at column 4 (missing operator?)", 4},
      {"1e999", 2, "number '1e999' at column 1 is too large for a double", 1},
      {"z1 # z2", 2, "unexpected character '#' at column 4", 4},
      {"z1 \x01", 2, "unexpected byte 0x01 at column 4", 4},
      {"z1 \xC3\xA9", 2, "unexpected byte 0xC3 at column 4", 4},
      {"z1 \xE2\x88\x92 z2", 2, "unexpected Unicode minus sign at column 4 (type '-')", 4},
      {"2 z1", 2, "unexpected 'z1' at column 3 (missing operator?)", 3},
      {"2exp(z1)", 2, "unexpected 'exp' at column 2 (missing operator?)", 2},
      {"2(z1)", 2, "unexpected '(' at column 2 (missing operator?)", 2},
      {"w1 = 2 z1; w1", 2, "unexpected 'z1' at column 8 (missing operator?)", 8},
      {"foo(z1)", 2, "unknown function 'foo' at column 1 (functions are " + functions + ")", 1},
      {"w1 = z1; w1(z2)", 2, "'w1' at column 10 is not a function", 10},
      {"pi(2)", 2, "'pi' at column 1 is not a function", 1},
      {"z1(2)", 2, "'z1' at column 1 is not a function", 1},
      {"sin + 1", 2, "sin at column 1 is a function: write sin(...)", 1},
      {"sqrt z1", 2, "sqrt at column 1 is a function: write sqrt(...)", 1},
      {"w1 = z1; w1 = z2; w1", 2, "'w1' is defined twice (column 10)", 10},
      {"pi = 3; pi", 2, "'pi' is a constant and cannot be defined (column 1)", 1},
      {"e = 3; e", 2, "'e' is a constant and cannot be defined (column 1)", 1},
      {"exp = 3; exp", 2, "'exp' is a function and cannot be defined (column 1)", 1},
      {"w = 1; max = 3; max", 2, "'max' is a function and cannot be defined (column 8)", 8},
      {"z1 = 3; z1", 2, "'z1' is a variable's name and cannot be defined (column 1)", 1},
      {"z7 = 3; 1", 2, "'z7' is a variable's name and cannot be defined (column 1)", 1},
      {"w1 = w1 + 1; w1", 2, "unknown name 'w1' at column 6 (variables are z1..z2)", 6},
      {"w2 = w1; w1 = 1; w2", 2, "unknown name 'w1' at column 6 (variables are z1..z2)", 6},
      {"w1 = z1", 2, "the text ends with the definition of 'w1' (column 1): the energy expression must come last", 1},
      {"a = 1; w1 = z1;", 2,
       "the text ends with the definition of 'w1' (column 8): the energy expression must come last", 8},
      {"z1; z2", 2,
       "the expression at column 1 is followed by more statements: only the last one is the energy, those before "
       "it must be definitions (name = expression)",
       1},
      {"z1;;", 2, "unexpected ';' at column 4", 4},
      {";", 2, "unexpected ';' at column 1", 1},
      {"w = = 2", 2, "unexpected '=' at column 5", 5},
      {"2 = z1", 2, "unexpected '=' at column 3", 3},
      {"w1 == z2", 2, "unexpected '=' at column 5", 5},
      {"2 + 3 = 5", 2, "unexpected '=' at column 7", 7},
      {"a_very_long_name_that_goes_on_and_on_and_on + 1", 2,
       "unknown name 'a_very_long_name_that_goes_on_an...' at column 1 (variables are z1..z2)", 1},
  };
  STATIC_REQUIRE(sizeof(cases) / sizeof(cases[0]) >= 40);
  for (const Bad& c : cases) {
    INFO("expression: " << c.text);
    bool thrown = false;
    try {
      compile_energy(c.text, c.dim);
    } catch (const ExpressionError& error) {
      thrown = true;
      REQUIRE(std::string(error.what()) == c.message);
      REQUIRE(error.column() == c.column);
    }
    REQUIRE(thrown);
  }
}

TEST_CASE("limits: length, nesting depth and operations, hostile input is refused, not crashed on",
          "[expression][parser]") {
  const auto message_of = [](const std::string& text) -> std::string {
    try {
      compile_energy(text, 2);
    } catch (const ExpressionError& error) {
      return error.what();
    }
    return "compiled";
  };
  const std::string too_deep = "expression nested deeper than 200 levels at column ";
  // 100,000 '(' exceed the length limit before the parser sees them.
  REQUIRE(message_of(std::string(100000, '(')) == "expression is longer than 10000 characters (it has 100000)");
  REQUIRE(message_of(std::string(10001, ' ')) == "expression is longer than 10000 characters (it has 10001)");
  REQUIRE(message_of(std::string(100000, '1')) == "expression is longer than 10000 characters (it has 100000)");
  // Within the length limit, nesting stops at its own limit.
  REQUIRE(message_of(std::string(9999, '(')) == too_deep + "201");
  REQUIRE(message_of(std::string(4000, '(') + "z1" + std::string(4000, ')')) == too_deep + "201");
  REQUIRE(message_of(std::string(200, '(') + "z1" + std::string(200, ')')) == "compiled");
  REQUIRE(message_of(std::string(9998, '-') + "z1") == too_deep + "201");
  std::string powers = "z1", calls, closing;
  for (int i = 0; i < 300; ++i) {
    powers += "^z1";
    calls += "exp(";
    closing += ")";
  }
  REQUIRE(message_of(powers) == too_deep + std::to_string(3 * 201));  // the 201st '^'
  REQUIRE(message_of(calls + "z1" + closing) == too_deep + std::to_string(4 * 201));  // its '('
  // At most 4000 operations.
  std::string sum = "z1";
  for (int i = 0; i < 4000; ++i) sum += "+1";
  REQUIRE(message_of(sum) == "compiled");
  REQUIRE(compile_energy(sum, 2).at(point({1.0, 2.0})).value == 4001);
  REQUIRE(message_of(sum + "+1") ==
          "expression has more than 4000 operations (the limit is reached at column " +
              std::to_string(3 + 2 * 4000) + ")");
  // A long valid expression at the length limit compiles and evaluates.
  std::string long_valid = "z1";
  while (long_valid.size() + 7 <= kMaxExpressionLength) long_valid += " + z2^2";
  REQUIRE(message_of(long_valid) == "compiled");
}

// ---------------------------------------------------------------------------
// Random expressions: a tree, printed with the fewest parentheses that keep
// its meaning (and some extra), compiled, and evaluated against a recursive
// evaluator of the tree written here with forward-mode derivatives.
namespace {

constexpr int kRandomDim = 3;

struct Node {
  enum Kind { Number, Variable, Definition, Negate, Binary, Call } kind = Number;
  std::string text;  // Number: as printed; Binary: the operator; Call: the function; Definition: its name
  double number = 0;
  int index = 0;  // Variable: the row; Definition: which one
  std::vector<std::shared_ptr<Node>> children;
};
using NodePtr = std::shared_ptr<Node>;

template <typename T>
struct Dual {
  T value;
  std::array<T, kRandomDim> d;  // d value / d z_k
  bool constant;                // no variable below
};

template <typename T>
Dual<T> make_dual(T value, bool constant) {
  Dual<T> r{value, {}, constant};
  r.d.fill(T(0));
  return r;
}

// r.d = sum over the non-constant operands of (d f/d operand) * operand.d, so a
// constant operand contributes nothing even where its partial derivative is not finite.
template <typename T>
void chain(Dual<T>& r, const Dual<T>& x, T partial) {
  if (x.constant) return;
  for (int k = 0; k < kRandomDim; ++k) r.d[k] += partial * x.d[k];
}

template <typename T>
T sigmoid_ref(T x) {
  if (x >= 0) return T(1) / (T(1) + std::exp(-x));
  const T e = std::exp(x);
  return e / (T(1) + e);
}

template <typename T>
Dual<T> evaluate_tree(const Node& node, const std::array<T, kRandomDim>& z, const std::vector<Dual<T>>& defs) {
  using std::abs;
  switch (node.kind) {
    case Node::Number: return make_dual(T(node.number), true);
    case Node::Variable: {
      Dual<T> r = make_dual(z[node.index], false);
      r.d[node.index] = T(1);
      return r;
    }
    case Node::Definition: return defs[node.index];
    case Node::Negate: {
      const Dual<T> x = evaluate_tree(*node.children[0], z, defs);
      Dual<T> r = make_dual(-x.value, x.constant);
      chain(r, x, T(-1));
      return r;
    }
    case Node::Binary: {
      const Dual<T> a = evaluate_tree(*node.children[0], z, defs);
      const Dual<T> b = evaluate_tree(*node.children[1], z, defs);
      const char op = node.text[0];
      Dual<T> r = make_dual(T(0), a.constant && b.constant);
      switch (op) {
        case '+': r.value = a.value + b.value; chain(r, a, T(1)); chain(r, b, T(1)); break;
        case '-': r.value = a.value - b.value; chain(r, a, T(1)); chain(r, b, T(-1)); break;
        case '*': r.value = a.value * b.value; chain(r, a, b.value); chain(r, b, a.value); break;
        case '/':
          r.value = a.value / b.value;
          chain(r, a, T(1) / b.value);
          chain(r, b, -a.value / (b.value * b.value));
          break;
        default:  // '^'
          r.value = std::pow(a.value, b.value);
          chain(r, a, b.value * std::pow(a.value, b.value - T(1)));
          chain(r, b, r.value == T(0) ? T(0) : r.value * std::log(a.value));
      }
      return r;
    }
    case Node::Call: {
      std::vector<Dual<T>> args;
      bool constant = true;
      for (const NodePtr& child : node.children) {
        args.push_back(evaluate_tree(*child, z, defs));
        constant = constant && args.back().constant;
      }
      const std::string& f = node.text;
      const T x = args[0].value;
      Dual<T> r = make_dual(T(0), constant);
      if (f == "min" || f == "max" || f == "logsumexp") {
        // the first extreme argument; NaN if any argument is NaN
        std::size_t best = 0;
        bool nan = false;
        for (std::size_t k = 0; k < args.size(); ++k) {
          nan = nan || std::isnan(args[k].value);
          if (f == "min" ? args[k].value < args[best].value : args[k].value > args[best].value) best = k;
        }
        if (nan) return make_dual(std::numeric_limits<T>::quiet_NaN(), constant);
        const T m = args[best].value;
        if (f != "logsumexp") {
          r.value = m;
          chain(r, args[best], T(1));
          return r;
        }
        if (std::isinf(m)) return make_dual(m, constant);
        T sum = 0;
        for (const Dual<T>& a : args) sum += std::exp(a.value - m);
        r.value = m + std::log(sum);
        for (const Dual<T>& a : args) chain(r, a, std::exp(a.value - r.value));
        return r;
      }
      const Dual<T>& a = args[0];
      if (f == "exp") {
        r.value = std::exp(x);
        chain(r, a, r.value);
      } else if (f == "log") {
        r.value = std::log(x);
        chain(r, a, T(1) / x);
      } else if (f == "log1p") {
        r.value = std::log1p(x);
        chain(r, a, T(1) / (T(1) + x));
      } else if (f == "sqrt") {
        r.value = std::sqrt(x);
        chain(r, a, T(0.5) / r.value);
      } else if (f == "sin") {
        r.value = std::sin(x);
        chain(r, a, std::cos(x));
      } else if (f == "cos") {
        r.value = std::cos(x);
        chain(r, a, -std::sin(x));
      } else if (f == "tan") {
        r.value = std::tan(x);
        chain(r, a, T(1) / (std::cos(x) * std::cos(x)));
      } else if (f == "tanh") {
        r.value = std::tanh(x);
        chain(r, a, T(1) / (std::cosh(x) * std::cosh(x)));
      } else if (f == "sigmoid") {
        r.value = sigmoid_ref(x);
        chain(r, a, sigmoid_ref(x) * sigmoid_ref(-x));
      } else if (f == "softplus") {
        r.value = std::max(x, T(0)) + std::log1p(std::exp(-abs(x)));
        chain(r, a, sigmoid_ref(x));
      } else {  // abs
        r.value = abs(x);
        chain(r, a, x > 0 ? T(1) : x < 0 ? T(-1) : T(0));
      }
      return r;
    }
  }
  return make_dual(T(0), true);
}

// Printing levels: 1 sum, 2 product, 3 sign, 4 power, 5 primary.
int level_of(const Node& node) {
  switch (node.kind) {
    case Node::Negate: return 3;
    case Node::Binary: return node.text == "+" || node.text == "-" ? 1 : node.text == "^" ? 4 : 2;
    default: return 5;
  }
}

class ExpressionGenerator {
 public:
  explicit ExpressionGenerator(Random& rng) : rng_(rng) {}

  NodePtr tree(int depth, int definitions) {
    const double u = rng_.uniform();
    if (depth <= 0 || u < 0.15) return leaf(definitions);
    auto node = std::make_shared<Node>();
    if (u < 0.25) {
      node->kind = Node::Negate;
      node->children.push_back(tree(depth - 1, definitions));
    } else if (u < 0.6) {
      static const char* ops[] = {"+", "-", "*", "/", "^"};
      node->kind = Node::Binary;
      node->text = ops[pick(5)];
      node->children.push_back(tree(depth - 1, definitions));
      node->children.push_back(node->text == "^" ? exponent() : tree(depth - 1, definitions));
    } else {
      static const char* functions[] = {"exp", "log",      "log1p", "sqrt", "sin", "cos", "tan",
                                        "tanh", "sigmoid", "softplus", "abs", "min", "max", "logsumexp"};
      node->kind = Node::Call;
      node->text = functions[pick(14)];
      const bool variadic = node->text == "min" || node->text == "max" || node->text == "logsumexp";
      const int count = variadic ? 2 + pick(3) : 1;
      for (int k = 0; k < count; ++k) node->children.push_back(tree(depth - 1, definitions));
    }
    return node;
  }

  std::string print(const Node& node, int required = 0) {
    std::string text = print_bare(node);
    if (level_of(node) < required || rng_.uniform() < 0.08) text = "(" + space() + text + space() + ")";
    return text;
  }

  int pick(int n) { return static_cast<int>(rng_.uniform() * n); }

 private:
  NodePtr leaf(int definitions) {
    auto node = std::make_shared<Node>();
    const double u = rng_.uniform();
    if (u < 0.45) {
      node->kind = Node::Variable;
      node->index = pick(kRandomDim);
    } else if (u < 0.6 && definitions > 0) {
      node->kind = Node::Definition;
      node->index = pick(definitions);
      node->text = "w" + std::to_string(node->index + 1);
    } else {
      static const char* numbers[] = {"0", "1", "2", "3", "0.5", "1.5", "10", "0.25", "1e-3", "2.5E+2", ".5", "3.",
                                      "1e1", "0.35", "pi", "e"};
      node->kind = Node::Number;
      node->text = numbers[pick(16)];
      node->number = node->text == "pi"  ? 3.14159265358979323846
                     : node->text == "e" ? 2.71828182845904523536
                                         : std::strtod(node->text.c_str(), nullptr);
    }
    return node;
  }

  // Small exponents, so that powers of powers stay finite.
  NodePtr exponent() {
    auto node = std::make_shared<Node>();
    static const char* numbers[] = {"2", "3", "0.5", "1.5", "-1", "2"};
    const int k = pick(6);
    if (k == 4) {
      node->kind = Node::Negate;
      node->children.push_back(exponent_number("1"));
      return node;
    }
    return exponent_number(numbers[k]);
  }
  NodePtr exponent_number(const char* text) {
    auto node = std::make_shared<Node>();
    node->kind = Node::Number;
    node->text = text;
    node->number = std::strtod(text, nullptr);
    return node;
  }

  std::string space() {
    const double u = rng_.uniform();
    return u < 0.6 ? "" : u < 0.9 ? " " : u < 0.95 ? "\t" : "\n";
  }

  std::string print_bare(const Node& node) {
    switch (node.kind) {
      case Node::Number:
      case Node::Definition: return node.text;
      case Node::Variable: return "z" + std::to_string(node.index + 1);
      case Node::Negate: return "-" + space() + print(*node.children[0], 3);
      case Node::Binary: {
        const std::string& op = node.text;
        // left-associative + - * /: the right operand needs a higher level;
        // ^ is right-associative: its base must be a primary, its exponent a sign or higher.
        const int level = level_of(node);
        const int left = op == "^" ? 5 : level;
        const int right = op == "^" ? 3 : level + 1;
        return print(*node.children[0], left) + space() + op + space() + print(*node.children[1], right);
      }
      case Node::Call: {
        std::string text = node.text + "(";
        for (std::size_t k = 0; k < node.children.size(); ++k)
          text += (k ? "," + space() : space()) + print(*node.children[k], 0);
        return text + space() + ")";
      }
    }
    return "";
  }

  Random& rng_;
};

bool same_class(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (std::isinf(a) || std::isinf(b)) return a == b;
  return true;
}

}  // namespace

TEST_CASE("random expressions: compiled values and gradients equal a recursive reference evaluator",
          "[expression][random]") {
  Random rng(2024);
  ExpressionGenerator generator(rng);
  int compared_values = 0, compared_gradients = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    // Up to two definitions, then the energy; each may use the earlier ones.
    const int definitions = generator.pick(3);
    std::vector<NodePtr> trees;
    std::string text;
    for (int k = 0; k <= definitions; ++k) {
      trees.push_back(generator.tree(1 + generator.pick(4), k));
      if (k < definitions) text += "w" + std::to_string(k + 1) + " = ";
      text += generator.print(*trees.back());
      if (k < definitions) text += "; ";
    }
    INFO("trial " << trial << ": " << text);
    const EnergyExpression compiled = compile_energy(text, kRandomDim);

    Samples z(kRandomDim, 5);
    for (Eigen::Index i = 0; i < z.size(); ++i) z.data()[i] = uniform(rng, -2, 2);
    Array energy;
    Samples gradient;
    compiled.evaluate(z, energy, gradient);
    for (Eigen::Index i = 0; i < z.cols(); ++i) {
      std::array<double, kRandomDim> zd{};
      std::array<long double, kRandomDim> zl{};
      for (int k = 0; k < kRandomDim; ++k) zd[k] = zl[k] = z(k, i);
      std::vector<Dual<double>> defs_d;
      std::vector<Dual<long double>> defs_l;
      for (int k = 0; k < definitions; ++k) {
        defs_d.push_back(evaluate_tree(*trees[k], zd, defs_d));
        defs_l.push_back(evaluate_tree(*trees[k], zl, defs_l));
      }
      const Dual<double> ref = evaluate_tree(*trees.back(), zd, defs_d);
      const Dual<long double> ref_long = evaluate_tree(*trees.back(), zl, defs_l);
      INFO("at " << z.col(i).transpose() << ": compiled " << energy(i) << ", reference " << ref.value);
      // The reference in double and in long double differ by about the
      // rounding error amplified by the expression's conditioning; the
      // compiled value (other exp/log kernels, folded constants) may differ
      // from the reference by a small multiple of that, or by 1e-10.
      if (!std::isfinite(ref.value) || !std::isfinite(static_cast<double>(ref_long.value))) {
        if (std::isfinite(static_cast<double>(ref_long.value)) == std::isfinite(ref.value))
          REQUIRE(same_class(energy(i), ref.value));
        continue;
      }
      const double conditioning =
          rel_error(ref.value, static_cast<double>(ref_long.value), 1e-10) / std::numeric_limits<double>::epsilon();
      if (conditioning > 1e5) continue;  // too ill-conditioned for a double comparison to mean anything
      REQUIRE(rel_error(energy(i), ref.value, 1e-10) < 1e-10 + 1e3 * conditioning * 1e-16);
      ++compared_values;
      bool gradient_finite = true;
      double gradient_conditioning = 0;
      for (int k = 0; k < kRandomDim; ++k) {
        gradient_finite = gradient_finite && std::isfinite(ref.d[k]) && std::isfinite(double(ref_long.d[k]));
        gradient_conditioning =
            std::max(gradient_conditioning, rel_error(ref.d[k], double(ref_long.d[k]), 1e-8) / 2.2e-16);
      }
      if (!gradient_finite || gradient_conditioning > 1e5) continue;
      for (int k = 0; k < kRandomDim; ++k) {
        INFO("d/dz" << k + 1 << ": compiled " << gradient(k, i) << ", reference " << ref.d[k]);
        // Floor 1e-6: a gradient that is 0 in exact arithmetic comes out as round-off
        // of its cancelling terms (1e-17 under some compilers' contraction of a*b + c).
        REQUIRE(rel_error(gradient(k, i), ref.d[k], 1e-6) < 1e-9 + 1e3 * gradient_conditioning * 1e-16);
      }
      ++compared_gradients;
    }
  }
  // Most draws are compared (the rest are outside a domain or ill-conditioned).
  INFO(compared_values << " values and " << compared_gradients << " gradients compared");
  REQUIRE(compared_values > 7000);
  REQUIRE(compared_gradients > 6000);
}

TEST_CASE("random damaged expressions: an ExpressionError with a one-line message and a column, or a value",
          "[expression][random]") {
  Random rng(77);
  ExpressionGenerator generator(rng);
  const std::string alphabet = "()+-*/^,;=.e z1z2z9xpiexplogmax0123456789E\t\n\x01\xE2";
  int errors = 0, compiled = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    std::string text = generator.print(*generator.tree(1 + generator.pick(4), 0));
    // one to three damages: delete, insert, duplicate a stretch, or cut the text
    for (int k = 0, damages = 1 + generator.pick(3); k < damages; ++k) {
      const std::size_t at = text.empty() ? 0 : static_cast<std::size_t>(generator.pick(static_cast<int>(text.size())));
      switch (generator.pick(4)) {
        case 0:
          if (!text.empty()) text.erase(at, 1);
          break;
        case 1: text.insert(at, 1, alphabet[generator.pick(static_cast<int>(alphabet.size()))]); break;
        case 2: text.insert(at, text.substr(at, 1 + generator.pick(5))); break;
        default: text.resize(at); break;
      }
    }
    INFO("trial " << trial << ": " << text);
    try {
      const EnergyExpression e = compile_energy(text, kRandomDim);
      Samples z(kRandomDim, 3);
      rng.fill_normal(z);
      Array energy;
      Samples gradient;
      e.evaluate(z, energy, gradient);
      REQUIRE(energy.size() == 3);
      ++compiled;
    } catch (const ExpressionError& error) {
      const std::string message = error.what();
      REQUIRE(!message.empty());
      REQUIRE(message.find('\n') == std::string::npos);
      REQUIRE(error.column() >= 1);
      REQUIRE(error.column() <= static_cast<int>(text.size()) + 1);
      ++errors;
    }
  }
  INFO(errors << " errors, " << compiled << " compiled");
  REQUIRE(errors > 1000);
  REQUIRE(compiled > 100);
}
