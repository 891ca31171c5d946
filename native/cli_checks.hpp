// Flag validators shared by the subcommands. CLI11 reports a failed check as
// "--flag: <message>", so every message names the flag it is about.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace nfvi {

// A bad flag value found after parsing (e.g. an unwritable --out): the
// program prints it as one line and exits with code 2, like a parse error.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Seeds are whole numbers up to 2^53 - 1, so that the web page (JavaScript
// numbers) can carry any seed that the native program accepts.
inline constexpr std::uint64_t kMaxSeed = (std::uint64_t{1} << 53) - 1;

// The most Adam steps any option counts (--steps, --anneal, --stl-from, ...).
inline constexpr long long kMaxSteps = 100'000'000;

// A number that is finite and > 0 (rejects 0, negatives, nan, inf and text).
CLI::Validator positive_finite_number();

// A finite number (rejects nan, inf and text).
CLI::Validator finite_number();

// Text that is not empty: `--out ''` is an error, not the default path.
CLI::Validator non_empty_text();

// A fit whose true KL is above this many nats has not found the target: the
// seed study's fits end below 0.05, and a failed one (too large an --lr, too
// few steps) ends far above. Reported as a warning, in the summary too.
inline constexpr double kPoorFitNats = 1.0;

// The warning for a fit that ended at kl_true nats, or "" if it is fine.
// `lr_flag` names the learning-rate flag to suggest lowering.
std::string poor_fit_warning(double kl_true, const std::string& lr_flag);

// Joins a CLI11 error message into one line.
std::string one_line(std::string message);

}  // namespace nfvi
