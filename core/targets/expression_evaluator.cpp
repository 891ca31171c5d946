// The energy-expression evaluator: runs an expression::Program over a batch,
// forward for U, then in reverse for grad U.
//
// Shapes: z (D, N) and the gradient (D, N) are row-major Samples, one column
// per point; every slot is one value per point. The batch is taken in chunks
// of kChunk points, so that a chunk's slots (values and adjoints) stay in
// cache and memory stays bounded whatever N is: each op is one whole-array
// operation over the chunk (Eigen arrays, or the SIMD kernels of
// math/simd_math.hpp for exp and log, which are vectorised in WebAssembly too).
// Every function of a point's values gives the same result wherever the point
// sits in the batch: Eigen is used for exactly rounded operations only (+ - * /,
// abs, comparisons), since its vectorised sqrt, log and log1p differ from the
// scalar ones it takes for a batch's first and last few points; sqrt, log1p and
// the trigonometric functions are the standard library's, one point at a time,
// and exp and log are the lane-by-lane SIMD kernels.
//
// Reverse pass. With g_s = dU/d(slot s) (the adjoint), g_U = 1 and, for each
// op u = f(x_1, ..., x_k) taken from last to first, g_{x_j} += g_u df/dx_j.
// Each op's derivative is written as maths beside its backward case. An
// adjoint is assigned by the first op that reaches it and added to by the
// others (has_adjoint_), so that adjoints are never cleared per op.
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "math/simd_math.hpp"
#include "targets/expression.hpp"
#include "targets/expression_program.hpp"

namespace nfvi {
namespace expression {
namespace {

using simd::Mask;
using simd::Pack;

constexpr Eigen::Index kChunk = 256;  // points per chunk

Pack abs_of(Pack x) { return simd::from_bits(simd::bits_of(x) & 0x7fffffffffffffff); }

// sigmoid(x) = 1/(1 + exp(-x)), from e = exp(-|x|) in (0, 1], which cannot
// overflow: 1/(1 + e) for x >= 0 and e/(1 + e) for x < 0.
Pack sigmoid_of(Pack x) {
  const Pack e = simd::exp(-abs_of(x));
  const Pack s = 1.0 / (1.0 + e);
  return simd::where((Mask)(x >= 0.0), s, e * s);
}

// sigmoid'(x) = sigmoid(x) sigmoid(-x) = e/(1 + e)^2 with e = exp(-|x|): no
// 1 - sigmoid(x), which would lose every digit for large x.
Pack sigmoid_derivative(Pack x) {
  const Pack e = simd::exp(-abs_of(x));
  const Pack d = 1.0 + e;
  return e / (d * d);
}

// softplus(x) = log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)), with
// log1p(u) for u = exp(-|x|) in [0, 1] as log(w) - ((w - 1) - u)/w, w = 1 + u:
// the second term corrects the rounding of w (w - 1 is exact).
Pack softplus_of(Pack x) {
  const Pack u = simd::exp(-abs_of(x));
  const Pack w = 1.0 + u;
  const Pack log1p_u = simd::log(w) - ((w - 1.0) - u) / w;
  return simd::where((Mask)(x > 0.0), x, simd::splat(0.0)) + log1p_u;
}

// tanh'(x) = 1 - tanh(x)^2 = 4e/(1 + e)^2 with e = exp(-2|x|): accurate
// where tanh(x) rounds to +-1.
Pack tanh_derivative(Pack x) {
  const Pack e = simd::exp(-2.0 * abs_of(x));
  const Pack d = 1.0 + e;
  return 4.0 * e / (d * d);
}

double on_one(Pack (*f)(Pack), double x) { return f(simd::splat(x))[0]; }

// max (or min) of the values, the first on ties, NaN if any is NaN.
double scalar_extremum(const std::vector<double>& values, bool is_max) {
  double best = values[0];
  for (std::size_t i = 1; i < values.size(); ++i) {
    const double x = values[i];
    if (std::isnan(x) || (is_max ? x > best : x < best)) best = std::isnan(best) ? best : x;
  }
  return best;
}

using In = Eigen::Map<const Array>;  // (len) values of an operand

// a^b by std::pow, point by point (Eigen's vectorised pow rounds otherwise),
// for an array and a double, a double and an array, or two arrays.
template <typename A>
auto power_of(const Eigen::ArrayBase<A>& a, double b) {
  return a.derived().unaryExpr([b](double x) { return std::pow(x, b); });
}
template <typename B>
auto power_of(double a, const Eigen::ArrayBase<B>& b) {
  return b.derived().unaryExpr([a](double y) { return std::pow(a, y); });
}
template <typename A, typename B>
auto power_of(const Eigen::ArrayBase<A>& a, const Eigen::ArrayBase<B>& b) {
  return a.derived().binaryExpr(b.derived(), [](double x, double y) { return std::pow(x, y); });
}
using Out = Eigen::Map<Array>;       // (len) values or adjoints of a slot

// One chunk of points at a time; the buffers are allocated once per batch.
class ChunkEvaluator {
 public:
  ChunkEvaluator(const Program& program, Eigen::Index capacity, bool with_gradient)
      : program_(program),
        capacity_(capacity),
        values_(program.ops.size() * capacity),
        adjoints_(with_gradient ? program.ops.size() * capacity : 0),
        scratch_(2 * capacity),
        has_adjoint_(with_gradient ? program.ops.size() : 0) {}

