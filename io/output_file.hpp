// Every result file that nfvi writes goes through OutputFile.
//
// The rules, the same for every writer:
//  - the target is a new name in an existing directory, or an existing
//    regular file, which is replaced as a whole. A device (/dev/null,
//    /dev/full), a FIFO, a socket, a directory or a symbolic link is refused:
//    renaming over it would replace the system's file or the user's link.
//    "-" (where a command allows it) writes through to standard output.
//  - the content goes to a temporary file of our own, created exclusively
//    beside the target (.NAME.nfvi-XXXXXX: it never clobbers a user's file);
//    every write is checked, and commit() flushes it to disk, checks close,
//    checks the target again, and renames the temporary over it.
//  - without commit() (an error, an exception), the destructor removes the
//    temporary: the target is either untouched or entirely the new content.
// Errors are OutputError, with a one-line message that names the file.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace nfvi {

class OutputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws OutputError unless `path` may receive a result (see above; "-" is
// not accepted here). Used to refuse a bad --out before any work is done.
void check_output_path(const std::string& path);

// The temporary name for `path`'s content is "." + file name + kTempMarker + 6 characters.
inline constexpr std::string_view kTempMarker = ".nfvi-";

class OutputFile {
 public:
  // Checks the target and creates the temporary. With allow_stdout, "-" means standard output.
  explicit OutputFile(std::string path, bool allow_stdout = false);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  OutputFile(OutputFile&& other) noexcept;

  const std::string& path() const { return path_; }
  bool is_stdout() const { return fd_ == 1; }

  // The temporary file, for a library that writes by file name (PLplot):
  // it writes there, and commit() then moves that content into place.
  const std::string& temp_path() const { return temp_; }

  void write(const void* data, std::size_t n);
  void write(std::string_view text) { write(text.data(), text.size()); }

  // Makes the content the target's (see above). Throws OutputError.
  void commit();

 private:
  std::string path_;
  std::string temp_;
  int fd_ = -1;
  bool committed_ = false;
};

// path's content becomes `bytes`, atomically.
void write_file_atomically(const std::string& path, std::string_view bytes);

}  // namespace nfvi
