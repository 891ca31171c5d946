// Seconds per training step of conditional VI on the rotated ring, at the
// seed's settings: an MLP 1 -> 512 -> 512 -> 164 maps 32 angles to planar
// flows with K = 32 layers; phase 1 draws 100 samples per angle, phase 2
// 1000 (forward, energy, backward through flows and MLP, Adam update).
// The seed's PyTorch code (../shared/peer/torch_cond_ref.py) takes about
// 27 ms (phase 1) and 67 ms (phase 2) per step on these machines.
//
// Each case is repeated 7 times; the median row's Time column is the median
// time per step:
//   build/bench/nfvi_bench_conditional [--benchmark_filter=phase2]
#include <benchmark/benchmark.h>

#include "vi/conditional_trainer.hpp"

namespace {

void conditional_step(benchmark::State& state, int samples_per_angle) {
  nfvi::ConditionalConfig config;  // the seed's: K = 32, 2 x 512 hidden, 32 angles per step
  config.phase1_steps = 1000000;   // stay in one phase; its sample count is set here
  config.phase1_samples = samples_per_angle;
  nfvi::ConditionalTrainer trainer(config);
  for (int i = 0; i < 5; ++i) trainer.step();
  for (auto _ : state) benchmark::DoNotOptimize(trainer.step());
  state.counters["steps_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK_CAPTURE(conditional_step, phase1_100_per_angle, 100)
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(7)
    ->ReportAggregatesOnly(true);
BENCHMARK_CAPTURE(conditional_step, phase2_1000_per_angle, 1000)
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(7)
    ->ReportAggregatesOnly(true);

BENCHMARK_MAIN();
