// The energy-expression parser: text -> expression::Program.
//
// A lexer reads one token at a time (so the first problem in the text is the
// one reported), a recursive-descent parser follows the grammar in
// expression.hpp, and a builder emits one op per operator or function, folding
// ops whose operands are all constants. Definitions name a slot; they do not
// copy ops. At the end, ops that the energy does not use (unused definitions)
// are dropped and the slots renumbered.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <locale>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "targets/expression.hpp"
#include "targets/expression_program.hpp"

namespace nfvi {
namespace {

using expression::Op;
using expression::OpCode;
using expression::Operand;
using expression::OperandKind;
using expression::Program;

struct FunctionInfo {
  const char* name;
  OpCode code;
  bool variadic;  // false: exactly one argument; true: two or more
};

constexpr FunctionInfo kFunctions[] = {
    {"exp", OpCode::Exp, false},         {"log", OpCode::Log, false},
    {"log1p", OpCode::Log1p, false},     {"sqrt", OpCode::Sqrt, false},
    {"sin", OpCode::Sin, false},         {"cos", OpCode::Cos, false},
    {"tan", OpCode::Tan, false},         {"tanh", OpCode::Tanh, false},
    {"sigmoid", OpCode::Sigmoid, false}, {"softplus", OpCode::Softplus, false},
    {"abs", OpCode::Abs, false},         {"min", OpCode::Min, true},
    {"max", OpCode::Max, true},          {"logsumexp", OpCode::LogSumExp, true},
};

const FunctionInfo* find_function(const std::string& name) {
  for (const FunctionInfo& f : kFunctions)
    if (name == f.name) return &f;
  return nullptr;
}

std::string function_names() {
  std::string names;
  for (const FunctionInfo& f : kFunctions) names += (names.empty() ? "" : ", ") + std::string(f.name);
  return names;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || is_digit(c); }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// "z" followed by digits only: the variables' names, reserved whatever D is.
bool is_variable_like(const std::string& name) {
  if (name.size() < 2 || name[0] != 'z') return false;
  for (std::size_t i = 1; i < name.size(); ++i)
    if (!is_digit(name[i])) return false;
  return true;
}

// A name or number as it may appear in a one-line message: long ones are cut.
std::string shown(const std::string& text) {
  constexpr std::size_t kShown = 32;
  return text.size() <= kShown ? text : text.substr(0, kShown) + "...";
}
std::string quoted(const std::string& text) { return "'" + shown(text) + "'"; }

std::string at_column(int column) { return "at column " + std::to_string(column); }

enum class TokenKind { End, Number, Name, Plus, Minus, Star, Slash, Caret, LeftParen, RightParen, Comma, Semicolon, Equals };

struct Token {
  TokenKind kind = TokenKind::End;
  int column = 1;      // 1-based
  std::string text;    // as written
  double number = 0;   // TokenKind::Number: its value
};

bool starts_operand(TokenKind kind) {
  return kind == TokenKind::Number || kind == TokenKind::Name || kind == TokenKind::LeftParen;
}

// Reads a decimal number that the lexer has already checked (digits, at most
// one '.', an exponent). strtod first; should a locale with another decimal
// point stop it early, the classic locale reads it instead.
double read_number(const std::string& text, int column) {
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) {
    std::istringstream in(text);
    in.imbue(std::locale::classic());
    in >> value;
  }
  if (std::isinf(value))
    throw ExpressionError("number " + quoted(text) + " " + at_column(column) + " is too large for a double", column);
  return value;
}

class Lexer {
 public:
  explicit Lexer(const std::string& text) : text_(text) {}

