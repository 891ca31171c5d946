// What a configuration of `nfvi cond` or `nfvi vae` needs in memory, from
// its sizes alone, so that a run that cannot fit is refused before it starts
// (and does not die of std::bad_alloc minutes later). The estimates count
// the large arrays: parameters, gradient and Adam's moments, the checkpoint's
// copies, the activations of a batch, the flow's cached samples and the
// importance-sampling chunks; they are meant to be within a factor of two.
#pragma once

#include <string>

#include "cond_command.hpp"
#include "vae_command.hpp"

namespace nfvi {

double estimated_cond_bytes(const CondOptions& options);
double estimated_vae_bytes(const VaeOptions& options, int data_dim, long long train_images);

// This machine's physical memory in bytes (0 if unknown).
double physical_memory_bytes();

// Throws UsageError, naming `flags`, if `bytes` exceed 90% of physical memory.
void require_memory(double bytes, const std::string& flags);

}  // namespace nfvi
