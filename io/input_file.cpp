#include "input_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace nfvi {

std::string byte_count_text(std::uint64_t bytes) {
  const char* units[] = {"bytes", "KB", "MB", "GB", "TB"};
  int unit = 0;
  std::uint64_t value = bytes;
  while (unit < 4 && value >= 1024 && value % 1024 == 0) {
    value /= 1024;
    ++unit;
  }
  return std::to_string(value) + " " + units[unit];
}

InputFile::InputFile(const std::string& path, std::uint64_t limit) : path_(path), limit_(limit) {
  if (path.empty()) throw InputError("the file name is empty");
  // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below.
  fd_ = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd_ < 0) {
    const int error = errno;
    throw InputError(path + ": cannot open: " + std::strerror(error));
  }
  struct stat info {};
  if (::fstat(fd_, &info) != 0) {
    const int error = errno;
    ::close(fd_);
    throw InputError(path + ": cannot read: " + std::strerror(error));
  }
  const char* kind = S_ISDIR(info.st_mode)    ? "a directory"
                     : S_ISCHR(info.st_mode)  ? "a character device"
                     : S_ISBLK(info.st_mode)  ? "a block device"
                     : S_ISFIFO(info.st_mode) ? "a FIFO"
                     : S_ISSOCK(info.st_mode) ? "a socket"
                     : S_ISREG(info.st_mode)  ? nullptr
                                              : "not a regular file";
  if (kind != nullptr) {
    ::close(fd_);
    throw InputError(path + " is " + kind + ", not a regular file");
  }
  size_ = static_cast<std::uint64_t>(info.st_size);
  if (size_ > limit_) {
    ::close(fd_);
    throw InputError(path + " is " + std::to_string(size_) + " bytes; files of this kind may be at most " +
                     byte_count_text(limit_));
  }
  const int flags = ::fcntl(fd_, F_GETFL);
  if (flags >= 0) ::fcntl(fd_, F_SETFL, flags & ~O_NONBLOCK);
}

InputFile::~InputFile() {
  if (fd_ >= 0) ::close(fd_);
}

std::size_t InputFile::read_some(void* buffer, std::size_t n) {
  for (;;) {
    const ssize_t got = ::read(fd_, buffer, n);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      const int error = errno;
      throw InputError(path_ + ": cannot read: " + std::strerror(error));
    }
    consumed_ += static_cast<std::uint64_t>(got);
    if (consumed_ > limit_)
      throw InputError(path_ + " grew while it was read; files of this kind may be at most " +
                       byte_count_text(limit_));
    return static_cast<std::size_t>(got);
  }
}

std::string InputFile::read_all() {
  std::string text;
  text.reserve(static_cast<std::size_t>(size_ - std::min(size_, consumed_)));
  char buffer[1 << 16];
  for (std::size_t got; (got = read_some(buffer, sizeof buffer)) > 0;) text.append(buffer, got);
  return text;
}

std::string read_input_file(const std::string& path, std::uint64_t limit) {
  InputFile file(path, limit);
  return file.read_all();
}

}  // namespace nfvi
