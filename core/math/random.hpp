// Our own seedable random numbers, so that one seed gives the same run
// natively and in WebAssembly (std::normal_distribution differs between
// standard libraries).
//
// Generator: xoshiro256** (Blackman & Vigna), state filled by splitmix64.
// Normals: Marsaglia's polar method, which needs only log and sqrt.
#pragma once

#include <array>
#include <cstdint>

#include "math/types.hpp"

namespace nfvi {

class Random {
 public:
  explicit Random(std::uint64_t seed);

  std::uint64_t next_u64();
  // Uniform on [0, 1), 53 random bits.
  double uniform();
  // Standard normal.
  double normal();
  // Fills a batch of points with independent standard normals, sample by
  // sample (column by column), whatever the storage order.
  void fill_normal(Samples& m);

  // The generator's whole state, for checkpoints: restoring it continues the
  // same stream.
  struct State {
    std::array<std::uint64_t, 4> words{};
    bool has_spare_normal = false;
    double spare_normal = 0.0;
  };
  State state() const;
  // Throws std::invalid_argument for the all-zero words, from which
  // xoshiro256** never leaves (the normal sampler would loop forever), or a
  // non-finite spare normal.
  void set_state(const State& state);

 private:
  std::uint64_t state_[4];
  bool has_spare_normal_ = false;
  double spare_normal_ = 0.0;
};

}  // namespace nfvi