  // The token that starts at or after byte `pos`; `end` receives the byte after it.
  Token lex(std::size_t pos, std::size_t& end) const {
    while (pos < text_.size() && is_space(text_[pos])) ++pos;
    Token token;
    token.column = static_cast<int>(pos) + 1;
    if (pos >= text_.size()) {
      end = pos;
      return token;  // End
    }
    const char c = text_[pos];
    std::size_t p = pos;
    if (is_digit(c) || c == '.') {
      while (p < text_.size() && is_digit(text_[p])) ++p;
      const bool integer_digits = p > pos;
      bool fraction_digits = false;
      if (p < text_.size() && text_[p] == '.') {
        ++p;
        const std::size_t start = p;
        while (p < text_.size() && is_digit(text_[p])) ++p;
        fraction_digits = p > start;
      }
      if (!integer_digits && !fraction_digits) throw ExpressionError("number expected " + at_column(token.column), token.column);
      // An exponent only if digits follow the 'e' (and its sign): "2exp(z1)"
      // is the number 2 followed by the name exp, reported as a missing operator.
      if (p < text_.size() && (text_[p] == 'e' || text_[p] == 'E')) {
        std::size_t q = p + 1;
        if (q < text_.size() && (text_[q] == '+' || text_[q] == '-')) ++q;
        if (q < text_.size() && is_digit(text_[q])) {
          while (q < text_.size() && is_digit(text_[q])) ++q;
          p = q;
        }
      }
      token.kind = TokenKind::Number;
      token.text = text_.substr(pos, p - pos);
      token.number = read_number(token.text, token.column);
      end = p;
      return token;
    }
    if (is_name_start(c)) {
      while (p < text_.size() && is_name_char(text_[p])) ++p;
      token.kind = TokenKind::Name;
      token.text = text_.substr(pos, p - pos);
      end = p;
      return token;
    }
    end = pos + 1;
    token.text = std::string(1, c);
    switch (c) {
      case '+': token.kind = TokenKind::Plus; return token;
      case '-': token.kind = TokenKind::Minus; return token;
      case '*': token.kind = TokenKind::Star; return token;
      case '/': token.kind = TokenKind::Slash; return token;
      case '^': token.kind = TokenKind::Caret; return token;
      case '(': token.kind = TokenKind::LeftParen; return token;
      case ')': token.kind = TokenKind::RightParen; return token;
      case ',': token.kind = TokenKind::Comma; return token;
      case ';': token.kind = TokenKind::Semicolon; return token;
      case '=': token.kind = TokenKind::Equals; return token;
      default: break;
    }
    // Pasted maths often brings a Unicode minus (U+2212, E2 88 92 in UTF-8).
    if (text_.compare(pos, 3, "\xE2\x88\x92") == 0)
      throw ExpressionError("unexpected Unicode minus sign " + at_column(token.column) + " (type '-')", token.column);
    const auto byte = static_cast<unsigned char>(c);
    if (byte > 0x20 && byte < 0x7f)
      throw ExpressionError("unexpected character '" + token.text + "' " + at_column(token.column), token.column);
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02X", byte);
    throw ExpressionError(std::string("unexpected byte ") + hex + " " + at_column(token.column), token.column);
  }

 private:
  const std::string& text_;
};

std::string describe(const Token& token) {
  switch (token.kind) {
    case TokenKind::End: return "end of the expression";
    case TokenKind::Number:
    case TokenKind::Name: return quoted(token.text);
    default: return "'" + token.text + "'";
  }
}

class Parser {
 public:
  Parser(const std::string& text, int dim) : lexer_(text), dim_(dim) {
    program_.dim = dim;
    advance();
  }

  Program parse() {
    if (current_.kind == TokenKind::End) throw ExpressionError("empty expression", 1);
    for (;;) {
      const Token start = current_;
      if (start.kind == TokenKind::Name && peek().kind == TokenKind::Equals) {
        parse_definition();
        if (current_.kind == TokenKind::Semicolon) advance();
        else if (current_.kind != TokenKind::End) throw unexpected(current_);
        if (current_.kind == TokenKind::End)
          throw ExpressionError("the text ends with the definition of " + quoted(start.text) + " (column " +
                                    std::to_string(start.column) + "): the energy expression must come last",
                                start.column);
        continue;
      }
      const Operand energy = parse_expression();
      if (current_.kind == TokenKind::Semicolon) {
        advance();
        if (current_.kind == TokenKind::Semicolon) throw unexpected(current_);
        if (current_.kind != TokenKind::End)
          throw ExpressionError("the expression " + at_column(start.column) +
                                    " is followed by more statements: only the last one is the energy, "
                                    "those before it must be definitions (name = expression)",
                                start.column);
      } else if (current_.kind != TokenKind::End) {
        throw unexpected(current_);
      }
      program_.result = energy;
      return std::move(program_);
    }
  }

