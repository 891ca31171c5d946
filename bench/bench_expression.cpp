// An energy expression against the built-in energy it spells out: U and
// grad U over a batch of N points, expression U1 (targets/expression.hpp,
// energy_expression(Potential::U1)) beside evaluate_energy(Potential::U1).
// The points are 2 N(0, I) draws, about where a flow's samples sit. A third
// case is the built-in U1 in its batch form (evaluate_ring_energy), the
// fastest code nfvi has for it. The goal is expression / built-in <= 3.
//
// Each case is repeated 7 times; the median row's Time column is the median
// time per evaluation:
//   build/bench/nfvi_bench_expression --benchmark_filter=U1
#include <benchmark/benchmark.h>

#include "math/random.hpp"
#include "targets/energies.hpp"
#include "targets/expression.hpp"

namespace {

nfvi::Samples points(Eigen::Index n) {
  nfvi::Random rng(1);
  nfvi::Samples z(2, n);
  rng.fill_normal(z);
  return 2 * z;
}

void counters(benchmark::State& state) {
  state.counters["points_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * state.range(0)), benchmark::Counter::kIsRate);
}

void builtin_energy(benchmark::State& state, nfvi::Potential potential) {
  const nfvi::Samples z = points(state.range(0));
  nfvi::Array energy;
  nfvi::Samples gradient;
  for (auto _ : state) {
    nfvi::evaluate_energy(potential, z, energy, gradient);
    benchmark::DoNotOptimize(energy.data());
    benchmark::DoNotOptimize(gradient.data());
  }
  counters(state);
}

// U1 is ring(0, 2, 0): the built-in's batch form on whole Eigen arrays,
// faster than the point-by-point evaluate_energy that training calls.
void builtin_ring_batch(benchmark::State& state) {
  const nfvi::Samples z = points(state.range(0));
  nfvi::Array energy;
  nfvi::Samples gradient;
  for (auto _ : state) {
    nfvi::evaluate_ring_energy(z, 0.0, 2.0, 0.0, energy, gradient);
    benchmark::DoNotOptimize(energy.data());
    benchmark::DoNotOptimize(gradient.data());
  }
  counters(state);
}

void expression_energy(benchmark::State& state, nfvi::Potential potential) {
  const nfvi::Samples z = points(state.range(0));
  const nfvi::EnergyExpression expression = nfvi::compile_energy(nfvi::energy_expression(potential), 2);
  nfvi::Array energy;
  nfvi::Samples gradient;
  for (auto _ : state) {
    expression.evaluate(z, energy, gradient);
    benchmark::DoNotOptimize(energy.data());
    benchmark::DoNotOptimize(gradient.data());
  }
  counters(state);
}

// U only, without the reverse pass (what a density grid needs).
void expression_value(benchmark::State& state, nfvi::Potential potential) {
  const nfvi::Samples z = points(state.range(0));
  const nfvi::EnergyExpression expression = nfvi::compile_energy(nfvi::energy_expression(potential), 2);
  nfvi::Array energy;
  for (auto _ : state) {
    expression.evaluate_value(z, energy);
    benchmark::DoNotOptimize(energy.data());
  }
  counters(state);
}

}  // namespace

#define NFVI_ENERGY_BENCHMARK(function, name, potential) \
  BENCHMARK_CAPTURE(function, name, potential)           \
      ->Arg(1000)                                        \
      ->Arg(100000)                                      \
      ->Unit(benchmark::kMicrosecond)                    \
      ->Repetitions(7)                                   \
      ->ReportAggregatesOnly(true)

NFVI_ENERGY_BENCHMARK(builtin_energy, U1, nfvi::Potential::U1);
BENCHMARK(builtin_ring_batch)->Name("builtin_ring_batch/U1")->Arg(1000)->Arg(100000)->Unit(benchmark::kMicrosecond)
    ->Repetitions(7)->ReportAggregatesOnly(true);
NFVI_ENERGY_BENCHMARK(expression_energy, U1, nfvi::Potential::U1);
NFVI_ENERGY_BENCHMARK(expression_value, U1, nfvi::Potential::U1);
NFVI_ENERGY_BENCHMARK(builtin_energy, U8, nfvi::Potential::U8);
NFVI_ENERGY_BENCHMARK(expression_energy, U8, nfvi::Potential::U8);

BENCHMARK_MAIN();
