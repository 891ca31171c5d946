#include "idx_file.hpp"

#include <zlib.h>

#include <memory>

namespace nfvi {
namespace {

constexpr std::uint8_t kUnsignedByte = 0x08;
constexpr int kMaxDims = 4;

std::uint32_t big_endian_u32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
}

}  // namespace

IdxArray parse_idx(const std::vector<std::uint8_t>& bytes, const std::string& name) {
  const auto fail = [&](const std::string& why) { return IdxFormatError(name + ": not a valid IDX file: " + why); };
  if (bytes.size() < 4) throw fail("truncated header (" + std::to_string(bytes.size()) + " bytes)");
  if (bytes[0] != 0 || bytes[1] != 0) throw fail("wrong magic number (first two bytes must be zero)");
  if (bytes[2] != kUnsignedByte)
    throw fail("element type " + std::to_string(bytes[2]) + " is not supported (only unsigned bytes, type 8)");
  const int n_dims = bytes[3];
  if (n_dims < 1 || n_dims > kMaxDims) throw fail("wrong magic number (" + std::to_string(n_dims) + " dimensions)");
  const size_t header = 4 + 4 * static_cast<size_t>(n_dims);
  if (bytes.size() < header) throw fail("truncated header");

  IdxArray array;
  unsigned long long count = 1;
  for (int d = 0; d < n_dims; ++d) {
    array.dims.push_back(big_endian_u32(&bytes[4 + 4 * static_cast<size_t>(d)]));
    count *= array.dims.back();
    if (count > (1ULL << 34)) throw fail("sizes too large");
  }
  const size_t available = bytes.size() - header;
  if (available < count)
    throw fail("truncated: the header announces " + std::to_string(count) + " bytes of data, the file has " +
               std::to_string(available));
  if (available > count)
    throw fail("wrong size: " + std::to_string(available - count) + " bytes beyond the " + std::to_string(count) +
               " the header announces");
  array.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(header), bytes.end());
  return array;
}

IdxArray read_idx_file(const std::string& path) {
  const std::unique_ptr<gzFile_s, int (*)(gzFile)> file(gzopen(path.c_str(), "rb"), gzclose);
  if (!file) throw IdxFormatError(path + ": cannot open");
  std::vector<std::uint8_t> bytes;
  std::uint8_t buffer[1 << 16];
  for (;;) {
    const int n = gzread(file.get(), buffer, sizeof buffer);
    if (n < 0) {
      int code = 0;
      throw IdxFormatError(path + ": cannot read: " + gzerror(file.get(), &code));
    }
    if (n == 0) break;
    bytes.insert(bytes.end(), buffer, buffer + n);
  }
  // A gzip stream cut short ends without error from gzread on some zlib
  // versions; gzerror tells.
  int code = Z_OK;
  const char* message = gzerror(file.get(), &code);
  if (code != Z_OK && code != Z_STREAM_END) throw IdxFormatError(path + ": cannot read: " + message);
  return parse_idx(bytes, path);
}

}  // namespace nfvi