 private:
  // Raises the nesting depth while an instance lives; refuses to go deeper
  // than kMaxExpressionDepth, before the parser recurses.
  class Nesting {
   public:
    Nesting(Parser& parser, int column) : parser_(parser) {
      if (++parser_.depth_ > kMaxExpressionDepth)
        throw ExpressionError("expression nested deeper than " + std::to_string(kMaxExpressionDepth) + " levels " +
                                  at_column(column),
                              column);
    }
    ~Nesting() { --parser_.depth_; }
    Nesting(const Nesting&) = delete;
    Nesting& operator=(const Nesting&) = delete;

   private:
    Parser& parser_;
  };

  void advance() { current_ = lexer_.lex(next_pos_, next_pos_); }
  Token peek() const {
    std::size_t end = 0;
    return lexer_.lex(next_pos_, end);
  }

  ExpressionError unexpected(const Token& token) const {
    if (token.kind == TokenKind::End)
      return ExpressionError("unexpected end of the expression " + at_column(token.column), token.column);
    return ExpressionError("unexpected " + describe(token) + " " + at_column(token.column) +
                               (starts_operand(token.kind) ? " (missing operator?)" : ""),
                           token.column);
  }

  void expect_close(const char* what) {
    if (current_.kind != TokenKind::RightParen)
      throw ExpressionError(std::string(what) + " expected " + at_column(current_.column), current_.column);
    advance();
  }

  void parse_definition() {
    const Token name = current_;
    const std::string why = reserved_because(name.text);
    if (!why.empty())
      throw ExpressionError(quoted(name.text) + " is " + why + " and cannot be defined (column " +
                                std::to_string(name.column) + ")",
                            name.column);
    if (definitions_.count(name.text) != 0)
      throw ExpressionError(quoted(name.text) + " is defined twice (column " + std::to_string(name.column) + ")",
                            name.column);
    advance();  // the name
    advance();  // '='
    const Operand value = parse_expression();
    definitions_.emplace(name.text, value);
  }

  static std::string reserved_because(const std::string& name) {
    if (is_variable_like(name)) return "a variable's name";
    if (name == "pi" || name == "e") return "a constant";
    if (find_function(name) != nullptr) return "a function";
    return "";
  }

  // expr = term { ("+" | "-") term }
  Operand parse_expression() {
    Operand left = parse_term();
    while (current_.kind == TokenKind::Plus || current_.kind == TokenKind::Minus) {
      const OpCode code = current_.kind == TokenKind::Plus ? OpCode::Add : OpCode::Subtract;
      const int column = current_.column;
      advance();
      const Operand right = parse_term();
      left = emit(code, {left, right}, column);
    }
    return left;
  }

  // term = unary { ("*" | "/") unary }
  Operand parse_term() {
    Operand left = parse_unary();
    while (current_.kind == TokenKind::Star || current_.kind == TokenKind::Slash) {
      const OpCode code = current_.kind == TokenKind::Star ? OpCode::Multiply : OpCode::Divide;
      const int column = current_.column;
      advance();
      const Operand right = parse_unary();
      left = emit(code, {left, right}, column);
    }
    return left;
  }

  // unary = ("-" | "+") unary | power
  Operand parse_unary() {
    if (current_.kind != TokenKind::Minus && current_.kind != TokenKind::Plus) return parse_power();
    const bool minus = current_.kind == TokenKind::Minus;
    const int column = current_.column;
    advance();
    const Nesting nesting(*this, column);
    const Operand operand = parse_unary();
    return minus ? emit(OpCode::Negate, {operand}, column) : operand;
  }

