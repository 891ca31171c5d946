#include "memory_budget.hpp"

#include <unistd.h>

#include <cstdio>
#include <vector>

#include "cli_checks.hpp"

namespace nfvi {
namespace {

// Weights and biases of a dense network with these layer sizes, and the sum of its sizes.
double parameter_count(const std::vector<double>& sizes) {
  double p = 0;
  for (size_t i = 1; i < sizes.size(); ++i) p += sizes[i] * (sizes[i - 1] + 1);
  return p;
}

double unit_count(const std::vector<double>& sizes) {
  double n = 0;
  for (double s : sizes) n += s;
  return n;
}

std::string gigabytes(double bytes) {
  char text[32];
  std::snprintf(text, sizeof text, bytes >= 10e9 ? "%.0f GB" : "%.1f GB", bytes / 1e9);
  return text;
}

}  // namespace

double estimated_cond_bytes(const CondOptions& o) {
  std::vector<double> sizes{1};
  for (int l = 0; l < o.hidden_layers; ++l) sizes.push_back(o.hidden);
  sizes.push_back(4.0 + 5.0 * o.layers);  // mu, rho and K planar layers in 2-D
  const double p = parameter_count(sizes);
  const double batch = o.angles_per_step;
  const double samples = std::max(o.samples, o.phase2_samples);
  // parameters, gradient, Adam m and v, and the summary's copy; activations
  // and deltas of the batch; each angle's flow caches (K + 1) x 2 x S points
  // and a gradient of the same size.
  return 8 * (5 * p + 4 * batch * unit_count(sizes) + 2 * batch * samples * (o.layers + 1.0) * 2 * 2);
}

double estimated_vae_bytes(const VaeOptions& o, int data_dim, long long train_images) {
  const double scalar = o.precision == "float" ? 4 : 8;
  const double d = o.latent, k = o.flows, h = o.hidden;
  const std::vector<double> encoder{double(data_dim), h, h, 2 * d + 2 * k * d + k};
  const std::vector<double> decoder{d, h, h, double(data_dim)};
  const double p = parameter_count(encoder) + parameter_count(decoder);
  const double batch = std::min<double>(o.batch, double(train_images));
  const double is_columns = 32.0 * o.is_samples;  // importance sampling runs 32 test images at a time
  const double columns = std::max(batch * o.samples, is_columns);
  return scalar * 4 * p                               // parameters, gradient, Adam m and v
         + 8 * 10 * p                                 // the checkpoint: the double state and its bytes
         + scalar * 4 * batch * unit_count(encoder)   // encoder activations and deltas
         + scalar * 4 * columns * unit_count(decoder)  // decoder activations and deltas, per sample
         + 8 * 3 * columns * d * (k + 1);             // the flow's cached samples and their gradients
}

double physical_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? double(pages) * double(page) : 0;
}

void require_memory(double bytes, const std::string& flags) {
  const double physical = physical_memory_bytes();
  if (physical > 0 && bytes > 0.9 * physical)
    throw UsageError(flags + ": this configuration needs about " + gigabytes(bytes) +
                     " of memory to train, more than this machine's " + gigabytes(physical));
}

}  // namespace nfvi
