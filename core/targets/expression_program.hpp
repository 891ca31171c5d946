// The compiled form of an energy expression (targets/expression.hpp): a flat
// list of operations on slots, in topological order, that the parser
// (expression_parser.cpp) builds and the evaluator (expression_evaluator.cpp)
// runs forward for U and then in reverse for grad U.
//
// Internal to targets/: users see EnergyExpression only.
//
// Slots. Every operation writes one new slot, slot i being written by ops[i],
// and reads operands that are constants, variables (rows of the batch z) or
// earlier slots. A slot holds one value per point of the batch; the evaluator
// keeps every slot's values of a chunk of points for the reverse pass.
#pragma once

#include <cstdint>
#include <vector>

namespace nfvi::expression {

enum class OpCode : std::uint8_t {
  Constant,  // a constant as a slot: the constant arguments of min, max and logsumexp
  // two operands, either of which may be a constant (not both: that is folded)
  Add,
  Subtract,
  Multiply,
  Divide,
  Power,
  // one operand, a variable or a slot
  Negate,
  Square,  // x^2, the most common power
  Exp,
  Log,
  Log1p,
  Sqrt,
  Sin,
  Cos,
  Tan,
  Tanh,
  Sigmoid,
  Softplus,
  Abs,
  // two or more operands, variables or slots
  Min,
  Max,
  LogSumExp,
};

enum class OperandKind : std::uint8_t { Constant, Variable, Slot };

struct Operand {
  OperandKind kind = OperandKind::Constant;
  int index = 0;        // Variable: the row of z (0-based, z1 is 0); Slot: the slot
  double constant = 0;  // Constant: its value

  static Operand of_constant(double value) { return {OperandKind::Constant, 0, value}; }
  static Operand of_variable(int row) { return {OperandKind::Variable, row, 0}; }
  static Operand of_slot(int slot) { return {OperandKind::Slot, slot, 0}; }
  bool is_constant() const { return kind == OperandKind::Constant; }
};

struct Op {
  OpCode code;
  int first_arg;    // its operands are args[first_arg, first_arg + arg_count)
  int arg_count;
  double constant;  // OpCode::Constant: the value
};

struct Program {
  int dim = 0;              // the variables are z1 .. z_dim
  std::vector<Op> ops;      // ops[i] writes slot i; operands are earlier slots
  std::vector<Operand> args;
  Operand result;           // U: a constant, a variable or the last slot
};

// The value of an op whose operands are all constants (constant folding), with
// the evaluator's maths on one double.
double fold_constants(OpCode code, const std::vector<double>& values);

}  // namespace nfvi::expression
