#include "output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace nfvi {
namespace {

std::string errno_text() { return std::strerror(errno); }

mode_t process_umask() {
  static const mode_t mask = [] {
    const mode_t m = ::umask(022);
    ::umask(m);
    return m;
  }();
  return mask;
}

// What kind of thing `info` describes, for "X is a FIFO"-style messages.
const char* kind_of(const struct stat& info) {
  if (S_ISDIR(info.st_mode)) return "a directory";
  if (S_ISCHR(info.st_mode)) return "a character device";
  if (S_ISBLK(info.st_mode)) return "a block device";
  if (S_ISFIFO(info.st_mode)) return "a FIFO";
  if (S_ISSOCK(info.st_mode)) return "a socket";
  if (S_ISLNK(info.st_mode)) return "a symbolic link";
  return "not a regular file";
}

std::string parent_of(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string name_of(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

void write_all(int fd, const void* data, std::size_t n, const std::string& path) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t done = ::write(fd, p, n);
    if (done < 0 && errno == EINTR) continue;
    if (done < 0) throw OutputError("cannot write " + path + ": " + errno_text());
    p += done;
    n -= static_cast<std::size_t>(done);
  }
}

}  // namespace

void check_output_path(const std::string& path) {
  if (path.empty()) throw OutputError("the output file name is empty");
  if (path.back() == '/') throw OutputError(path + " names a directory, not a file");
  struct stat info {};
  if (::lstat(path.c_str(), &info) == 0) {
    if (!S_ISREG(info.st_mode))
      throw OutputError(path + " is " + kind_of(info) + "; nfvi writes only to regular files or new names");
    if (::access(path.c_str(), W_OK) != 0) throw OutputError(path + " is not writable: " + errno_text());
    return;
  }
  if (errno != ENOENT) throw OutputError("cannot use " + path + ": " + errno_text());
  const std::string parent = parent_of(path);
  if (::stat(parent.c_str(), &info) != 0) throw OutputError("cannot write " + path + ": " + parent + ": " + errno_text());
  if (!S_ISDIR(info.st_mode)) throw OutputError("cannot write " + path + ": " + parent + " is not a directory");
}

OutputFile::OutputFile(std::string path, bool allow_stdout) : path_(std::move(path)) {
  if (allow_stdout && path_ == "-") {
    fd_ = 1;
    return;
  }
  check_output_path(path_);
  std::string pattern = parent_of(path_) + "/." + name_of(path_) + std::string(kTempMarker) + "XXXXXX";
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  fd_ = ::mkostemp(name.data(), O_CLOEXEC);  // O_CREAT | O_EXCL: a name of our own
  if (fd_ < 0) throw OutputError("cannot write " + path_ + ": " + errno_text());
  temp_ = name.data();
  // mkostemp makes the file 0600; results get the permissions of any new file.
  if (::fchmod(fd_, 0666 & ~process_umask()) != 0) throw OutputError("cannot write " + path_ + ": " + errno_text());
}

OutputFile::OutputFile(OutputFile&& other) noexcept
    : path_(std::move(other.path_)), temp_(std::move(other.temp_)), fd_(other.fd_), committed_(other.committed_) {
  other.fd_ = -1;
  other.temp_.clear();
}

OutputFile::~OutputFile() {
  if (fd_ > 1) ::close(fd_);
  if (!committed_ && !temp_.empty()) ::unlink(temp_.c_str());
}

void OutputFile::write(const void* data, std::size_t n) {
  write_all(fd_, data, n, is_stdout() ? "standard output" : path_);
}

void OutputFile::commit() {
  if (is_stdout()) {
    // Pipes and terminals cannot be synced; a full disk behind a redirection
    // shows up in write() already.
    committed_ = true;
    return;
  }
  // The library that wrote by name may have replaced the file; sync what is there now.
  struct stat temp_info {};
  if (::stat(temp_.c_str(), &temp_info) != 0 || !S_ISREG(temp_info.st_mode))
    throw OutputError("cannot write " + path_ + ": its temporary file is gone");
  const int sync_fd = ::open(temp_.c_str(), O_RDONLY | O_CLOEXEC);
  if (sync_fd < 0 || ::fsync(sync_fd) != 0) {
    const std::string why = errno_text();
    if (sync_fd >= 0) ::close(sync_fd);
    throw OutputError("cannot write " + path_ + ": " + why);
  }
  ::close(sync_fd);
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) throw OutputError("cannot write " + path_ + ": " + errno_text());
  check_output_path(path_);  // it may have become a link or a device meanwhile
  if (::rename(temp_.c_str(), path_.c_str()) != 0) throw OutputError("cannot write " + path_ + ": " + errno_text());
  committed_ = true;
}

void write_file_atomically(const std::string& path, std::string_view bytes) {
  OutputFile file(path);
  file.write(bytes);
  file.commit();
}

}  // namespace nfvi
