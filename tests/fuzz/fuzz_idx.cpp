// libFuzzer harness: the IDX reader, plain and gzipped (`nfvi vae --data`).
#include <cstddef>
#include <cstdint>
#include <string>

#include "idx_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    const nfvi::IdxArray array = nfvi::parse_idx(bytes, "input");
    std::uint64_t count = 1;
    for (std::uint32_t d : array.dims) count *= d;
    if (count != array.data.size()) __builtin_trap();  // the reader's own promise
  } catch (const nfvi::IdxFormatError&) {
  }
  return 0;
}