  // power = primary [ "^" unary ]: right-associative, since the exponent is
  // a unary, which may be a power itself; -z1^2 is -(z1^2) since a sign is
  // parsed before its power.
  Operand parse_power() {
    const Operand base = parse_primary();
    if (current_.kind != TokenKind::Caret) return base;
    const int column = current_.column;
    advance();
    const Nesting nesting(*this, column);
    const Operand exponent = parse_unary();
    if (exponent.is_constant() && exponent.constant == 2) return emit(OpCode::Square, {base}, column);
    return emit(OpCode::Power, {base, exponent}, column);
  }

  Operand parse_primary() {
    const Token token = current_;
    switch (token.kind) {
      case TokenKind::Number: advance(); return Operand::of_constant(token.number);
      case TokenKind::LeftParen: {
        advance();
        const Nesting nesting(*this, token.column);
        const Operand inside = parse_expression();
        expect_close("')'");
        return inside;
      }
      case TokenKind::Name: return parse_name();
      case TokenKind::End:
        throw ExpressionError("expression expected " + at_column(token.column) + " (the text ends there)",
                              token.column);
      default: throw unexpected(token);
    }
  }

  Operand parse_name() {
    const Token name = current_;
    advance();
    if (current_.kind == TokenKind::LeftParen) return parse_call(name);
    if (name.text == "pi") return Operand::of_constant(3.14159265358979323846);
    if (name.text == "e") return Operand::of_constant(2.71828182845904523536);
    const auto definition = definitions_.find(name.text);
    if (definition != definitions_.end()) return definition->second;
    if (find_function(name.text) != nullptr)
      throw ExpressionError(name.text + " " + at_column(name.column) + " is a function: write " + name.text + "(...)",
                            name.column);
    if (is_variable_like(name.text) && name.text[1] != '0') {
      // z1 .. z_dim; more than 9 digits is beyond any int dimension.
      const std::string digits = name.text.substr(1);
      const long index = digits.size() > 9 ? -1 : std::stol(digits);
      if (index >= 1 && index <= dim_) return Operand::of_variable(static_cast<int>(index - 1));
      throw ExpressionError(shown(name.text) + " " +
                                at_column(name.column) + ": the target has " + std::to_string(dim_) +
                                (dim_ == 1 ? " dimension (z1)" : " dimensions (z1..z" + std::to_string(dim_) + ")"),
                            name.column);
    }
    throw ExpressionError("unknown name " + quoted(name.text) + " " + at_column(name.column) + " (" +
                              variables_text() + ")",
                          name.column);
  }

  std::string variables_text() const {
    return dim_ == 1 ? "the variable is z1" : "variables are z1..z" + std::to_string(dim_);
  }

  // function "(" expr { "," expr } ")"; `name` has been read, current_ is '('.
  Operand parse_call(const Token& name) {
    const FunctionInfo* function = find_function(name.text);
    if (function == nullptr) {
      if (definitions_.count(name.text) != 0 || !reserved_because(name.text).empty())
        throw ExpressionError(quoted(name.text) + " " + at_column(name.column) + " is not a function", name.column);
      throw ExpressionError("unknown function " + quoted(name.text) + " " + at_column(name.column) + " (functions are " +
                                function_names() + ")",
                            name.column);
    }
    const Nesting nesting(*this, current_.column);
    advance();  // '('
    std::vector<Operand> arguments;
    if (current_.kind != TokenKind::RightParen) {
      for (;;) {
        arguments.push_back(parse_expression());
        if (current_.kind != TokenKind::Comma) break;
        advance();
      }
    }
    if (current_.kind != TokenKind::RightParen)
      throw ExpressionError("',' or ')' expected " + at_column(current_.column), current_.column);
    advance();
    const int got = static_cast<int>(arguments.size());
    const std::string where = " (column " + std::to_string(name.column) + ")";
    if (!function->variadic && got != 1)
      throw ExpressionError(name.text + " takes 1 argument, got " + std::to_string(got) + where, name.column);
    if (function->variadic && got < 2)
      throw ExpressionError(name.text + " takes at least 2 arguments, got " + std::to_string(got) + where,
                            name.column);
    return emit(function->code, std::move(arguments), name.column);
  }

