// Energy expressions: a target density typed as text, U(z) = -log p~(z),
// compiled into a program that evaluates U over a batch and its exact
// gradient by a reverse pass (no autodiff library; every derivative is
// written beside its function in expression_evaluator.cpp).
//
// The language:
//   text       = { name "=" expr ";" } expr [";"]
//   expr       = term { ("+" | "-") term }             left-associative
//   term       = unary { ("*" | "/") unary }           left-associative
//   unary      = ("-" | "+") unary | power
//   power      = primary [ "^" unary ]                 right-associative: 2^3^2 = 2^9;
//                                                      tighter than a sign: -z1^2 = -(z1^2)
//   primary    = number | name | function "(" expr { "," expr } ")" | "(" expr ")"
//   number     = digits [ "." [digits] ] [ exponent ] | "." digits [ exponent ],
//                exponent = ("e" | "E") ["+" | "-"] digits, e.g. 2, 0.35, 1e-3, 2.5E+2
//   name       = z1 .. zD (the variables), pi, e, or an earlier definition
//   function   = exp log log1p sqrt sin cos tan tanh sigmoid softplus abs   (one argument)
//              | min max logsumexp                                           (two or more)
// Spaces, tabs and newlines may separate tokens. A definition may use earlier
// ones; z<digits>, pi, e and the function names cannot be defined, and a name
// cannot be defined twice.
//
// Numerics follow the built-in energies: logsumexp shifts by the largest
// argument (its gradient is the softmax weights), softplus(x) = max(x, 0) +
// log1p(exp(-|x|)), sigmoid is computed from exp(-|x|), min and max pass the
// gradient to the argument they select (the first on ties), abs' = sign.
// Domains are not guarded: sqrt'(0) = inf, log(0) = -inf, log(-1) = NaN, and
// a NaN argument makes min, max and logsumexp NaN; the trainer catches
// non-finite values.
//
// A bad expression throws ExpressionError, whose one-line message names the
// problem and its 1-based column, e.g. "unknown name 'x' at column 5
// (variables are z1..z2)". Limits keep hostile text from exhausting memory or
// the stack: kMaxExpressionLength characters, kMaxExpressionDepth levels of
// nesting, kMaxExpressionOperations operations.
#pragma once

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>

#include "math/types.hpp"
#include "targets/energies.hpp"

namespace nfvi {

namespace expression {
struct Program;
}

inline constexpr std::size_t kMaxExpressionLength = 10000;  // characters
// Levels of nesting: parentheses, function calls, signs and exponents each
// add one while they are open (the parser recurses on them).
inline constexpr int kMaxExpressionDepth = 200;
inline constexpr int kMaxExpressionOperations = 4000;  // after constant folding

class ExpressionError : public std::invalid_argument {
 public:
  ExpressionError(const std::string& message, int column) : std::invalid_argument(message), column_(column) {}
  // 1-based column (byte offset + 1) of the problem; one past the end for a
  // problem at the end of the text.
  int column() const { return column_; }

 private:
  int column_;
};

// U and grad U at one point.
struct ExpressionPoint {
  double value;
  Vector gradient;  // (D)
};

// A compiled energy expression. Cheap to copy (the program is shared and
// immutable); evaluate() is const and keeps no state between calls.
class EnergyExpression {
 public:
  // z (D, N) -> energy (N), gradient (D, N), both resized. Throws
  // std::invalid_argument if z does not have dim() rows.
  void evaluate(SamplesConstRef z, Array& energy, Samples& gradient) const;
  // U only, without the reverse pass: energy (N), resized.
  void evaluate_value(SamplesConstRef z, Array& energy) const;
  // U and grad U at one point z (D).
  ExpressionPoint at(VectorConstRef z) const;
  // evaluate() as an EnergyFunction (it holds its own copy of the program).
  EnergyFunction energy_function() const;

  int dim() const;
  const std::string& text() const { return text_; }
  int operation_count() const;  // after constant folding and removal of unused definitions

 private:
  friend EnergyExpression compile_energy(const std::string& text, int dim);
  EnergyExpression(std::string text, std::shared_ptr<const expression::Program> program);

  std::string text_;
  std::shared_ptr<const expression::Program> program_;
};

// Parses and compiles `text` over the variables z1 .. z_dim (dim >= 1, else
// std::invalid_argument). Throws ExpressionError for a bad expression.
EnergyExpression compile_energy(const std::string& text, int dim);

// The built-in energies written as expressions over z1, z2. Compiled, each
// equals evaluate_energy(potential, ...), value and gradient, to round-off.
std::string energy_expression(Potential potential);

}  // namespace nfvi