  // U for points [start, start + len) of z (D, N) into energy (N).
  void forward(SamplesConstRef z, Eigen::Index start, Eigen::Index len, Array& energy) {
    z_ = z.data() + start;
    z_stride_ = z.outerStride();
    len_ = len;
    for (std::size_t i = 0; i < program_.ops.size(); ++i) forward_op(static_cast<int>(i));
    const Operand& result = program_.result;
    if (result.is_constant()) {
      energy.segment(start, len).setConstant(result.constant);
    } else {
      energy.segment(start, len) = value(result);
    }
  }

  // grad U for the points of the last forward() into gradient (D, N), which
  // the caller has zeroed.
  void backward(Samples& gradient, Eigen::Index start) {
    gradient_ = gradient.data() + start;
    gradient_stride_ = gradient.outerStride();
    std::fill(has_adjoint_.begin(), has_adjoint_.end(), 0);
    const Operand& result = program_.result;
    if (result.kind == OperandKind::Variable) gradient_row(result.index) += 1.0;
    if (result.kind != OperandKind::Slot) return;
    adjoint(result.index).setOnes();  // dU/dU = 1
    has_adjoint_[result.index] = 1;
    for (int i = static_cast<int>(program_.ops.size()) - 1; i >= 0; --i) {
      if (has_adjoint_[i]) backward_op(i);  // else its adjoint is 0
    }
  }

 private:
  const double* pointer(const Operand& o) const {
    return o.kind == OperandKind::Variable ? z_ + o.index * z_stride_ : values_.data() + o.index * capacity_;
  }
  In value(const Operand& o) const { return In(pointer(o), len_); }  // a variable or a slot
  Out slot(int i) { return Out(values_.data() + i * capacity_, len_); }
  Out adjoint(int i) { return Out(adjoints_.data() + i * capacity_, len_); }
  Out gradient_row(int row) { return Out(gradient_ + row * gradient_stride_, len_); }
  Out scratch(int k) { return Out(scratch_.data() + k * capacity_, len_); }

  // f(value of o), o a constant (f gets a double) or not (f gets the array).
  template <typename F>
  void with_value(const Operand& o, F f) const {
    if (o.is_constant()) {
      f(o.constant);
    } else {
      f(value(o));
    }
  }

  // The adjoint of operand o += e; a constant has none.
  template <typename E>
  void add_adjoint(const Operand& o, const E& e) {
    switch (o.kind) {
      case OperandKind::Constant: return;
      case OperandKind::Variable: gradient_row(o.index) += e; return;
      case OperandKind::Slot: {
        Out a = adjoint(o.index);
        if (has_adjoint_[o.index]) {
          a += e;
        } else {
          a = e;
          has_adjoint_[o.index] = 1;
        }
        return;
      }
    }
  }

  // The adjoint of o += g * partial, except where g = 0: there U does not
  // depend on the op's value (a branch that min or max did not select, say),
  // so nothing is passed on, even where the partial derivative is inf or NaN
  // (log's 1/x at 0 in max(log(z1), -10), which would make 0 * inf = NaN).
  template <typename P>
  void add_product(const Operand& o, const In& g, const P& partial) {
    add_adjoint(o, (g == 0.0).select(0.0, g * partial));
  }

  // out = f(a, b) where at most one of a, b is a constant.
  template <typename F>
  void binary(const Operand* args, Out out, F f) const {
    const Operand& a = args[0];
    const Operand& b = args[1];
    if (a.is_constant()) {
      out = f(a.constant, value(b));
    } else if (b.is_constant()) {
      out = f(value(a), b.constant);
    } else {
      out = f(value(a), value(b));
    }
  }

