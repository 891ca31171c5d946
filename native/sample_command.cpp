#include "sample_command.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "cli_checks.hpp"
#include "model_json.hpp"
#include "planar_flow.hpp"
#include "random.hpp"

namespace nfvi {

CLI::App* add_sample_command(CLI::App& app, SampleOptions& o) {
  CLI::App* sample = app.add_subcommand("sample", "Draw samples from a trained flow");
  sample->add_option("--model", o.model, "summary.json of `nfvi fit`, or a model saved by the web page")->required();
  sample->add_option("--n", o.n, "Number of samples")->check(CLI::Range(1LL, 100000000LL))->capture_default_str();
  sample->add_option("--seed", o.seed, "Random seed")
      ->check(CLI::Range(std::uint64_t{0}, kMaxSeed))
      ->capture_default_str();
  sample->add_option("--out", o.out, "Output CSV file (columns z1, z2, log_q)")->required();
  return sample;
}

int run_sample(const SampleOptions& o) {
  std::ifstream in(o.model, std::ios::binary);
  if (!in) throw UsageError("--model: cannot open " + o.model);
  std::stringstream text;
  text << in.rdbuf();

  FlowModel model;
  try {
    model = flow_model_from_text(text.str());
  } catch (const ModelFormatError& e) {
    throw UsageError("--model: " + o.model + ": " + e.what());
  }
  PlanarFlow flow(model.dim, model.layers);
  flow.parameters() = model.parameters;

  // Written under a temporary name and renamed at the end, so that a failed
  // run never leaves a partial CSV under the requested name.
  const std::string partial = o.out + ".partial";
  std::ofstream out(partial, std::ios::binary);
  if (!out) throw UsageError("--out: cannot write " + o.out);
  const auto abandon = [&](const std::string& why) {
    out.close();
    std::remove(partial.c_str());
    throw std::runtime_error(why);
  };

  Random rng(o.seed);
  Samples z;
  Array log_q;
  constexpr long long kChunk = 100000;
  out << "z1,z2,log_q\n";
  char line[96];
  for (long long start = 0; start < o.n; start += kChunk) {
    sample_flow(flow, rng, std::min(kChunk, o.n - start), z, log_q);
    if (!z.allFinite() || !log_q.allFinite())
      abandon("the model in " + o.model + " produced non-finite samples (near sample " + std::to_string(start) + ")");
    for (Eigen::Index i = 0; i < z.cols(); ++i) {
      std::snprintf(line, sizeof line, "%.9g,%.9g,%.9g\n", z(0, i), z(1, i), log_q(i));
      out << line;
    }
  }
  out.flush();
  if (!out) abandon("writing " + o.out + " failed");
  out.close();
  if (std::rename(partial.c_str(), o.out.c_str()) != 0) abandon("cannot rename " + partial + " to " + o.out);
  std::printf("wrote %lld samples of %s (%s, %d layers) to %s\n", o.n, o.model.c_str(),
              potential_name(model.potential).c_str(), model.layers, o.out.c_str());
  return 0;
}

}  // namespace nfvi