  // Appends the op `code` on `operands`, or folds it into a constant if every
  // operand is one. The n-ary functions take a constant operand as a slot.
  Operand emit(OpCode code, std::vector<Operand> operands, int column) {
    bool all_constant = true;
    for (const Operand& o : operands) all_constant = all_constant && o.is_constant();
    if (all_constant) {
      std::vector<double> values;
      values.reserve(operands.size());
      for (const Operand& o : operands) values.push_back(o.constant);
      return Operand::of_constant(expression::fold_constants(code, values));
    }
    if (code == OpCode::Min || code == OpCode::Max || code == OpCode::LogSumExp) {
      for (Operand& o : operands)
        if (o.is_constant()) o = append(OpCode::Constant, {}, o.constant, column);
    }
    return append(code, operands, 0, column);
  }

  Operand append(OpCode code, const std::vector<Operand>& operands, double constant, int column) {
    if (static_cast<int>(program_.ops.size()) >= kMaxExpressionOperations)
      throw ExpressionError("expression has more than " + std::to_string(kMaxExpressionOperations) +
                                " operations (the limit is reached " + at_column(column) + ")",
                            column);
    Op op;
    op.code = code;
    op.first_arg = static_cast<int>(program_.args.size());
    op.arg_count = static_cast<int>(operands.size());
    op.constant = constant;
    program_.args.insert(program_.args.end(), operands.begin(), operands.end());
    program_.ops.push_back(op);
    return Operand::of_slot(static_cast<int>(program_.ops.size()) - 1);
  }

  Lexer lexer_;
  int dim_;
  Token current_;
  std::size_t next_pos_ = 0;
  int depth_ = 0;
  std::map<std::string, Operand> definitions_;
  Program program_;
};

// Drops the ops that the result does not depend on (unused definitions, and
// what folding left unreferenced) and renumbers the slots in order.
Program without_unused_ops(const Program& program) {
  const int n = static_cast<int>(program.ops.size());
  std::vector<char> used(n, 0);
  if (program.result.kind == OperandKind::Slot) used[program.result.index] = 1;
  for (int i = n - 1; i >= 0; --i) {
    if (!used[i]) continue;
    const Op& op = program.ops[i];
    for (int a = 0; a < op.arg_count; ++a) {
      const Operand& o = program.args[op.first_arg + a];
      if (o.kind == OperandKind::Slot) used[o.index] = 1;
    }
  }
  std::vector<int> renumbered(n, -1);
  Program out;
  out.dim = program.dim;
  const auto moved = [&](Operand o) {
    if (o.kind == OperandKind::Slot) o.index = renumbered[o.index];
    return o;
  };
  for (int i = 0; i < n; ++i) {
    if (!used[i]) continue;
    Op op = program.ops[i];
    const int first = static_cast<int>(out.args.size());
    for (int a = 0; a < op.arg_count; ++a) out.args.push_back(moved(program.args[op.first_arg + a]));
    op.first_arg = first;
    renumbered[i] = static_cast<int>(out.ops.size());
    out.ops.push_back(op);
  }
  out.result = moved(program.result);
  return out;
}

}  // namespace

EnergyExpression compile_energy(const std::string& text, int dim) {
  if (dim < 1) throw std::invalid_argument("an energy expression needs at least 1 dimension, got " + std::to_string(dim));
  if (text.size() > kMaxExpressionLength)
    throw ExpressionError("expression is longer than " + std::to_string(kMaxExpressionLength) + " characters (it has " +
                              std::to_string(text.size()) + ")",
                          static_cast<int>(kMaxExpressionLength) + 1);
  Parser parser(text, dim);
  auto program = std::make_shared<const Program>(without_unused_ops(parser.parse()));
  return EnergyExpression(text, std::move(program));
}

}  // namespace nfvi