  template <typename F>
  void simd_unary(const Operand& x, Out out, F f) const {
    simd::apply(pointer(x), out.data(), len_, f);
  }

  void forward_op(int i) {
    const Op& op = program_.ops[i];
    const Operand* args = &program_.args[op.first_arg];
    Out out = slot(i);
    switch (op.code) {
      case OpCode::Constant: out.setConstant(op.constant); return;
      case OpCode::Add: binary(args, out, [](const auto& a, const auto& b) { return a + b; }); return;
      case OpCode::Subtract: binary(args, out, [](const auto& a, const auto& b) { return a - b; }); return;
      case OpCode::Multiply: binary(args, out, [](const auto& a, const auto& b) { return a * b; }); return;
      case OpCode::Divide: binary(args, out, [](const auto& a, const auto& b) { return a / b; }); return;
      case OpCode::Power:
        binary(args, out, [](const auto& a, const auto& b) { return power_of(a, b); });
        return;
      case OpCode::Negate: out = -value(args[0]); return;
      case OpCode::Square: out = value(args[0]).square(); return;
      case OpCode::Exp: simd_unary(args[0], out, [](Pack x) { return simd::exp(x); }); return;
      case OpCode::Log: simd_unary(args[0], out, [](Pack x) { return simd::log(x); }); return;
      case OpCode::Log1p: out = value(args[0]).unaryExpr([](double x) { return std::log1p(x); }); return;
      case OpCode::Sqrt: out = value(args[0]).unaryExpr([](double x) { return std::sqrt(x); }); return;
      case OpCode::Sin: out = value(args[0]).unaryExpr([](double x) { return std::sin(x); }); return;
      case OpCode::Cos: out = value(args[0]).unaryExpr([](double x) { return std::cos(x); }); return;
      case OpCode::Tan: out = value(args[0]).unaryExpr([](double x) { return std::tan(x); }); return;
      case OpCode::Tanh: out = value(args[0]).unaryExpr([](double x) { return std::tanh(x); }); return;
      case OpCode::Sigmoid: simd_unary(args[0], out, sigmoid_of); return;
      case OpCode::Softplus: simd_unary(args[0], out, softplus_of); return;
      case OpCode::Abs: out = value(args[0]).abs(); return;
      case OpCode::Min:
      case OpCode::Max: extremum(args, op.arg_count, op.code == OpCode::Max, out); return;
      case OpCode::LogSumExp: log_sum_exp(args, op.arg_count, out); return;
    }
  }

  // out = max (or min) of the arguments, the first on ties; NaN if any is NaN
  // (a NaN is taken, and then nothing compares greater than it).
  void extremum(const Operand* args, int count, bool is_max, Out out) const {
    out = value(args[0]);
    for (int k = 1; k < count; ++k) {
      const In x = value(args[k]);
      if (is_max) {
        out = (x > out || x.isNaN()).select(x, out);
      } else {
        out = (x < out || x.isNaN()).select(x, out);
      }
    }
  }

  // U = log sum_k exp(x_k) = m + log sum_k exp(x_k - m), m = max_k x_k, so no
  // exp overflows and the largest term is exp(0) = 1; where m = +-inf, U = m
  // (x_k - m would be inf - inf).
  void log_sum_exp(const Operand* args, int count, Out out) {
    Out m = scratch(0);
    Out sum = scratch(1);
    extremum(args, count, true, m);
    sum.setZero();
    for (int k = 0; k < count; ++k) {
      out = value(args[k]) - m;  // out holds x_k - m for now
      simd::apply(out.data(), out.data(), len_, [](Pack x) { return simd::exp(x); });
      sum += out;
    }
    simd::apply(sum.data(), sum.data(), len_, [](Pack x) { return simd::log(x); });
    out = m.isInf().select(m, m + sum);
  }

