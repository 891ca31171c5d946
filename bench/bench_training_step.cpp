// Seconds per training step of planar-flow reverse-KL VI: one Adam step with
// N base samples through K layers in D = 2 (forward, energy, backward, update).
// The reference point is K = 50, N = 1000 on U1; the seed's PyTorch
// code takes about 19 ms per step on these machines.
//
// Each case is repeated 7 times and reported as mean, median, stddev and cv;
// the median row's Time column is the median time per step:
//   build/bench/nfvi_bench_step [--benchmark_filter=U1/50/1000]
#include <benchmark/benchmark.h>

#include "vi/flow_trainer.hpp"

namespace {

void training_step(benchmark::State& state, nfvi::Potential potential) {
  nfvi::TrainingConfig config;
  config.potential = potential;
  config.flow = "planar:" + std::to_string(state.range(0));
  config.samples = static_cast<int>(state.range(1));
  nfvi::FlowTrainer trainer(config);
  for (int i = 0; i < 20; ++i) trainer.step();  // leave the initial transient
  for (auto _ : state) benchmark::DoNotOptimize(trainer.step());
  state.counters["steps_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

// The same step for a flow given by its spec (flows/flow_spec.hpp), e.g. the
// rational-quadratic spline coupling flow "spline:4" (8 bins on [-5, 5], a
// 1-32-32-23 ELU conditioner per layer); range(0) is N. Its PyTorch peer is
// bench/torch_spline_flow.py (bench/compare-spline-with-peer.sh runs both):
//   build/bench/nfvi_bench_step --benchmark_filter=U1_spline4/1000
void flow_training_step(benchmark::State& state, nfvi::Potential potential, const char* flow) {
  nfvi::TrainingConfig config;
  config.potential = potential;
  config.flow = flow;
  config.samples = static_cast<int>(state.range(0));
  nfvi::FlowTrainer trainer(config);
  for (int i = 0; i < 20; ++i) trainer.step();  // leave the initial transient
  for (auto _ : state) benchmark::DoNotOptimize(trainer.step());
  state.counters["steps_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK_CAPTURE(training_step, U1, nfvi::Potential::U1)
    ->Args({50, 1000})
    ->Args({10, 1000})
    ->Args({50, 100})
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(7)
    ->ReportAggregatesOnly(true);
BENCHMARK_CAPTURE(training_step, U8, nfvi::Potential::U8)
    ->Args({50, 1000})
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(7)
    ->ReportAggregatesOnly(true);

BENCHMARK_CAPTURE(flow_training_step, U1_spline4, nfvi::Potential::U1, "spline:4")
    ->Arg(1000)
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(7)
    ->ReportAggregatesOnly(true);

BENCHMARK_MAIN();
