// Every file that nfvi reads is opened here: model files, checkpoints, IDX
// images (plain or gzipped), the digits' JSON, CSV tables and run configs.
//
// The rules, the same for every reader:
//  - regular files only: a device (/dev/zero never ends), a FIFO (which would
//    block) or a directory is refused before a byte is read;
//  - at most `limit` bytes, and the limit is stated in the error;
//  - the file is opened once and checked through its descriptor, so a path
//    that changes between the check and the read cannot slip through.
// Errors are InputError, with a one-line message that names the file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace nfvi {

class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Size limits, one per kind of input (bytes).
inline constexpr std::uint64_t kModelFileLimit = 64ull << 20;        // JSON model files and summaries
inline constexpr std::uint64_t kSmallTextFileLimit = 16ull << 20;    // config.json, elbo.csv
inline constexpr std::uint64_t kCheckpointFileLimit = 16ull << 30;   // checkpoint.bin (weights and Adam moments)
inline constexpr std::uint64_t kDataFileLimit = 4ull << 30;          // IDX files (compressed size) and digits JSON

// "64 MB", "16 GB": a limit as people read it.
std::string byte_count_text(std::uint64_t bytes);

// An open regular file, read sequentially. The destructor closes it.
class InputFile {
 public:
  // Opens path for reading; throws InputError unless it is a regular file of
  // at most `limit` bytes.
  InputFile(const std::string& path, std::uint64_t limit);
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  const std::string& path() const { return path_; }
  std::uint64_t size() const { return size_; }  // as fstat saw it at open

  // Reads up to n bytes into buffer; returns how many (0 at the end).
  // Throws InputError on a read error, or when the file has grown past its limit.
  std::size_t read_some(void* buffer, std::size_t n);

  // The rest of the file (at most the limit).
  std::string read_all();

 private:
  std::string path_;
  std::uint64_t limit_;
  std::uint64_t size_ = 0;
  std::uint64_t consumed_ = 0;
  int fd_ = -1;
};

// The whole of a regular file of at most `limit` bytes.
std::string read_input_file(const std::string& path, std::uint64_t limit);

}  // namespace nfvi