  void backward_op(int i) {
    const Op& op = program_.ops[i];
    const Operand* args = &program_.args[op.first_arg];
    const In g = In(adjoints_.data() + i * capacity_, len_);  // dU/du
    const In u = In(values_.data() + i * capacity_, len_);    // the op's value
    const Operand& a = args[0];
    switch (op.code) {
      case OpCode::Constant: return;
      // d(a + b) = da + db
      case OpCode::Add:
        add_adjoint(a, g);
        add_adjoint(args[1], g);
        return;
      // d(a - b) = da - db
      case OpCode::Subtract:
        add_adjoint(a, g);
        add_adjoint(args[1], -g);
        return;
      // d(ab) = b da + a db
      case OpCode::Multiply:
        with_value(args[1], [&](const auto& b) { add_product(a, g, b); });
        with_value(a, [&](const auto& av) { add_product(args[1], g, av); });
        return;
      // d(a/b) = da/b - (a/b) db/b = (da - u db)/b
      case OpCode::Divide:
        with_value(args[1], [&](const auto& b) {
          add_product(a, g, 1.0 / b);
          add_product(args[1], g, -u / b);
        });
        return;
      // d(a^b) = b a^(b-1) da + a^b log(a) db; the db term is taken as 0
      // where a^b = 0 (a = 0 < b, where a^b is 0 for every b > 0).
      case OpCode::Power: {
        const Operand& b = args[1];
        if (a.is_constant()) {
          const double log_a = std::log(a.constant);
          add_product(b, g, (u == 0.0).select(0.0, u * log_a));
        } else if (b.is_constant()) {
          add_product(a, g, b.constant * power_of(value(a), b.constant - 1));
        } else {
          const In av = value(a);
          const In bv = value(b);
          add_product(a, g, bv * power_of(av, bv - 1.0));
          add_product(b, g, (u == 0.0).select(0.0, u * av.unaryExpr([](double x) { return std::log(x); })));
        }
        return;
      }
      // (-x)' = -1
      case OpCode::Negate: add_adjoint(a, -g); return;
      // (x^2)' = 2x
      case OpCode::Square: add_product(a, g, 2.0 * value(a)); return;
      // exp' = exp
      case OpCode::Exp: add_product(a, g, u); return;
      // log'(x) = 1/x
      case OpCode::Log: add_product(a, g, 1.0 / value(a)); return;
      // log1p'(x) = 1/(1 + x)
      case OpCode::Log1p: add_product(a, g, 1.0 / (1.0 + value(a))); return;
      // sqrt'(x) = 1/(2 sqrt(x)), inf at 0
      case OpCode::Sqrt: add_product(a, g, 0.5 / u); return;
      // sin' = cos
      case OpCode::Sin: add_product(a, g, value(a).unaryExpr([](double x) { return std::cos(x); })); return;
      // cos' = -sin
      case OpCode::Cos: add_product(a, g, -value(a).unaryExpr([](double x) { return std::sin(x); })); return;
      // tan' = 1 + tan^2
      case OpCode::Tan: add_product(a, g, 1.0 + u.square()); return;
      // tanh' = 1 - tanh^2 = 4e/(1 + e)^2, e = exp(-2|x|)
      case OpCode::Tanh: {
        Out d = scratch(0);
        simd_unary(a, d, tanh_derivative);
        add_product(a, g, d);
        return;
      }
      // sigmoid' = sigmoid(x) sigmoid(-x) = e/(1 + e)^2, e = exp(-|x|)
      case OpCode::Sigmoid: {
        Out d = scratch(0);
        simd_unary(a, d, sigmoid_derivative);
        add_product(a, g, d);
        return;
      }
      // softplus' = sigmoid
      case OpCode::Softplus: {
        Out d = scratch(0);
        simd_unary(a, d, sigmoid_of);
        add_product(a, g, d);
        return;
      }
      // abs' = sign (0 at 0)
      case OpCode::Abs: add_product(a, g, value(a).sign()); return;
      // d max(x_1..x_k)/dx_j = 1 for the first j with x_j = max, 0 for the others (min alike)
      case OpCode::Min:
      case OpCode::Max: {
        Out taken = scratch(0);  // 1 where an earlier argument was selected
        taken.setZero();
        for (int k = 0; k < op.arg_count; ++k) {
          const In x = value(args[k]);
          add_adjoint(args[k], (x == u && taken == 0.0).select(g, 0.0));
          taken = (x == u).select(1.0, taken);
        }
        return;
      }
      // d logsumexp/dx_j = exp(x_j - U), the softmax weights
      case OpCode::LogSumExp: {
        Out w = scratch(0);
        for (int k = 0; k < op.arg_count; ++k) {
          w = value(args[k]) - u;
          simd::apply(w.data(), w.data(), len_, [](Pack x) { return simd::exp(x); });
          add_product(args[k], g, w);
        }
        return;
      }
    }
  }

