#include "sample_command.hpp"

#include <algorithm>
#include <cstdio>

#include "cli_checks.hpp"
#include "file_flags.hpp"
#include "interrupt.hpp"
#include "model_files.hpp"
#include "flows/flow.hpp"
#include "math/random.hpp"
#include "samples_csv.hpp"

namespace nfvi {

CLI::App* add_sample_command(CLI::App& app, SampleOptions& o) {
  CLI::App* sample = app.add_subcommand("sample", "Draw samples from a trained flow");
  sample->add_option("--model", o.model, "summary.json of `nfvi fit`, or a model saved by the web page")->required();
  sample->add_option("--n", o.n, "Number of samples")->check(CLI::Range(1LL, 100000000LL))->capture_default_str();
  sample->add_option("--seed", o.seed, "Random seed")
      ->check(CLI::Range(std::uint64_t{0}, kMaxSeed))
      ->capture_default_str();
  sample->add_option("--out", o.out, "Output CSV file (columns z1, z2, log_q); - for standard output")
      ->required()
      ->check(non_empty_text());
  return sample;
}

int run_sample(const SampleOptions& o) {
  const FlowModel model = read_flow_model("--model", o.model);
  Flow flow = model.make_flow();

  SamplesCsv csv(o.out, model.dim);  // checks --out before the sampling
  Random rng(o.seed);
  Samples z;
  Array log_q;
  constexpr long long kChunk = 100000;
  for (long long start = 0; start < o.n; start += kChunk) {
    throw_if_interrupted();
    sample_flow(flow, rng, std::min(kChunk, o.n - start), z, log_q);
    csv.append(z, log_q, "the model in " + o.model);
  }
  csv.commit();
  const bool csv_to_stdout = o.out == "-";
  std::fprintf(csv_to_stdout ? stderr : stdout, "wrote %lld samples of %s (%s, %s) to %s\n", o.n,
               o.model.c_str(), target_label(model).c_str(), model.flow.c_str(), o.out.c_str());
  return 0;
}

}  // namespace nfvi
