#include "math/random.hpp"

#include <cmath>
#include <stdexcept>

namespace nfvi {
namespace {

std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

Random::Random(std::uint64_t seed) {
  std::uint64_t s = seed;
  for (auto& word : state_) word = splitmix64(s);
}

std::uint64_t Random::next_u64() {
  const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
  const std::uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = rotl(state_[3], 45);
  return result;
}

double Random::uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

double Random::normal() {
  if (has_spare_normal_) {
    has_spare_normal_ = false;
    return spare_normal_;
  }
  // Polar method: a uniform point in the unit disc gives two independent normals.
  double x, y, s;
  do {
    x = 2 * uniform() - 1;
    y = 2 * uniform() - 1;
    s = x * x + y * y;
  } while (s >= 1 || s == 0);
  const double scale = std::sqrt(-2 * std::log(s) / s);
  spare_normal_ = y * scale;
  has_spare_normal_ = true;
  return x * scale;
}

void Random::fill_normal(Samples& m) {
  for (Eigen::Index j = 0; j < m.cols(); ++j)
    for (Eigen::Index i = 0; i < m.rows(); ++i) m(i, j) = normal();
}

Random::State Random::state() const {
  State s;
  for (int i = 0; i < 4; ++i) s.words[static_cast<size_t>(i)] = state_[i];
  s.has_spare_normal = has_spare_normal_;
  s.spare_normal = spare_normal_;
  return s;
}

void Random::set_state(const State& s) {
  if (s.words[0] == 0 && s.words[1] == 0 && s.words[2] == 0 && s.words[3] == 0)
    throw std::invalid_argument("random generator state of all zeros");
  if (s.has_spare_normal && !std::isfinite(s.spare_normal))
    throw std::invalid_argument("random generator state with a non-finite spare normal");
  for (int i = 0; i < 4; ++i) state_[i] = s.words[static_cast<size_t>(i)];
  has_spare_normal_ = s.has_spare_normal;
  spare_normal_ = s.spare_normal;
}

}  // namespace nfvi