  const Program& program_;
  Eigen::Index capacity_;
  std::vector<double> values_;    // (ops, capacity): slot i at i * capacity
  std::vector<double> adjoints_;  // (ops, capacity), with the gradient only
  std::vector<double> scratch_;   // (2, capacity)
  std::vector<char> has_adjoint_;
  const double* z_ = nullptr;  // the chunk's first point of row 0 of z
  Eigen::Index z_stride_ = 0;
  double* gradient_ = nullptr;  // the same in the gradient
  Eigen::Index gradient_stride_ = 0;
  Eigen::Index len_ = 0;  // points in this chunk
};

void check_rows(SamplesConstRef z, int dim) {
  if (z.rows() != dim)
    throw std::invalid_argument("energy expression over " + std::to_string(dim) + " dimensions evaluated on points of " +
                                std::to_string(z.rows()));
}

}  // namespace

double fold_constants(OpCode code, const std::vector<double>& v) {
  switch (code) {
    case OpCode::Constant: return v.empty() ? 0.0 : v[0];
    case OpCode::Add: return v[0] + v[1];
    case OpCode::Subtract: return v[0] - v[1];
    case OpCode::Multiply: return v[0] * v[1];
    case OpCode::Divide: return v[0] / v[1];
    case OpCode::Power: return std::pow(v[0], v[1]);
    case OpCode::Negate: return -v[0];
    case OpCode::Square: return v[0] * v[0];
    case OpCode::Exp: return simd::exp(v[0]);
    case OpCode::Log: return simd::log(v[0]);
    case OpCode::Log1p: return std::log1p(v[0]);
    case OpCode::Sqrt: return std::sqrt(v[0]);
    case OpCode::Sin: return std::sin(v[0]);
    case OpCode::Cos: return std::cos(v[0]);
    case OpCode::Tan: return std::tan(v[0]);
    case OpCode::Tanh: return std::tanh(v[0]);
    case OpCode::Sigmoid: return on_one(sigmoid_of, v[0]);
    case OpCode::Softplus: return on_one(softplus_of, v[0]);
    case OpCode::Abs: return std::abs(v[0]);
    case OpCode::Min: return scalar_extremum(v, false);
    case OpCode::Max: return scalar_extremum(v, true);
    case OpCode::LogSumExp: {
      const double m = scalar_extremum(v, true);
      if (std::isinf(m)) return m;
      double sum = 0;
      for (double x : v) sum += simd::exp(x - m);
      return m + simd::log(sum);
    }
  }
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace expression

EnergyExpression::EnergyExpression(std::string text, std::shared_ptr<const expression::Program> program)
    : text_(std::move(text)), program_(std::move(program)) {}

int EnergyExpression::dim() const { return program_->dim; }

int EnergyExpression::operation_count() const { return static_cast<int>(program_->ops.size()); }

void EnergyExpression::evaluate(SamplesConstRef z, Array& energy, Samples& gradient) const {
  expression::check_rows(z, dim());
  const Eigen::Index n = z.cols();
  energy.resize(n);
  gradient.setZero(dim(), n);
  if (n == 0) return;
  expression::ChunkEvaluator chunk(*program_, std::min(n, expression::kChunk), true);
  for (Eigen::Index start = 0; start < n; start += expression::kChunk) {
    const Eigen::Index len = std::min(expression::kChunk, n - start);
    chunk.forward(z, start, len, energy);
    chunk.backward(gradient, start);
  }
}

void EnergyExpression::evaluate_value(SamplesConstRef z, Array& energy) const {
  expression::check_rows(z, dim());
  const Eigen::Index n = z.cols();
  energy.resize(n);
  if (n == 0) return;
  expression::ChunkEvaluator chunk(*program_, std::min(n, expression::kChunk), false);
  for (Eigen::Index start = 0; start < n; start += expression::kChunk)
    chunk.forward(z, start, std::min(expression::kChunk, n - start), energy);
}

ExpressionPoint EnergyExpression::at(VectorConstRef z) const {
  Samples point(z.size(), 1);  // (D, 1)
  point.col(0) = z;
  Array energy;
  Samples gradient;
  evaluate(point, energy, gradient);
  return {energy(0), gradient.col(0)};
}

EnergyFunction EnergyExpression::energy_function() const {
  return [self = *this](SamplesConstRef z, Array& energy, Samples& gradient) { self.evaluate(z, energy, gradient); };
}

}  // namespace nfvi
