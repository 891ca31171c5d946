// The IDX format of MNIST and Fashion-MNIST (LeCun et al.):
//
//   bytes 0-1  zero
//   byte  2    element type (0x08 = unsigned byte; the only type these sets use)
//   byte  3    number of dimensions n
//   then n big-endian 32-bit sizes, then prod(sizes) elements, row-major.
//
// Images are idx3 (count, rows, cols), labels idx1 (count). Files may be
// gzipped or not (told by gzip's magic bytes, not the name).
//
// The reader trusts nothing in the file: it reads the header first, checks
// the announced size in overflow-safe arithmetic against a stated limit,
// then reads (and inflates) at most that many bytes, growing its buffer as
// they arrive, and stops at the first byte beyond them. A gzip bomb costs
// no more memory than the header honestly announces.
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

// The most elements an IDX file may announce: 2^27 bytes of pixels (about
// 170,000 images of 28 x 28; MNIST's training set is 47 million).
inline constexpr std::uint64_t kMaxIdxElements = std::uint64_t{1} << 27;

struct IdxArray {
  std::vector<std::uint32_t> dims;  // sizes, outermost first
  std::vector<std::uint8_t> data;   // prod(dims) elements, row-major
};

// Parses IDX bytes, gzipped or not. `name` appears in error messages.
// Rejects: a wrong magic, an element type other than unsigned byte, sizes
// beyond kMaxIdxElements, a header or data shorter than announced
// (truncated), bytes beyond the data, and a damaged gzip stream.
IdxArray parse_idx(const std::string& bytes, const std::string& name);

// Reads and parses a regular file (at most kDataFileLimit bytes), gzipped or
// not, streaming. Throws IdxFormatError, also when the file cannot be opened.
IdxArray read_idx_file(const std::string& path);

}  // namespace nfvi
