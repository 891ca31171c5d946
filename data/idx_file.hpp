// The IDX format of MNIST and Fashion-MNIST (LeCun et al.):
//
//   bytes 0-1  zero
//   byte  2    element type (0x08 = unsigned byte; the only type these sets use)
//   byte  3    number of dimensions n
//   then n big-endian 32-bit sizes, then prod(sizes) elements, row-major.
//
// Images are idx3 (count, rows, cols), labels idx1 (count). Files may be
// gzipped (.gz) or not: zlib's gzread reads both.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace nfvi {

// A file that is not a valid IDX file: the message names the file and the fault.
class IdxFormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct IdxArray {
  std::vector<std::uint32_t> dims;  // sizes, outermost first
  std::vector<std::uint8_t> data;   // prod(dims) elements, row-major
};

// Parses IDX bytes (already decompressed). `name` appears in error messages.
// Rejects: a wrong magic, an element type other than unsigned byte, a header
// or data shorter than announced (truncated), and bytes beyond the data.
IdxArray parse_idx(const std::vector<std::uint8_t>& bytes, const std::string& name);

// Reads and parses a file, gzipped or not. Throws IdxFormatError (also when
// the file cannot be opened or its gzip stream is corrupt).
IdxArray read_idx_file(const std::string& path);

}  // namespace nfvi
